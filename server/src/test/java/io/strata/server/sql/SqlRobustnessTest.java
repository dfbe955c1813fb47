package io.strata.server.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.server.TestServer;
import io.strata.server.TestServer.Response;
import io.strata.server.sql.SqlEndpoints.Outcome;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An attacker's inputs on every endpoint that takes them (REST {@code /api/v1/sql} and
 * {@code /api/v1/query}, the Avatica JDBC driver, the Flight SQL JDBC driver and
 * {@code FlightSqlClient}): characters no warehouse holds, values that would break out of a
 * string literal on DuckDB, PostgreSQL and MariaDB, non-Latin-1 literals, statements too long or
 * too deep to plan, forged Flight tickets and commands, and more parameter values than
 * placeholders. Each gets a clear error (or the exact answer), and the server keeps answering.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqlRobustnessTest {
  static final String DB = "strata_p5_robust";
  /** Values that end, escape or re-open a string literal in some dialect; each round-trips. */
  static final List<String> TRICKY = List.of(
      "it's",
      "''",
      "back\\slash",
      "ends with \\",
      "\\' OR 1=1 -- ",
      "\\'); DROP TABLE strs; --",
      "$$dollar$$",
      "$tag$x$tag$",
      "U&'\\0041'",
      "\\u0041 \\x41 \\n \\0",
      "\"double\" `tick`",
      "-- not a comment /* nor this */",
      "percent % under _ bang !",
      "line1\nline2\ttab\r",
      "Москва",
      "東京",
      "😀 emoji");

  TestServer server;
  SqlEndpoints endpoints;
  Path dir;
  /** Data source name -> its schema (as the raw tables are addressed). */
  final Map<String, String> sources = new java.util.LinkedHashMap<>();

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start(Map.of());
    endpoints = new SqlEndpoints(server);
    dir = Files.createTempDirectory("strata-robust-test");

    Path duck = dir.resolve("esc.duckdb");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + duck)) {
      fill(c, "CREATE TABLE strs (id INTEGER, v VARCHAR)");
    }
    Warehouse pg = Warehouses.postgresDatabase(DB, true);
    try (Connection c = pg.connect()) {
      fill(c, "CREATE TABLE strs (id INTEGER, v TEXT)");
    }
    Warehouse maria = Warehouses.mariadb();
    try (Connection c = maria.connect(); Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + DB);
      st.execute("CREATE DATABASE " + DB + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
      c.setCatalog(DB);
      fill(c, "CREATE TABLE strs (id INTEGER, v VARCHAR(200)) CHARACTER SET utf8mb4"
          + " COLLATE utf8mb4_bin");
    }
    String mariaUrl = maria.jdbcUrl().replaceFirst("/[^/?]*(\\?|$)", "/" + DB + "$1");
    addSource("esc_duck", "duckdb", "jdbc:duckdb:" + duck, null, null, "main");
    addSource("esc_pg", "postgres", pg.jdbcUrl(), pg.user(), pg.password(), "public");
    addSource("esc_my", "mysql", mariaUrl, maria.user(), maria.password(), DB);
  }

  private void fill(Connection c, String create) throws Exception {
    try (Statement st = c.createStatement()) {
      st.execute(create);
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO strs VALUES (?, ?)")) {
      for (int i = 0; i < TRICKY.size(); i++) {
        ps.setInt(1, i);
        ps.setString(2, TRICKY.get(i));
        ps.executeUpdate();
      }
    }
  }

  private void addSource(String name, String kind, String url, String user, String password,
      String schema) {
    Map<String, Object> ds = new java.util.HashMap<>(Map.of("name", name, "kind", kind,
        "url", url));
    if (user != null) {
      ds.put("username", user);
    }
    if (password != null) {
      ds.put("password", password);
    }
    Response added = server.admin().post("/api/v1/datasources", ds);
    assertThat(added.status()).as(added.toString()).isIn(200, 201);
    String model = "name: " + name + "\ndata_source: " + name + "\ntable: " + schema + ".strs\n"
        + "dimensions:\n  - { name: id, type: number }\n  - { name: v, type: string }\n"
        + "measures:\n  - { name: count, agg: count }\n";
    Response saved = server.admin().send("PUT", "/api/v1/models/" + name, "application/yaml",
        model);
    assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
    sources.put(name, schema);
  }

  @AfterAll
  void stop() throws Exception {
    if (endpoints != null) {
      endpoints.close();
    }
    if (server != null) {
      server.close();
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  // ------------------------------------------------------------------------- 1. NUL, escaping

  @Test
  void aNulByteInAFilterValueIsRefusedNamingTheValue() {
    Response r = server.admin().post("/api/v1/query", "{\"measures\": [\"orders.count\"],"
        + " \"filters\": [{\"member\": \"orders.status\", \"operator\": \"equals\","
        + " \"values\": [\"completed\", \"a\\u0000b\"]}]}");
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().path("error").path("location").asText())
        .isEqualTo("filters[0].values[1]");
    assertThat(r.json().path("error").path("message").asText()).contains("NUL");
    // a lone surrogate cannot be encoded for any warehouse either
    r = server.admin().post("/api/v1/query", "{\"measures\": [\"orders.count\"],"
        + " \"filters\": [{\"or\": [{\"member\": \"orders.status\", \"operator\": \"contains\","
        + " \"values\": [\"\\ud800x\"]}]}]}");
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().path("error").path("location").asText())
        .isEqualTo("filters[0].or[0].values[0]");
    assertThat(r.json().path("error").path("message").asText()).contains("U+D800");

    String nul = "SELECT MEASURE(count) FROM semantic.orders WHERE status = 'a\u0000b'";
    for (Outcome o : endpoints.all(nul)) {
      assertThat(o.failed()).as(o.toString()).isTrue();
      assertThat(o.error()).as(o.toString()).contains("NUL")
          .contains("line 1, column " + (nul.indexOf('\u0000') + 1));
    }
    for (Outcome o : endpoints.all(
        "SELECT MEASURE(count) FROM semantic.orders WHERE channel = ? AND status = ?",
        "web", "a\u0000b")) {
      assertThat(o.failed()).as(o.toString()).isTrue();
      assertThat(o.error()).as(o.toString()).contains("parameter 2").contains("NUL");
    }
    for (Outcome o : endpoints.all("SELECT count(*) FROM demo.retail.orders WHERE status = ?",
        "a\u0000")) {
      assertThat(o.failed()).as(o.toString()).isTrue();
      assertThat(o.error()).as(o.toString()).contains("parameter 1").contains("NUL");
    }
    assertStillAnswers();
  }

  @Test
  void valuesWithQuotesBackslashesDollarsAndUnicodeRoundTripOnEveryWarehouse() {
    List<String> failures = new ArrayList<>();
    for (Map.Entry<String, String> source : sources.entrySet()) {
      String ds = source.getKey();
      for (int i = 0; i < TRICKY.size(); i++) {
        String value = TRICKY.get(i);
        List<List<String>> expected = List.of(List.of(i + ".000000", value));
        // the REST semantic query
        Response r = server.admin().post("/api/v1/query", Map.of(
            "dimensions", List.of(ds + ".id", ds + ".v"),
            "filters", List.of(Map.of("member", ds + ".v", "operator", "equals",
                "values", List.of(value)))));
        if (r.status() != 200 || !TestServer.rows(r).equals(expected)) {
          failures.add(ds + " rest-query " + show(value) + ": " + r);
        }
        String literal = "'" + value.replace("'", "''") + "'";
        List<String[]> statements = List.of(
            new String[] {"SELECT id, v FROM semantic." + ds + " WHERE v = " + literal},
            new String[] {"SELECT id, v FROM semantic." + ds + " WHERE v = ?", value},
            new String[] {"SELECT id, v FROM " + ds + "." + source.getValue()
                + ".strs WHERE v = " + literal},
            new String[] {"SELECT id, v FROM " + ds + "." + source.getValue()
                + ".strs WHERE v = ?", value});
        for (String[] st : statements) {
          String[] params = java.util.Arrays.copyOfRange(st, 1, st.length);
          for (Outcome o : endpoints.all(st[0], params)) {
            if (o.failed() || !expected.equals(o.rows())) {
              failures.add(ds + " " + show(st[0]) + " " + show(value) + " -> " + o);
            }
          }
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void likeFiltersEscapeWildcardsAndBackslashes() {
    for (String ds : sources.keySet()) {
      for (String[] c : new String[][] {{"contains", "% under _"}, {"startsWith", "ends with \\"},
          {"endsWith", "with \\"}, {"contains", "\\' or"}}) {
        Response r = server.admin().post("/api/v1/query", Map.of("dimensions",
            List.of(ds + ".v"), "filters", List.of(Map.of("member", ds + ".v", "operator",
                c[0], "values", List.of(c[1])))));
        assertThat(r.status()).as(ds + " " + c[0] + " " + r).isEqualTo(200);
        List<String> found = TestServer.rows(r).stream().map(row -> row.get(0)).toList();
        List<String> expected = TRICKY.stream().filter(v -> switch (c[0]) {
          case "contains" -> v.toLowerCase().contains(c[1].toLowerCase());
          case "startsWith" -> v.toLowerCase().startsWith(c[1].toLowerCase());
          default -> v.toLowerCase().endsWith(c[1].toLowerCase());
        }).toList();
        assertThat(found).as(ds + " " + c[0] + " " + c[1]).isNotEmpty()
            .containsExactlyInAnyOrderElementsOf(expected);
      }
    }
  }

  // ------------------------------------------------------------------------- 3. UTF-8 literals

  @Test
  void nonLatin1LiteralsWorkOnSemanticAndRawTablesOnEveryEndpoint() {
    for (String value : List.of("Москва", "東京", "😀 emoji")) {
      int id = TRICKY.indexOf(value);
      for (String ds : List.of("esc_duck", "esc_pg")) {
        String schema = sources.get(ds);
        for (String sql : List.of(
            "SELECT id, v FROM semantic." + ds + " WHERE v = '" + value + "'",
            "SELECT id, v FROM " + ds + "." + schema + ".strs WHERE v = '" + value + "'",
            "SELECT id, v, '" + value + "' AS echo FROM " + ds + "." + schema
                + ".strs WHERE v IN ('" + value + "', 'x') AND id = " + id,
            // a semantic table joined with the raw one, filtered on the raw side's string
            "SELECT e.id, s.v FROM semantic." + ds + " e JOIN " + ds + "." + schema
                + ".strs s ON e.id = s.id WHERE s.v = '" + value + "'")) {
          for (Outcome o : endpoints.all(sql)) {
            assertThat(o.failed()).as(sql + " " + o).isFalse();
            assertThat(o.rows()).as(sql + " " + o).hasSize(1);
            assertThat(o.rows().get(0).subList(0, 2)).as(sql + " " + o)
                .containsExactly(id + ".000000", value);
            if (o.rows().get(0).size() == 3) {
              assertThat(o.rows().get(0).get(2)).isEqualTo(value);
            }
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------------- 2. limits

  @Test
  void statementsTooLongOrTooDeepAreRefusedWithTheLimitAndTheServerKeepsAnswering() {
    StringBuilder in = new StringBuilder("SELECT count(*) FROM demo.retail.orders WHERE order_id"
        + " IN (");
    for (int i = 0; i < 100_000; i++) {
      in.append(i == 0 ? "" : ",").append(i);
    }
    in.append(")");
    StringBuilder plus = new StringBuilder("SELECT 1");
    for (int i = 1; i < 2000; i++) {
      plus.append("+1");
    }
    StringBuilder union = new StringBuilder("SELECT 1 AS x");
    for (int i = 1; i < 3000; i++) {
      union.append(" UNION ALL SELECT ").append(i);
    }
    String parens = "SELECT " + "(".repeat(500) + "1" + ")".repeat(500);
    StringBuilder sub = new StringBuilder("SELECT 1 AS x");
    for (int i = 0; i < 500; i++) {
      sub.insert(0, "SELECT x FROM (").append(") t").append(i);
    }
    String semanticIn = "SELECT MEASURE(count) FROM semantic.orders WHERE status IN ("
        + "'a',".repeat(20_000) + "'b')";
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put(in.toString(), SqlLimits.MAX_IN_LIST);
    cases.put(semanticIn, SqlLimits.MAX_IN_LIST);
    cases.put(plus.toString(), SqlLimits.MAX_DEPTH);
    cases.put(union.toString(), SqlLimits.MAX_SET_OPERATIONS);
    cases.put(parens, SqlLimits.MAX_DEPTH);
    cases.put(sub.toString(), SqlLimits.MAX_DEPTH);
    cases.put("SELECT '" + "x".repeat(1_000_001) + "'", SqlLimits.MAX_LENGTH);
    for (Map.Entry<String, String> c : cases.entrySet()) {
      for (Outcome o : endpoints.all(c.getKey())) {
        String what = show(c.getKey()) + " on " + o;
        assertThat(o.failed()).as(what).isTrue();
        assertThat(o.error()).as(what).contains(c.getValue());
        switch (o.endpoint()) {
          case "rest" -> assertThat(o.code()).as(what).isEqualTo("400 SQL_TOO_COMPLEX");
          case "flight" -> assertThat(o.code()).as(what).isEqualTo("INVALID_ARGUMENT");
          case "jdbc" -> assertThat(o.code()).as(what).isEqualTo("54001");
          default -> { }
        }
      }
    }
    // the query log has them
    Response log = server.admin().get("/api/v1/queries?limit=200");
    assertThat(log.status()).as(log.toString()).isEqualTo(200);
    assertThat(log.text()).contains("TOO_COMPLEX").contains(SqlLimits.MAX_IN_LIST);
    assertStillAnswers();
  }

  @Test
  void statementsJustWithinTheLimitsRun() {
    StringBuilder in = new StringBuilder("SELECT count(*) FROM demo.retail.orders WHERE order_id"
        + " IN (");
    for (int i = 0; i < SqlLimits.defaults().maxInList(); i++) {
      in.append(i == 0 ? "" : ",").append(i);
    }
    in.append(")");
    SqlLimits limits = SqlLimits.defaults();
    StringBuilder plus = new StringBuilder("SELECT 1");
    for (int i = 1; i < limits.maxDepth() - 5; i++) {
      plus.append("+1");
    }
    StringBuilder or = new StringBuilder("SELECT count(*) FROM demo.retail.orders WHERE"
        + " order_id = 0");
    for (int i = 1; i < limits.maxDepth() - 5; i++) {
      or.append(" OR order_id = ").append(i);
    }
    StringBuilder union = new StringBuilder("SELECT 1 AS x");
    // each UNION nests one level too: within both limits
    for (int i = 1; i <= Math.min(limits.maxSetOperations(), limits.maxDepth() - 10); i++) {
      union.append(" UNION ALL SELECT ").append(i);
    }
    StringBuilder statusIn = new StringBuilder(
        "SELECT MEASURE(count) FROM semantic.orders WHERE status IN (");
    for (int i = 1; i < SqlLimits.defaults().maxInList(); i++) {
      statusIn.append("'s").append(i).append("',");
    }
    statusIn.append("'completed')");
    for (String sql : List.of(in.toString(), or.toString(), plus.toString(), union.toString(),
        statusIn.toString())) {
      Outcome o = endpoints.rest(sql);
      assertThat(o.failed()).as(show(sql) + " " + o).isFalse();
      assertThat(o.rows()).isNotEmpty();
    }
    // order ids start at 1: ids 0 .. max-1 name max-1 orders
    assertThat(endpoints.rest(in.toString()).rows())
        .containsExactly(List.of((limits.maxInList() - 1) + ".000000"));
    assertThat(endpoints.rest(plus.toString()).rows())
        .containsExactly(List.of((limits.maxDepth() - 5) + ".000000"));
  }

  @Test
  void aLongInListOnARawTableAnswersOnEveryWarehouseAndEndpoint() {
    // Calcite used to turn an IN list of over 20 values into a join with one UNION ALL branch
    // per value: 500 of them crashed DuckDB's parser and the server process with it (SIGSEGV).
    int n = SqlLimits.defaults().maxInList();
    StringBuilder ids = new StringBuilder();
    for (int i = 0; i < n; i++) {
      ids.append(i == 0 ? "" : ",").append(i % 2 == 0 ? i / 2 : 100_000 + i);
    }
    for (Map.Entry<String, String> src : sources.entrySet()) {
      String sql = "SELECT count(*) FROM " + src.getKey() + "." + src.getValue()
          + ".strs WHERE id IN (" + ids + ")";
      for (Outcome o : endpoints.all(sql)) {
        assertThat(o.failed()).as(src.getKey() + " " + o).isFalse();
        // every row of strs has an id below n / 2
        assertThat(o.rows()).as(src.getKey() + " " + o)
            .containsExactly(List.of(TRICKY.size() + ".000000"));
      }
    }
    assertStillAnswers();
  }

  // ------------------------------------------------------------------------- 4. Flight garbage

  @Test
  void forgedMalformedAndForeignFlightTicketsAreNotFoundOrInvalid() throws Exception {
    var client = endpoints.flightClient();
    var auth = endpoints.auth();
    // garbage bytes
    assertFlightStatus(() -> drain(client.getStream(new Ticket(
        "not a ticket".getBytes(StandardCharsets.UTF_8)), auth)),
        FlightStatusCode.INVALID_ARGUMENT, "malformed ticket");
    // a well-formed ticket with a handle this server never issued
    Ticket forged = new Ticket(com.google.protobuf.Any.pack(FlightSql.TicketStatementQuery
        .newBuilder().setStatementHandle(com.google.protobuf.ByteString.copyFromUtf8(
            java.util.UUID.randomUUID().toString())).build()).toByteArray());
    assertFlightStatus(() -> drain(client.getStream(forged, auth)), FlightStatusCode.NOT_FOUND,
        "no result for this ticket");
    // a protobuf of a type that is no ticket
    Ticket other = new Ticket(com.google.protobuf.Any.pack(FlightSql.CommandGetCatalogs
        .getDefaultInstance()).toByteArray());
    drain(client.getStream(other, auth)); // catalogs: a ticket Flight SQL defines, answered
    Ticket wrong = new Ticket(com.google.protobuf.Any.pack(FlightSql.ActionEndTransactionRequest
        .getDefaultInstance()).toByteArray());
    assertFlightStatus(() -> drain(client.getStream(wrong, auth)),
        FlightStatusCode.INVALID_ARGUMENT, null);

    // another user's ticket
    Response user = server.admin().post("/api/v1/users", Map.of("username", "p5-other",
        "password", "other-secret-1", "role", "viewer"));
    assertThat(user.status()).as(user.toString()).isIn(200, 201);
    var info = endpoints.flightSql().execute("SELECT 1 AS x", auth);
    try (var otherMemory = new org.apache.arrow.memory.RootAllocator();
        var otherClient = org.apache.arrow.flight.FlightClient.builder(otherMemory,
            org.apache.arrow.flight.Location.forGrpcInsecure("127.0.0.1", server.flightPort()))
            .build()) {
      var otherAuth = otherClient.authenticateBasicToken("p5-other", "other-secret-1")
          .orElseThrow();
      assertFlightStatus(() -> drain(otherClient.getStream(info.getEndpoints().get(0)
          .getTicket(), otherAuth)), FlightStatusCode.NOT_FOUND, "no result for this ticket");
    }
    // the owner still reads it
    assertThat(endpoints.rows(info)).containsExactly(List.of("1.000000"));

    // garbage commands and actions
    assertFlightStatus(() -> client.getInfo(FlightDescriptor.command(
        "garbage".getBytes(StandardCharsets.UTF_8)), auth), FlightStatusCode.INVALID_ARGUMENT,
        "malformed command");
    assertFlightStatus(() -> client.getInfo(FlightDescriptor.path("a", "b"), auth),
        FlightStatusCode.INVALID_ARGUMENT, null);
    assertFlightStatus(() -> client.getSchema(FlightDescriptor.command(new byte[] {1, 2, 3}),
        auth), FlightStatusCode.INVALID_ARGUMENT, null);
    assertFlightStatus(() -> drainResults(client.doAction(new Action("CancelFlightInfo",
        new byte[] {9, 9, 9}), auth)), FlightStatusCode.INVALID_ARGUMENT, null);
    assertFlightStatus(() -> drainResults(client.doAction(new Action("CreatePreparedStatement",
        "garbage".getBytes(StandardCharsets.UTF_8)), auth)), FlightStatusCode.INVALID_ARGUMENT,
        null);
    // an unknown prepared statement handle
    FlightSql.CommandPreparedStatementQuery unknown = FlightSql.CommandPreparedStatementQuery
        .newBuilder().setPreparedStatementHandle(com.google.protobuf.ByteString.copyFromUtf8(
            "nope")).build();
    assertFlightStatus(() -> client.getInfo(FlightDescriptor.command(
        com.google.protobuf.Any.pack(unknown).toByteArray()), auth), FlightStatusCode.NOT_FOUND,
        "no such prepared statement");
    assertFlightStatus(() -> drain(client.getStream(new Ticket(com.google.protobuf.Any.pack(
        unknown).toByteArray()), auth)), FlightStatusCode.NOT_FOUND,
        "no such prepared statement");
    assertStillAnswers();
  }

  private static void drain(FlightStream s) throws Exception {
    try (s) {
      while (s.next()) {
        // read it all
      }
    }
  }

  private static void drainResults(java.util.Iterator<Result> results) {
    while (results.hasNext()) {
      results.next();
    }
  }

  interface Call {
    void run() throws Exception;
  }

  private static void assertFlightStatus(Call call, FlightStatusCode code, String message) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(FlightRuntimeException.class, e -> {
      assertThat(e.status().code()).as(e.toString()).isEqualTo(code);
      if (message != null) {
        assertThat(e.getMessage()).contains(message);
      }
    });
  }

  // ------------------------------------------------------------------------- 5. parameters

  @Test
  void moreParameterValuesThanPlaceholdersAreRefusedNamingTheCounts() throws Exception {
    for (Outcome o : endpoints.all(
        "SELECT MEASURE(count) FROM semantic.orders WHERE status = ?", "completed", "extra")) {
      if (o.endpoint().equals("flight-jdbc") || o.endpoint().equals("jdbc")) {
        continue; // the stock JDBC drivers refuse a second setString themselves: below
      }
      assertThat(o.failed()).as(o.toString()).isTrue();
      assertThat(o.error()).as(o.toString()).contains("1 parameter").contains("2 values");
    }
    for (Outcome o : List.of(endpoints.rest("SELECT 1 AS x", "stray"),
        endpoints.flight("SELECT 1 AS x", "stray"))) {
      assertThat(o.failed()).as(o.toString()).isTrue();
      assertThat(o.error()).as(o.toString()).contains("0 parameters").contains("1 value");
    }
    Response r = server.admin().post("/api/v1/sql", Map.of("sql",
        "SELECT MEASURE(count) FROM semantic.orders WHERE status = ?", "parameters",
        List.of("completed", "extra")));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").path("code").asText()).isEqualTo("INVALID_PARAMETER");
    // JDBC: the Avatica driver sends whatever parameter values the client set
    java.util.Properties p = new java.util.Properties();
    p.setProperty("avatica_user", "admin");
    p.setProperty("avatica_password", TestServer.ADMIN_PASSWORD);
    try (Connection c = DriverManager.getConnection(server.avaticaUrl("protobuf"), p);
        PreparedStatement ps = c.prepareStatement("SELECT 1 AS x")) {
      Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> {
        ps.setString(1, "stray");
        ps.executeQuery().close();
      });
      assertThat(e).isInstanceOf(java.sql.SQLException.class);
      assertThat(e.getMessage()).containsAnyOf("0 parameters", "out of range", "index");
    }
    assertStillAnswers();
  }

  // ------------------------------------------------------------------------- helpers

  private void assertStillAnswers() {
    for (Outcome o : endpoints.all(
        "SELECT status, MEASURE(count) FROM semantic.orders GROUP BY status ORDER BY status")) {
      assertThat(o.failed()).as(o.toString()).isFalse();
      assertThat(o.rows()).as(o.toString()).isNotEmpty();
    }
  }

  private static String show(String s) {
    String t = s.length() > 80 ? s.substring(0, 80) + "...(" + s.length() + ")" : s;
    return "[" + t.replace("\n", "\\n").replace("\0", "\\0") + "]";
  }

}
