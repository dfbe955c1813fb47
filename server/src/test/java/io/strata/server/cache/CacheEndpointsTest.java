package io.strata.server.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Response;
import io.strata.server.flight.FlightEndpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The results cache as every endpoint's clients see it: REST answers say their tier and age,
 * JDBC and Flight SQL clients repeat queries from cache and switch it with
 * {@code SET strata_cache} or a connection property, the query log records the tier for every
 * endpoint, and the stats and invalidation API work and refuse bad input.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CacheEndpointsTest {
  TestServer server;

  @BeforeAll
  void start() {
    // rollups off: a demo rollup published between two queries would change their SQL, and so
    // their cache key, in the middle of a sequence of cache tiers
    server = TestServer.start(Map.of("strata.rollups.enabled", "false"));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  /** A query no other test runs: its first answer is a miss. */
  static String uniqueQuery(String tag) {
    return "{\"measures\":[\"orders.count\"],\"filters\":[{\"member\":\"orders.status\","
        + "\"operator\":\"notEquals\",\"values\":[\"" + tag + "-" + UUID.randomUUID() + "\"]}]}";
  }

  JsonNode post(String body) {
    Response r = server.admin().send("POST", "/api/v1/query", "application/json", body);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  /** The tiers the query log recorded for statements containing {@code marker}, oldest first. */
  List<String> loggedTiers(String marker) {
    JsonNode log = server.admin().get("/api/v1/queries?limit=200").json();
    List<String> tiers = new ArrayList<>();
    for (JsonNode e : log) {
      if (e.path("queryText").asText("").contains(marker)) {
        tiers.add(0, e.path("cacheTier").asText(null));
      }
    }
    return tiers;
  }

  @Test
  void restAnswersSayTheirTierAgeAndExpiry() {
    String q = uniqueQuery("rest");
    JsonNode first = post(q);
    JsonNode second = post(q);
    assertThat(first.path("cache").path("tier").asText()).isEqualTo("miss");
    assertThat(second.path("cache").path("tier").asText()).isEqualTo("l1");
    assertThat(second.path("cache").path("stale").asBoolean()).isFalse();
    assertThat(second.path("cache").path("ageMs").asLong()).isGreaterThanOrEqualTo(0);
    assertThat(second.path("cache").path("expiresAt").asText()).isNotBlank();
    assertThat(second.path("data")).isEqualTo(first.path("data"));

    // the cache option: bypass neither reads nor writes, no-cache asks the warehouse
    JsonNode bypass = post("{\"query\":" + q + ",\"cache\":\"bypass\"}");
    assertThat(bypass.path("cache").path("tier").asText()).isEqualTo("bypass");
    assertThat(bypass.path("data")).isEqualTo(first.path("data"));
    Response refreshed = server.admin().send("POST", "/api/v1/query?cache=no-cache",
        "application/json", q);
    assertThat(refreshed.json().path("cache").path("tier").asText()).isEqualTo("miss");

    // Arrow and CSV answers carry the tier as headers
    Response csv = server.admin().header("Accept", "text/csv")
        .send("POST", "/api/v1/query", "application/json", q);
    assertThat(csv.status()).isEqualTo(200);
    assertThat(csv.header("X-Strata-Cache")).isEqualTo("l1");
    assertThat(csv.header("X-Strata-Cache-Age")).isNotNull();
    assertThat(loggedTiers(q.substring(q.indexOf("rest-"), q.indexOf("rest-") + 20)))
        .containsExactly("miss", "l1", "bypass", "miss", "l1");
  }

  @Test
  void aBadCacheOptionIsRefusedNamingIt() {
    String q = uniqueQuery("bad");
    Response r = server.admin().send("POST", "/api/v1/query", "application/json",
        "{\"query\":" + q + ",\"cache\":\"sometimes\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text()).contains("sometimes").contains("no-cache").contains("cache");
    Response p = server.admin().send("POST", "/api/v1/query?cache=never", "application/json", q);
    assertThat(p.status()).isEqualTo(400);
    assertThat(p.text()).contains("never");
    Response n = server.admin().send("POST", "/api/v1/query", "application/json",
        "{\"query\":" + q + ",\"cache\":5}");
    assertThat(n.status()).isEqualTo(400);
    // the server still answers
    assertThat(post(q).path("cache").path("tier").asText()).isEqualTo("miss");
  }

  @Test
  void sqlAnswersSayTheirTierAndAgeAsQueryAnswersDo() {
    String tag = "sqltier-" + UUID.randomUUID();
    String sql = "SELECT status, MEASURE(count) AS n FROM semantic.orders WHERE status <> '"
        + tag + "' GROUP BY status";
    JsonNode first = server.admin().send("POST", "/api/v1/sql", "text/plain", sql).json();
    JsonNode second = server.admin().send("POST", "/api/v1/sql", "text/plain", sql).json();
    assertThat(first.path("cache").path("tier").asText()).isEqualTo("miss");
    assertThat(second.path("cache").path("tier").asText()).isEqualTo("l1");
    assertThat(second.path("cache").path("ageMs").asLong()).isGreaterThanOrEqualTo(0);
    assertThat(second.path("cache").path("expiresAt").asText()).isNotBlank();
    assertThat(second.path("data")).isEqualTo(first.path("data"));
    Response csv = server.admin().header("Accept", "text/csv")
        .send("POST", "/api/v1/sql", "text/plain", sql);
    assertThat(csv.header("X-Strata-Cache")).isEqualTo("l1");
    assertThat(csv.header("X-Strata-Cache-Age")).isNotNull();
    // SQL Strata computes itself from a data source's tables has no one cache entry to name
    JsonNode raw = server.admin().send("POST", "/api/v1/sql", "text/plain",
        "SELECT COUNT(*), MAX(status), COALESCE(MIN(status), 'x'), COUNT(*) + 1 AS plus"
            + " FROM demo.retail.orders").json();
    assertThat(raw.has("cache")).as(raw.toString()).isFalse();
    // unnamed columns are named as Postgres names them
    assertThat(raw.path("columns").findValuesAsText("name"))
        .containsExactly("count", "max", "coalesce", "plus");
  }

  @Test
  void theSqlEndpointTakesTheCacheOptionAndRefusesABadOne() {
    String tag = "restsql-" + UUID.randomUUID();
    String sql = "SELECT status, MEASURE(count) AS n FROM semantic.orders WHERE status <> '"
        + tag + "' GROUP BY status";
    Response bad = server.admin().post("/api/v1/sql", Map.of("sql", sql, "cache", "nope"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.text()).contains("nope").contains("INVALID_CACHE_OPTION");
    Response number = server.admin().post("/api/v1/sql", Map.of("sql", sql, "cache", 5));
    assertThat(number.status()).isEqualTo(400);
    assertThat(number.text()).contains("must be a string");
    Response url = server.admin().send("POST", "/api/v1/sql?cache=never", "text/plain", sql);
    assertThat(url.status()).isEqualTo(400);
    assertThat(url.text()).contains("never");
    assertThat(server.admin().post("/api/v1/sql", Map.of("sql", sql)).status()).isEqualTo(200);
    assertThat(server.admin().post("/api/v1/sql", Map.of("sql", sql, "cache", "bypass"))
        .status()).isEqualTo(200);
    assertThat(server.admin().send("POST", "/api/v1/sql", "text/plain", sql).status())
        .isEqualTo(200);
    assertThat(loggedTiers(tag)).containsExactly("miss", "bypass", "l1");
  }

  @Test
  void jdbcClientsRepeatFromCacheAndSwitchItWithSetOrAProperty() throws SQLException {
    String tag = "jdbc-" + UUID.randomUUID();
    String sql = "SELECT status, MEASURE(count) AS n FROM semantic.orders WHERE status <> '"
        + tag + "' GROUP BY status ORDER BY status";
    Properties p = new Properties();
    p.setProperty("avatica_user", "admin");
    p.setProperty("avatica_password", TestServer.ADMIN_PASSWORD);
    List<String> a;
    List<String> b;
    try (Connection c = DriverManager.getConnection(server.avaticaUrl("protobuf"), p)) {
      a = rows(c, sql);
      b = rows(c, sql);
      assertThat(rows(c, "SET strata_cache = 'bypass'")).containsExactly("bypass");
      assertThat(rows(c, sql)).isEqualTo(a);
      assertThat(rows(c, "SET strata_cache TO on")).containsExactly("on");
      assertThat(rows(c, sql)).isEqualTo(a);
      SQLException bad = org.assertj.core.api.Assertions.catchThrowableOfType(
          () -> rows(c, "SET strata_cache = 'maybe'"), SQLException.class);
      assertThat(bad.getMessage()).contains("maybe").contains("bypass");
      assertThat(rows(c, sql)).isEqualTo(a); // the connection still works
    }
    assertThat(b).isEqualTo(a).isNotEmpty();
    p.setProperty("strata_cache", "bypass");
    try (Connection c = DriverManager.getConnection(server.avaticaUrl("protobuf"), p)) {
      assertThat(rows(c, sql)).isEqualTo(a);
    }
    assertThat(loggedTiers(tag)).containsExactly("miss", "l1", "bypass", "l1", "l1", "bypass");
  }

  @Test
  void flightSqlClientsRepeatFromCacheAndSwitchItWithSetOrAProperty() throws SQLException {
    int port = server.context().getBean(FlightEndpoint.class).port();
    String url = "jdbc:arrow-flight-sql://127.0.0.1:" + port + "?useEncryption=false&user=admin"
        + "&password=" + TestServer.ADMIN_PASSWORD;
    String tag = "flight-" + UUID.randomUUID();
    String sql = "SELECT channel, MEASURE(count) AS n FROM semantic.orders WHERE status <> '"
        + tag + "' GROUP BY channel ORDER BY channel";
    List<String> a;
    try (Connection c = DriverManager.getConnection(url)) {
      a = rows(c, sql);
      assertThat(rows(c, sql)).isEqualTo(a);
      assertThat(rows(c, "SET strata_cache = 'bypass'")).containsExactly("bypass");
      assertThat(rows(c, sql)).isEqualTo(a);
    }
    try (Connection c = DriverManager.getConnection(url + "&strata_cache=bypass")) {
      assertThat(rows(c, sql)).isEqualTo(a);
    }
    try (Connection c = DriverManager.getConnection(url)) {
      assertThat(rows(c, sql)).isEqualTo(a); // a new connection starts with the cache on
    }
    assertThat(loggedTiers(tag)).containsExactly("miss", "l1", "bypass", "bypass", "l1");
  }

  static List<String> rows(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          row.append(i > 1 ? "|" : "").append(rs.getString(i));
        }
        out.add(row.toString());
      }
    }
    return out;
  }

  @Test
  void statsCountHitsAndInvalidationDropsEntries() {
    String q = uniqueQuery("stats");
    JsonNode before = server.admin().get("/api/v1/cache/stats").json();
    post(q);
    post(q);
    JsonNode after = server.admin().get("/api/v1/cache/stats").json();
    assertThat(after.path("enabled").asBoolean()).isTrue();
    assertThat(after.path("redis").asText()).isEqualTo("off");
    assertThat(after.path("l1Hits").asLong()).isGreaterThan(before.path("l1Hits").asLong());
    assertThat(after.path("misses").asLong()).isGreaterThan(before.path("misses").asLong());
    assertThat(after.path("l1Bytes").asLong()).isPositive();
    assertThat(server.admin().get("/metrics").text())
        .contains("strata_cache_requests_total{tier=\"l1\"}");

    Response inv = server.admin().post("/api/v1/cache/invalidate", Map.of("model", "orders"));
    assertThat(inv.status()).as(inv.text()).isEqualTo(200);
    assertThat(post(q).path("cache").path("tier").asText()).isEqualTo("miss");
    assertThat(server.admin().post("/api/v1/cache/invalidate", Map.of("dataSource", "demo"))
        .status()).isEqualTo(200);
    assertThat(post(q).path("cache").path("tier").asText()).isEqualTo("miss");
    assertThat(server.admin().post("/api/v1/cache/invalidate", Map.of("all", true)).status())
        .isEqualTo(200);
    assertThat(post(q).path("cache").path("tier").asText()).isEqualTo("miss");
    assertThat(post(q).path("cache").path("tier").asText()).isEqualTo("l1");
  }

  @Test
  void badInvalidationsAreRefusedAndChangeNothing() {
    String q = uniqueQuery("badinv");
    post(q);
    assertThat(server.admin().post("/api/v1/cache/invalidate", Map.of("model", "nope")).status())
        .isEqualTo(404);
    assertThat(server.admin().post("/api/v1/cache/invalidate", Map.of("dataSource", "nope"))
        .status()).isEqualTo(404);
    Response both = server.admin().post("/api/v1/cache/invalidate",
        Map.of("model", "orders", "all", true));
    assertThat(both.status()).isEqualTo(400);
    assertThat(both.text()).contains("exactly one");
    Response falseAll = server.admin().post("/api/v1/cache/invalidate", Map.of("all", false));
    assertThat(falseAll.status()).isEqualTo(400);
    Response junk = server.admin().send("POST", "/api/v1/cache/invalidate", "application/json",
        "{nope");
    assertThat(junk.status()).isEqualTo(400);
    Response unknown = server.admin().post("/api/v1/cache/invalidate", Map.of("table", "x"));
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.text()).contains("table");
    assertThat(post(q).path("cache").path("tier").asText()).isEqualTo("l1");
  }

  @Test
  void savingAModelDropsTheResultsThatReadIt() {
    String q = "{\"measures\":[\"products.count\"],\"dimensions\":[\"products.brand\"],"
        + "\"filters\":[{\"member\":\"products.name\",\"operator\":\"notEquals\",\"values\":[\""
        + UUID.randomUUID() + "\"]}]}";
    post(q);
    assertThat(post(q).path("cache").path("tier").asText()).isEqualTo("l1");
    String yaml = server.admin().get("/api/v1/models/products").text();
    Response saved = server.admin().send("PUT", "/api/v1/models/products", "application/yaml",
        yaml.replace("description: The product catalogue.",
            "description: The product catalogue, described anew."));
    assertThat(saved.status()).as(saved.text()).isEqualTo(200);
    assertThat(post(q).path("cache").path("tier").asText()).isEqualTo("miss");
  }

  @Test
  void healthShowsTheCache() {
    Response h = server.anonymous().get("/health");
    assertThat(h.status()).isEqualTo(200);
    assertThat(h.json().path("status").asText()).isEqualTo("UP");
  }

  @Test
  void aViewerMayReadStatsButNotInvalidate() {
    server.admin().post("/api/v1/users", Map.of("username", "cache-viewer", "password",
        "viewer-secret-1", "role", "viewer"));
    assertThat(server.as("cache-viewer", "viewer-secret-1").get("/api/v1/cache/stats").status())
        .isEqualTo(200);
    assertThat(server.as("cache-viewer", "viewer-secret-1")
        .post("/api/v1/cache/invalidate", Map.of("all", true)).status()).isEqualTo(403);
  }
}
