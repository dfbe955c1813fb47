package io.strata.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.core.value.MapPropertyResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings: read and checked at start, and all of them in the README's reference table. */
class SettingsTest {
  static Path readme() {
    Path base = Path.of(System.getProperty("basedir", "server")).toAbsolutePath();
    return base.getParent().resolve("README.md");
  }

  @Test
  void everySettingIsInTheReadmeTableWithItsEnvVarAndDefault() throws Exception {
    List<String> lines = Files.readAllLines(readme());
    for (Setting s : Setting.values()) {
      assertThat(lines).as(s.property())
          .anySatisfy(l -> assertThat(l).startsWith("| `" + s.envVar() + "`")
              .contains("`" + s.property() + "`")
              .contains(s.defaultValue().isEmpty() ? "| (empty) |" : "| `" + s.defaultValue() + "` |"));
    }
  }

  @Test
  void defaultsGiveTheEmbeddedDemo() {
    StrataConfig c = StrataConfig.from(new MapPropertyResolver(Map.of()));
    {
      assertThat(c.httpPort()).isEqualTo(8080);
      assertThat(c.metadataUrl()).startsWith("jdbc:h2:file:").contains("data");
      assertThat(c.demoEnabled()).isTrue();
      assertThat(c.queryMaxRows()).isEqualTo(100_000);
      assertThat(c.queryTimeout()).isEqualTo(Duration.ofSeconds(60));
    }
  }

  @Test
  void badValuesAreAllNamedWithTheirEnvironmentVariables() {
    MapPropertyResolver env = new MapPropertyResolver(Map.of(
        "strata.http.port", "eighty", "strata.query.timeout", "soon",
        "strata.demo.enabled", "maybe"));
    {
      assertThatThrownBy(() -> StrataConfig.from(env))
          .hasMessageContaining("strata.http.port (STRATA_HTTP_PORT) is 'eighty'")
          .hasMessageContaining("strata.query.timeout (STRATA_QUERY_TIMEOUT) is 'soon'")
          .hasMessageContaining("strata.demo.enabled (STRATA_DEMO_ENABLED) is 'maybe'");
    }
  }

  @Test
  void durations() {
    assertThat(StrataConfig.parseDuration("500ms")).contains(Duration.ofMillis(500));
    assertThat(StrataConfig.parseDuration("30d")).contains(Duration.ofDays(30));
    assertThat(StrataConfig.parseDuration("PT5M")).contains(Duration.ofMinutes(5));
    assertThat(StrataConfig.parseDuration("5 parsecs")).isEmpty();
    assertThat(StrataConfig.parseDuration("-1s")).isEmpty();
  }
}
