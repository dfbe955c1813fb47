package io.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /api/v1/dashboards} and {@code /api/v1/charts} against a real server with the demo:
 * the seeded Retail overview, CRUD, export and import, roles, and bad input answered with 400 or
 * 404 naming the field.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardsApiTest {
  static final String CHART = """
      {"title": "Orders by status", "viz": {"type": "bar"}, "layout": {"x": 0, "y": 0, "w": 6, "h": 4},
       "query": {"measures": ["orders.count"], "dimensions": ["orders.status"]}}""";

  TestServer server;
  Client admin;

  @BeforeAll
  void start() {
    server = TestServer.start(Map.of());
    admin = server.admin();
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

  JsonNode retailOverview() {
    for (JsonNode d : admin.get("/api/v1/dashboards").json()) {
      if (d.path("name").asText().equals("Retail overview")) {
        return admin.get("/api/v1/dashboards/" + d.path("id").asLong()).json();
      }
    }
    throw new AssertionError("no Retail overview dashboard: " + admin.get("/api/v1/dashboards"));
  }

  @Test
  void theDemoDashboardIsSeededOnceWithEveryChartAndItsFilters() {
    Response list = admin.get("/api/v1/dashboards");
    assertThat(list.status()).isEqualTo(200);
    long copies = 0;
    for (JsonNode d : list.json()) {
      if (d.path("name").asText().equals("Retail overview")) {
        copies++;
        assertThat(d.path("chartCount").asInt()).isEqualTo(9);
      }
    }
    assertThat(copies).isEqualTo(1);
    JsonNode d = retailOverview();
    assertThat(d.path("filters").path("timeDimension").asText()).isEqualTo("orders.ordered_at");
    assertThat(d.path("filters").path("dimensions")).hasSize(3);
    List<String> types = new ArrayList<>();
    d.path("charts").forEach(c -> types.add(c.path("viz").path("type").asText()));
    assertThat(types).contains("number", "line", "pie", "bar", "area", "table", "pivot");
    JsonNode first = d.path("charts").get(0);
    assertThat(first.path("title").asText()).isEqualTo("Revenue");
    assertThat(first.path("layout").path("w").asInt()).isEqualTo(4);
    assertThat(first.path("query").path("measures").get(0).asText()).isEqualTo("order_items.revenue");
    // Every chart's query runs.
    for (JsonNode c : d.path("charts")) {
      Response r = admin.post("/api/v1/query", c.path("query").toString());
      assertThat(r.status()).as(c.path("title").asText() + ": " + r).isEqualTo(200);
      assertThat(r.json().path("data").size()).as(c.path("title").asText()).isPositive();
    }
  }

  @Test
  void aRestartSeedsNothingTwice() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("strata-seed-test");
    TestServer first = TestServer.start(Map.of("strata.data-dir", dir.toString()));
    assertThat(first.admin().get("/api/v1/dashboards").json()).hasSize(1);
    first.context().close();
    try (TestServer second = TestServer.start(Map.of("strata.data-dir", dir.toString()))) {
      JsonNode list = second.admin().get("/api/v1/dashboards").json();
      assertThat(list).hasSize(1);
      assertThat(list.get(0).path("chartCount").asInt()).isEqualTo(9);
    }
  }

  @Test
  void dashboardsAndChartsHaveCrud() {
    Response created = admin.post("/api/v1/dashboards",
        "{\"name\": \"Ops\", \"description\": \"for the ops team\", \"filters\": {\"dimensions\": [\"orders.status\"]}}");
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    long id = created.json().path("id").asLong();
    assertThat(created.json().path("charts")).isEmpty();

    Response chart = admin.post("/api/v1/charts", "{\"dashboardId\": " + id + ", " + CHART.substring(1));
    assertThat(chart.status()).as(chart.toString()).isEqualTo(201);
    long chartId = chart.json().path("id").asLong();
    assertThat(chart.json().path("viz").path("type").asText()).isEqualTo("bar");
    assertThat(chart.json().path("layout").path("w").asInt()).isEqualTo(6);

    Response changed = admin.put("/api/v1/charts/" + chartId, CHART.replace("\"bar\"", "\"pie\"")
        .replace("Orders by status", "Status mix"));
    assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
    JsonNode read = admin.get("/api/v1/charts/" + chartId).json();
    assertThat(read.path("title").asText()).isEqualTo("Status mix");
    assertThat(read.path("viz").path("type").asText()).isEqualTo("pie");
    assertThat(admin.get("/api/v1/charts?dashboardId=" + id).json()).hasSize(1);

    Response renamed = admin.put("/api/v1/dashboards/" + id, "{\"name\": \"Operations\"}");
    assertThat(renamed.status()).isEqualTo(200);
    assertThat(renamed.json().path("name").asText()).isEqualTo("Operations");
    assertThat(renamed.json().path("charts")).hasSize(1); // charts are kept

    assertThat(admin.delete("/api/v1/charts/" + chartId).status()).isEqualTo(204);
    assertThat(admin.get("/api/v1/charts/" + chartId).status()).isEqualTo(404);
    assertThat(admin.delete("/api/v1/dashboards/" + id).status()).isEqualTo(204);
    Response gone = admin.get("/api/v1/dashboards/" + id);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.json().path("error").path("message").asText()).isEqualTo("dashboard " + id + " does not exist");
  }

  @Test
  void exportThenImportGivesTheSameDashboard() {
    JsonNode original = retailOverview();
    Response export = admin.get("/api/v1/dashboards/" + original.path("id").asLong() + "/export");
    assertThat(export.status()).isEqualTo(200);
    assertThat(export.header("Content-Disposition")).contains("attachment");
    JsonNode exported = export.json();
    assertThat(exported.has("id")).isFalse();
    assertThat(exported.path("charts").get(0).has("id")).isFalse();

    Response imported = admin.post("/api/v1/dashboards/import", exported.toString());
    assertThat(imported.status()).as(imported.toString()).isEqualTo(201);
    JsonNode copy = imported.json();
    assertThat(copy.path("id").asLong()).isNotEqualTo(original.path("id").asLong());
    assertThat(copy.path("filters")).isEqualTo(original.path("filters"));
    assertThat(copy.path("charts")).hasSize(9);
    for (int i = 0; i < 9; i++) {
      JsonNode a = original.path("charts").get(i);
      JsonNode b = copy.path("charts").get(i);
      assertThat(b.path("title")).isEqualTo(a.path("title"));
      assertThat(b.path("query")).isEqualTo(a.path("query"));
      assertThat(b.path("viz")).isEqualTo(a.path("viz"));
      assertThat(b.path("layout")).isEqualTo(a.path("layout"));
    }
    assertThat(admin.get("/api/v1/dashboards/" + copy.path("id").asLong() + "/export").json())
        .isEqualTo(exported);
    admin.delete("/api/v1/dashboards/" + copy.path("id").asLong());
  }

  @Test
  void badInputIsRefusedNamingTheField() {
    int before = admin.get("/api/v1/dashboards").json().size();
    Response noName = admin.post("/api/v1/dashboards", "{\"description\": \"x\"}");
    assertThat(noName.status()).isEqualTo(400);
    assertThat(error(noName)).isEqualTo("INVALID_DASHBOARD");
    assertThat(location(noName)).isEqualTo("name");

    Response notJson = admin.post("/api/v1/dashboards", "{\"name\": ");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.json().path("error").path("message").asText()).contains("malformed JSON");
    assertThat(location(notJson)).contains("line 1");

    Response badFilters = admin.post("/api/v1/dashboards", "{\"name\": \"x\", \"filters\": {\"dimensions\": \"a\"}}");
    assertThat(badFilters.status()).isEqualTo(400);
    assertThat(location(badFilters)).isEqualTo("filters.dimensions");

    // A bad member in the third chart of an import: the path names chart, query and member; nothing is stored.
    String badMember = "{\"name\": \"Broken\", \"charts\": [" + CHART + ", " + CHART + ", "
        + CHART.replace("orders.status", "orders.no_such_member") + "]}";
    Response imported = admin.post("/api/v1/dashboards/import", badMember);
    assertThat(imported.status()).as(imported.toString()).isEqualTo(400);
    assertThat(location(imported)).startsWith("charts[2].query.dimensions");
    assertThat(imported.json().path("error").path("message").asText()).contains("no_such_member");

    Response badViz = admin.post("/api/v1/dashboards/import", "{\"name\": \"Broken\", \"charts\": ["
        + CHART.replace("\"bar\"", "\"radar\"") + "]}");
    assertThat(badViz.status()).isEqualTo(400);
    assertThat(location(badViz)).isEqualTo("charts[0].viz.type");
    assertThat(badViz.json().path("error").path("message").asText()).contains("radar", "bar", "pivot");

    Response badLayout = admin.post("/api/v1/dashboards/import", "{\"name\": \"Broken\", \"charts\": ["
        + CHART.replace("\"w\": 6", "\"w\": 20") + "]}");
    assertThat(location(badLayout)).isEqualTo("charts[0].layout.w");

    assertThat(admin.get("/api/v1/dashboards").json()).hasSize(before);

    Response noDashboard = admin.post("/api/v1/charts", "{\"dashboardId\": 999999, " + CHART.substring(1));
    assertThat(noDashboard.status()).isEqualTo(404);
    Response noDashboardId = admin.post("/api/v1/charts", CHART);
    assertThat(noDashboardId.status()).isEqualTo(400);
    assertThat(location(noDashboardId)).isEqualTo("dashboardId");
    Response noTitle = admin.put("/api/v1/charts/" + retailOverview().path("charts").get(0).path("id").asLong(),
        CHART.replace("\"title\": \"Orders by status\",", ""));
    assertThat(noTitle.status()).isEqualTo(400);
    assertThat(location(noTitle)).isEqualTo("title");
    assertThat(admin.get("/api/v1/dashboards/999999/export").status()).isEqualTo(404);
    assertThat(admin.put("/api/v1/charts/999999", CHART).status()).isEqualTo(404);
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', textBlock = """
      unknown filter member  | {"name":"x","filters":{"dimensions":["orders.no_such"]}}                       | filters.dimensions[0]  | no_such
      measure as filter      | {"name":"x","filters":{"dimensions":["orders.count"]}}                         | filters.dimensions[0]  | orders.count
      unknown time dimension | {"name":"x","filters":{"timeDimension":"orders.nope"}}                         | filters.timeDimension  | orders.nope
      not a time dimension   | {"name":"x","filters":{"timeDimension":"orders.status","granularity":"month"}} | filters.timeDimension  | time dimension
      unknown grain          | {"name":"x","filters":{"timeDimension":"orders.ordered_at","granularity":"fortnight"}} | filters.granularity | fortnight
      range ends first       | {"name":"x","filters":{"timeDimension":"orders.ordered_at","dateRange":["2024-12-31","2024-01-01"]}} | filters.dateRange | before it starts
      not a date             | {"name":"x","filters":{"timeDimension":"orders.ordered_at","dateRange":["2024-13-45","2024-12-31"]}} | filters.dateRange | is not a date
      year 1                 | {"name":"x","filters":{"timeDimension":"orders.ordered_at","dateRange":["0001-01-01","2024-12-31"]}} | filters.dateRange | 1000-01-01 to 9998-12-31
      bad relative range     | {"name":"x","filters":{"timeDimension":"orders.ordered_at","dateRange":"last 2000000000 years"}} | filters.dateRange | starts before 1000-01-01
      range without time     | {"name":"x","filters":{"dateRange":["2024-01-01","2024-12-31"]}}              | filters.dateRange      | needs filters.timeDimension
      unknown filter field   | {"name":"x","filters":{"defaultRange":"last year"}}                            | filters.defaultRange   | unknown field
      unknown field          | {"name":"x","colour":"red"}                                                    | colour                 | unknown field 'colour'
      off the grid           | {"name":"x","charts":[{"title":"t","viz":{"type":"bar"},"layout":{"x":8,"y":0,"w":6,"h":4},"query":{"measures":["orders.count"]}}]} | charts[0].layout.x | 12-column grid
      zero height            | {"name":"x","charts":[{"title":"t","viz":{"type":"bar"},"layout":{"x":0,"y":0,"w":6,"h":0},"query":{"measures":["orders.count"]}}]} | charts[0].layout.h | 1 or more
      fraction layout        | {"name":"x","charts":[{"title":"t","viz":{"type":"bar"},"layout":{"x":0.5,"y":0,"w":6,"h":2},"query":{"measures":["orders.count"]}}]} | charts[0].layout.x | whole number
      chart limit 1.5        | {"name":"x","charts":[{"title":"t","viz":{"type":"bar"},"query":{"measures":["orders.count"],"limit":1.5}}]} | charts[0].query.limit | whole number
      charts not an array    | {"name":"x","charts":{"title":"t"}}                                            | charts                 | array
      """)
  void dashboardsAreValidatedAtSave(String name, String body, String where, String message) {
    int before = admin.get("/api/v1/dashboards").json().size();
    for (String path : List.of("/api/v1/dashboards", "/api/v1/dashboards/import")) {
      Response r = admin.post(path, body);
      assertThat(r.status()).as(name + " " + r).isEqualTo(400);
      assertThat(error(r)).isEqualTo("INVALID_DASHBOARD");
      assertThat(location(r)).as(name + " " + r).contains(where);
      assertThat(r.json().path("error").path("message").asText()).as(name).contains(message);
    }
    long id = retailOverview().path("id").asLong();
    Response put = admin.put("/api/v1/dashboards/" + id, body);
    assertThat(put.status()).as(name + " " + put).isEqualTo(400);
    assertThat(location(put)).contains(where);
    assertThat(admin.get("/api/v1/dashboards").json()).hasSize(before);
    assertThat(retailOverview().path("charts")).hasSize(9);
  }

  @Test
  void putWithChartsReplacesThemAndWithoutKeepsThem() {
    JsonNode created = admin.post("/api/v1/dashboards", "{\"name\": \"Replace me\", \"charts\": ["
        + CHART + ", " + CHART + "]}").json();
    long id = created.path("id").asLong();
    assertThat(created.path("charts")).hasSize(2);
    // without charts: name changes, charts kept
    JsonNode renamed = admin.put("/api/v1/dashboards/" + id, "{\"name\": \"Renamed\"}").json();
    assertThat(renamed.path("name").asText()).isEqualTo("Renamed");
    assertThat(renamed.path("charts")).hasSize(2);
    // with charts: they replace every chart
    JsonNode replaced = admin.put("/api/v1/dashboards/" + id, "{\"name\": \"Renamed\", \"charts\": ["
        + CHART.replace("Orders by status", "Only chart") + "]}").json();
    assertThat(replaced.path("charts")).hasSize(1);
    assertThat(replaced.path("charts").get(0).path("title").asText()).isEqualTo("Only chart");
    // a bad chart among them: 400 naming it, and nothing changes
    Response bad = admin.put("/api/v1/dashboards/" + id, "{\"name\": \"Other\", \"charts\": [" + CHART + ", "
        + CHART.replace("orders.status", "orders.nope") + "]}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(location(bad)).startsWith("charts[1].query");
    JsonNode after = admin.get("/api/v1/dashboards/" + id).json();
    assertThat(after.path("name").asText()).isEqualTo("Renamed");
    assertThat(after.path("charts")).hasSize(1);
    // a GET answer sent back as it came (ids, counts, times) is accepted
    Response roundTrip = admin.put("/api/v1/dashboards/" + id, after.toString());
    assertThat(roundTrip.status()).as(roundTrip.toString()).isEqualTo(200);
    assertThat(roundTrip.json().path("charts")).hasSize(1);
    admin.delete("/api/v1/dashboards/" + id);
  }

  @Test
  void viewersReadAndOnlyEditorsWrite() {
    assertThat(admin.post("/api/v1/users",
        "{\"username\": \"vera\", \"password\": \"viewer-pass-1\", \"role\": \"viewer\"}").status())
        .isEqualTo(201);
    Client viewer = server.as("vera", "viewer-pass-1");
    assertThat(viewer.get("/api/v1/dashboards").status()).isEqualTo(200);
    long id = retailOverview().path("id").asLong();
    assertThat(viewer.get("/api/v1/dashboards/" + id).status()).isEqualTo(200);
    Response denied = viewer.post("/api/v1/dashboards", "{\"name\": \"mine\"}");
    assertThat(denied.status()).isEqualTo(403);
    assertThat(viewer.delete("/api/v1/dashboards/" + id).status()).isEqualTo(403);
    assertThat(server.anonymous().get("/api/v1/dashboards").status()).isEqualTo(401);
    assertThat(admin.get("/api/v1/dashboards/" + id).status()).isEqualTo(200);
  }
}
