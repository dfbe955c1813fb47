package io.strata.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.MovingClock;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import io.strata.server.auth.Principal;
import io.strata.server.metadata.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The audit log through a running server: each kind of change (models, data sources, users,
 * tokens, dashboards, charts, cache invalidations, login lockouts) leaves its entry, read back
 * with {@code GET /api/v1/audit} and its filters; only admins may read it; bad filters are 400s
 * naming the parameter; no secret is ever written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditLogTest {
  static final String MODEL = """
      name: audited
      data_source: demo
      sql: SELECT 1 AS x
      dimensions:
        - { name: x, type: number }
      measures:
        - { name: count, agg: count }
      """;
  static final String CHART = """
      {"title": "Orders by status", "viz": {"type": "bar"},
       "query": {"measures": ["orders.count"], "dimensions": ["orders.status"]}}""";

  TestServer server;
  Client admin;
  MovingClock clock;
  java.nio.file.Path modelsDir;

  @BeforeAll
  void start() {
    Map<String, Object> props = new HashMap<>();
    props.put(MovingClock.SETTING, "true");
    props.put("strata.auth.throttle.free-failures", "2");
    props.put("strata.auth.throttle.lockout-failures", "3");
    props.put("strata.auth.trusted-proxies", "127.0.0.1");
    try {
      modelsDir = java.nio.file.Files.createTempDirectory("strata-audit-models");
      java.nio.file.Files.writeString(modelsDir.resolve("from_dir.yml"),
          MODEL.replace("audited", "from_dir"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    props.put("strata.models.dir", modelsDir.toString());
    server = TestServer.start(props);
    admin = server.admin();
    clock = MovingClock.of(server);
    for (String[] u : new String[][] {{"vic", "viewer"}, {"eddie", "editor"}}) {
      assertThat(admin.post("/api/v1/users", Map.of("username", u[0], "password", "password-1",
          "role", u[1])).status()).isEqualTo(201);
    }
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
    if (modelsDir != null) {
      modelsDir.resolve("from_dir.yml").toFile().delete();
      modelsDir.toFile().delete();
    }
  }

  /** The newest entry for a resource, or fails. */
  JsonNode latest(String type, String name) {
    Response r = admin.get("/api/v1/audit?resourceType=" + type + "&resource=" + name
        + "&limit=1");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json()).as("audit entries for %s %s", type, name).hasSize(1);
    return r.json().get(0);
  }

  static void is(JsonNode e, String actor, String action) {
    assertThat(e.path("actor").asText()).isEqualTo(actor);
    assertThat(e.path("action").asText()).isEqualTo(action);
    assertThat(e.path("actorAddress").asText()).isEqualTo("127.0.0.1");
    // times are ISO-8601 text, as the rest of the API (and its OpenAPI description) has them
    assertThat(java.time.Instant.parse(e.path("at").asText()))
        .isAfter(java.time.Instant.parse("2020-01-01T00:00:00Z"));
  }

  @Test
  void modelsDataSourcesAndCacheInvalidations() {
    assertThat(admin.send("PUT", "/api/v1/models/audited", "application/yaml", MODEL).status())
        .isEqualTo(200);
    is(latest("model", "audited.yml"), "admin", "create");
    assertThat(admin.send("PUT", "/api/v1/models/audited", "application/yaml",
        MODEL.replace("SELECT 1", "SELECT 2")).status()).isEqualTo(200);
    JsonNode updated = latest("model", "audited.yml");
    is(updated, "admin", "update");
    assertThat(updated.path("details").path("version").asInt()).isEqualTo(2);
    assertThat(admin.post("/api/v1/cache/invalidate", Map.of("model", "audited")).status())
        .isEqualTo(200);
    is(latest("cache", "audited"), "admin", "invalidate");
    assertThat(admin.delete("/api/v1/models/audited").status()).isEqualTo(200);
    is(latest("model", "audited.yml"), "admin", "delete");
    assertThat(admin.post("/api/v1/models", Map.of("files", Map.of("pushed.yml",
        MODEL.replace("audited", "pushed")))).status()).isEqualTo(200);
    assertThat(latest("model", "pushed.yml").path("details").path("push").asBoolean()).isTrue();

    String url = "jdbc:duckdb:" + server.dataDir().resolve("audited.duckdb");
    Response created = admin.post("/api/v1/datasources", Map.of("name", "audited_ds",
        "kind", "duckdb", "url", url, "password", "ds-secret-value"));
    assertThat(created.status()).as(created.toString()).isIn(200, 201);
    is(latest("data_source", "audited_ds"), "admin", "create");
    assertThat(admin.put("/api/v1/datasources/audited_ds", Map.of("kind", "duckdb", "url", url,
        "poolSize", 2)).status()).isEqualTo(200);
    JsonNode dsUpdate = latest("data_source", "audited_ds");
    is(dsUpdate, "admin", "update");
    assertThat(dsUpdate.path("details").path("passwordChanged").asBoolean()).isFalse();
    assertThat(admin.delete("/api/v1/datasources/audited_ds").status()).isEqualTo(204);
    is(latest("data_source", "audited_ds"), "admin", "delete");

    assertThat(admin.post("/api/v1/cache/invalidate", Map.of("all", true)).status())
        .isEqualTo(200);
    is(latest("cache", "all"), "admin", "invalidate");
    assertThat(admin.get("/api/v1/audit?limit=1000").text()).doesNotContain("ds-secret-value");
  }

  @Test
  void securityRulesGrantsAndUserAttributes() {
    Response rule = admin.post("/api/v1/security/rules", Map.of("model", "customers",
        "filters", java.util.List.of(Map.of("member", "customers.region", "operator", "equals",
            "values", java.util.List.of("{user.region}"))),
        "roles", java.util.List.of("viewer")));
    assertThat(rule.status()).as(rule.toString()).isEqualTo(201);
    String ruleId = rule.json().path("id").asText();
    JsonNode e = latest("security_rule", ruleId);
    is(e, "admin", "create");
    assertThat(e.path("details").path("model").asText()).isEqualTo("customers");
    assertThat(e.path("details").path("filters").asText()).contains("customers.region");
    assertThat(admin.delete("/api/v1/security/rules/" + ruleId).status()).isEqualTo(204);
    is(latest("security_rule", ruleId), "admin", "delete");

    Response grant = admin.post("/api/v1/security/grants", Map.of("kind", "model",
        "target", "products", "roles", java.util.List.of("editor")));
    assertThat(grant.status()).as(grant.toString()).isEqualTo(201);
    String grantId = grant.json().path("id").asText();
    e = latest("grant", grantId);
    is(e, "admin", "create");
    assertThat(e.path("details").path("target").asText()).isEqualTo("products");
    assertThat(admin.delete("/api/v1/security/grants/" + grantId).status()).isEqualTo(204);
    is(latest("grant", grantId), "admin", "delete");

    Response user = admin.post("/api/v1/users", Map.of("username", "attributed",
        "password", "attributed-pw-1", "role", "viewer", "attributes",
        Map.of("region", "Europe")));
    assertThat(user.status()).as(user.toString()).isEqualTo(201);
    e = latest("user", "attributed");
    is(e, "admin", "create");
    // which attributes were set, not their values
    assertThat(e.path("details").path("attributes").toString()).contains("region")
        .doesNotContain("Europe");
  }

  @Test
  void theFirstAdminIsRecordedAsCreatedByTheServer() {
    JsonNode e = latest("user", "admin");
    assertThat(e.path("action").asText()).isEqualTo("create");
    assertThat(e.path("actor").isNull()).isTrue();
    assertThat(e.path("details").path("firstStart").asBoolean()).isTrue();
    JsonNode m = latest("model", "from_dir.yml");
    assertThat(m.path("action").asText()).isEqualTo("create");
    assertThat(m.path("actor").isNull()).isTrue();
    assertThat(m.path("details").path("from").asText()).isEqualTo("strata.models.dir");
  }

  @Test
  void usersAndTokens() {
    Response created = admin.post("/api/v1/users", Map.of("username", "audited-user",
        "password", "first-password-1", "role", "viewer"));
    assertThat(created.status()).isEqualTo(201);
    long id = created.json().path("id").asLong();
    JsonNode e = latest("user", "audited-user");
    is(e, "admin", "create");
    assertThat(e.path("details").path("role").asText()).isEqualTo("viewer");
    assertThat(admin.put("/api/v1/users/" + id, Map.of("role", "editor",
        "password", "second-password-2")).status()).isEqualTo(200);
    e = latest("user", "audited-user");
    is(e, "admin", "update");
    assertThat(e.path("details").path("role").asText()).isEqualTo("editor");
    assertThat(e.path("details").path("passwordChanged").asBoolean()).isTrue();

    Client user = server.as("audited-user", "second-password-2");
    Response token = user.post("/api/v1/tokens", Map.of("name", "audited-token"));
    assertThat(token.status()).isEqualTo(201);
    JsonNode t = latest("token", "audited-token");
    is(t, "audited-user", "create");
    assertThat(t.path("details").path("user").asText()).isEqualTo("audited-user");
    assertThat(user.delete("/api/v1/tokens/" + token.json().path("token").path("id").asLong())
        .status()).isEqualTo(204);
    is(latest("token", "audited-token"), "audited-user", "delete");

    assertThat(admin.delete("/api/v1/users/" + id).status()).isEqualTo(204);
    is(latest("user", "audited-user"), "admin", "delete");
    String all = admin.get("/api/v1/audit?limit=1000").text();
    assertThat(all).doesNotContain("first-password-1").doesNotContain("second-password-2")
        .doesNotContain(token.json().path("secret").asText());
  }

  @Test
  void dashboardsAndCharts() {
    Client editor = server.as("eddie", "password-1");
    Response d = editor.post("/api/v1/dashboards", "{\"name\": \"Audited board\"}");
    assertThat(d.status()).as(d.toString()).isEqualTo(201);
    long id = d.json().path("id").asLong();
    is(latest("dashboard", "Audited%20board"), "eddie", "create");
    Response c = editor.post("/api/v1/charts", "{\"dashboardId\": " + id + ", "
        + CHART.substring(1));
    assertThat(c.status()).as(c.toString()).isEqualTo(201);
    long chartId = c.json().path("id").asLong();
    JsonNode chart = latest("chart", "Orders%20by%20status");
    is(chart, "eddie", "create");
    assertThat(chart.path("details").path("dashboardId").asLong()).isEqualTo(id);
    assertThat(editor.put("/api/v1/charts/" + chartId, CHART.replace("Orders by status",
        "Renamed chart")).status()).isEqualTo(200);
    is(latest("chart", "Renamed%20chart"), "eddie", "update");
    assertThat(editor.delete("/api/v1/charts/" + chartId).status()).isEqualTo(204);
    is(latest("chart", String.valueOf(chartId)), "eddie", "delete");
    assertThat(editor.put("/api/v1/dashboards/" + id, "{\"name\": \"Audited board\","
        + " \"description\": \"changed\"}").status()).isEqualTo(200);
    is(latest("dashboard", "Audited%20board"), "eddie", "update");
    Response export = editor.get("/api/v1/dashboards/" + id + "/export");
    assertThat(editor.post("/api/v1/dashboards/import", export.text()
        .replace("Audited board", "Imported board")).status()).isEqualTo(201);
    is(latest("dashboard", "Imported%20board"), "eddie", "import");
    assertThat(editor.delete("/api/v1/dashboards/" + id).status()).isEqualTo(204);
    is(latest("dashboard", "Audited%20board"), "eddie", "delete");
  }

  @Test
  void loginLockoutsAreAudited() {
    for (int i = 0; i < 3; i++) {
      server.as("vic", "wrong").header("X-Forwarded-For", "203.0.113.77").get("/api/v1/auth/me");
      clock.advance(Duration.ofMinutes(1)); // past each back-off
    }
    Response r = admin.get("/api/v1/audit?resourceType=user&resource=vic&limit=1");
    JsonNode e = r.json().get(0);
    assertThat(e.path("action").asText()).isEqualTo("lockout");
    assertThat(e.path("actor").isNull()).isTrue();
    assertThat(e.path("actorAddress").asText()).isEqualTo("203.0.113.77");
    assertThat(e.path("details").path("failures").asInt()).isEqualTo(3);
    clock.advance(Duration.ofMinutes(20)); // the lockout ends
  }

  @Test
  void filtersSelectAndOrderNewestFirst() {
    for (int i = 0; i < 3; i++) {
      admin.post("/api/v1/cache/invalidate", Map.of("model", "orders"));
    }
    Response r = admin.get("/api/v1/audit?resourceType=cache&resource=orders&actor=admin");
    List<Long> ids = new ArrayList<>();
    r.json().forEach(e -> ids.add(e.path("id").asLong()));
    assertThat(ids).hasSizeGreaterThanOrEqualTo(3).isSortedAccordingTo((a, b) -> Long.compare(b, a));
    String now = clock.instant().plusSeconds(1).toString();
    assertThat(admin.get("/api/v1/audit?resourceType=cache&resource=orders&since=" + now).json())
        .isEmpty();
    assertThat(admin.get("/api/v1/audit?resourceType=cache&resource=orders&until=" + now).json())
        .hasSizeGreaterThanOrEqualTo(3);
    assertThat(admin.get("/api/v1/audit?resourceType=cache&resource=orders&since=2000-01-01").json())
        .hasSizeGreaterThanOrEqualTo(3);
    assertThat(admin.get("/api/v1/audit?actor=nobody-at-all").json()).isEmpty();
    assertThat(admin.get("/api/v1/audit?limit=2").json()).hasSize(2);
  }

  @Test
  void onlyAdminsReadIt() {
    for (String user : List.of("vic", "eddie")) {
      Response r = server.as(user, "password-1").get("/api/v1/audit");
      assertThat(r.status()).as(user).isEqualTo(403);
      assertThat(r.json().path("error").path("code").asText()).isEqualTo("FORBIDDEN");
    }
    assertThat(server.anonymous().get("/api/v1/audit").status()).isEqualTo(401);
  }

  @Test
  void badFiltersAre400sNamingTheParameter() {
    Map<String, String> bad = Map.of(
        "limit=0", "limit", "limit=1001", "limit", "limit=ten", "limit",
        "since=yesterday", "since", "until=2026-13-01", "until",
        "since=2026-02-01&until=2026-01-01", "since", "resourceType=Model%20X", "resourceType",
        "resource_type=model", "resource_type");
    bad.forEach((query, parameter) -> {
      Response r = admin.get("/api/v1/audit?" + query);
      assertThat(r.status()).as(query + ": " + r).isEqualTo(400);
      assertThat(r.json().path("error").path("location").asText()).as(query).isEqualTo(parameter);
      assertThat(r.json().path("error").path("message").asText()).as(query).contains(parameter);
    });
    assertThat(admin.get("/api/v1/auth/me").status()).isEqualTo(200); // still serving
  }

  @Test
  void secretsAreRedactedAndBadNamesRefused() {
    AuditLog log = server.context().getBean(AuditLog.class);
    Principal actor = new Principal(1, "admin", Role.ADMIN, "basic");
    log.record(actor, "update", "redaction_check", "r1", Map.of("password", "p-value-1",
        "nested", Map.of("apiSecret", "s-value-2", "note", "kept"), "passwordChanged", true,
        "list", List.of(Map.of("token", "t-value-3"))));
    JsonNode e = latest("redaction_check", "r1");
    assertThat(e.path("details").toString()).doesNotContain("p-value-1", "s-value-2", "t-value-3")
        .contains("kept");
    assertThat(e.path("details").path("passwordChanged").asBoolean()).isTrue();
    assertThat(e.path("actorAddress").isNull()).isTrue();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> log.record(actor, "Update!", "x",
        "y", Map.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Update!");
  }
}
