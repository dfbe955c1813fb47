package io.strata.server.avatica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Response;
import io.strata.testkit.Answers;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a JDBC client gets from Strata, whatever the driver: run against a real server through
 * the stock Avatica driver with protobuf ({@link AvaticaProtobufTest}) and JSON
 * ({@link AvaticaJsonTest}), and meant to run unchanged through the shaded {@code jdbc:strata:}
 * driver (subclass it in the driver's tests: this class uses nothing of Avatica).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class JdbcEndpointContract {
  public static final String COUNT_BY_STATUS_JSON = "{\"measures\":[\"orders.count\"],"
      + "\"dimensions\":[\"orders.status\"],\"order\":{\"orders.status\":\"asc\"}}";

  /** A model whose one measure takes seconds: 400 million rows filtered and counted. */
  public static final String SLOW_MODEL = TestServer.SLOW_MODEL;

  /** A model with a million rows, one per number. */
  public static final String BIG_MODEL = """
      name: big
      data_source: demo
      sql: SELECT a.x AS n FROM UNNEST(generate_series(0, 999999)) AS a(x)
      dimensions:
        - { name: n, type: number }
      measures:
        - { name: count, agg: count }
      """;

  /** Parts of the warehouse SQL of the big and slow models' queries, to find them running. */
  private static final String BIG_SQL = "999999";
  private static final String SLOW_SQL = "3999";

  public static final String VIEWER = "jdbc-viewer";
  public static final String VIEWER_PASSWORD = "viewer-secret-1";

  private TestServer server;

  /** Connects as {@code user}; null user and password: without credentials. */
  protected abstract Connection connect(String user, String password) throws SQLException;

  /**
   * Cancels {@code running}, which another thread is executing on {@code connection}, the way
   * this driver does it (the Strata driver's {@code Statement.cancel()}; for the stock Avatica
   * driver, whose cancel is client-side only, Strata's cancel side channel).
   */
  protected abstract void cancel(Connection connection, Statement running) throws Exception;

  /** Settings of the server under test, on top of the contract's. */
  protected Map<String, Object> settings() {
    return Map.of();
  }

  /** What DatabaseMetaData calls the product (the stock Avatica driver says its own name). */
  protected String expectedProductName() {
    return "Strata";
  }

  /**
   * Checks how connecting with bad or no credentials failed: with an SQLException (SQLState
   * 28000 or a message naming HTTP 401).
   */
  protected void assertRefused(Throwable failure) {
    assertThat(failure).isInstanceOf(SQLException.class);
    SQLException e = (SQLException) failure;
    assertThat("28000".equals(e.getSQLState()) || String.valueOf(e.getMessage()).contains("401"))
        .as(e.toString()).isTrue();
  }

  protected TestServer server() {
    return server;
  }

  protected Connection connect() throws SQLException {
    return connect("admin", TestServer.ADMIN_PASSWORD);
  }

  @BeforeAll
  protected void startServer() {
    Map<String, Object> props = new HashMap<>();
    props.put("strata.query.max-rows", "2000000");
    props.putAll(settings());
    server = TestServer.start(props);
    for (String[] model : new String[][] {{"slow", SLOW_MODEL}, {"big", BIG_MODEL}}) {
      Response saved = server.admin().send("PUT", "/api/v1/models/" + model[0],
          "application/yaml", model[1]);
      assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
    }
    Response user = server.admin().post("/api/v1/users", Map.of("username", VIEWER,
        "password", VIEWER_PASSWORD, "role", "viewer"));
    assertThat(user.status()).as(user.toString()).isEqualTo(201);
  }

  @AfterAll
  protected void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  /** Every row of a result, each value normalised as the answer tests do. */
  protected static List<List<String>> rows(ResultSet rs) throws SQLException {
    List<List<String>> rows = new ArrayList<>();
    int n = rs.getMetaData().getColumnCount();
    while (rs.next()) {
      List<String> row = new ArrayList<>(n);
      for (int i = 1; i <= n; i++) {
        row.add(Answers.normalise(rs.getObject(i), null));
      }
      rows.add(row);
    }
    return rows;
  }

  /** The REST API's answer to a semantic query, normalised the same way. */
  protected List<List<String>> rest(String queryJson) {
    return server.answer(queryJson);
  }


  /**
   * The running queries whose warehouse SQL contains {@code fragment}: background work (warm-up,
   * a thumbnail's queries, a rollup build) may run beside a test's own query.
   */
  private List<JsonNode> running(String fragment) {
    List<JsonNode> mine = new ArrayList<>();
    for (JsonNode q : server.admin().get("/api/v1/queries/running").json()) {
      if (q.path("sql").asText().contains(fragment)) {
        mine.add(q);
      }
    }
    return mine;
  }

  private void awaitNoRunningQueries(String fragment, String why) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!running(fragment).isEmpty()) {
      assertThat(System.nanoTime()).as(why + ": " + running(fragment)).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  // ------------------------------------------------------------------ connecting

  @Test
  public void aWrongPasswordIsRefused() {
    assertThatThrownBy(() -> connect("admin", "not-the-password").close())
        .satisfies(this::assertRefused);
    assertThatThrownBy(() -> connect("nobody", "whatever-1").close())
        .satisfies(this::assertRefused);
  }

  @Test
  public void noCredentialsAreRefused() {
    assertThatThrownBy(() -> connect(null, null).close()).satisfies(this::assertRefused);
  }

  @Test
  public void anyUserMayConnectAndQuery() throws Exception {
    try (Connection c = connect(VIEWER, VIEWER_PASSWORD); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM semantic.orders")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isPositive();
    }
  }

  // ------------------------------------------------------------------ metadata

  @Test
  public void theDatabaseIsStrataAndReadOnly() throws Exception {
    try (Connection c = connect()) {
      DatabaseMetaData md = c.getMetaData();
      assertThat(md.getDatabaseProductName()).isEqualTo(expectedProductName());
      assertThat(md.getDatabaseProductVersion()).isNotBlank();
      assertThat(c.isReadOnly()).isTrue();
      List<String> types = new ArrayList<>();
      try (ResultSet rs = md.getTableTypes()) {
        while (rs.next()) {
          types.add(rs.getString("TABLE_TYPE"));
        }
      }
      assertThat(types).containsExactly("TABLE", "VIEW");
      List<String> typeNames = new ArrayList<>();
      try (ResultSet rs = md.getTypeInfo()) {
        while (rs.next()) {
          typeNames.add(rs.getString("TYPE_NAME") + "=" + rs.getInt("DATA_TYPE"));
        }
      }
      assertThat(typeNames).contains("VARCHAR=" + Types.VARCHAR, "BIGINT=" + Types.BIGINT,
          "DECIMAL=" + Types.DECIMAL, "TIMESTAMP=" + Types.TIMESTAMP, "DATE=" + Types.DATE);
    }
  }

  @Test
  public void catalogsAndSchemas() throws Exception {
    try (Connection c = connect()) {
      DatabaseMetaData md = c.getMetaData();
      List<String> catalogs = new ArrayList<>();
      try (ResultSet rs = md.getCatalogs()) {
        while (rs.next()) {
          catalogs.add(rs.getString("TABLE_CAT"));
        }
      }
      assertThat(catalogs).contains("strata", "demo");
      List<String> schemas = new ArrayList<>();
      try (ResultSet rs = md.getSchemas()) {
        while (rs.next()) {
          schemas.add(rs.getString("TABLE_CATALOG") + "." + rs.getString("TABLE_SCHEM"));
        }
      }
      assertThat(schemas).contains("strata.semantic", "demo.retail");
      List<String> filtered = new ArrayList<>();
      try (ResultSet rs = md.getSchemas("demo", "ret%")) {
        while (rs.next()) {
          filtered.add(rs.getString("TABLE_CATALOG") + "." + rs.getString("TABLE_SCHEM"));
        }
      }
      assertThat(filtered).containsExactly("demo.retail");
    }
  }

  @Test
  public void tablesWithTypesAndRemarks() throws Exception {
    try (Connection c = connect()) {
      DatabaseMetaData md = c.getMetaData();
      Map<String, String[]> semantic = new HashMap<>();
      try (ResultSet rs = md.getTables(null, "semantic", "%", null)) {
        while (rs.next()) {
          assertThat(rs.getString("TABLE_CAT")).isEqualTo("strata");
          semantic.put(rs.getString("TABLE_NAME"), new String[] {rs.getString("TABLE_TYPE"),
              rs.getString("REMARKS")});
        }
      }
      assertThat(semantic).containsKeys("orders", "customers", "big");
      assertThat(semantic.get("orders")[0]).isEqualTo("TABLE");
      assertThat(semantic.get("orders")[1]).isEqualTo("Orders placed by customers, one row per order.");

      List<String> raw = new ArrayList<>();
      try (ResultSet rs = md.getTables("demo", "retail", "ord%", new String[] {"TABLE"})) {
        while (rs.next()) {
          raw.add(rs.getString("TABLE_CAT") + "." + rs.getString("TABLE_SCHEM") + "."
              + rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
        }
      }
      assertThat(raw).contains("demo.retail.orders:TABLE", "demo.retail.order_items:TABLE")
          .allMatch(s -> s.startsWith("demo.retail.ord"));
      try (ResultSet rs = md.getTables(null, null, "%", new String[] {"VIEW"})) {
        while (rs.next()) {
          assertThat(rs.getString("TABLE_TYPE")).isEqualTo("VIEW");
        }
      }
      try (ResultSet rs = md.getTables(null, null, "o_ders", null)) {
        List<String> names = new ArrayList<>();
        while (rs.next()) {
          names.add(rs.getString("TABLE_NAME"));
        }
        assertThat(names).isNotEmpty().allMatch("orders"::equals);
      }
    }
  }

  @Test
  public void columnsWithTypesNullabilityAndRemarks() throws Exception {
    try (Connection c = connect()) {
      DatabaseMetaData md = c.getMetaData();
      Map<String, Map<String, Object>> cols = new HashMap<>();
      List<Integer> ordinals = new ArrayList<>();
      try (ResultSet rs = md.getColumns("strata", "semantic", "orders", "%")) {
        while (rs.next()) {
          Map<String, Object> col = new HashMap<>();
          col.put("type", rs.getInt("DATA_TYPE"));
          col.put("typeName", rs.getString("TYPE_NAME"));
          col.put("nullable", rs.getInt("NULLABLE"));
          col.put("isNullable", rs.getString("IS_NULLABLE"));
          col.put("remarks", rs.getString("REMARKS"));
          col.put("size", rs.getObject("COLUMN_SIZE"));
          cols.put(rs.getString("COLUMN_NAME"), col);
          ordinals.add(rs.getInt("ORDINAL_POSITION"));
        }
      }
      assertThat(cols).containsKeys("status", "channel", "ordered_at", "count");
      assertThat(cols.get("status").get("type")).isEqualTo(Types.VARCHAR);
      assertThat(cols.get("status").get("nullable")).isIn(DatabaseMetaData.columnNullable,
          DatabaseMetaData.columnNoNulls);
      assertThat(cols.get("status").get("isNullable")).isIn("YES", "NO");
      assertThat(cols.get("channel").get("remarks")).isEqualTo("web, store or mobile");
      assertThat(cols.get("ordered_at").get("type")).isEqualTo(Types.TIMESTAMP);
      assertThat(cols.get("count").get("type")).isIn(Types.BIGINT, Types.INTEGER,
          Types.DECIMAL);
      for (int i = 0; i < ordinals.size(); i++) {
        assertThat(ordinals.get(i)).isEqualTo(i + 1);
      }
      try (ResultSet rs = md.getColumns("demo", "retail", "orders", "order_id")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString("TABLE_NAME")).isEqualTo("orders");
        assertThat(rs.getInt("DATA_TYPE")).isIn(Types.INTEGER, Types.BIGINT);
        assertThat(rs.next()).isFalse();
      }
    }
  }

  // ------------------------------------------------------------------ queries

  @Test
  public void aSemanticSelectAnswersAsTheRestApi() throws Exception {
    List<List<String>> expected = rest(COUNT_BY_STATUS_JSON);
    try (Connection c = connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT status, MEASURE(count) FROM semantic.orders GROUP BY status ORDER BY status")) {
      ResultSetMetaData md = rs.getMetaData();
      assertThat(md.getColumnCount()).isEqualTo(2);
      assertThat(md.getColumnLabel(1)).isEqualTo("status");
      assertThat(md.getColumnType(1)).isEqualTo(Types.VARCHAR);
      List<List<String>> actual = rows(rs);
      assertThat(Answers.compare(expected, actual, Set.of(), true)).as(Answers.show(actual))
          .isNull();
    }
  }

  @Test
  public void rawSqlOverADataSource() throws Exception {
    List<List<String>> expected = rest(COUNT_BY_STATUS_JSON);
    try (Connection c = connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT status, COUNT(*) AS n FROM demo.retail.orders"
            + " GROUP BY status ORDER BY status")) {
      List<List<String>> actual = rows(rs);
      assertThat(Answers.compare(expected, actual, Set.of(), true)).as(Answers.show(actual))
          .isNull();
    }
    try (Connection c = connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT order_id, status, ordered_at FROM "
            + "demo.retail.orders ORDER BY order_id LIMIT 3")) {
      int n = 0;
      while (rs.next()) {
        n++;
        assertThat(rs.getLong("order_id")).isPositive();
        assertThat(rs.getString("status")).isNotBlank();
        assertThat(rs.getTimestamp("ordered_at")).isNotNull();
      }
      assertThat(n).isEqualTo(3);
    }
  }

  @Test
  public void aJoinAcrossDataSourcesIsFederatedAndExplained() throws Exception {
    io.strata.testkit.Warehouse pg = io.strata.testkit.Warehouses.postgresDatabase(
        "strata_jdbc_federation", true);
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE public.status_labels (status VARCHAR(20), label VARCHAR(40))");
      st.execute("INSERT INTO public.status_labels VALUES ('completed', 'Done'),"
          + " ('cancelled', 'Called off')");
    }
    Response added = server.admin().post("/api/v1/datasources", Map.of("name", "labels",
        "kind", "postgres", "url", pg.jdbcUrl(), "username", pg.user()));
    assertThat(added.status()).as(added.toString()).isIn(200, 201);
    try {
      Map<String, String> counts = new java.util.TreeMap<>();
      for (List<String> row : rest(COUNT_BY_STATUS_JSON)) {
        counts.put(row.get(0), row.get(1));
      }
      String sql = "SELECT l.label, s.n FROM (SELECT status, MEASURE(count) AS n"
          + " FROM semantic.orders GROUP BY status) s JOIN labels.public.status_labels l"
          + " ON s.status = l.status ORDER BY l.label";
      try (Connection c = connect(); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery(sql)) {
        assertThat(rows(rs)).containsExactly(List.of("Called off", counts.get("cancelled")),
            List.of("Done", counts.get("completed")));
      }
      try (Connection c = connect(); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("EXPLAIN PLAN FOR " + sql)) {
        StringBuilder plan = new StringBuilder();
        while (rs.next()) {
          plan.append(rs.getString(1)).append('\n');
        }
        // the leaf runs on the demo, or on the demo rollup that answers it once built
        assertThat(plan.toString()).contains("semantic.orders")
            .containsAnyOf("data source demo", "answered by rollup orders.daily@")
            .contains("Pushed down").contains("status_labels");
      }
    } finally {
      server.admin().delete("/api/v1/datasources/labels");
    }
  }

  @Test
  public void valuesOfEveryTypeArriveAsTheirJdbcTypes() throws Exception {
    try (Connection c = connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT CAST(1 AS TINYINT) AS i8,"
            + " CAST(-2 AS SMALLINT) AS i16, CAST(3 AS INTEGER) AS i32,"
            + " CAST(9000000000 AS BIGINT) AS i64, CAST(1.5 AS REAL) AS f32,"
            + " CAST(2.25 AS DOUBLE) AS f64, CAST(12345.67 AS DECIMAL(10, 2)) AS dc,"
            + " TRUE AS b, 'héllo' AS s, DATE '2024-02-29' AS d,"
            + " TIMESTAMP '2024-02-29 13:45:12.345' AS ts, TIME '13:45:12' AS t,"
            + " CAST(NULL AS VARCHAR) AS n FROM demo.retail.orders LIMIT 1")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getByte("i8")).isEqualTo((byte) 1);
      assertThat(rs.getShort("i16")).isEqualTo((short) -2);
      assertThat(rs.getInt("i32")).isEqualTo(3);
      assertThat(rs.getLong("i64")).isEqualTo(9_000_000_000L);
      assertThat(rs.getFloat("f32")).isEqualTo(1.5f);
      assertThat(rs.getDouble("f64")).isEqualTo(2.25);
      assertThat(rs.getBigDecimal("dc")).isEqualByComparingTo(new BigDecimal("12345.67"));
      assertThat(rs.getBoolean("b")).isTrue();
      assertThat(rs.getString("s")).isEqualTo("héllo");
      assertThat(rs.getDate("d").toLocalDate()).isEqualTo(LocalDate.of(2024, 2, 29));
      assertThat(rs.getTimestamp("ts").toLocalDateTime())
          .isEqualTo(java.time.LocalDateTime.of(2024, 2, 29, 13, 45, 12, 345_000_000));
      // a TIME Calcite computes arrives as text (the SQL layer's Arrow conversion)
      assertThat(rs.getString("t")).startsWith("13:45:12");
      assertThat(rs.getString("n")).isNull();
      assertThat(rs.wasNull()).isTrue();
    }
  }

  @Test
  public void aPreparedStatementRunsTwiceWithOtherValues() throws Exception {
    String sql = "SELECT status, MEASURE(count) AS n FROM semantic.orders"
        + " WHERE status = ? AND ordered_at >= ? GROUP BY status";
    try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
      assertThat(ps.getParameterMetaData().getParameterCount()).isEqualTo(2);
      for (String[] run : new String[][] {{"completed", "2020-01-01"}, {"cancelled", "2021-06-01"},
          {"completed", "2999-01-01"}}) {
        ps.setString(1, run[0]);
        ps.setDate(2, java.sql.Date.valueOf(run[1]));
        List<List<String>> expected = rest("{\"measures\":[\"orders.count\"],"
            + "\"dimensions\":[\"orders.status\"],\"filters\":[{\"member\":\"orders.status\","
            + "\"operator\":\"equals\",\"values\":[\"" + run[0] + "\"]},{\"member\":"
            + "\"orders.ordered_at\",\"operator\":\"afterDate\",\"values\":[\"" + run[1]
            + "\"]}]}");
        try (ResultSet rs = ps.executeQuery()) {
          List<List<String>> actual = rows(rs);
          assertThat(Answers.compare(expected, actual, Set.of(), false))
              .as(run[0] + " " + run[1] + ": " + Answers.show(actual)).isNull();
        }
      }
    }
  }

  @Test
  public void smallFetchSizesStillGiveEveryRowInOrder() throws Exception {
    long count;
    try (Connection c = connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM demo.retail.order_items")) {
      rs.next();
      count = rs.getLong(1);
    }
    assertThat(count).as("a few thousand rows").isGreaterThan(2_000);
    String sql = "SELECT order_id * 1000 + line_no AS k FROM demo.retail.order_items ORDER BY k";
    try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setFetchSize(100);
      check(ps.executeQuery(), count);
    }
    try (Connection c = connect(); Statement st = c.createStatement()) {
      st.setFetchSize(100);
      check(st.executeQuery(sql), count);
    }
  }

  private static void check(ResultSet rs, long count) throws SQLException {
    long n = 0;
    long previous = Long.MIN_VALUE;
    while (rs.next()) {
      long id = rs.getLong(1);
      assertThat(id).isGreaterThan(previous);
      previous = id;
      n++;
    }
    rs.close();
    assertThat(n).isEqualTo(count);
  }

  @Test
  public void maxRowsIsHonoured() throws Exception {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      st.setMaxRows(7);
      try (ResultSet rs = st.executeQuery("SELECT n FROM semantic.big ORDER BY n")) {
        List<List<String>> rows = rows(rs);
        assertThat(rows).hasSize(7);
        assertThat(rows.get(6).get(0)).isEqualTo(Answers.normalise(6, null));
      }
    }
  }

  @Test
  public void aMillionRowsStream() throws Exception {
    try (Connection c = connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT n FROM semantic.big")) {
      long n = 0;
      long sum = 0;
      while (rs.next()) {
        sum += rs.getLong(1);
        n++;
      }
      assertThat(n).isEqualTo(1_000_000);
      assertThat(sum).isEqualTo(999_999L * 1_000_000L / 2);
    }
  }

  // ------------------------------------------------------------------ errors

  /** All the client is told of an error (some drivers put the server's message aside). */
  protected String message(SQLException e) {
    return e.getMessage();
  }

  @Test
  public void badSqlSaysWhere() throws Exception {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      assertThatThrownBy(() -> st.executeQuery("SELECT status FROM semantic.orders WHERE"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(message((SQLException) e)).contains("line 1, column"))
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42000"));
      assertThatThrownBy(() -> st.executeQuery("SELECT no_such_column FROM semantic.orders"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(message((SQLException) e)).contains("no_such_column",
              "line 1, column 8"))
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42000"));
      assertThatThrownBy(() -> c.prepareStatement("SELEC 1"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(message((SQLException) e)).contains("line 1, column 1"))
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42000"));
    }
  }

  @Test
  public void writesAreRefused() throws Exception {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      for (String sql : List.of("CREATE TABLE demo.retail.x (a INT)",
          "INSERT INTO demo.retail.orders (order_id) VALUES (1)")) {
        assertThatThrownBy(() -> st.execute(sql)).as(sql)
            .isInstanceOf(SQLException.class)
            .satisfies(e -> assertThat(message((SQLException) e).toLowerCase())
                .contains("read-only"))
            .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"));
      }
    }
  }

  @Test
  public void aFailedStatementLeavesTheConnectionUsable() throws Exception {
    try (Connection c = connect()) {
      try (Statement st = c.createStatement()) {
        assertThatThrownBy(() -> st.executeQuery("SELECT nope FROM semantic.orders"))
            .isInstanceOf(SQLException.class);
        try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM semantic.orders")) {
          assertThat(rs.next()).isTrue();
        }
      }
      assertThatThrownBy(() -> c.prepareStatement("SELECT FROM WHERE"))
          .isInstanceOf(SQLException.class);
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT MEASURE(count) FROM semantic.orders WHERE status = ?")) {
        ps.setString(1, "completed");
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
        }
      }
    }
  }

  @Test
  public void errorsCarryNoStackTrace() throws Exception {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      assertThatThrownBy(() -> st.executeQuery("SELECT nope FROM semantic.orders"))
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\tat ", "Exception:"));
    }
  }

  // ------------------------------------------------------------------ cancelling

  @Test
  public void closingAStatementMidStreamEndsItsQuery() throws Exception {
    try (Connection c = connect()) {
      // another test may have cached this result: a hit has no warehouse query to end
      try (Statement set = c.createStatement()) {
        set.execute("SET strata_cache = 'bypass'");
      }
      PreparedStatement ps = c.prepareStatement("SELECT n FROM semantic.big");
      ps.setFetchSize(100);
      ResultSet rs = ps.executeQuery();
      for (int i = 0; i < 150; i++) {
        assertThat(rs.next()).isTrue();
      }
      assertThat(running(BIG_SQL)).as("the query is still open").hasSize(1);
      ps.close();
      awaitNoRunningQueries(BIG_SQL, "closing the statement ends the query");
      try (Statement st = c.createStatement();
          ResultSet again = st.executeQuery("SELECT COUNT(*) FROM semantic.orders")) {
        assertThat(again.next()).isTrue();
      }
    }
  }

  @Test
  public void aRunningQueryCanBeCancelled() throws Exception {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
        try (ResultSet rs = st.executeQuery("SELECT MEASURE(matches) FROM semantic.slow")) {
          rs.next();
          return null;
        } catch (Throwable e) {
          return e;
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (running(SLOW_SQL).isEmpty()) {
        assertThat(System.nanoTime()).as("the slow query shows as running").isLessThan(deadline);
        assertThat(outcome).isNotDone();
        Thread.sleep(20);
      }
      long t0 = System.nanoTime();
      cancel(c, st);
      Throwable failure = outcome.get(20, TimeUnit.SECONDS);
      assertThat(failure).isInstanceOf(SQLException.class);
      assertThat(((SQLException) failure).getSQLState()).as(failure.toString())
          .isEqualTo("57014");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("promptly")
          .isLessThan(10_000);
      awaitNoRunningQueries(SLOW_SQL, "the cancelled query ends");
      try (Statement other = c.createStatement();
          ResultSet rs = other.executeQuery("SELECT COUNT(*) FROM semantic.orders")) {
        assertThat(rs.next()).isTrue();
      }
    }
  }
}
