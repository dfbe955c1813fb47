package io.strata.server.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.core.value.MapPropertyResolver;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reports and thumbnails settings: defaults, and a bad value named with its variable. */
class ReportsSettingsTest {
  @Test
  void defaults() {
    ReportsSettings s = ReportsSettings.from(new MapPropertyResolver(Map.of()));
    assertThat(s.thumbnailInterval()).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.thumbnailDebounce()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.imageLinkTtl()).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void badThumbnailAndLinkSettingsAreEachNamed() {
    MapPropertyResolver env = new MapPropertyResolver(Map.of(
        "strata.thumbnails.min-interval", "every ten minutes",
        "strata.thumbnails.debounce", "-5s",
        "strata.reports.image-link-ttl", "10s"));
    assertThatThrownBy(() -> ReportsSettings.from(env))
        .hasMessageContaining("strata.thumbnails.min-interval (STRATA_THUMBNAILS_MIN_INTERVAL)"
            + " is 'every ten minutes'")
        .hasMessageContaining("strata.thumbnails.debounce (STRATA_THUMBNAILS_DEBOUNCE) is '-5s'")
        .hasMessageContaining("strata.reports.image-link-ttl (STRATA_REPORTS_IMAGE_LINK_TTL)"
            + " is '10s'");
  }

  @Test
  void zeroMeansEveryRefreshAndNoWait() {
    ReportsSettings s = ReportsSettings.from(new MapPropertyResolver(Map.of(
        "strata.thumbnails.min-interval", "0s", "strata.thumbnails.debounce", "0s")));
    assertThat(s.thumbnailInterval()).isZero();
    assertThat(s.thumbnailDebounce()).isZero();
  }
}
