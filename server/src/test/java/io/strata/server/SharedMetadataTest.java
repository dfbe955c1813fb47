package io.strata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Two servers on one Postgres metadata database: a model saved through one is answered from by
 * the other without a restart, as it polls the store (strata.models.poll-interval).
 */
class SharedMetadataTest {
  static final String RETURNS = """
      name: returns
      data_source: demo
      table: retail.orders
      dimensions:
        - { name: status, type: string }
      measures:
        - { name: count, agg: count }
      """;

  @Test
  void aModelSavedOnOneServerReachesTheOther() throws Exception {
    Warehouse db = Warehouses.postgresDatabase("strata_shared_meta", true);
    Map<String, Object> meta = Map.of("strata.metadata.url", db.jdbcUrl(),
        "strata.metadata.user", db.user(), "strata.models.poll-interval", "200ms");
    try (TestServer a = TestServer.start(meta)) {
      Map<String, Object> second = new java.util.HashMap<>(meta);
      second.put("strata.demo.enabled", "false");
      try (TestServer b = TestServer.start(second)) {
        assertThat(models(b)).doesNotContain("\"returns\"");
        assertThat(a.admin().send("PUT", "/api/v1/models/returns", "application/yaml", RETURNS)
            .status()).isEqualTo(200);
        awaitMeta(b, m -> m.contains("\"returns\""));
        assertThat(a.admin().delete("/api/v1/models/returns").status()).isEqualTo(200);
        awaitMeta(b, m -> !m.contains("\"returns\""));
      }
    }
  }

  static String models(TestServer s) {
    StringBuilder names = new StringBuilder();
    for (JsonNode m : s.admin().get("/api/v1/meta").json().path("models")) {
      names.append('"').append(m.path("name").asText()).append("\" ");
    }
    return names.toString();
  }

  static void awaitMeta(TestServer s, Predicate<String> condition) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    String seen = models(s);
    while (!condition.test(seen)) {
      assertThat(System.nanoTime()).as("the other server's models: " + seen).isLessThan(deadline);
      Thread.sleep(100);
      seen = models(s);
    }
  }
}
