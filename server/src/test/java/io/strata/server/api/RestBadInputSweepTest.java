package io.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Sends wrong JSON shapes to every POST and PUT route of the REST API that takes a JSON body:
 * each field with a value of every wrong type, arrays for objects, nulls, unknown fields,
 * malformed JSON, an empty body and a wrong content type. Every answer must be a 4xx whose
 * message names the field (for a field's mistake) and shows no Java or Jackson internals, and
 * the server must keep answering. All failures are collected and reported together.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestBadInputSweepTest {
  /** Words that give away Java types or Jackson's phrasing. */
  static final List<String> INTERNALS = List.of("java.", "javax.", "com.fasterxml", "io.strata",
      "io.micronaut", "Exception", "Cannot deserialize", "Cannot coerce", "For input string",
      "Unrecognized field", "not marked as ignorable", "JsonToken", "Source:", "`", "ArrayList",
      "LinkedHashMap", "Integer`", "StreamReadFeature", "(code ");

  /** What a field holds, and so which values are wrong for it. */
  enum Kind { STRING, INT, BOOL, OBJECT, ARRAY }

  record Route(String method, String path, String body, Map<String, Kind> fields) {}

  TestServer server;
  Client admin;
  List<Route> routes;

  @BeforeAll
  void start() {
    server = TestServer.start(Map.of());
    admin = server.admin();
    JsonNode demo = null;
    for (JsonNode d : admin.get("/api/v1/dashboards").json()) {
      demo = d;
    }
    long dashboardId = demo.path("id").asLong();
    long chartId = admin.get("/api/v1/dashboards/" + dashboardId).json().path("charts").get(0).path("id").asLong();
    String query = "{\"measures\":[\"orders.count\"],\"dimensions\":[\"orders.status\"],\"timeDimensions\":[],"
        + "\"filters\":[],\"segments\":[],\"limit\":10,\"offset\":0,\"timezone\":\"UTC\"}";
    Map<String, Kind> queryFields = fields("measures", Kind.ARRAY, "dimensions", Kind.ARRAY,
        "timeDimensions", Kind.ARRAY, "filters", Kind.ARRAY, "segments", Kind.ARRAY, "limit", Kind.INT,
        "offset", Kind.INT, "timezone", Kind.STRING);
    String chart = "\"title\":\"t\",\"query\":{\"measures\":[\"orders.count\"]},\"viz\":{\"type\":\"bar\"},"
        + "\"layout\":{\"x\":0,\"y\":0,\"w\":6,\"h\":4},\"position\":0";
    Map<String, Kind> chartFields = fields("title", Kind.STRING, "query", Kind.OBJECT, "viz", Kind.OBJECT,
        "layout", Kind.OBJECT, "position", Kind.INT);
    String dashboard = "{\"name\":\"n\",\"description\":\"d\",\"filters\":{},\"charts\":[]}";
    Map<String, Kind> dashboardFields = fields("name", Kind.STRING, "description", Kind.STRING,
        "filters", Kind.OBJECT, "charts", Kind.ARRAY);
    String dataSource = "{\"name\":\"sweep\",\"kind\":\"duckdb\",\"url\":\"jdbc:duckdb:\",\"username\":\"u\","
        + "\"password\":\"p\",\"properties\":{},\"poolSize\":2,\"connectionTimeoutMs\":1000}";
    Map<String, Kind> dataSourceFields = fields("name", Kind.STRING, "kind", Kind.STRING, "url", Kind.STRING,
        "username", Kind.STRING, "password", Kind.STRING, "properties", Kind.OBJECT, "poolSize", Kind.INT,
        "connectionTimeoutMs", Kind.INT);
    String user = "{\"username\":\"sweep\",\"password\":\"a-long-password-1\",\"role\":\"viewer\",\"disabled\":false}";
    Map<String, Kind> userFields = fields("username", Kind.STRING, "password", Kind.STRING, "role", Kind.STRING,
        "disabled", Kind.BOOL);
    String models = "{\"files\":{\"x.yml\":\"name: x\"},\"replace\":false}";
    Map<String, Kind> modelFields = fields("files", Kind.OBJECT, "replace", Kind.BOOL);
    routes = List.of(
        new Route("POST", "/api/v1/query", query, queryFields),
        new Route("POST", "/api/v1/query/sql", query, queryFields),
        new Route("POST", "/api/v1/sql", "{\"sql\":\"SELECT 1\",\"parameters\":[],\"cache\":\"on\"}",
            fields("sql", Kind.STRING, "parameters", Kind.ARRAY, "cache", Kind.STRING)),
        new Route("POST", "/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\"x\"}",
            fields("username", Kind.STRING, "password", Kind.STRING)),
        new Route("POST", "/api/v1/cache/invalidate", "{\"model\":\"orders\"}", fields("model", Kind.STRING)),
        new Route("POST", "/api/v1/cache/invalidate", "{\"all\":true}", fields("all", Kind.BOOL)),
        new Route("POST", "/api/v1/charts", "{\"dashboardId\":" + dashboardId + "," + chart + "}",
            with(chartFields, "dashboardId", Kind.INT)),
        new Route("PUT", "/api/v1/charts/" + chartId, "{" + chart + "}", chartFields),
        new Route("POST", "/api/v1/dashboards", dashboard, dashboardFields),
        new Route("POST", "/api/v1/dashboards/import", dashboard, dashboardFields),
        new Route("PUT", "/api/v1/dashboards/" + dashboardId, dashboard, dashboardFields),
        new Route("POST", "/api/v1/datasources", dataSource, dataSourceFields),
        new Route("POST", "/api/v1/datasources/test", dataSource, dataSourceFields),
        new Route("PUT", "/api/v1/datasources/demo", dataSource.replace("sweep", "demo"), dataSourceFields),
        new Route("POST", "/api/v1/models", models, modelFields),
        new Route("POST", "/api/v1/models/validate", models, modelFields),
        new Route("POST", "/api/v1/tokens", "{\"name\":\"t\",\"expiresInDays\":5,\"username\":\"admin\"}",
            fields("name", Kind.STRING, "expiresInDays", Kind.INT, "username", Kind.STRING)),
        new Route("POST", "/api/v1/users", user, userFields),
        new Route("PUT", "/api/v1/users/1", user, userFields));
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  static Map<String, Kind> fields(Object... pairs) {
    Map<String, Kind> out = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.put((String) pairs[i], (Kind) pairs[i + 1]);
    }
    return out;
  }

  static Map<String, Kind> with(Map<String, Kind> base, String field, Kind kind) {
    Map<String, Kind> out = new LinkedHashMap<>(base);
    out.put(field, kind);
    return out;
  }

  /** JSON values of every type but the field's own. */
  static List<String> wrongValues(Kind kind) {
    return switch (kind) {
      case STRING -> List.of("5", "1.5", "true", "[\"a\"]", "{\"a\":1}");
      case INT -> List.of("1.5", "\"10\"", "true", "[1]", "{\"a\":1}", "99999999999999999999");
      case BOOL -> List.of("\"yes\"", "1", "[true]", "{}");
      case OBJECT -> List.of("\"x\"", "5", "true", "[{}]");
      case ARRAY -> List.of("\"x\"", "5", "true", "{\"a\":1}");
    };
  }

  @Test
  void everyWrongShapeIsA4xxNamingTheFieldWithoutInternals() throws Exception {
    SoftAssertions soft = new SoftAssertions();
    int sent = 0;
    for (Route route : routes) {
      for (Map.Entry<String, Kind> f : route.fields().entrySet()) {
        List<String> values = new ArrayList<>(wrongValues(f.getValue()));
        if (f.getValue() == Kind.ARRAY) {
          values.add("[5, {\"a\": 1}]"); // wrong elements, where the elements are strings or objects
        }
        for (String wrong : values) {
          ObjectNode body = (ObjectNode) TestServer.JSON.readTree(route.body());
          body.set(f.getKey(), TestServer.JSON.readTree(wrong));
          check(soft, route, body.toString(), "application/json", f.getKey() + " = " + wrong, f.getKey());
          sent++;
        }
      }
      ObjectNode unknown = (ObjectNode) TestServer.JSON.readTree(route.body());
      unknown.put("bogusField", 1);
      check(soft, route, unknown.toString(), "application/json", "unknown field", "bogusField");
      for (String body : List.of("[" + route.body() + "]", "null", "\"text\"", "42", "{\"a\": ", "{,}", "",
          route.body() + " trailing")) {
        check(soft, route, body, "application/json", "body " + body, null);
      }
      check(soft, route, route.body(), "application/xml", "content type application/xml", null);
      sent += 10;
    }
    assertThat(sent).isGreaterThan(300);
    assertThat(admin.get("/health").status()).isEqualTo(200);
    assertThat(admin.get("/api/v1/meta").status()).isEqualTo(200);
    soft.assertAll();
  }

  private void check(SoftAssertions soft, Route route, String body, String type, String what, String field) {
    Response r = admin.send(route.method(), route.path(), type, body);
    String label = route.method() + " " + route.path() + " with " + what + " answered " + r;
    soft.assertThat(r.status()).as(label).isBetween(400, 499).isNotIn(401, 403);
    if (r.status() < 400) {
      return;
    }
    JsonNode error;
    try {
      error = TestServer.JSON.readTree(r.bytes()).path("error");
    } catch (Exception e) {
      soft.fail(label + ": not JSON");
      return;
    }
    String message = error.path("message").asText();
    soft.assertThat(message).as(label).isNotBlank();
    for (String word : INTERNALS) {
      soft.assertThat(message).as(label).doesNotContain(word);
    }
    if (field != null) {
      soft.assertThat(message + " " + error.path("location").asText()).as(label).contains(field);
    }
  }
}
