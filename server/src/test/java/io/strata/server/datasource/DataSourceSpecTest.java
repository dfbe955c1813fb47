package io.strata.server.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataSourceSpecTest {

  @Test
  void aValidSpecHasNoProblems() {
    DataSourceSpec spec = DataSourceSpec.of("warehouse_1", DataSourceKind.POSTGRES,
        "jdbc:postgresql://db:5432/analytics");
    assertThat(spec.problems()).isEmpty();
    assertThat(spec.pool()).isEqualTo(PoolSettings.defaults());
    assertThat(spec.properties()).isEmpty();
  }

  @Test
  void everyProblemIsListedAtOnce() {
    DataSourceSpec spec = new DataSourceSpec("Sales-DB", DataSourceKind.POSTGRES,
        "jdbc:mysql://db/sales", null, null, Map.of(),
        new PoolSettings(0, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5)));
    assertThat(spec.problems()).containsExactly(
        "data source name 'Sales-DB' must start with a lower-case letter and contain only"
            + " lower-case letters, digits and '_' (at most 63 characters)",
        "data source 'Sales-DB': a postgres url must start with jdbc:postgresql:, got"
            + " 'jdbc:mysql://db/sales'",
        "data source 'Sales-DB': pool max size must be between 1 and 200, got 0",
        "data source 'Sales-DB': pool connection timeout must be at least 250ms, got 100ms",
        "data source 'Sales-DB': pool idle timeout must be at least 10s, got 1s",
        "data source 'Sales-DB': pool max lifetime must be at least 30s, got 5s");
  }

  @Test
  void missingPiecesAreProblemsToo() {
    Map<String, String> props = new HashMap<>();
    props.put("ssl", null);
    DataSourceSpec spec = new DataSourceSpec("a".repeat(64), null, " ", null, null, props,
        new PoolSettings(201, null, Duration.ofSeconds(10), Duration.ofSeconds(30)));
    assertThat(spec.problems()).hasSize(6)
        .anySatisfy(p -> assertThat(p).contains("at most 63 characters"))
        .anySatisfy(p -> assertThat(p).contains("needs a kind"))
        .anySatisfy(p -> assertThat(p).contains("needs a JDBC url"))
        .anySatisfy(p -> assertThat(p).contains("driver property 'ssl' has no value"))
        .anySatisfy(p -> assertThat(p).contains("between 1 and 200, got 201"))
        .anySatisfy(p -> assertThat(p).contains("connection timeout is missing"));
  }

  @Test
  void toStringNeverShowsSecrets() {
    DataSourceSpec spec = new DataSourceSpec("snow", DataSourceKind.SNOWFLAKE,
        "jdbc:snowflake://acme.snowflakecomputing.com/?warehouse=wh&password=hunter2&role=r",
        "ada", "s3cret!", Map.of("private_key_pwd", "k3y", "db", "sales", "token", "t0k"),
        null);
    String s = spec.toString();
    assertThat(s).doesNotContain("s3cret!").doesNotContain("hunter2").doesNotContain("k3y")
        .doesNotContain("t0k")
        .contains("user=ada").contains("password=***").contains("warehouse=wh")
        .contains("db=sales").contains("role=r");
    DataSourceSpec userInfo = new DataSourceSpec("pg", DataSourceKind.POSTGRES,
        "jdbc:postgresql://ada:pa55@db/x", null, null, null, null);
    assertThat(userInfo.toString()).doesNotContain("pa55").contains("password=(none)");
  }

  @Test
  void propertiesAreCopiedAndImmutable() {
    Map<String, String> props = new HashMap<>(Map.of("sslmode", "require"));
    DataSourceSpec spec = DataSourceSpec.of("pg", DataSourceKind.POSTGRES, "jdbc:postgresql://h/d")
        .withProperties(props);
    props.put("sslmode", "disable");
    assertThat(spec.properties()).containsEntry("sslmode", "require");
    assertThatThrownBy(() -> spec.properties().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void durationsInMessages() {
    assertThat(PoolSettings.format(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(PoolSettings.format(Duration.ofSeconds(60))).isEqualTo("60s");
    assertThat(PoolSettings.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
  }
}
