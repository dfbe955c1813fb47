package io.strata.server.rollup;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import java.util.ArrayList;
import java.util.List;

/** Waiting for rollup builds through the status API, as a client would. */
final class RollupTestSupport {
  private RollupTestSupport() {}

  /**
   * Waits (up to 3 minutes) until at least {@code count} rollups are {@code built}; with
   * {@code dataSource}, only versions built after the data source's last change count (the
   * status says {@code built} only for the current definition, which includes it).
   */
  static JsonNode awaitBuilt(TestServer server, int count, String dataSource) {
    long deadline = System.currentTimeMillis() + 180_000;
    JsonNode last = null;
    while (System.currentTimeMillis() < deadline) {
      TestServer.Response r = server.admin().get("/api/v1/rollups");
      last = r.json();
      List<String> built = new ArrayList<>();
      for (JsonNode n : last) {
        if (n.path("state").asText().equals("built")) {
          built.add(n.path("model").asText() + "." + n.path("rollup").asText());
        }
      }
      if (built.size() >= count) {
        return last;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("rollups not built in time: " + last);
  }
}
