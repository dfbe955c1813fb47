package io.strata.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Row-level security and grants as clients of every endpoint see them, on a real server over
 * the embedded DuckDB demo: users with different {@code region} attributes get only their rows
 * over REST, JDBC (Avatica's driver) and Flight SQL (its JDBC driver), for semantic queries and
 * SQL over semantic tables, through the results cache; grants hide models and members from
 * every catalog and answer like typos; raw SQL needs a data-source grant; bad rules and grants
 * are refused naming the problem; only admins manage them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessEndpointsTest {
  static final String PASSWORD = "s3cret-password-1";
  static final String EUROPE = "Europe";
  static final String AMERICA = "North America";

  TestServer server;
  Client alice; // viewer, region Europe
  Client bob; // viewer, region North America
  Client carol; // viewer, no region
  Client mallory; // viewer, a region written to break out of a SQL string
  long bobId;

  @BeforeAll
  void start() {
    server = TestServer.start(Map.of());
    alice = user("alice", Map.of("region", EUROPE));
    bob = user("bob", Map.of("region", AMERICA));
    for (JsonNode u : server.admin().get("/api/v1/users").json()) {
      if (u.path("username").asText().equals("bob")) {
        bobId = u.path("id").asLong();
      }
    }
    carol = user("carol", Map.of());
    mallory = user("mallory", Map.of("region", "Europe' OR '1'='1"));
    created(server.admin().post("/api/v1/security/rules", Map.of(
        "model", "customers",
        "filters", List.of(Map.of("member", "customers.region", "operator", "equals",
            "values", List.of("{user.region}"))),
        "roles", List.of("viewer"),
        "description", "viewers see the customers of their region")));
    // a hidden member, and a model granted to alice alone
    created(server.admin().post("/api/v1/security/grants", Map.of("kind", "member",
        "target", "customers.name", "description", "names are personal data")));
    created(server.admin().post("/api/v1/security/grants", Map.of("kind", "model",
        "target", "products", "users", List.of("alice"))));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  Client user(String name, Map<String, String> attributes) {
    created(server.admin().post("/api/v1/users", Map.of("username", name, "password", PASSWORD,
        "role", "viewer", "attributes", attributes)));
    return server.as(name, PASSWORD);
  }

  static JsonNode created(Response r) {
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  static JsonNode ok(Response r) {
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  /** Rows of a REST answer as "a|b" strings. */
  static List<String> rows(JsonNode answer) {
    List<String> out = new ArrayList<>();
    for (JsonNode row : answer.path("data")) {
      List<String> values = new ArrayList<>();
      if (row.isArray()) {
        row.forEach(v -> values.add(v.asText()));
      } else {
        row.fields().forEachRemaining(e -> values.add(e.getValue().asText()));
      }
      out.add(String.join("|", values));
    }
    return out;
  }

  static Set<String> firsts(List<String> rows) {
    Set<String> out = new TreeSet<>();
    rows.forEach(r -> out.add(r.split("\\|")[0]));
    return out;
  }

  // ================================================================ REST

  @Test
  void restUsersGetOnlyTheRowsOfTheirRegion() {
    String q = "{\"measures\":[\"customers.count\"],\"dimensions\":[\"customers.region\"]}";
    List<String> all = rows(ok(server.admin().post("/api/v1/query", q)));
    assertThat(firsts(all)).contains(EUROPE, AMERICA, "Asia Pacific");
    List<String> a = rows(ok(alice.post("/api/v1/query", q)));
    List<String> b = rows(ok(bob.post("/api/v1/query", q)));
    assertThat(firsts(a)).containsExactly(EUROPE);
    assertThat(firsts(b)).containsExactly(AMERICA);
    assertThat(all).contains(a.get(0), b.get(0));
  }

  @Test
  void aCachedAnswerNeverReachesAUserWithOtherRules() {
    String q = "{\"measures\":[\"customers.count\"],\"dimensions\":[\"customers.country\"],"
        + "\"filters\":[{\"member\":\"customers.segment\",\"operator\":\"notEquals\","
        + "\"values\":[\"" + UUID.randomUUID() + "\"]}]}";
    JsonNode a1 = ok(alice.post("/api/v1/query", q));
    JsonNode a2 = ok(alice.post("/api/v1/query", q));
    JsonNode b1 = ok(bob.post("/api/v1/query", q));
    JsonNode b2 = ok(bob.post("/api/v1/query", q));
    assertThat(a1.path("cache").path("tier").asText()).isEqualTo("miss");
    assertThat(a2.path("cache").path("tier").asText()).isEqualTo("l1");
    // bob's first answer is his own miss, not alice's cached rows; then his own entry
    assertThat(b1.path("cache").path("tier").asText()).isEqualTo("miss");
    assertThat(b2.path("cache").path("tier").asText()).isEqualTo("l1");
    assertThat(rows(b1)).isEqualTo(rows(b2)).doesNotContainAnyElementsOf(rows(a1));
    // the key holds the rules as bound for the user, not who they are: another user of the
    // same region, under the same rules, shares alice's entry
    Client dave = user("dave-" + UUID.randomUUID().toString().substring(0, 8),
        Map.of("region", EUROPE));
    JsonNode d1 = ok(dave.post("/api/v1/query", q));
    assertThat(d1.path("cache").path("tier").asText()).isEqualTo("l1");
    assertThat(rows(d1)).isEqualTo(rows(a1));
    // the countries are each user's region's: the same as an admin filtering by region
    String europe = q.replace("]}]}", "]},{\"member\":\"customers.region\","
        + "\"operator\":\"equals\",\"values\":[\"Europe\"]}]}");
    assertThat(rows(a1)).isEqualTo(rows(ok(server.admin().post("/api/v1/query", europe))))
        .isNotEmpty();
  }

  @Test
  void aRuleOnAJoinedModelApplies() {
    String q = "{\"measures\":[\"orders.count\"],\"dimensions\":[\"customers.country\"]}";
    String europe = "{\"measures\":[\"orders.count\"],\"dimensions\":[\"customers.country\"],"
        + "\"filters\":[{\"member\":\"customers.region\",\"operator\":\"equals\","
        + "\"values\":[\"Europe\"]}]}";
    List<String> a = rows(ok(alice.post("/api/v1/query", q)));
    assertThat(a).isNotEmpty()
        .isEqualTo(rows(ok(server.admin().post("/api/v1/query", europe))))
        .isNotEqualTo(rows(ok(server.admin().post("/api/v1/query", q))));
    // through a view over the joined models too
    String view = "{\"measures\":[\"sales.order_count\"],\"dimensions\":[\"sales.region\"]}";
    assertThat(firsts(rows(ok(bob.post("/api/v1/query", view))))).containsExactly(AMERICA);
  }

  @Test
  void aUserWithoutTheAttributeGetsNoRowsAndNoError() {
    String q = "{\"measures\":[\"customers.count\"],\"dimensions\":[\"customers.region\"]}";
    assertThat(rows(ok(carol.post("/api/v1/query", q)))).isEmpty();
    String total = "{\"measures\":[\"customers.count\"]}";
    assertThat(rows(ok(carol.post("/api/v1/query", total)))).containsExactly("0");
  }

  @Test
  void attributeValuesAreBoundAsValuesNotSql() {
    String q = "{\"measures\":[\"customers.count\"],\"dimensions\":[\"customers.region\"]}";
    assertThat(rows(ok(mallory.post("/api/v1/query", q)))).isEmpty();
    JsonNode sql = ok(mallory.post("/api/v1/query/sql", q));
    assertThat(sql.path("sql").asText()).contains("'Europe'' OR ''1''=''1'");
  }

  @Test
  void sqlOverSemanticTablesGetsTheRules() {
    String sql = "SELECT region, MEASURE(count) FROM semantic.customers GROUP BY region";
    assertThat(firsts(sqlRows(alice, sql))).containsExactly(EUROPE);
    assertThat(firsts(sqlRows(bob, sql))).containsExactly(AMERICA);
    assertThat(sqlRows(carol, sql)).isEmpty();
    // computed by Calcite above a semantic leaf
    String outer = "SELECT COUNT(*) FROM (SELECT region, MEASURE(count) AS n FROM"
        + " semantic.customers GROUP BY region) t";
    assertThat(sqlRows(bob, outer)).containsExactly("1");
  }

  /**
   * An ad-hoc dimension (an expression over dimensions) reads the same tables, so the same
   * rules apply; and it may not read a member the caller may not see, through SQL or JSON.
   */
  @Test
  void expressionsOverDimensionsGetTheRulesAndTheGrants() throws SQLException {
    String sql = "SELECT UPPER(region) AS r, MEASURE(count) FROM semantic.customers"
        + " WHERE LOWER(country) <> 'nowhere' GROUP BY 1";
    assertThat(firsts(sqlRows(alice, sql))).containsExactly("EUROPE");
    assertThat(firsts(sqlRows(bob, sql))).containsExactly("NORTH AMERICA");
    assertThat(sqlRows(carol, sql)).isEmpty();
    assertThat(firsts(sqlRows(server.admin(), sql))).contains("EUROPE", "NORTH AMERICA",
        "ASIA PACIFIC");
    // many-side measure by a one-side expression, over a view, on the JDBC endpoints
    String view = "SELECT LOWER(region), MEASURE(order_count) FROM semantic.sales GROUP BY 1";
    try (Connection a = avatica("alice"); Connection fb = flight("bob")) {
      assertThat(firsts(rows(a, view))).containsExactly("europe");
      assertThat(firsts(rows(fb, view))).containsExactly("north america");
    }
    // the hidden customers.name: no column for SQL, an unknown member inside a JSON expression
    Response hiddenSql = alice.post("/api/v1/sql", Map.of("sql",
        "SELECT UPPER(name), MEASURE(count) FROM semantic.customers GROUP BY 1"));
    assertThat(hiddenSql.status()).as(hiddenSql.text()).isEqualTo(400);
    assertThat(hiddenSql.text()).contains("no column 'name'");
    Response hiddenJson = alice.post("/api/v1/query", "{\"measures\":[\"customers.count\"],"
        + "\"dimensions\":[\"UPPER({customers.name})\"]}");
    Response typo = alice.post("/api/v1/query", "{\"measures\":[\"customers.count\"],"
        + "\"dimensions\":[\"UPPER({customers.nosuch})\"]}");
    assertThat(hiddenJson.status()).as(hiddenJson.text()).isEqualTo(400);
    assertThat(hiddenJson.text()).contains("unknown member 'customers.name'")
        .contains("dimensions[0]");
    assertThat(typo.status()).isEqualTo(400);
    assertThat(ok(server.admin().post("/api/v1/query", "{\"measures\":[\"customers.count\"],"
        + "\"dimensions\":[\"UPPER({customers.name})\"],\"limit\":1}")).path("data"))
        .hasSize(1);
  }

  List<String> sqlRows(Client c, String sql) {
    return rows(ok(c.post("/api/v1/sql", Map.of("sql", sql))));
  }

  // ================================================================ JDBC and Flight SQL

  Connection avatica(String user) throws SQLException {
    Properties p = new Properties();
    p.setProperty("avatica_user", user);
    p.setProperty("avatica_password", PASSWORD);
    return DriverManager.getConnection(server.avaticaUrl("protobuf"), p);
  }

  Connection flight(String user) throws SQLException {
    return DriverManager.getConnection("jdbc:arrow-flight-sql://127.0.0.1:" + server.flightPort()
        + "?useEncryption=false&user=" + user + "&password=" + PASSWORD);
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
  void jdbcAndFlightUsersGetOnlyTheirRows() throws SQLException {
    String sql = "SELECT region, MEASURE(count) FROM semantic.customers GROUP BY region";
    String view = "SELECT region, MEASURE(order_count) FROM semantic.sales GROUP BY region";
    try (Connection a = avatica("alice"); Connection b = avatica("bob");
        Connection fa = flight("alice"); Connection fb = flight("bob");
        Connection fc = flight("carol")) {
      assertThat(firsts(rows(a, sql))).containsExactly(EUROPE);
      assertThat(firsts(rows(b, sql))).containsExactly(AMERICA);
      assertThat(firsts(rows(b, view))).containsExactly(AMERICA);
      assertThat(firsts(rows(fa, sql))).containsExactly(EUROPE);
      assertThat(firsts(rows(fb, sql))).containsExactly(AMERICA);
      assertThat(firsts(rows(fa, view))).containsExactly(EUROPE);
      assertThat(rows(fc, sql)).isEmpty();
      // the same statement on each endpoint answers the same for the same user
      assertThat(rows(a, sql)).isEqualTo(rows(fa, sql));
    }
  }

  // ================================================================ grants

  static Set<String> tables(Connection c) throws SQLException {
    Set<String> out = new TreeSet<>();
    try (ResultSet rs = c.getMetaData().getTables("strata", "semantic", "%", null)) {
      while (rs.next()) {
        out.add(rs.getString("TABLE_NAME"));
      }
    }
    return out;
  }

  static Set<String> columns(Connection c, String table) throws SQLException {
    Set<String> out = new TreeSet<>();
    DatabaseMetaData md = c.getMetaData();
    try (ResultSet rs = md.getColumns("strata", "semantic", table, "%")) {
      while (rs.next()) {
        out.add(rs.getString("COLUMN_NAME"));
      }
    }
    return out;
  }

  static Set<String> metaModels(JsonNode meta) {
    Set<String> out = new TreeSet<>();
    meta.path("models").forEach(m -> out.add(m.path("name").asText()));
    return out;
  }

  static Set<String> metaMembers(JsonNode meta, String model) {
    Set<String> out = new TreeSet<>();
    for (JsonNode m : meta.path("models")) {
      if (m.path("name").asText().equals(model)) {
        for (String kind : List.of("dimensions", "measures", "metrics", "segments")) {
          m.path(kind).forEach(x -> out.add(x.path("name").asText()));
        }
      }
    }
    return out;
  }

  @Test
  void aGrantedModelIsAbsentForOthersEverywhereAndAnswersLikeATypo() throws SQLException {
    assertThat(metaModels(ok(alice.get("/api/v1/meta")))).contains("products", "orders");
    assertThat(metaModels(ok(bob.get("/api/v1/meta")))).contains("orders")
        .doesNotContain("products");
    assertThat(metaModels(ok(server.admin().get("/api/v1/meta")))).contains("products");
    try (Connection a = avatica("alice"); Connection b = avatica("bob");
        Connection fb = flight("bob"); Connection fa = flight("alice")) {
      assertThat(tables(a)).contains("products", "orders");
      assertThat(tables(b)).contains("orders").doesNotContain("products");
      assertThat(tables(fa)).contains("products");
      assertThat(tables(fb)).contains("orders").doesNotContain("products");
      // SQL naming it fails as a misspelt table does
      String hidden = catchThrowableOfType(
          () -> rows(b, "SELECT MEASURE(count) FROM semantic.products"), SQLException.class)
          .getMessage();
      String typo = catchThrowableOfType(
          () -> rows(b, "SELECT MEASURE(count) FROM semantic.productz"), SQLException.class)
          .getMessage();
      assertThat(hidden.replace("products", "X")).isEqualTo(typo.replace("productz", "X"));
      assertThat(rows(a, "SELECT MEASURE(count) FROM semantic.products")).hasSize(1);
    }
    // a semantic query naming it: the same error body as a typo, apart from the name
    Response hidden = bob.post("/api/v1/query", "{\"measures\":[\"products.count\"]}");
    Response typo = bob.post("/api/v1/query", "{\"measures\":[\"productz.count\"]}");
    assertThat(hidden.status()).isEqualTo(400).isEqualTo(typo.status());
    assertThat(hidden.text().replace("products", "X"))
        .isEqualTo(typo.text().replace("productz", "X"));
    assertThat(hidden.text()).contains("UNKNOWN_MEMBER").doesNotContain("grant");
    ok(alice.post("/api/v1/query", "{\"measures\":[\"products.count\"]}"));
  }

  static Set<String> viewColumns(JsonNode meta, String view) {
    Set<String> out = new TreeSet<>();
    for (JsonNode v : meta.path("views")) {
      if (v.path("name").asText().equals(view)) {
        v.path("columns").forEach(c -> out.add(c.path("name").asText()));
      }
    }
    return out;
  }

  @Test
  void aViewShowsOnlyTheColumnsOfWhatTheUserMaySee() throws SQLException {
    // sales shows products' members; products is granted to alice alone
    assertThat(viewColumns(ok(alice.get("/api/v1/meta")), "sales"))
        .contains("sales.category", "sales.region");
    assertThat(viewColumns(ok(bob.get("/api/v1/meta")), "sales"))
        .contains("sales.region").doesNotContain("sales.category", "sales.product_name");
    try (Connection b = avatica("bob")) {
      assertThat(columns(b, "sales")).contains("region").doesNotContain("category");
    }
    Response hidden = bob.post("/api/v1/query", "{\"measures\":[\"sales.order_count\"],"
        + "\"dimensions\":[\"sales.category\"]}");
    Response typo = bob.post("/api/v1/query", "{\"measures\":[\"sales.order_count\"],"
        + "\"dimensions\":[\"sales.categori\"]}");
    assertThat(hidden.status()).isEqualTo(400);
    assertThat(hidden.text().replace("category", "X"))
        .isEqualTo(typo.text().replace("categori", "X"));
    // a grant of the view itself hides it whole from everyone else
    JsonNode grant = created(server.admin().post("/api/v1/security/grants",
        Map.of("kind", "view", "target", "sales", "roles", List.of("editor"))));
    try {
      assertThat(viewColumns(ok(bob.get("/api/v1/meta")), "sales")).isEmpty();
      Response view = bob.post("/api/v1/query", "{\"measures\":[\"sales.order_count\"]}");
      Response none = bob.post("/api/v1/query", "{\"measures\":[\"salez.order_count\"]}");
      assertThat(view.status()).isEqualTo(400);
      assertThat(view.text().replace("sales", "X")).isEqualTo(none.text().replace("salez", "X"));
    } finally {
      server.admin().delete("/api/v1/security/grants/" + grant.path("id").asLong());
    }
    ok(bob.post("/api/v1/query", "{\"measures\":[\"sales.order_count\"]}"));
  }

  @Test
  void aHiddenMemberIsAbsentEverywhereAndAnswersLikeATypo() throws SQLException {
    assertThat(metaMembers(ok(alice.get("/api/v1/meta")), "customers"))
        .contains("customers.region").doesNotContain("customers.name");
    assertThat(metaMembers(ok(server.admin().get("/api/v1/meta")), "customers"))
        .contains("customers.name");
    try (Connection a = avatica("alice"); Connection fb = flight("bob")) {
      assertThat(columns(a, "customers")).contains("region").doesNotContain("name");
      assertThat(columns(fb, "customers")).contains("region").doesNotContain("name");
      String hidden = catchThrowableOfType(
          () -> rows(a, "SELECT name FROM semantic.customers"), SQLException.class).getMessage();
      String typo = catchThrowableOfType(
          () -> rows(a, "SELECT namx FROM semantic.customers"), SQLException.class).getMessage();
      assertThat(hidden.replace("name", "X")).isEqualTo(typo.replace("namx", "X"));
    }
    Response hidden = alice.post("/api/v1/query",
        "{\"measures\":[\"customers.count\"],\"dimensions\":[\"customers.name\"]}");
    Response typo = alice.post("/api/v1/query",
        "{\"measures\":[\"customers.count\"],\"dimensions\":[\"customers.namx\"]}");
    assertThat(hidden.status()).isEqualTo(400);
    assertThat(hidden.text().replace("customers.name", "X").replace("'name'", "'X'"))
        .isEqualTo(typo.text().replace("customers.namx", "X").replace("'namx'", "'X'"));
    // in a filter too, where the compiler would otherwise reveal it
    Response inFilter = alice.post("/api/v1/query", "{\"measures\":[\"customers.count\"],"
        + "\"filters\":[{\"member\":\"customers.name\",\"operator\":\"set\"}]}");
    assertThat(inFilter.status()).isEqualTo(400);
    assertThat(inFilter.json().path("error").path("location").asText())
        .isEqualTo("filters[0].member");
    // the admin still sees and queries it
    ok(server.admin().post("/api/v1/query",
        "{\"measures\":[\"customers.count\"],\"dimensions\":[\"customers.name\"],\"limit\":1}"));
  }

  @Test
  void rawSqlNeedsADataSourceGrant() throws SQLException {
    String raw = "SELECT COUNT(*) FROM demo.retail.customers";
    Response refused = carol.post("/api/v1/sql", Map.of("sql", raw));
    Response missing = carol.post("/api/v1/sql",
        Map.of("sql", "SELECT COUNT(*) FROM nodb.retail.customers"));
    assertThat(refused.status()).isEqualTo(400).isEqualTo(missing.status());
    assertThat(refused.text().replace("demo", "X")).isEqualTo(missing.text().replace("nodb", "X"));
    ok(server.admin().post("/api/v1/sql", Map.of("sql", raw)));
    try (Connection c = flight("carol")) {
      SQLException e = catchThrowableOfType(() -> rows(c, raw), SQLException.class);
      assertThat(e.getMessage()).contains("demo");
      try (ResultSet rs = c.getMetaData().getTables("demo", null, "%", null)) {
        assertThat(rs.next()).isFalse();
      }
    }
    JsonNode grant = created(server.admin().post("/api/v1/security/grants",
        Map.of("kind", "data_source", "target", "demo", "users", List.of("carol"))));
    try {
      assertThat(sqlRows(carol, raw)).hasSize(1);
      try (Connection c = avatica("carol")) {
        assertThat(rows(c, raw)).hasSize(1);
      }
    } finally {
      assertThat(server.admin().delete("/api/v1/security/grants/" + grant.path("id").asLong())
          .status()).isEqualTo(204);
    }
    assertThat(carol.post("/api/v1/sql", Map.of("sql", raw)).status()).isEqualTo(400);
  }

  @Test
  void aDashboardChartIsCheckedAsItsEditorWouldRunIt() {
    created(server.admin().post("/api/v1/users", Map.of("username", "eve", "password", PASSWORD,
        "role", "editor")));
    Client eve = server.as("eve", PASSWORD);
    Response hidden = eve.post("/api/v1/dashboards", dashboard("products.count"));
    Response typo = eve.post("/api/v1/dashboards", dashboard("productz.count"));
    assertThat(hidden.status()).as(hidden.text()).isEqualTo(400).isEqualTo(typo.status());
    assertThat(hidden.text().replace("products", "X"))
        .isEqualTo(typo.text().replace("productz", "X"));
    created(eve.post("/api/v1/dashboards", dashboard("orders.count")));
  }

  static Map<String, Object> dashboard(String measure) {
    return Map.of("name", "d-" + UUID.randomUUID(), "charts", List.of(Map.of("title", "c",
        "query", Map.of("measures", List.of(measure)), "viz", Map.of("type", "bar"))));
  }

  // ================================================================ administration

  @Test
  void badRulesAndGrantsAreRefusedNamingTheProblem() {
    Client admin = server.admin();
    Map<String, Object> good = Map.of("member", "customers.region", "operator", "equals",
        "values", List.of("{user.region}"));
    bad(admin.post("/api/v1/security/rules", Map.of("model", "nosuch", "filters",
        List.of(good))), "model", "nosuch");
    bad(admin.post("/api/v1/security/rules", Map.of("model", "customers", "filters",
        List.of(Map.of("member", "customers.regio", "operator", "equals",
            "values", List.of("x"))))), "filters[0].member", "customers.regio");
    bad(admin.post("/api/v1/security/rules", Map.of("model", "customers", "filters",
        List.of(Map.of("member", "customers.count", "operator", "gt",
            "values", List.of("1"))))), "filters[0].member", "dimension");
    bad(admin.post("/api/v1/security/rules", Map.of("model", "customers", "filters",
        List.of(Map.of("member", "customers.region", "operator", "equals",
            "values", List.of("{user.region"))))), "filters[0].values[0]", "{user.region");
    bad(admin.post("/api/v1/security/rules", Map.of("model", "customers", "filters",
        List.of(Map.of("member", "customers.region", "operator", "equals",
            "values", List.of("{region}"))))), "filters[0].values[0]", "{user.<attribute>}");
    bad(admin.post("/api/v1/security/rules", Map.of("model", "customers", "filters",
        List.of(Map.of("member", "customers.region", "operator", "equalz",
            "values", List.of("x"))))), "filters[0]", "equalz");
    bad(admin.post("/api/v1/security/rules", Map.of("model", "customers", "filters",
        List.of(Map.of("member", "sales.region", "operator", "equals",
            "values", List.of("x"))))), "filters[0].member", "views are not allowed");
    bad(admin.post("/api/v1/security/rules", Map.of("model", "sales", "filters",
        List.of(good))), "model", "is a view");
    bad(admin.post("/api/v1/security/rules", Map.of("model", "customers", "filters",
        List.of(good), "roles", List.of("viewer", "boss"))), "roles[1]", "boss");
    bad(admin.post("/api/v1/security/rules", Map.of("model", "customers", "filters",
        List.of(good), "users", List.of("nobody"))), "users[0]", "nobody");
    bad(admin.post("/api/v1/security/rules", Map.of("model", "customers", "filters",
        List.of())), "filters", "filters");
    bad(admin.post("/api/v1/security/grants", Map.of("kind", "table", "target", "orders")),
        "kind", "table");
    bad(admin.post("/api/v1/security/grants", Map.of("kind", "member",
        "target", "orders.nosuch")), "target", "orders.nosuch");
    bad(admin.post("/api/v1/security/grants", Map.of("kind", "data_source",
        "target", "nodb")), "target", "nodb");
    bad(admin.put("/api/v1/users/" + bobId, Map.of("attributes", Map.of("re gion", "x"))),
        "attributes.re gion", "re gion");
    bad(admin.put("/api/v1/users/" + bobId, Map.of("attributes", Map.of("region", 7))),
        "attributes.region", "string");
    // nothing was stored and the server still answers
    assertThat(ok(admin.get("/api/v1/security/rules")).size()).isEqualTo(1);
    assertThat(ok(admin.get("/api/v1/users/" + bobId)).path("attributes").path("region")
        .asText()).isEqualTo(AMERICA);
    assertThat(admin.get("/api/v1/security/rules/999999").status()).isEqualTo(404);
  }

  static void bad(Response r, String location, String mentions) {
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    JsonNode error = r.json().path("error");
    assertThat(error.path("location").asText()).as(r.text()).isEqualTo(location);
    assertThat(error.path("message").asText()).as(r.text()).contains(mentions);
  }

  @Test
  void rulesGrantsAndAttributesRoundTripAndTakeEffect() {
    Client admin = server.admin();
    JsonNode rule = created(admin.post("/api/v1/security/rules", Map.of("model", "orders",
        "filters", List.of(Map.of("member", "orders.channel", "operator", "equals",
            "values", List.of("{user.channel}"))),
        "users", List.of("bob"), "description", "bob sees one channel")));
    long id = rule.path("id").asLong();
    try {
      assertThat(ok(admin.get("/api/v1/security/rules/" + id)).path("filters").get(0)
          .path("values").get(0).asText()).isEqualTo("{user.channel}");
      String q = "{\"measures\":[\"orders.count\"],\"dimensions\":[\"orders.channel\"]}";
      // bob has no channel attribute yet: no rows
      assertThat(rows(ok(bob.post("/api/v1/query", q)))).isEmpty();
      JsonNode user = ok(admin.put("/api/v1/users/" + bobId,
          Map.of("attributes", Map.of("region", AMERICA, "channel", "web"))));
      assertThat(user.path("attributes").path("channel").asText()).isEqualTo("web");
      assertThat(firsts(rows(ok(bob.post("/api/v1/query", q))))).containsExactly("web");
      // alice is not named by the rule
      assertThat(firsts(rows(ok(alice.post("/api/v1/query", q))))).contains("web", "store");
      JsonNode changed = ok(admin.put("/api/v1/security/rules/" + id, Map.of("model", "orders",
          "filters", List.of(Map.of("member", "orders.channel", "operator", "equals",
              "values", List.of("store"))), "users", List.of("bob"))));
      assertThat(changed.path("filters").get(0).path("values").get(0).asText())
          .isEqualTo("store");
      assertThat(firsts(rows(ok(bob.post("/api/v1/query", q))))).containsExactly("store");
    } finally {
      assertThat(admin.delete("/api/v1/security/rules/" + id).status()).isEqualTo(204);
      ok(admin.put("/api/v1/users/" + bobId, Map.of("attributes", Map.of("region", AMERICA))));
    }
    String q = "{\"measures\":[\"orders.count\"],\"dimensions\":[\"orders.channel\"]}";
    assertThat(firsts(rows(ok(bob.post("/api/v1/query", q))))).contains("web", "store");
    assertThat(admin.get("/api/v1/security/rules/" + id).status()).isEqualTo(404);
  }

  @Test
  void onlyAdminsManageRulesGrantsAndAttributes() {
    for (Client c : List.of(alice, bob)) {
      assertThat(c.get("/api/v1/security/rules").status()).isEqualTo(403);
      assertThat(c.get("/api/v1/security/grants").status()).isEqualTo(403);
      assertThat(c.post("/api/v1/security/rules", Map.of("model", "orders")).status())
          .isEqualTo(403);
      assertThat(c.post("/api/v1/security/grants", Map.of("kind", "model")).status())
          .isEqualTo(403);
      assertThat(c.delete("/api/v1/security/rules/1").status()).isEqualTo(403);
      assertThat(c.put("/api/v1/users/" + bobId, Map.of("attributes", Map.of("region", "x")))
          .status()).isEqualTo(403);
    }
    assertThat(ok(server.admin().get("/api/v1/security/grants")).size())
        .isGreaterThanOrEqualTo(2);
  }
}
