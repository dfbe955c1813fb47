package io.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Markdown tiles on a dashboard: a chart of viz type {@code markdown} whose {@code viz.text} is
 * the markdown and which has no query. Stored and read back, moved like a chart, skipped by a
 * dashboard's warm-up; a tile with a query, without text or with an unknown field is refused
 * naming the field.
 */
class MarkdownTileApiTest {
  static final String TILE = "{\"title\": \"About\", \"viz\": {\"type\": \"markdown\", \"text\":"
      + " \"# Notes\\n\\nRevenue is **net** of refunds.\"}, \"layout\": {\"x\": 0, \"y\": 0, \"w\": 4, \"h\": 2}}";
  static final String CHART = "{\"title\": \"Orders\", \"viz\": {\"type\": \"number\"},"
      + " \"layout\": {\"x\": 4, \"y\": 0, \"w\": 4, \"h\": 2}, \"query\": {\"measures\": [\"orders.count\"]}}";
  static TestServer server;
  static Client admin;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of());
    admin = server.admin();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String location(Response r) {
    return r.json().path("error").path("location").asText();
  }

  @Test
  void aMarkdownTileIsStoredWithItsTextAndNoQueryAndMovesLikeAChart() throws Exception {
    Response made = admin.post("/api/v1/dashboards", "{\"name\": \"With notes\", \"charts\": ["
        + TILE + ", " + CHART + "]}");
    assertThat(made.status()).as(made.toString()).isEqualTo(201);
    long id = made.json().path("id").asLong();
    JsonNode d = admin.get("/api/v1/dashboards/" + id).json();
    JsonNode tile = d.path("charts").get(0);
    assertThat(tile.path("viz").path("type").asText()).isEqualTo("markdown");
    assertThat(tile.path("viz").path("text").asText()).contains("**net**");
    assertThat(tile.path("query").isNull()).as(tile.toString()).isTrue();
    assertThat(tile.path("layout").path("w").asInt()).isEqualTo(4);

    // moved and edited as the UI saves it: the chart as read, with a new layout and text
    String moved = "{\"title\": \"About\", \"query\": null, \"viz\": {\"type\": \"markdown\","
        + " \"text\": \"Edited\"}, \"layout\": {\"x\": 8, \"y\": 2, \"w\": 4, \"h\": 3}}";
    Response put = admin.put("/api/v1/charts/" + tile.path("id").asLong(), moved);
    assertThat(put.status()).as(put.toString()).isEqualTo(200);
    JsonNode again = admin.get("/api/v1/dashboards/" + id).json().path("charts").get(0);
    assertThat(again.path("layout").path("x").asInt()).isEqualTo(8);
    assertThat(again.path("viz").path("text").asText()).isEqualTo("Edited");

    // the dashboard's warm-up runs its chart and skips the tile
    Response job = admin.post("/api/v1/jobs", Map.of("kind", "warmup", "dashboardId", id));
    assertThat(job.status()).as(job.toString()).isEqualTo(202);
    String jobId = job.json().path("id").asText();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    JsonNode state = admin.get("/api/v1/jobs/" + jobId).json();
    while (!state.path("state").asText().matches("succeeded|failed|cancelled")) {
      assertThat(System.nanoTime()).as("warm-up " + state).isLessThan(deadline);
      Thread.sleep(50);
      state = admin.get("/api/v1/jobs/" + jobId).json();
    }
    assertThat(state.path("state").asText()).as(state.toString()).isEqualTo("succeeded");

    // and the export carries it as it is
    JsonNode exported = admin.get("/api/v1/dashboards/" + id + "/export").json();
    assertThat(exported.toString()).contains("\"markdown\"").contains("Edited");
  }

  @Test
  void aBadMarkdownTileIsRefusedNamingTheField() {
    Response withQuery = admin.post("/api/v1/dashboards", "{\"name\": \"Bad 1\", \"charts\": [{\"title\": \"T\","
        + " \"viz\": {\"type\": \"markdown\", \"text\": \"x\"}, \"query\": {\"measures\": [\"orders.count\"]}}]}");
    assertThat(withQuery.status()).as(withQuery.toString()).isEqualTo(400);
    assertThat(location(withQuery)).isEqualTo("charts[0].query");
    assertThat(withQuery.text()).contains("markdown tile");

    Response noText = admin.post("/api/v1/dashboards", "{\"name\": \"Bad 2\", \"charts\": [{\"title\": \"T\","
        + " \"viz\": {\"type\": \"markdown\", \"text\": \"  \"}}]}");
    assertThat(noText.status()).as(noText.toString()).isEqualTo(400);
    assertThat(location(noText)).isEqualTo("charts[0].viz.text");

    Response extra = admin.post("/api/v1/dashboards", "{\"name\": \"Bad 3\", \"charts\": [{\"title\": \"T\","
        + " \"viz\": {\"type\": \"markdown\", \"text\": \"x\", \"html\": \"<b>\"}}]}");
    assertThat(extra.status()).as(extra.toString()).isEqualTo(400);
    assertThat(location(extra)).isEqualTo("charts[0].viz.html");

    // a chart that is not a tile still needs its query
    Response noQuery = admin.post("/api/v1/dashboards", "{\"name\": \"Bad 4\", \"charts\": [{\"title\": \"T\","
        + " \"viz\": {\"type\": \"bar\"}}]}");
    assertThat(noQuery.status()).as(noQuery.toString()).isEqualTo(400);
    assertThat(location(noQuery)).isEqualTo("charts[0].query");
    // nothing was stored
    for (JsonNode d : admin.get("/api/v1/dashboards").json()) {
      assertThat(d.path("name").asText()).doesNotStartWith("Bad ");
    }
  }
}
