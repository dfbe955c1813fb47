package io.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client names its query ({@code X-Strata-Query-Id}) and cancels it by that id at the
 * warehouse, as a dashboard chart's Cancel button does: its owner may, another viewer may not
 * (not found), a bad or reused id is refused with the header named.
 */
class QueryCancelApiTest {
  static final String SLOW = "{\"query\":{\"measures\":[\"slow.matches\"]},\"cache\":\"bypass\"}";
  static TestServer server;
  static Client admin;
  static Client vera;
  static Client otto;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of());
    admin = server.admin();
    for (String u : new String[] {"vera", "otto"}) {
      assertThat(admin.post("/api/v1/users", Map.of("username", u, "password",
          "viewer-pass-1", "role", "viewer")).status()).isEqualTo(201);
    }
    vera = server.as("vera", "viewer-pass-1");
    otto = server.as("otto", "viewer-pass-1");
    Response saved = admin.send("PUT", "/api/v1/models/slow", "application/yaml",
        TestServer.SLOW_MODEL);
    assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static boolean running(String id) {
    Response r = admin.get("/api/v1/queries/running");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    for (JsonNode q : r.json()) {
      if (q.path("queryId").asText().equals(id)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void theOwnerCancelsTheirNamedQueryAtTheWarehouse() throws Exception {
    String id = UUID.randomUUID().toString();
    CompletableFuture<Response> answer = CompletableFuture.supplyAsync(() -> server
        .as("vera", "viewer-pass-1").header("X-Strata-Query-Id", id)
        .send("POST", "/api/v1/query", "application/json", SLOW));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!running(id)) {
      assertThat(answer).as("the query ended before it was seen running: " + (answer.isDone()
          ? answer.get() : "")).isNotDone();
      assertThat(System.nanoTime()).as("query " + id + " is listed as running").isLessThan(deadline);
      Thread.sleep(20);
    }
    JsonNode listed = null;
    for (JsonNode q : admin.get("/api/v1/queries/running").json()) {
      if (q.path("queryId").asText().equals(id)) {
        listed = q;
      }
    }
    assertThat(listed).isNotNull();
    assertThat(listed.path("user").asText()).isEqualTo("vera");

    // the same id again while it runs: refused, naming the header
    Response again = server.as("vera", "viewer-pass-1").header("X-Strata-Query-Id", id)
        .send("POST", "/api/v1/query", "application/json", SLOW);
    assertThat(again.status()).as(again.toString()).isEqualTo(409);
    assertThat(again.json().path("error").path("message").asText())
        .contains(id).contains("X-Strata-Query-Id").contains("already running");

    // another viewer cannot cancel it: not found, and it still runs
    Response foreign = otto.delete("/api/v1/queries/" + id);
    assertThat(foreign.status()).as(foreign.toString()).isEqualTo(404);
    assertThat(foreign.json().path("error").path("message").asText()).contains("of yours");

    Response cancel = server.as("vera", "viewer-pass-1").delete("/api/v1/queries/" + id);
    assertThat(cancel.status()).as(cancel.toString()).isEqualTo(204);
    Response r = answer.get(60, TimeUnit.SECONDS);
    assertThat(r.status()).as(r.toString()).isEqualTo(409);
    assertThat(r.json().path("error").path("code").asText()).isEqualTo("CANCELLED");
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (running(id)) {
      assertThat(System.nanoTime()).as("query " + id + " left the running list").isLessThan(deadline);
      Thread.sleep(20);
    }
    // gone now: cancelling again finds nothing
    assertThat(server.as("vera", "viewer-pass-1").delete("/api/v1/queries/" + id).status())
        .isEqualTo(404);
  }

  @Test
  void aQueryIdThatIsNotAUuidIsRefusedNamingTheHeader() {
    Response r = server.as("vera", "viewer-pass-1").header("X-Strata-Query-Id", "chart-1; drop")
        .send("POST", "/api/v1/query", "application/json",
            "{\"query\":{\"measures\":[\"orders.count\"]}}");
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().path("error").path("location").asText()).isEqualTo("X-Strata-Query-Id");
    assertThat(r.json().path("error").path("message").asText())
        .contains("must be a UUID").contains("chart-1; drop");
    // and the server still answers
    Response ok = server.as("vera", "viewer-pass-1").header("X-Strata-Query-Id",
        UUID.randomUUID().toString()).send("POST", "/api/v1/query", "application/json",
        "{\"query\":{\"measures\":[\"orders.count\"]}}");
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
  }
}
