package io.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.MediaType;
import io.micronaut.web.router.Router;
import io.micronaut.web.router.UriRouteInfo;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The REST route × role matrix, as a specification: every route the server exposes, read from
 * Micronaut's {@link Router} (so a new route is covered, and fails here until it is classified
 * in {@link #ACCESS}), is called without credentials (401, and the body is the fixed error and
 * nothing else) and as a viewer, an editor and an admin (403 exactly for the roles below the
 * route's). Path variables get values that name nothing, and bodies are empty objects, so no
 * call changes anything. JDBC and Flight SQL without credentials are refused too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteRoleMatrixTest {

  /**
   * Who may call a route: anyone, anyone holding a signed link (no session: without a valid
   * signature it is 403 LINK_INVALID for everyone, whatever their role), or at least this role.
   */
  enum Access { OPEN, SIGNED, VIEWER, EDITOR, ADMIN }

  /**
   * THE TABLE: each route (method and URI template as Micronaut has it; HEAD follows GET) and
   * the least role that may call it. Keep it in the order of the README's REST table.
   */
  static final Map<String, Access> ACCESS = new TreeMap<>(Map.ofEntries(
      // open: health for load balancers, and the login that gives a session
      Map.entry("GET /health", Access.OPEN),
      Map.entry("GET /health/{selector}", Access.OPEN),
      Map.entry("GET /health/ready", Access.OPEN),
      Map.entry("GET /health/live", Access.OPEN),
      Map.entry("POST /api/v1/auth/login", Access.OPEN),
      // a job's file by its signed link (pasted into a browser, curl, an email)
      Map.entry("GET /api/v1/job-files/{id}", Access.SIGNED),
      Map.entry("GET /api/v1/report-images/{id}", Access.SIGNED),
      // any signed-in user: queries, SQL, what the models offer, dashboards to look at
      Map.entry("GET /api/v1/auth/me", Access.VIEWER),
      Map.entry("POST /api/v1/auth/logout", Access.VIEWER),
      Map.entry("POST /api/v1/query", Access.VIEWER),
      Map.entry("GET /api/v1/query", Access.VIEWER),
      Map.entry("POST /api/v1/query/sql", Access.VIEWER),
      Map.entry("DELETE /api/v1/queries/{id}", Access.VIEWER), // their own; an admin any
      Map.entry("POST /api/v1/sql", Access.VIEWER),
      Map.entry("GET /api/v1/meta", Access.VIEWER),
      Map.entry("GET /api/v1/models", Access.VIEWER),
      Map.entry("GET /api/v1/models/{name}", Access.VIEWER),
      Map.entry("GET /api/v1/models/{name}/history", Access.VIEWER),
      Map.entry("GET /api/v1/tokens", Access.VIEWER), // their own
      Map.entry("POST /api/v1/tokens", Access.VIEWER), // for themselves
      Map.entry("GET /api/v1/saved-queries", Access.VIEWER), // their own
      Map.entry("POST /api/v1/saved-queries", Access.VIEWER),
      Map.entry("PUT /api/v1/saved-queries/{id}", Access.VIEWER),
      Map.entry("DELETE /api/v1/saved-queries/{id}", Access.VIEWER),
      Map.entry("GET /api/v1/sql/history", Access.VIEWER), // their own statements
      Map.entry("GET /api/v1/cache/stats", Access.VIEWER),
      Map.entry("GET /api/v1/dashboards", Access.VIEWER),
      Map.entry("GET /api/v1/dashboards/{id}", Access.VIEWER),
      Map.entry("GET /api/v1/dashboards/{id}/export", Access.VIEWER),
      Map.entry("PUT /api/v1/dashboards/{id}/favourite", Access.VIEWER),
      Map.entry("DELETE /api/v1/dashboards/{id}/favourite", Access.VIEWER),
      Map.entry("GET /api/v1/charts", Access.VIEWER),
      Map.entry("GET /api/v1/charts/{id}", Access.VIEWER),
      Map.entry("GET /metrics", Access.VIEWER),
      // jobs: anyone runs and follows their own (scheduling a recurring one needs an editor,
      // decided by the body); an admin sees everyone's
      Map.entry("GET /api/v1/jobs", Access.VIEWER),
      Map.entry("POST /api/v1/jobs", Access.VIEWER),
      Map.entry("GET /api/v1/jobs/{id}", Access.VIEWER),
      Map.entry("POST /api/v1/jobs/{id}/cancel", Access.VIEWER),
      Map.entry("DELETE /api/v1/jobs/{id}", Access.VIEWER),
      Map.entry("GET /api/v1/jobs/{id}/result", Access.VIEWER),
      Map.entry("GET /api/v1/jobs/{id}/download", Access.VIEWER),
      Map.entry("GET /api/v1/jobs/{id}/events", Access.VIEWER),
      Map.entry("GET /api/v1/job-schedules", Access.VIEWER),
      Map.entry("GET /api/v1/job-schedules/{id}", Access.VIEWER),
      Map.entry("DELETE /api/v1/job-schedules/{id}", Access.VIEWER),
      // reports and alerts: anyone lists and reads their own; making, changing, sending,
      // pausing and deleting them needs an editor; thumbnails for anyone who may see dashboards
      Map.entry("GET /api/v1/reports", Access.VIEWER),
      Map.entry("POST /api/v1/reports", Access.EDITOR),
      Map.entry("GET /api/v1/reports/{id}", Access.VIEWER),
      Map.entry("PUT /api/v1/reports/{id}", Access.EDITOR),
      Map.entry("DELETE /api/v1/reports/{id}", Access.EDITOR),
      Map.entry("GET /api/v1/reports/{id}/runs", Access.VIEWER),
      Map.entry("POST /api/v1/reports/{id}/test-send", Access.EDITOR),
      Map.entry("POST /api/v1/reports/{id}/pause", Access.EDITOR),
      Map.entry("POST /api/v1/reports/{id}/resume", Access.EDITOR),
      Map.entry("GET /api/v1/alerts", Access.VIEWER),
      Map.entry("POST /api/v1/alerts", Access.EDITOR),
      Map.entry("GET /api/v1/alerts/{id}", Access.VIEWER),
      Map.entry("PUT /api/v1/alerts/{id}", Access.EDITOR),
      Map.entry("DELETE /api/v1/alerts/{id}", Access.EDITOR),
      Map.entry("GET /api/v1/alerts/{id}/runs", Access.VIEWER),
      Map.entry("POST /api/v1/alerts/{id}/test-send", Access.EDITOR),
      Map.entry("POST /api/v1/alerts/{id}/pause", Access.EDITOR),
      Map.entry("POST /api/v1/alerts/{id}/resume", Access.EDITOR),
      Map.entry("GET /api/v1/thumbnails/dashboards/{id}", Access.VIEWER),
      Map.entry("GET /api/v1/thumbnails/charts/{id}", Access.VIEWER),
      // rollups: everyone sees their status; a rebuild loads the warehouse, so editors ask
      Map.entry("GET /api/v1/rollups", Access.VIEWER),
      Map.entry("GET /api/v1/rollups/{model}", Access.VIEWER),
      Map.entry("GET /api/v1/rollups/{model}/{rollup}", Access.VIEWER),
      Map.entry("POST /api/v1/rollups/{model}/{rollup}/build", Access.EDITOR),
      // editors: models, dashboards and charts, the cache; they see data sources
      Map.entry("PUT /api/v1/models/{name}", Access.EDITOR),
      Map.entry("POST /api/v1/models", Access.EDITOR),
      Map.entry("DELETE /api/v1/models/{name}", Access.EDITOR),
      Map.entry("POST /api/v1/models/validate", Access.EDITOR),
      Map.entry("GET /api/v1/datasources", Access.EDITOR),
      Map.entry("GET /api/v1/datasources/{name}", Access.EDITOR),
      Map.entry("POST /api/v1/datasources/{name}/test", Access.EDITOR),
      Map.entry("POST /api/v1/cache/invalidate", Access.EDITOR),
      Map.entry("POST /api/v1/dashboards", Access.EDITOR),
      Map.entry("PUT /api/v1/dashboards/{id}", Access.EDITOR),
      Map.entry("DELETE /api/v1/dashboards/{id}", Access.EDITOR),
      Map.entry("POST /api/v1/dashboards/import", Access.EDITOR),
      Map.entry("POST /api/v1/charts", Access.EDITOR),
      Map.entry("PUT /api/v1/charts/{id}", Access.EDITOR),
      Map.entry("DELETE /api/v1/charts/{id}", Access.EDITOR),
      // admins: data sources, users, everyone's tokens, the query log, the audit log
      Map.entry("POST /api/v1/datasources", Access.ADMIN),
      Map.entry("PUT /api/v1/datasources/{name}", Access.ADMIN),
      Map.entry("DELETE /api/v1/datasources/{name}", Access.ADMIN),
      Map.entry("POST /api/v1/datasources/test", Access.ADMIN), // a new definition: any host
      Map.entry("GET /api/v1/users", Access.ADMIN),
      Map.entry("POST /api/v1/users", Access.ADMIN),
      Map.entry("PUT /api/v1/users/{id}", Access.ADMIN),
      Map.entry("DELETE /api/v1/users/{id}", Access.ADMIN),
      Map.entry("DELETE /api/v1/tokens/{id}", Access.ADMIN), // someone else's (own: any user)
      Map.entry("GET /api/v1/queries", Access.ADMIN),
      Map.entry("GET /api/v1/queries/running", Access.ADMIN),
      Map.entry("GET /api/v1/audit", Access.ADMIN),
      // admins: row-level security rules, grants, user attributes
      Map.entry("GET /api/v1/users/{id}", Access.ADMIN),
      Map.entry("GET /api/v1/security/rules", Access.ADMIN),
      Map.entry("POST /api/v1/security/rules", Access.ADMIN),
      Map.entry("GET /api/v1/security/rules/{id}", Access.ADMIN),
      Map.entry("PUT /api/v1/security/rules/{id}", Access.ADMIN),
      Map.entry("DELETE /api/v1/security/rules/{id}", Access.ADMIN),
      Map.entry("GET /api/v1/security/grants", Access.ADMIN),
      Map.entry("POST /api/v1/security/grants", Access.ADMIN),
      Map.entry("GET /api/v1/security/grants/{id}", Access.ADMIN),
      Map.entry("PUT /api/v1/security/grants/{id}", Access.ADMIN),
      Map.entry("DELETE /api/v1/security/grants/{id}", Access.ADMIN)));

  /** Values for path variables: they name nothing that exists. */
  static final Map<String, String> PATH_VALUES = Map.of("id", "987654321", "name",
      "no-such-thing", "selector", "liveness", "model", "no_such_model", "rollup",
      "no_such_rollup");

  static final String VIEWER = "matrix-viewer";
  static final String EDITOR = "matrix-editor";
  static final String PASSWORD = "matrix-password-1";
  /** The metrics-only credential (strata.metrics.token): GET /metrics and nothing else. */
  static final String METRICS_TOKEN = "matrix-metrics-token-0123456789abcdef";
  static final Pattern VARIABLE = Pattern.compile("\\{([^}:?]+)[^}]*}");

  TestServer server;
  Map<Access, Client> clients;

  @BeforeAll
  void start() {
    server = TestServer.start(Map.of("strata.demo.scale", "0.001", "strata.metrics.token",
        METRICS_TOKEN));
    for (String[] u : new String[][] {{VIEWER, "viewer"}, {EDITOR, "editor"}}) {
      Response r = server.admin().post("/api/v1/users", Map.of("username", u[0], "password",
          PASSWORD, "role", u[1]));
      assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }
    clients = Map.of(Access.VIEWER, server.as(VIEWER, PASSWORD), Access.EDITOR,
        server.as(EDITOR, PASSWORD), Access.ADMIN, server.admin());
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** A route as the test calls it. */
  record Route(String method, String template, String contentType) {
    String key() {
      return (method.equals("HEAD") ? "GET" : method) + " " + template;
    }

    String path() {
      Matcher m = VARIABLE.matcher(template);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String value = PATH_VALUES.get(m.group(1));
        if (value == null) {
          fail("no value for path variable {" + m.group(1) + "} of " + this
              + ": add one to PATH_VALUES");
        }
        m.appendReplacement(out, value);
      }
      return m.appendTail(out).toString();
    }

    Response call(Client client) {
      String body = method.equals("POST") || method.equals("PUT")
          ? (contentType.contains("yaml") ? "not: [valid" : "{}") : null;
      return client.send(method, path(), body == null ? null : contentType, body);
    }
  }

  List<Route> routes() {
    Set<Route> routes = new TreeSet<>((a, b) -> (a.template() + a.method())
        .compareTo(b.template() + b.method()));
    for (UriRouteInfo<?, ?> r : server.context().getBean(Router.class).uriRoutes().toList()) {
      String type = r.getConsumes().stream().map(MediaType::toString).findFirst()
          .orElse(MediaType.APPLICATION_JSON);
      String template = r.getUriMatchTemplate().toString();
      if (template.endsWith("{/path:.*}") || r.getHttpMethod() == HttpMethod.OPTIONS) {
        continue;
      }
      routes.add(new Route(r.getHttpMethodName(), template, type));
    }
    return new ArrayList<>(routes);
  }

  @Test
  void everyRouteIsClassifiedAndEveryRowIsARoute() {
    List<Route> routes = routes();
    Set<String> unclassified = new TreeSet<>();
    Set<String> keys = new TreeSet<>();
    for (Route r : routes) {
      keys.add(r.key());
      if (!ACCESS.containsKey(r.key())) {
        unclassified.add(r.key());
      }
    }
    assertThat(unclassified).as("routes missing from RouteRoleMatrixTest.ACCESS: say who may"
        + " call them").isEmpty();
    assertThat(new TreeSet<>(ACCESS.keySet())).as("rows of ACCESS that are no route")
        .isSubsetOf(keys);
    assertThat(routes).hasSizeGreaterThan(ACCESS.size()); // HEAD routes of the GETs too
  }

  @Test
  void withoutCredentialsEveryClosedRouteIs401AndShowsNothing() {
    Client anonymous = server.anonymous();
    List<String> wrong = new ArrayList<>();
    for (Route r : routes()) {
      Access needed = ACCESS.get(r.key());
      if (needed == null) {
        continue; // reported by everyRouteIsClassified...
      }
      Response res = r.call(anonymous);
      if (needed == Access.SIGNED) {
        if (res.status() != 403 || !r.method().equals("HEAD")
            && !res.json().path("error").path("code").asText().equals("LINK_INVALID")) {
          wrong.add(r + " without a signed link answered " + shortly(res));
        }
        continue;
      }
      if (needed == Access.OPEN) {
        if (res.status() == 401 || res.status() == 403) {
          wrong.add(r + " is open but answered " + res.status());
        }
        continue;
      }
      if (res.status() != 401) {
        wrong.add(r + " without credentials answered " + shortly(res));
        continue;
      }
      if (!r.method().equals("HEAD")) {
        JsonNode body = res.json();
        List<String> fields = new ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        JsonNode error = body.path("error");
        List<String> errorFields = new ArrayList<>();
        error.fieldNames().forEachRemaining(errorFields::add);
        if (!fields.equals(List.of("error")) || !error.path("code").asText().equals("UNAUTHORIZED")
            || !errorFields.equals(List.of("code", "message"))) {
          wrong.add(r + " answered 401 with more than the fixed error: " + res.text());
        }
      } else if (res.bytes().length > 0) {
        wrong.add(r + " answered HEAD with a body");
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void eachRoleGets403ExactlyWhereTheTableSaysSo() {
    List<String> wrong = new ArrayList<>();
    for (Route r : routes()) {
      Access needed = ACCESS.get(r.key());
      if (needed == null || needed == Access.OPEN) {
        continue;
      }
      if (needed == Access.SIGNED) {
        for (Access role : List.of(Access.VIEWER, Access.EDITOR, Access.ADMIN)) {
          Response res = r.call(clients.get(role));
          if (res.status() != 403) {
            wrong.add(r + " as " + role + " without a signed link answered " + shortly(res));
          }
        }
        continue;
      }
      for (Access role : List.of(Access.VIEWER, Access.EDITOR, Access.ADMIN)) {
        Response res = r.call(clients.get(role));
        boolean allowed = role.compareTo(needed) >= 0;
        if (allowed && (res.status() == 401 || res.status() == 403)) {
          wrong.add(r + " as " + role + " (allowed) answered " + shortly(res));
        } else if (!allowed && res.status() != 403) {
          wrong.add(r + " as " + role + " (needs " + needed + ") answered " + shortly(res));
        } else if (!allowed && !r.method().equals("HEAD")
            && !res.json().path("error").path("code").asText().equals("FORBIDDEN")) {
          wrong.add(r + " as " + role + ": 403 without the FORBIDDEN error: " + shortly(res));
        }
      }
    }
    assertThat(wrong).isEmpty();
    assertThat(server.admin().get("/api/v1/users").json()).as("nothing was created or deleted")
        .hasSize(3);
  }

  /** A response for a failure message: status and the start of the body. */
  static String shortly(Response r) {
    String text = r.toString();
    return text.length() <= 300 ? text : text.substring(0, 300) + "...";
  }

  @Test
  void jdbcWithoutCredentialsIsRefused() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
            "http://127.0.0.1:" + server.jdbcPort() + "/"))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
            "{\"request\":\"openConnection\",\"connectionId\":\"x\"}")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).doesNotContain("connectionId");
    assertThatThrownBy(() -> DriverManager.getConnection("jdbc:avatica:remote:url=http://127.0.0.1:"
        + server.jdbcPort() + ";serialization=protobuf")).hasMessageContaining("401");
  }

  @Test
  void flightSqlWithoutCredentialsIsRefused() throws Exception {
    try (RootAllocator memory = new RootAllocator();
        FlightClient client = FlightClient.builder(memory,
            Location.forGrpcInsecure("127.0.0.1", server.flightPort())).build()) {
      FlightSqlClient sql = new FlightSqlClient(client);
      assertThatThrownBy(sql::getCatalogs).isInstanceOf(FlightRuntimeException.class)
          .satisfies(e -> assertThat(((FlightRuntimeException) e).status().code())
              .isEqualTo(FlightStatusCode.UNAUTHENTICATED));
      assertThatThrownBy(() -> sql.execute("SELECT status FROM semantic.orders"))
          .isInstanceOf(FlightRuntimeException.class)
          .satisfies(e -> assertThat(((FlightRuntimeException) e).status().code())
              .isEqualTo(FlightStatusCode.UNAUTHENTICATED));
    }
  }

  @Test
  void theMetricsTokenReadsMetricsAndEveryOtherRouteRefusesIt() {
    Client metrics = server.bearer(METRICS_TOKEN);
    Response scrape = metrics.get("/metrics");
    assertThat(scrape.status()).as(shortly(scrape)).isEqualTo(200);
    assertThat(scrape.text()).contains("jvm_memory_used_bytes");
    List<String> wrong = new ArrayList<>();
    int refused = 0;
    for (Route r : routes()) {
      Access needed = ACCESS.get(r.key());
      if (needed == null || needed == Access.OPEN || r.key().equals("GET /metrics")) {
        continue;
      }
      Response res = r.call(metrics);
      if (res.status() != 403) {
        wrong.add(r + " with the metrics token answered " + shortly(res));
      } else if (!r.method().equals("HEAD") && needed != Access.SIGNED
          && !res.text().contains("metrics token")) {
        wrong.add(r + ": 403 without saying why: " + shortly(res));
      }
      refused++;
    }
    assertThat(wrong).isEmpty();
    assertThat(refused).isGreaterThan(50);
    // a wrong token is unknown like any other: 401
    Response bad = server.bearer(METRICS_TOKEN.substring(1) + "x").get("/metrics");
    assertThat(bad.status()).as(shortly(bad)).isEqualTo(401);
  }

  @Test
  void theMetricsTokenIsNoCredentialForJdbcFlightOrPostgres() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
            "http://127.0.0.1:" + server.jdbcPort() + "/"))
        .header("Authorization", "Bearer " + METRICS_TOKEN)
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
            "{\"request\":\"openConnection\",\"connectionId\":\"x\"}")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
    try (RootAllocator memory = new RootAllocator();
        FlightClient client = FlightClient.builder(memory,
            Location.forGrpcInsecure("127.0.0.1", server.flightPort())).build()) {
      FlightSqlClient sql = new FlightSqlClient(client);
      var bearer = new org.apache.arrow.flight.grpc.CredentialCallOption(
          new org.apache.arrow.flight.auth2.BearerCredentialWriter(METRICS_TOKEN));
      assertThatThrownBy(() -> sql.getCatalogs(bearer)).isInstanceOf(FlightRuntimeException.class)
          .satisfies(e -> assertThat(((FlightRuntimeException) e).status().code())
              .isEqualTo(FlightStatusCode.UNAUTHENTICATED));
    }
    java.util.Properties p = new java.util.Properties();
    p.setProperty("user", "admin");
    p.setProperty("password", METRICS_TOKEN);
    assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:"
        + server.pgwirePort() + "/strata", p).close()).isInstanceOf(java.sql.SQLException.class)
        .hasMessageContaining("password");
  }
}
