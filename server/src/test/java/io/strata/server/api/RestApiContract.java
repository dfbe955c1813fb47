package io.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The REST API against a real running server, run with the metadata database on H2
 * ({@link H2RestApiTest}) and on the local Postgres ({@link PostgresRestApiTest}). Every request
 * goes over HTTP with real credentials.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class RestApiContract {
  static final String COUNT_BY_STATUS =
      "{\"measures\":[\"orders.count\"],\"dimensions\":[\"orders.status\"],\"order\":{\"orders.status\":\"asc\"}}";

  /** Settings of the metadata database under test. */
  abstract Map<String, Object> metadataSettings();

  TestServer server;
  Client admin;


  @BeforeAll
  void start() {
    Map<String, Object> props = new HashMap<>(metadataSettings());
    props.put("strata.query.max-rows", "1000");
    server = TestServer.start(props);
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

  // ------------------------------------------------------------------ auth

  @Test
  @Order(1)
  void healthIsOpenAndEverythingElseNeedsCredentials() {
    Response health = server.anonymous().get("/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().path("status").asText()).isEqualTo("UP");

    for (String path : List.of("/api/v1/meta", "/api/v1/models", "/metrics", "/api/v1/users",
        "/openapi/strata-v1.yml", "/api/v1/nothing-here")) {
      Response r = server.anonymous().get(path);
      assertThat(r.status()).as(path).isEqualTo(401);
      assertThat(error(r)).isEqualTo("UNAUTHORIZED");
    }
    Response wrongPassword = server.as("admin", "not-the-password").get("/api/v1/meta");
    Response unknownUser = server.as("mallory", "whatever1").get("/api/v1/meta");
    Response wrongToken = server.bearer("strata_pat_forged").get("/api/v1/meta");
    assertThat(List.of(wrongPassword, unknownUser, wrongToken))
        .allSatisfy(r -> assertThat(r.status()).isEqualTo(401));
    // Nothing tells a guesser which part was wrong.
    assertThat(wrongPassword.text()).isEqualTo(unknownUser.text()).isEqualTo(wrongToken.text());
  }

  @Test
  @Order(2)
  void metaListsTheDemoModelsAndViews() {
    JsonNode meta = admin.get("/api/v1/meta").json();
    List<String> models = new ArrayList<>();
    meta.path("models").forEach(m -> models.add(m.path("name").asText()));
    assertThat(models).contains("orders", "customers", "products", "order_items");
    JsonNode orders = find(meta.path("models"), "orders");
    assertThat(orders.path("dataSource").asText()).isEqualTo("demo");
    JsonNode status = find(orders.path("dimensions"), "orders.status");
    assertThat(status.path("type").asText()).isEqualTo("string");
    JsonNode orderedAt = find(orders.path("dimensions"), "orders.ordered_at");
    assertThat(orderedAt.path("type").asText()).isEqualTo("time");
    JsonNode count = find(orders.path("measures"), "orders.count");
    assertThat(count.path("aggregation").asText()).isEqualTo("count");
    assertThat(meta.path("views")).anySatisfy(v -> assertThat(v.path("name").asText()).isEqualTo("sales"));
    assertThat(meta.toString()).doesNotContain("retail.orders"); // no table names leak
  }

  static JsonNode find(JsonNode array, String name) {
    for (JsonNode n : array) {
      if (n.path("name").asText().equals(name)) {
        return n;
      }
    }
    throw new AssertionError(name + " not in " + array);
  }

  // ------------------------------------------------------------------ queries

  @Test
  @Order(3)
  void queryAnswersJsonWithAnnotationSqlAndTimings() {
    Response r = admin.post("/api/v1/query", COUNT_BY_STATUS);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonNode body = r.json();
    assertThat(body.path("data").size()).isGreaterThan(1);
    long total = 0;
    String previous = "";
    for (JsonNode row : body.path("data")) {
      assertThat(row.path("orders.status").asText()).isGreaterThan(previous);
      previous = row.path("orders.status").asText();
      assertThat(row.path("orders.count").isIntegralNumber()).isTrue();
      total += row.path("orders.count").asLong();
    }
    assertThat(total).isEqualTo(2000); // scale 0.02 of 100k orders
    assertThat(body.path("annotation").path("measures").path("orders.count").path("type").asText())
        .isEqualTo("number");
    assertThat(body.path("annotation").path("dimensions").path("orders.status").path("title").asText())
        .isEqualTo("Status");
    assertThat(body.path("sql").asText()).containsIgnoringCase("retail.orders");
    assertThat(body.path("dataSource").asText()).isEqualTo("demo");
    assertThat(body.path("timings").path("totalMs").asDouble()).isPositive();
    // The same query wrapped Cube-style, and as a GET parameter, gives the same rows.
    assertThat(admin.post("/api/v1/query", "{\"query\":" + COUNT_BY_STATUS + "}").json().path("data"))
        .isEqualTo(body.path("data"));
    assertThat(admin.get("/api/v1/query?query=" + java.net.URLEncoder.encode(COUNT_BY_STATUS,
        java.nio.charset.StandardCharsets.UTF_8)).json().path("data")).isEqualTo(body.path("data"));
  }

  @Test
  @Order(4)
  void arrowAndCsvCarryTheSameRows() throws Exception {
    JsonNode rows = admin.post("/api/v1/query", COUNT_BY_STATUS).json().path("data");
    Response arrow = server.admin().header("Accept", QueryController.ARROW_STREAM)
        .post("/api/v1/query", COUNT_BY_STATUS);
    assertThat(arrow.status()).isEqualTo(200);
    assertThat(arrow.header("Content-Type")).startsWith(QueryController.ARROW_STREAM);
    List<String> fromArrow = new ArrayList<>();
    try (RootAllocator allocator = new RootAllocator();
         ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(arrow.bytes()), allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      assertThat(root.getSchema().getFields()).extracting(f -> f.getName())
          .containsExactly("orders.status", "orders.count");
      while (reader.loadNextBatch()) {
        for (int i = 0; i < root.getRowCount(); i++) {
          fromArrow.add(root.getVector(0).getObject(i) + "=" + root.getVector(1).getObject(i));
        }
      }
    }
    List<String> fromJson = new ArrayList<>();
    rows.forEach(r -> fromJson.add(r.path("orders.status").asText() + "=" + r.path("orders.count").asLong()));
    assertThat(fromArrow).isEqualTo(fromJson);

    Response csv = server.admin().header("Accept", "text/csv").post("/api/v1/query", COUNT_BY_STATUS);
    assertThat(csv.status()).isEqualTo(200);
    List<String> lines = csv.text().lines().toList();
    assertThat(lines.get(0)).isEqualTo("orders.status,orders.count");
    assertThat(lines.subList(1, lines.size()).stream().map(l -> l.replace(',', '=')).toList())
        .isEqualTo(fromJson);
  }

  @Test
  @Order(5)
  void sqlEndpointCompilesWithoutRunning() {
    Response r = admin.post("/api/v1/query/sql", COUNT_BY_STATUS);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().path("dialect").asText()).isEqualTo("duckdb");
    assertThat(r.json().path("sql").asText()).containsIgnoringCase("GROUP BY");
    assertThat(r.json().path("columns").get(0).path("name").asText()).isEqualTo("orders.status");
  }

  @Test
  @Order(6)
  void sqlRunsThroughTheSqlPathWithTheQueryApisAnswers() {
    Response query = admin.post("/api/v1/query", COUNT_BY_STATUS);
    List<String> expected = new java.util.ArrayList<>();
    query.json().path("data").forEach(r -> expected.add(r.path("orders.status").asText() + "="
        + r.path("orders.count").asText()));

    Response text = admin.send("POST", "/api/v1/sql", "text/plain",
        "SELECT status, MEASURE(count) AS n FROM semantic.orders GROUP BY status ORDER BY 1");
    assertThat(text.status()).as(text.toString()).isEqualTo(200);
    assertThat(text.json().path("columns").get(1).path("name").asText()).isEqualTo("n");
    List<String> got = new java.util.ArrayList<>();
    text.json().path("data").forEach(r -> got.add(r.get(0).asText() + "=" + r.get(1).asText()));
    assertThat(got).isEqualTo(expected);

    Response params = admin.post("/api/v1/sql", Map.of("sql", "SELECT status, COUNT(*) FROM"
        + " demo.retail.orders WHERE status = ? GROUP BY status", "parameters",
        List.of(expected.get(0).split("=")[0])));
    assertThat(params.status()).as(params.toString()).isEqualTo(200);
    assertThat(params.json().path("data").get(0).get(1).asText())
        .isEqualTo(expected.get(0).split("=")[1]);

    Response csv = server.admin().header("Accept", "text/csv").send("POST", "/api/v1/sql", "text/plain",
        "SELECT status, MEASURE(count) AS n FROM semantic.orders GROUP BY status ORDER BY 1");
    assertThat(csv.status()).isEqualTo(200);
    assertThat(csv.text().lines().findFirst().orElseThrow()).isEqualTo("status,n");

    Response bad = admin.send("POST", "/api/v1/sql", "text/plain",
        "SELECT nope FROM semantic.orders");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(error(bad)).isEqualTo("INVALID_SQL");
    assertThat(bad.json().path("error").path("location").asText()).isEqualTo("line 1, column 8");
    Response ddl = admin.send("POST", "/api/v1/sql", "text/plain", "DROP TABLE demo.retail.orders");
    assertThat(ddl.status()).isEqualTo(400);
    assertThat(error(ddl)).isEqualTo("READ_ONLY");
    assertThat(admin.send("POST", "/api/v1/sql", "text/plain", "SELECT 1 AS x").json()
        .path("data").get(0).get(0).asInt()).isEqualTo(1);
  }

  // ------------------------------------------------------------------ bad input

  @Test
  @Order(10)
  void badQueriesGetClearErrorsAndTheServerKeepsServing() {
    Response malformed = admin.post("/api/v1/query", "{\"measures\": [\"orders.count\"");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(error(malformed)).isEqualTo("MALFORMED_QUERY");
    assertThat(malformed.json().path("error").path("location").asText()).contains("line 1");

    Response unknown = admin.post("/api/v1/query", "{\"measures\":[\"orders.revenue_typo\"]}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(error(unknown)).isEqualTo("UNKNOWN_MEMBER");
    assertThat(unknown.json().path("error").path("location").asText()).isEqualTo("measures[0]");
    assertThat(unknown.json().path("error").path("message").asText()).contains("revenue_typo");

    Response grain = admin.post("/api/v1/query", "{\"measures\":[\"orders.count\"],"
        + "\"timeDimensions\":[{\"dimension\":\"orders.status\",\"granularity\":\"month\"}]}");
    assertThat(grain.status()).isEqualTo(400);
    assertThat(error(grain)).isEqualTo("INVALID_QUERY");
    assertThat(grain.json().path("error").path("message").asText()).contains("needs a time dimension");

    Response empty = admin.post("/api/v1/query", "");
    assertThat(empty.status()).isEqualTo(400);

    Response overLimit = admin.post("/api/v1/query", "{\"measures\":[\"orders.count\"],\"limit\":5000}");
    assertThat(overLimit.status()).isEqualTo(400);
    assertThat(error(overLimit)).isEqualTo("ROW_LIMIT_EXCEEDED");
    assertThat(overLimit.json().path("error").path("message").asText()).contains("5000").contains("1000");

    // 2000 orders, no limit given: refused rather than silently cut at 1000.
    Response tooMany = admin.post("/api/v1/query", "{\"dimensions\":[\"orders.order_id\"]}");
    assertThat(tooMany.status()).as(tooMany.toString()).isEqualTo(400);
    assertThat(error(tooMany)).isEqualTo("ROW_LIMIT_EXCEEDED");

    assertThat(admin.post("/api/v1/query", COUNT_BY_STATUS).status()).isEqualTo(200);
  }

  @Test
  @Order(11)
  void anInvalidModelIsRefusedWithFileAndLineAndNothingIsStored() {
    String broken = """
        name: returns
        data_source: demo
        table: retail.orders
        dimensions:
          - { name: status, type: strng }
        measures:
          - { name: count, agg: count }
        """;
    Response r = admin.send("PUT", "/api/v1/models/returns", "application/yaml", broken);
    assertThat(r.status()).as(r.toString()).isEqualTo(422);
    assertThat(error(r)).isEqualTo("INVALID_MODEL");
    JsonNode problem = r.json().path("error").path("errors").get(0);
    assertThat(problem.path("file").asText()).isEqualTo("returns.yml");
    assertThat(problem.path("line").asInt()).isEqualTo(5);
    assertThat(problem.path("message").asText()).contains("strng");
    assertThat(admin.get("/api/v1/models/returns").status()).isEqualTo(404);
    assertThat(admin.get("/api/v1/models/returns/history").status()).isEqualTo(404);
    Response dryRun = admin.post("/api/v1/models/validate", Map.of("files", Map.of("returns", broken)));
    assertThat(dryRun.status()).isEqualTo(422);
    assertThat(dryRun.json().path("error").path("errors").get(0).path("line").asInt()).isEqualTo(5);
    assertThat(admin.post("/api/v1/models/validate", Map.of("files",
        Map.of("returns", broken.replace("strng", "string")))).status()).isEqualTo(200);
    assertThat(admin.get("/api/v1/models/returns").status()).isEqualTo(404);

    String unknownSource = broken.replace("strng", "string").replace("data_source: demo", "data_source: nowhere");
    Response ds = admin.send("PUT", "/api/v1/models/returns", "application/yaml", unknownSource);
    assertThat(ds.status()).isEqualTo(422);
    JsonNode p = ds.json().path("error").path("errors").get(0);
    assertThat(p.path("line").asInt()).isEqualTo(2);
    assertThat(p.path("message").asText()).contains("unknown data source 'nowhere'");

    Response notYaml = admin.send("PUT", "/api/v1/models/returns", "application/yaml", "name: [unclosed");
    assertThat(notYaml.status()).isEqualTo(422);
    assertThat(admin.post("/api/v1/query", COUNT_BY_STATUS).status()).isEqualTo(200);
  }

  @Test
  @Order(12)
  void unknownDataSourceIsNotFound() {
    Response r = admin.get("/api/v1/datasources/nowhere");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().path("error").path("message").asText()).contains("nowhere");
    assertThat(admin.post("/api/v1/datasources/nowhere/test", "{}").status()).isEqualTo(404);
  }

  @Test
  @Order(13)
  void aWarehouseThatIsDownGetsUnavailableAndOthersKeepWorking() {
    Response created = admin.post("/api/v1/datasources", Map.of("name", "down", "kind", "postgres",
        "url", "jdbc:postgresql://127.0.0.1:1/nothing", "username", "x", "password", "hunter2",
        "connectionTimeoutMs", 1000));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(created.text()).doesNotContain("hunter2");
    assertThat(created.json().path("hasPassword").asBoolean()).isTrue();

    Response test = admin.post("/api/v1/datasources/down/test", "{}");
    assertThat(test.status()).isEqualTo(200);
    assertThat(test.json().path("ok").asBoolean()).isFalse();
    assertThat(test.json().path("error").asText()).isNotBlank();

    Response model = admin.send("PUT", "/api/v1/models/remote_orders", "application/yaml", """
        name: remote_orders
        data_source: down
        table: retail.orders
        dimensions:
          - { name: status, type: string }
        measures:
          - { name: count, agg: count }
        """);
    assertThat(model.status()).as(model.toString()).isEqualTo(200);
    long start = System.nanoTime();
    Response q = admin.post("/api/v1/query", "{\"measures\":[\"remote_orders.count\"]}");
    assertThat(q.status()).as(q.toString()).isEqualTo(503);
    assertThat(error(q)).isEqualTo("UNAVAILABLE");
    assertThat(q.json().path("error").path("message").asText()).contains("down");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(15_000);
    assertThat(admin.post("/api/v1/query", COUNT_BY_STATUS).status()).isEqualTo(200);

    // A data source read by a model cannot be deleted.
    assertThat(admin.delete("/api/v1/datasources/down").status()).isEqualTo(409);
    assertThat(admin.delete("/api/v1/models/remote_orders").status()).isEqualTo(200);
    assertThat(admin.delete("/api/v1/datasources/down").status()).isEqualTo(204);
  }

  @Test
  @Order(14)
  void aMissingDriverIsNamed() {
    Response created = admin.post("/api/v1/datasources", Map.of("name", "snow", "kind", "snowflake",
        "url", "jdbc:snowflake://acme.snowflakecomputing.com/", "username", "u", "password", "p"));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(created.json().path("dialect").asText()).isEqualTo("snowflake");
    Response test = admin.post("/api/v1/datasources/snow/test", "{}");
    assertThat(test.json().path("ok").asBoolean()).isFalse();
    assertThat(test.json().path("error").asText()).contains("net.snowflake.client.jdbc.SnowflakeDriver");
    assertThat(admin.delete("/api/v1/datasources/snow").status()).isEqualTo(204);
  }

  // ------------------------------------------------------------------ models

  @Test
  @Order(20)
  void aSavedModelChangeTakesEffectWithoutRestart() {
    String yaml = admin.get("/api/v1/models/orders").text();
    assertThat(yaml).contains("name: orders");
    assertThat(admin.post("/api/v1/query", "{\"measures\":[\"orders.cancelled_count_new\"]}").status())
        .isEqualTo(400);
    String changed = yaml.replace("measures:\n", "measures:\n"
        + "  - { name: cancelled_count_new, agg: count, filter: \"status = 'cancelled'\" }\n");
    assertThat(changed).isNotEqualTo(yaml);
    Response put = admin.send("PUT", "/api/v1/models/orders", "application/yaml", changed);
    assertThat(put.status()).as(put.toString()).isEqualTo(200);
    assertThat(put.json().path("version").asInt()).isEqualTo(2);
    Response q = admin.post("/api/v1/query", "{\"measures\":[\"orders.cancelled_count_new\"]}");
    assertThat(q.status()).as(q.toString()).isEqualTo(200);
    assertThat(q.json().path("data").get(0).path("orders.cancelled_count_new").asLong()).isPositive();

    JsonNode history = admin.get("/api/v1/models/orders/history").json();
    assertThat(history.size()).isEqualTo(2);
    assertThat(history.get(0).path("version").asInt()).isEqualTo(2);
    assertThat(history.get(0).path("author").asText()).isEqualTo("admin");
    // an ISO-8601 instant, as the OpenAPI description says (the UI read epoch seconds as
    // milliseconds and showed 1970)
    assertThat(java.time.Instant.parse(history.get(0).path("createdAt").asText()))
        .isAfter(java.time.Instant.now().minus(java.time.Duration.ofDays(1)));
    assertThat(admin.get("/api/v1/models/orders?version=1").text()).isEqualTo(yaml);
    // Saving the same text again writes no new version.
    assertThat(admin.send("PUT", "/api/v1/models/orders", "application/yaml", changed).json()
        .path("version").asInt()).isEqualTo(2);
  }

  @Test
  @Order(21)
  void deletingAModelOthersNeedIsRefused() {
    Response r = admin.delete("/api/v1/models/customers");
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.json().path("error").path("errors").size()).isPositive();
    assertThat(admin.get("/api/v1/models/customers").status()).isEqualTo(200);
  }

  // ------------------------------------------------------------------ users, roles, tokens

  @Test
  @Order(30)
  void rolesLimitWhatUsersMayDo() {
    assertThat(admin.post("/api/v1/users", Map.of("username", "vera", "password", "viewer-pass-1",
        "role", "viewer")).status()).isEqualTo(201);
    assertThat(admin.post("/api/v1/users", Map.of("username", "ed", "password", "editor-pass-1",
        "role", "editor")).status()).isEqualTo(201);
    assertThat(admin.post("/api/v1/users", Map.of("username", "ed", "password", "editor-pass-1")).status())
        .isEqualTo(409);
    Response weak = admin.post("/api/v1/users", Map.of("username", "weak", "password", "short"));
    assertThat(weak.status()).isEqualTo(400);
    assertThat(weak.json().path("error").path("location").asText()).isEqualTo("password");
    Response badRole = admin.post("/api/v1/users", Map.of("username", "x", "password", "long-enough-1", "role", "god"));
    assertThat(badRole.status()).isEqualTo(400);

    Client vera = server.as("vera", "viewer-pass-1");
    Client ed = server.as("ed", "editor-pass-1");
    assertThat(vera.post("/api/v1/query", COUNT_BY_STATUS).status()).isEqualTo(200);
    assertThat(vera.get("/api/v1/meta").status()).isEqualTo(200);
    Response forbidden = vera.send("PUT", "/api/v1/models/x", "application/yaml", "name: x");
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(error(forbidden)).isEqualTo("FORBIDDEN");
    assertThat(vera.get("/api/v1/users").status()).isEqualTo(403);
    assertThat(vera.get("/api/v1/datasources").status()).isEqualTo(403);
    assertThat(ed.get("/api/v1/datasources").status()).isEqualTo(200);
    assertThat(ed.get("/api/v1/users").status()).isEqualTo(403);
    assertThat(ed.post("/api/v1/datasources", Map.of("name", "x", "kind", "duckdb", "url", "jdbc:duckdb:")).status())
        .isEqualTo(403);
    JsonNode users = admin.get("/api/v1/users").json();
    assertThat(users.toString()).doesNotContain("$2a$").doesNotContain("passwordHash");
  }

  @Test
  @Order(31)
  void tokensAreShownOnceAndWorkAsBearer() {
    Response created = admin.post("/api/v1/tokens", Map.of("name", "tableau", "expiresInDays", 30));
    assertThat(created.status()).isEqualTo(201);
    String secret = created.json().path("secret").asText();
    assertThat(secret).startsWith("strata_pat_");
    long id = created.json().path("token").path("id").asLong();
    Client bearer = server.bearer(secret);
    assertThat(bearer.post("/api/v1/query", COUNT_BY_STATUS).status()).isEqualTo(200);
    assertThat(bearer.get("/api/v1/auth/me").json().path("username").asText()).isEqualTo("admin");
    assertThat(admin.get("/api/v1/tokens").text()).doesNotContain(secret);
    assertThat(admin.delete("/api/v1/tokens/" + id).status()).isEqualTo(204);
    assertThat(bearer.get("/api/v1/meta").status()).isEqualTo(401);
  }

  @Test
  @Order(32)
  void loginGivesASessionAndLogoutEndsIt() {
    Response bad = server.anonymous().post("/api/v1/auth/login", Map.of("username", "admin", "password", "nope"));
    assertThat(bad.status()).isEqualTo(401);
    Response login = server.anonymous().post("/api/v1/auth/login",
        Map.of("username", "admin", "password", TestServer.ADMIN_PASSWORD));
    assertThat(login.status()).isEqualTo(200);
    String cookie = login.headers("Set-Cookie").stream().filter(c -> c.startsWith("strata_session="))
        .findFirst().orElseThrow();
    assertThat(cookie).containsIgnoringCase("HttpOnly");
    String value = cookie.substring("strata_session=".length(), cookie.indexOf(';'));
    Client session = server.anonymous().header("Cookie", "strata_session=" + value);
    assertThat(session.get("/api/v1/auth/me").json().path("via").asText()).isEqualTo("session");
    assertThat(session.post("/api/v1/auth/logout", "{}").status()).isEqualTo(204);
    assertThat(session.get("/api/v1/auth/me").status()).isEqualTo(401);
  }

  // ------------------------------------------------------------------ operations

  @Test
  @Order(40)
  void metricsOpenApiAndQueryLog() {
    Response metrics = admin.get("/metrics");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.text()).contains("jvm_memory_used_bytes")
        .containsPattern("strata_query_seconds_count\\{[^}]*data_source=\"demo\"[^}]*outcome=\"ok\"")
        .contains("outcome=\"ROW_LIMIT_EXCEEDED\"");
    Response openapi = admin.get("/openapi/strata-v1.yml");
    assertThat(openapi.status()).isEqualTo(200);
    assertThat(openapi.text()).contains("/api/v1/query").contains("/api/v1/models/{name}");
    JsonNode log = admin.get("/api/v1/queries?limit=50").json();
    assertThat(log.size()).isPositive();
    assertThat(log).anySatisfy(e -> {
      assertThat(e.path("username").asText()).isEqualTo("admin");
      assertThat(e.path("sql").asText()).isNotBlank();
      assertThat(e.path("rows").asLong()).isPositive();
    });
    assertThat(log).anySatisfy(e -> assertThat(e.path("errorCode").asText()).isEqualTo("ROW_LIMIT_EXCEEDED"));
  }
}
