package io.strata.server.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.semantic.dialect.Dialect;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DataSourceKindTest {

  @Test
  void idsAndDialects() {
    assertThat(Arrays.stream(DataSourceKind.values()).map(DataSourceKind::id))
        .containsExactly("duckdb", "postgres", "mysql", "bigquery", "snowflake", "redshift");
    for (DataSourceKind k : DataSourceKind.values()) {
      assertThat(k.dialect()).isEqualTo(Dialect.valueOf(k.name()));
      assertThat(k.driverHint()).isNotBlank();
      assertThat(k.driverClass()).isEqualTo(k.driverClasses().get(0));
    }
  }

  @Test
  void shippedDriversAreOnTheClasspath() throws Exception {
    for (DataSourceKind k : DataSourceKind.values()) {
      assertThat(k.shipped()).isEqualTo(k == DataSourceKind.DUCKDB
          || k == DataSourceKind.POSTGRES || k == DataSourceKind.MYSQL);
      if (k.shipped()) {
        assertThat(java.sql.Driver.class.isAssignableFrom(Class.forName(k.driverClass())))
            .isTrue();
      } else {
        assertThat(k.driverHint()).contains("drivers/").contains("Maven Central");
      }
    }
    assertThat(DataSourceKind.DUCKDB.driverClass()).isEqualTo("org.duckdb.DuckDBDriver");
    assertThat(DataSourceKind.POSTGRES.driverClass()).isEqualTo("org.postgresql.Driver");
    assertThat(DataSourceKind.MYSQL.driverClass()).isEqualTo("org.mariadb.jdbc.Driver");
    assertThat(DataSourceKind.SNOWFLAKE.driverClass())
        .isEqualTo("net.snowflake.client.jdbc.SnowflakeDriver");
    assertThat(DataSourceKind.REDSHIFT.driverClass())
        .isEqualTo("com.amazon.redshift.jdbc42.Driver");
    assertThat(DataSourceKind.BIGQUERY.driverClasses()).containsExactly(
        "com.google.cloud.bigquery.jdbc.BigQueryDriver", "com.simba.googlebigquery.jdbc.Driver");
  }

  @Test
  void urlPrefixes() {
    assertThat(DataSourceKind.MYSQL.accepts("jdbc:mysql://h/db")).isTrue();
    assertThat(DataSourceKind.MYSQL.accepts("jdbc:mariadb://h/db")).isTrue();
    assertThat(DataSourceKind.MYSQL.accepts("jdbc:postgresql://h/db")).isFalse();
    assertThat(DataSourceKind.DUCKDB.accepts("jdbc:duckdb:")).isTrue();
    assertThat(DataSourceKind.POSTGRES.accepts("JDBC:POSTGRESQL://h/db")).isTrue();
    assertThat(DataSourceKind.BIGQUERY.accepts(
        "jdbc:bigquery://https://www.googleapis.com/bigquery/v2:443;ProjectId=p")).isTrue();
    assertThat(DataSourceKind.SNOWFLAKE.accepts(null)).isFalse();
  }

  @Test
  void parse() {
    assertThat(DataSourceKind.parse("duckdb")).isEqualTo(DataSourceKind.DUCKDB);
    assertThat(DataSourceKind.parse(" Snowflake ")).isEqualTo(DataSourceKind.SNOWFLAKE);
    assertThat(DataSourceKind.parse("mariadb")).isEqualTo(DataSourceKind.MYSQL);
    assertThat(DataSourceKind.parse("postgresql")).isEqualTo(DataSourceKind.POSTGRES);
    assertThatThrownBy(() -> DataSourceKind.parse("oracle"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown data source kind 'oracle' (expected duckdb, postgres, mysql,"
            + " bigquery, snowflake or redshift)");
    assertThatThrownBy(() -> DataSourceKind.parse(null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
