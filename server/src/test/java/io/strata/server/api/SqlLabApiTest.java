package io.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The SQL Lab's REST API against a real server with the demo: saved queries per user (create,
 * list, rename, delete, another user's are invisible), bad input answered with 400 naming the
 * field, and the SQL history read from the query log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqlLabApiTest {
  TestServer server;
  Client admin;
  Client viewer;

  @BeforeAll
  void start() {
    server = TestServer.start(Map.of());
    admin = server.admin();
    assertThat(admin.post("/api/v1/users",
        "{\"username\": \"lab-viewer\", \"password\": \"viewer-pass-1\", \"role\": \"viewer\"}").status())
        .isEqualTo(201);
    viewer = server.as("lab-viewer", "viewer-pass-1");
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  static String error(Response r) {
    return r.json().path("error").path("code").asText();
  }

  static String location(Response r) {
    return r.json().path("error").path("location").asText();
  }

  static List<String> names(Response list) {
    List<String> out = new ArrayList<>();
    list.json().forEach(q -> out.add(q.path("name").asText()));
    return out;
  }

  @Test
  void savedQueriesRoundTripPerUser() {
    String sql = "SELECT region, MEASURE(revenue) FROM semantic.sales GROUP BY region";
    Response created = viewer.post("/api/v1/saved-queries", Map.of("name", "  Revenue by region ", "sql", sql));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    long id = created.json().path("id").asLong();
    assertThat(created.json().path("name").asText()).isEqualTo("Revenue by region");
    assertThat(created.json().path("sql").asText()).isEqualTo(sql);

    Response mine = viewer.get("/api/v1/saved-queries");
    assertThat(mine.status()).isEqualTo(200);
    assertThat(names(mine)).containsExactly("Revenue by region");
    // the admin has their own list, without the viewer's
    assertThat(names(admin.get("/api/v1/saved-queries"))).doesNotContain("Revenue by region");
    // the same name twice is a conflict; another user may use it
    Response twice = viewer.post("/api/v1/saved-queries", Map.of("name", "Revenue by region", "sql", "SELECT 1"));
    assertThat(twice.status()).isEqualTo(409);
    assertThat(twice.json().path("error").path("message").asText()).contains("Revenue by region");
    Response adminsOwn = admin.post("/api/v1/saved-queries", Map.of("name", "Revenue by region", "sql", "SELECT 2"));
    assertThat(adminsOwn.status()).isEqualTo(201);

    // rename and change; another user can neither change nor delete it
    Response renamed = viewer.put("/api/v1/saved-queries/" + id, Map.of("name", "Regions", "sql", sql + " ORDER BY 2"));
    assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
    assertThat(renamed.json().path("sql").asText()).endsWith("ORDER BY 2");
    assertThat(admin.put("/api/v1/saved-queries/" + id, Map.of("name", "x", "sql", "SELECT 1")).status()).isEqualTo(404);
    assertThat(admin.delete("/api/v1/saved-queries/" + id).status()).isEqualTo(404);
    assertThat(viewer.get("/api/v1/saved-queries").json().get(0).path("name").asText()).isEqualTo("Regions");

    assertThat(viewer.delete("/api/v1/saved-queries/" + id).status()).isEqualTo(204);
    assertThat(names(viewer.get("/api/v1/saved-queries"))).isEmpty();
    Response gone = viewer.delete("/api/v1/saved-queries/" + id);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.json().path("error").path("message").asText()).contains("saved query " + id);
    admin.delete("/api/v1/saved-queries/" + adminsOwn.json().path("id").asLong());
  }

  @Test
  void badSavedQueriesAreRefusedNamingTheField() {
    Response noName = viewer.post("/api/v1/saved-queries", Map.of("sql", "SELECT 1"));
    assertThat(noName.status()).isEqualTo(400);
    assertThat(location(noName)).isEqualTo("name");
    Response blankName = viewer.post("/api/v1/saved-queries", Map.of("name", "   ", "sql", "SELECT 1"));
    assertThat(blankName.status()).isEqualTo(400);
    assertThat(location(blankName)).isEqualTo("name");
    Response longName = viewer.post("/api/v1/saved-queries", Map.of("name", "n".repeat(201), "sql", "SELECT 1"));
    assertThat(longName.status()).isEqualTo(400);
    assertThat(location(longName)).isEqualTo("name");
    Response noSql = viewer.post("/api/v1/saved-queries", Map.of("name", "empty"));
    assertThat(noSql.status()).isEqualTo(400);
    assertThat(location(noSql)).isEqualTo("sql");
    assertThat(noSql.json().path("error").path("message").asText()).contains("missing");
    Response unknownField = viewer.post("/api/v1/saved-queries", Map.of("name", "a", "sql", "SELECT 1", "nmae", "b"));
    assertThat(unknownField.status()).isEqualTo(400);
    assertThat(unknownField.text()).contains("nmae");
    Response notJson = viewer.send("POST", "/api/v1/saved-queries", "application/json", "{\"name\": ");
    assertThat(notJson.status()).isEqualTo(400);
    Response badId = viewer.put("/api/v1/saved-queries/not-a-number", Map.of("name", "a", "sql", "SELECT 1"));
    assertThat(badId.status()).isEqualTo(400);
    assertThat(names(viewer.get("/api/v1/saved-queries"))).doesNotContain("empty", "a");
    // the server is still answering
    assertThat(viewer.get("/api/v1/saved-queries").status()).isEqualTo(200);
  }

  @Test
  void historyShowsTheUsersOwnSqlStatementsNewestFirst() {
    String marker = "lab_" + UUID.randomUUID().toString().replace("-", "");
    String first = "SELECT status AS " + marker + "_a, MEASURE(count) FROM semantic.orders GROUP BY status";
    String second = "SELECT status AS " + marker + "_b, MEASURE(count) FROM semantic.orders GROUP BY status";
    assertThat(viewer.post("/api/v1/sql", Map.of("sql", first)).status()).isEqualTo(200);
    assertThat(viewer.post("/api/v1/sql", Map.of("sql", second)).status()).isEqualTo(200);
    // a semantic JSON query is not SQL history
    assertThat(viewer.post("/api/v1/query", "{\"query\": {\"measures\": [\"orders.count\"]}}").status()).isEqualTo(200);

    Response h = viewer.get("/api/v1/sql/history?limit=50");
    assertThat(h.status()).as(h.toString()).isEqualTo(200);
    List<String> texts = new ArrayList<>();
    for (JsonNode e : h.json()) {
      texts.add(e.path("sql").asText());
      assertThat(e.path("sql").asText()).doesNotStartWith("{");
    }
    assertThat(texts).contains(first, second);
    assertThat(texts.indexOf(second)).isLessThan(texts.indexOf(first));
    JsonNode entry = h.json().get(texts.indexOf(second));
    assertThat(entry.path("rows").asLong()).isPositive();
    assertThat(entry.path("startedAt").asText()).isNotEmpty();
    // another user does not see them
    Response others = admin.get("/api/v1/sql/history");
    assertThat(others.status()).isEqualTo(200);
    others.json().forEach(e -> assertThat(e.path("sql").asText()).doesNotContain(marker));

    Response bad = viewer.get("/api/v1/sql/history?limit=0");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(location(bad)).isEqualTo("limit");
  }
}
