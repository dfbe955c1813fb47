package io.strata.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The worker health endpoint against a real metadata database: UP while Postgres answers, 503
 * DOWN naming the failure when the database cannot be reached (a closed port), 404/405 for
 * anything but {@code GET /health}, and a port already in use refused with the setting's name.
 * ({@code JobWorkersTest} reads it from live {@code strata worker} processes.)
 */
class WorkerHealthTest {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static HttpResponse<String> get(WorkerHealth h, String path, String method) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.port() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void upWhileTheDatabaseAnswersDownWhenItDoesNot() throws Exception {
    Warehouse pg = Warehouses.postgres();
    PGSimpleDataSource good = new PGSimpleDataSource();
    good.setURL(pg.jdbcUrl());
    if (pg.user() != null) {
      good.setUser(pg.user());
    }
    if (pg.password() != null) {
      good.setPassword(pg.password());
    }
    try (WorkerHealth h = WorkerHealth.start(0, good, () -> List.of("job-1", "job-2"), 4)) {
      HttpResponse<String> r = get(h, "/health", "GET");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode body = new ObjectMapper().readTree(r.body());
      assertThat(body.path("status").asText()).isEqualTo("UP");
      assertThat(body.path("metadataDatabase").path("reachable").asBoolean()).isTrue();
      assertThat(body.path("runningJobs").asInt()).isEqualTo(2);
      assertThat(body.path("threads").asInt()).isEqualTo(4);
      assertThat(get(h, "/health/x", "GET").statusCode()).isEqualTo(404);
      assertThat(get(h, "/health", "POST").statusCode()).isEqualTo(405);

      assertThatThrownBy(() -> WorkerHealth.start(h.port(), good, List::of, 1))
          .hasMessageContaining("strata.workers.health-port")
          .hasMessageContaining(String.valueOf(h.port()));
    }
    PGSimpleDataSource closed = new PGSimpleDataSource();
    closed.setURL("jdbc:postgresql://127.0.0.1:1/strata");
    closed.setConnectTimeout(2);
    try (WorkerHealth h = WorkerHealth.start(0, closed, List::of, 1)) {
      HttpResponse<String> r = get(h, "/health", "GET");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
      JsonNode body = new ObjectMapper().readTree(r.body());
      assertThat(body.path("status").asText()).isEqualTo("DOWN");
      assertThat(body.path("metadataDatabase").path("reachable").asBoolean()).isFalse();
      assertThat(body.path("metadataDatabase").path("error").asText()).isNotBlank();
    }
  }
}
