package io.strata.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.core.value.MapPropertyResolver;
import io.strata.server.config.StrataConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node's settings: defaults, and a bad value refused naming the setting and its variable. */
class ClusterSettingsTest {
  @Test
  void defaultsListenEverywhereAdvertiseNothingAndDoNotDelay() {
    ClusterSettings s = ClusterSettings.from(new MapPropertyResolver(Map.of()));
    assertThat(s.bindHost()).isEqualTo("0.0.0.0");
    assertThat(s.advertisedHost()).isEmpty();
    assertThat(s.drainDelay()).isZero();
    assertThat(s.nodeId()).endsWith(":8080");
  }

  @Test
  void readsTheSettings() {
    ClusterSettings s = ClusterSettings.from(new MapPropertyResolver(Map.of(
        "strata.bind-host", "127.0.0.2", "strata.advertised-host", "strata-2.internal",
        "strata.node-id", "s2", "strata.shutdown.drain-delay", "10s")));
    assertThat(s).isEqualTo(new ClusterSettings("127.0.0.2", "strata-2.internal", "s2",
        Duration.ofSeconds(10)));
  }

  @Test
  void badValuesAreRefusedNamingTheSettingAndItsVariable() {
    assertThatThrownBy(() -> ClusterSettings.from(new MapPropertyResolver(Map.of(
        "strata.bind-host", "10.0.0.1; rm -rf"))))
        .isInstanceOf(StrataConfig.InvalidConfigException.class)
        .hasMessageContaining("strata.bind-host (STRATA_BIND_HOST) is '10.0.0.1; rm -rf'");
    assertThatThrownBy(() -> ClusterSettings.from(new MapPropertyResolver(Map.of(
        "strata.advertised-host", "http://strata:8815"))))
        .hasMessageContaining("strata.advertised-host (STRATA_ADVERTISED_HOST)")
        .hasMessageContaining("no scheme, no port");
    assertThatThrownBy(() -> ClusterSettings.from(new MapPropertyResolver(Map.of(
        "strata.shutdown.drain-delay", "soon"))))
        .hasMessageContaining("strata.shutdown.drain-delay (STRATA_SHUTDOWN_DRAIN_DELAY) is 'soon'");
    assertThatThrownBy(() -> ClusterSettings.from(new MapPropertyResolver(Map.of(
        "strata.shutdown.drain-delay", "1h"))))
        .hasMessageContaining("from 0s to 10m");
    assertThatThrownBy(() -> ClusterSettings.from(new MapPropertyResolver(Map.of(
        "strata.node-id", "node one"))))
        .hasMessageContaining("strata.node-id (STRATA_NODE_ID) is 'node one'");
  }
}
