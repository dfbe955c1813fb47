package io.strata.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.TestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A server on one address of several ({@code strata.bind-host}): every listener there and only
 * there; {@code /health/ready} 200 once started and 503 once draining, while it still answers;
 * draining turns Flight SQL clients away (GOAWAY, listener closed) so they reconnect elsewhere.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadinessTest {
  private static final String HOST = "127.0.0.2";
  private TestServer server;

  @BeforeAll
  void start() {
    server = TestServer.start(Map.of("strata.bind-host", HOST, "strata.node-id", "node-a"));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void everyListenerBindsTheBindHostOnlyAndReadinessFollowsDraining() throws Exception {
    int http = server.uri("/").getPort();
    assertThat(server.uri("/").getHost()).isEqualTo(HOST);
    for (int port : new int[] {http, server.jdbcPort(), server.flightPort(), server.pgwirePort()}) {
      assertThat(connects(HOST, port)).as("listening on %s:%d", HOST, port).isTrue();
      assertThat(connects("127.0.0.1", port)).as("not listening on 127.0.0.1:%d", port).isFalse();
    }

    TestServer.Response ready = server.anonymous().get("/health/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().path("status").asText()).isEqualTo("ready");
    assertThat(ready.json().path("node").asText()).isEqualTo("node-a");
    assertThat(server.anonymous().get("/health/live").status()).isEqualTo(200);
    assertThat(server.anonymous().get("/health").status()).isEqualTo(200);

    Readiness readiness = server.context().getBean(Readiness.class);
    int flight = server.flightPort();
    readiness.drain();
    TestServer.Response draining = server.anonymous().get("/health/ready");
    assertThat(draining.status()).isEqualTo(503);
    assertThat(draining.json().path("status").asText()).isEqualTo("draining");
    assertThat(server.anonymous().get("/health/live").status()).isEqualTo(200);
    // still serving what it is sent while the balancer takes it out
    assertThat(server.admin().post("/api/v1/sql",
        Map.of("sql", "SELECT count(*) FROM demo.retail.orders")).status()).isEqualTo(200);
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (connects(HOST, flight) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(connects(HOST, flight)).as("Flight SQL stops accepting when draining").isFalse();
  }

  private static boolean connects(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 2000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
