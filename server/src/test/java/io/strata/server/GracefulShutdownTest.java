package io.strata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Stopping the server lets a running query finish, then closes everything. */
class GracefulShutdownTest {
  @Test
  void aRunningQueryFinishesWhenTheServerIsStopped() throws Exception {
    TestServer server = TestServer.start(Map.of("strata.shutdown.grace-period", "60s"));
    Client admin = server.admin();
    Response saved = admin.send("PUT", "/api/v1/models/slow", "application/yaml",
        TestServer.SLOW_MODEL);
    assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
    CompletableFuture<Response> running = CompletableFuture.supplyAsync(
        () -> admin.post("/api/v1/query", "{\"measures\":[\"slow.matches\"]}"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (admin.get("/api/v1/queries/running").json().size() == 0) {
      assertThat(System.nanoTime()).as("the slow query shows as running").isLessThan(deadline);
      assertThat(running).isNotDone();
      Thread.sleep(20);
    }
    server.close(); // returns once the graceful shutdown is over
    Response r = running.get(60, TimeUnit.SECONDS);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    long expected = 0;
    for (long x = 0; x < 100_000; x++) {
      for (long y = 0; y < 4_000; y++) {
        if ((x * y) % 7 == 3) {
          expected++;
        }
      }
    }
    assertThat(r.json().path("data").get(0).path("slow.matches").asLong()).isEqualTo(expected);
    assertThatThrownBy(() -> admin.get("/health")).as("the port is closed").isInstanceOf(RuntimeException.class);
  }
}
