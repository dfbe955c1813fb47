package io.strata.server.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.server.TestServer;
import io.strata.testkit.Answers;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Postgres wire endpoint through the stock pgjdbc driver: SCRAM-SHA-256 login, simple and
 * extended queries with typed parameters, text and binary transfer, errors with SQLSTATE and
 * position, session commands, and answers equal to REST {@code /api/v1/sql}'s.
 */
class PgWireJdbcTest {
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of());
    TestServer.Response saved = server.admin().send("PUT", "/api/v1/models/slow",
        "application/yaml", TestServer.SLOW_MODEL.replace("3999", "39999"));
    assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static Connection connect(String user, String password, String... extra) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    for (int i = 0; i + 1 < extra.length; i += 2) {
      p.setProperty(extra[i], extra[i + 1]);
    }
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.pgwirePort()
        + "/strata", p);
  }

  static Connection admin(String... extra) throws SQLException {
    return connect("admin", TestServer.ADMIN_PASSWORD, extra);
  }

  static List<List<String>> rows(ResultSet rs) throws SQLException {
    List<List<String>> out = new ArrayList<>();
    int n = rs.getMetaData().getColumnCount();
    while (rs.next()) {
      List<String> row = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        row.add(Answers.normalise(rs.getObject(i), null));
      }
      out.add(row);
    }
    return out;
  }

  /** What REST {@code /api/v1/sql} answers, normalised the same way. */
  static List<List<String>> rest(String sql, Object... parameters) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sql", sql);
    body.put("parameters", List.of(parameters));
    TestServer.Response r = server.admin().post("/api/v1/sql", body);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return TestServer.rows(r);
  }

  @Test
  void semanticQueryOverScramEqualsRest() throws Exception {
    String sql = "SELECT status, MEASURE(count) AS n FROM semantic.orders GROUP BY status"
        + " ORDER BY status";
    try (Connection c = admin(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      assertThat(md.getColumnLabel(1)).isEqualTo("status");
      assertThat(md.getColumnType(2)).isEqualTo(Types.BIGINT);
      List<List<String>> rows = rows(rs);
      assertThat(rows).isNotEmpty().isEqualTo(rest(sql));
    }
  }

  @Test
  void rawQueryWithTypedParametersTextAndBinary() throws Exception {
    String sql = "SELECT channel, COUNT(*) AS n, MIN(ordered_at) AS first_order"
        + " FROM demo.retail.orders WHERE order_id <= ? AND ordered_at >= ? GROUP BY channel"
        + " ORDER BY channel";
    List<List<String>> expected = rest(sql, 500, "2020-01-01 00:00:00");
    assertThat(expected).isNotEmpty();
    for (String[] mode : new String[][] {{"prepareThreshold", "5"},
        {"prepareThreshold", "-1"}, {"binaryTransfer", "true", "prepareThreshold", "-1"}}) {
      try (Connection c = admin(mode); PreparedStatement ps = c.prepareStatement(sql)) {
        for (int run = 0; run < 3; run++) { // named statements from the threshold on
          ps.setInt(1, 500);
          ps.setTimestamp(2, java.sql.Timestamp.valueOf(LocalDateTime.of(2020, 1, 1, 0, 0)));
          try (ResultSet rs = ps.executeQuery()) {
            assertThat(rows(rs)).as(String.join(",", mode)).isEqualTo(expected);
          }
        }
      }
    }
  }

  @Test
  void everyParameterType() throws Exception {
    String sql = "SELECT COUNT(*) AS n FROM demo.retail.orders WHERE order_id <= ?"
        + " AND CAST(order_id AS DECIMAL(10,2)) < ? AND channel <> ? AND ordered_at >= ?"
        + " AND ordered_at >= ? AND (? OR order_id > 0)";
    List<List<String>> expected = rest(sql, 300, 250.5, "nowhere", "2019-01-01",
        "2019-01-01 00:00:00", true);
    for (String binary : new String[] {"false", "true"}) {
      try (Connection c = admin("binaryTransfer", binary, "prepareThreshold", "-1");
          PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setLong(1, 300);
        ps.setBigDecimal(2, new BigDecimal("250.5"));
        ps.setString(3, "nowhere");
        ps.setObject(4, LocalDate.of(2019, 1, 1));
        ps.setObject(5, LocalDateTime.of(2019, 1, 1, 0, 0));
        ps.setBoolean(6, true);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rows(rs)).as("binary " + binary).isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void resultTypesInTextAndBinary() throws Exception {
    String sql = "SELECT CAST(1 AS SMALLINT) AS i2, CAST(2 AS INTEGER) AS i4,"
        + " CAST(3 AS BIGINT) AS i8, CAST(1.5 AS REAL) AS f4, CAST(2.25 AS DOUBLE) AS f8,"
        + " CAST(12345.678 AS DECIMAL(10,3)) AS num, CAST(-0.5 AS DECIMAL(5,2)) AS neg,"
        + " TRUE AS b, CAST('abc' AS VARCHAR(10)) AS v, DATE '2024-02-29' AS d,"
        + " TIMESTAMP '2024-02-29 13:14:15.123' AS ts,"
        + " CAST(NULL AS INTEGER) AS nothing";
    for (String binary : new String[] {"false", "true"}) {
      try (Connection c = admin("binaryTransfer", binary, "prepareThreshold", "-1");
          PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getShort("i2")).isEqualTo((short) 1);
        assertThat(rs.getInt("i4")).isEqualTo(2);
        assertThat(rs.getLong("i8")).isEqualTo(3L);
        assertThat(rs.getFloat("f4")).isEqualTo(1.5f);
        assertThat(rs.getDouble("f8")).isEqualTo(2.25);
        assertThat(rs.getBigDecimal("num")).isEqualByComparingTo("12345.678");
        assertThat(rs.getBigDecimal("neg")).isEqualByComparingTo("-0.5");
        assertThat(rs.getBoolean("b")).isTrue();
        assertThat(rs.getString("v")).isEqualTo("abc");
        assertThat(rs.getObject("d", LocalDate.class)).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(rs.getObject("ts", LocalDateTime.class))
            .isEqualTo(LocalDateTime.of(2024, 2, 29, 13, 14, 15, 123_000_000));
        assertThat(rs.getObject("nothing")).isNull();
        ResultSetMetaData md = rs.getMetaData();
        assertThat(md.getColumnTypeName(1)).isEqualTo("int2");
        assertThat(md.getColumnTypeName(2)).isEqualTo("int4");
        assertThat(md.getColumnTypeName(3)).isEqualTo("int8");
        assertThat(md.getColumnTypeName(4)).isEqualTo("float4");
        assertThat(md.getColumnTypeName(5)).isEqualTo("float8");
        assertThat(md.getColumnTypeName(6)).isEqualTo("numeric");
        assertThat(md.getPrecision(6)).isEqualTo(10);
        assertThat(md.getScale(6)).isEqualTo(3);
        assertThat(md.getColumnTypeName(8)).isEqualTo("bool");
        assertThat(md.getColumnTypeName(10)).isEqualTo("date");
        assertThat(md.getColumnTypeName(11)).isEqualTo("timestamp");
      }
    }
  }

  @Test
  void wrongPasswordIs28P01() {
    assertThatThrownBy(() -> connect("admin", "not-the-password"))
        .isInstanceOfSatisfying(SQLException.class, e -> {
          assertThat(e.getSQLState()).isEqualTo("28P01");
          assertThat(e.getMessage()).contains("password authentication failed for user \"admin\"");
        });
    assertThatThrownBy(() -> connect("nobody", "whatever-1"))
        .isInstanceOfSatisfying(SQLException.class,
            e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
  }

  @Test
  void errorsCarrySqlStateAndPositionAndLeaveTheConnectionUsable() throws Exception {
    try (Connection c = admin(); Statement st = c.createStatement()) {
      assertThatThrownBy(() -> st.executeQuery("SELECT nope FROM semantic.orders"))
          .isInstanceOfSatisfying(SQLException.class,
              e -> assertThat(e.getSQLState()).isEqualTo("42703"));
      assertThatThrownBy(() -> st.executeQuery("SELECT * FROM semantic.nothing_here"))
          .isInstanceOfSatisfying(SQLException.class,
              e -> assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("42P01"));
      assertThatThrownBy(() -> st.executeQuery("SELECT FROM WHERE"))
          .isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo("42601");
            assertThat(((org.postgresql.util.PSQLException) e).getServerErrorMessage()
                .getPosition()).isPositive();
          });
      assertThatThrownBy(() -> st.execute("INSERT INTO demo.retail.orders VALUES (1)"))
          .isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo("25006");
            assertThat(e.getMessage()).contains("cannot execute INSERT in a read-only"
                + " transaction");
          });
      assertThatThrownBy(() -> st.execute("DROP TABLE x"))
          .isInstanceOfSatisfying(SQLException.class,
              e -> assertThat(e.getSQLState()).isEqualTo("25006"));
      try (ResultSet rs = st.executeQuery("SELECT 1 AS x")) {
        assertThat(rows(rs)).containsExactly(List.of("1.000000"));
      }
    }
  }

  @Test
  void sessionCommands() throws Exception {
    try (Connection c = admin(); Statement st = c.createStatement()) {
      assertThat(c.getMetaData().getDatabaseProductVersion()).startsWith("14.0");
      try (ResultSet rs = st.executeQuery("SHOW server_version")) {
        assertThat(rows(rs)).containsExactly(List.of(PgSettings.SERVER_VERSION));
      }
      try (ResultSet rs = st.executeQuery("SHOW transaction isolation level")) {
        assertThat(rows(rs)).containsExactly(List.of("read committed"));
      }
      st.execute("SET strata_cache = off");
      try (ResultSet rs = st.executeQuery("SHOW strata_cache")) {
        assertThat(rows(rs)).containsExactly(List.of("bypass"));
      }
      st.execute("RESET strata_cache");
      try (ResultSet rs = st.executeQuery("SHOW strata_cache")) {
        assertThat(rows(rs)).containsExactly(List.of("on"));
      }
      assertThatThrownBy(() -> st.execute("SET strata_cache = sometimes"))
          .isInstanceOfSatisfying(SQLException.class,
              e -> assertThat(e.getSQLState()).isEqualTo("22023"));
      st.execute("SET search_path TO semantic, public");
      try (ResultSet rs = st.executeQuery("SHOW search_path")) {
        assertThat(rows(rs)).containsExactly(List.of("semantic, public"));
      }
      try (ResultSet rs = st.executeQuery("SELECT version()")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).startsWith("PostgreSQL 14.0");
      }
      try (ResultSet rs = st.executeQuery("SELECT current_database()")) {
        assertThat(rows(rs)).containsExactly(List.of("strata"));
      }
      try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isPositive();
      }
      c.setAutoCommit(false); // BEGIN
      try (ResultSet rs = st.executeQuery("SELECT 2 AS x")) {
        assertThat(rows(rs)).containsExactly(List.of("2.000000"));
      }
      c.commit();
      c.rollback();
      c.setAutoCommit(true);
      st.execute("DISCARD ALL");
    }
  }

  @Test
  void statementCancelStopsTheWarehouseQuery() throws Exception {
    try (Connection c = admin(); Statement st = c.createStatement()) {
      st.execute("SET strata_cache = bypass");
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors
          .newSingleThreadExecutor();
      try {
        java.util.concurrent.Future<?> cancelled = pool.submit(() -> {
          PgWireClientsTest.waitForRunning(server);
          st.cancel();
          return null;
        });
        long started = System.nanoTime();
        assertThatThrownBy(() -> st.executeQuery("SELECT MEASURE(matches) FROM semantic.slow"))
            .isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("57014"));
        cancelled.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(System.nanoTime() - started).isLessThan(
            java.util.concurrent.TimeUnit.SECONDS.toNanos(30));
      } finally {
        pool.shutdownNow();
      }
      try (ResultSet rs = st.executeQuery("SELECT 1 AS x")) {
        assertThat(rows(rs)).containsExactly(List.of("1.000000"));
      }
    }
  }

  @Test
  void fetchSizeStreamsThroughAPortal() throws Exception {
    String sql = "SELECT order_id, status FROM demo.retail.orders ORDER BY order_id";
    List<List<String>> expected = rest(sql);
    try (Connection c = admin()) {
      c.setAutoCommit(false); // pgjdbc fetches with a row limit inside a transaction only
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setFetchSize(100);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rows(rs)).hasSize(expected.size()).isEqualTo(expected);
        }
      }
      c.commit();
    }
  }
}
