package io.strata.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.core.value.MapPropertyResolver;
import io.strata.server.config.StrataConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The metrics-only credential: which headers it matches, and which secrets stop the start. */
class MetricsTokenTest {
  static final String SECRET = "0123456789abcdef0123456789abcdef";

  @Test
  void matchesOnlyItsOwnBearerHeader() {
    MetricsToken token = new MetricsToken(SECRET);
    assertThat(token.enabled()).isTrue();
    assertThat(token.presented("Bearer " + SECRET)).isTrue();
    assertThat(token.presented("bearer  " + SECRET + " ")).isTrue();
    assertThat(token.presented("Bearer " + SECRET + "0")).isFalse();
    assertThat(token.presented("Basic " + SECRET)).isFalse();
    assertThat(token.presented(SECRET)).isFalse();
    assertThat(token.presented(null)).isFalse();
    MetricsToken none = new MetricsToken("");
    assertThat(none.enabled()).isFalse();
    assertThat(none.presented("Bearer ")).isFalse();
  }

  @Test
  void aShortOrSpacedSecretStopsTheStartWithoutPrintingIt() {
    assertThatThrownBy(() -> MetricsToken.read(new MapPropertyResolver(
        Map.of("strata.metrics.token", "short-secret"))))
        .isInstanceOf(StrataConfig.InvalidConfigException.class)
        .hasMessageContaining("strata.metrics.token (STRATA_METRICS_TOKEN)")
        .hasMessageContaining("at least 32")
        .hasMessageNotContaining("short-secret");
    assertThatThrownBy(() -> MetricsToken.read(new MapPropertyResolver(
        Map.of("strata.metrics.token", "with a space 0123456789abcdef0123456789"))))
        .isInstanceOf(StrataConfig.InvalidConfigException.class);
    assertThat(MetricsToken.read(new MapPropertyResolver(Map.of()))).isEmpty();
    assertThat(MetricsToken.read(new MapPropertyResolver(
        Map.of("strata.metrics.token", SECRET)))).isEqualTo(SECRET);
  }
}
