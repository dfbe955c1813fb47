package io.strata.jdbc.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.jdbc.it.StockAvaticaServer.CancelCall;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.calcite.avatica.remote.Driver.Serialization;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged, shaded driver against a stock Avatica server (H2 behind it, HTTP Basic
 * authentication), loaded in an isolated class loader as a BI tool would.
 */
class ShadedDriverIT {

  @TempDir static Path workDir;

  static ShadedDriver shaded;
  static StockAvaticaServer protobuf;
  static StockAvaticaServer json;
  static ExecutorService executor;

  /** Runs for minutes unless cancelled: a 10^10-row nested loop in H2. */
  static final String SLOW_SQL = "SELECT COUNT(*) AS N FROM SYSTEM_RANGE(1, 100000) A,"
      + " SYSTEM_RANGE(1, 100000) B WHERE A.X + B.X = ";

  @BeforeAll static void start() throws Exception {
    try (Connection h2 = StockAvaticaServer.h2(); Statement st = h2.createStatement()) {
      st.execute("CREATE TABLE ALL_TYPES (ID INT PRIMARY KEY, NAME VARCHAR(50), QTY INT,"
          + " BIG BIGINT, PRICE DECIMAL(12,2), RATIO DOUBLE PRECISION, D DATE, TS TIMESTAMP,"
          + " FLAG BOOLEAN)");
      st.execute("INSERT INTO ALL_TYPES VALUES (1, 'héllo wörld ✓', 42, 9007199254740993,"
          + " 12345.67, 0.125, DATE '2024-02-29', TIMESTAMP '2024-02-29 13:45:30.123', TRUE)");
      st.execute("INSERT INTO ALL_TYPES VALUES (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
          + " NULL)");
      st.execute("INSERT INTO ALL_TYPES VALUES (3, 'minus', -7, -1, -0.01, -1.5E300,"
          + " DATE '1969-12-31', TIMESTAMP '1999-12-31 23:59:59.999', FALSE)");
    }
    shaded = ShadedDriver.load();
    protobuf = StockAvaticaServer.start(Serialization.PROTOBUF, workDir);
    json = StockAvaticaServer.start(Serialization.JSON, workDir);
    executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "it-query");
      t.setDaemon(true);
      return t;
    });
  }

  @AfterAll static void stop() throws Exception {
    if (executor != null) {
      executor.shutdownNow();
    }
    if (protobuf != null) {
      protobuf.close();
    }
    if (json != null) {
      json.close();
    }
    if (shaded != null) {
      shaded.loader.close();
    }
  }

  private static Connection connect() throws SQLException {
    return shaded.connect(protobuf.url(), StockAvaticaServer.USER, StockAvaticaServer.PASSWORD);
  }

  // --- the jar ---

  @Test void jarHoldsOnlyTheDriverPackageAndMetaInf() throws Exception {
    List<String> strays = new ArrayList<>();
    String service;
    try (JarFile jar = new JarFile(shaded.jar.toFile())) {
      for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
        String name = e.nextElement().getName();
        boolean ok = name.startsWith("io/strata/jdbc/") || name.startsWith("META-INF/")
            || name.equals("io/") || name.equals("io/strata/");
        if (!ok) {
          strays.add(name);
        }
      }
      service = new String(jar.getInputStream(jar.getEntry("META-INF/services/java.sql.Driver"))
          .readAllBytes(), StandardCharsets.UTF_8).strip();
      assertThat(jar.getEntry("io/strata/jdbc/strata-jdbc-driver.properties")).isNotNull();
      assertThat(jar.getEntry("META-INF/LICENSE")).isNotNull();
      assertThat(jar.getEntry("META-INF/NOTICE")).isNotNull();
      assertThat(jar.getEntry("META-INF/THIRD-PARTY-LICENSES.txt")).isNotNull();
      assertThat(jar.stream().map(JarEntry::getName).filter(n -> n.endsWith(".SF")
          || n.endsWith(".RSA") || n.endsWith(".DSA") || n.endsWith("module-info.class")))
          .isEmpty();
    }
    assertThat(strays).isEmpty();
    assertThat(service).isEqualTo("io.strata.jdbc.StrataDriver");
  }

  @Test void driverIsIsolatedFromTheHostClassPath() throws Exception {
    Class<?> driverClass = shaded.driver.getClass();
    assertThat(driverClass.getName()).isEqualTo("io.strata.jdbc.StrataDriver");
    assertThat(driverClass.getClassLoader()).isSameAs(shaded.loader);
    // not the test class path's copy
    assertThat(driverClass).isNotSameAs(io.strata.jdbc.StrataDriver.class);
    ClassLoader loader = driverClass.getClassLoader();
    for (String hostClass : List.of("com.fasterxml.jackson.databind.ObjectMapper",
        "com.google.protobuf.Message", "org.apache.calcite.avatica.remote.Driver",
        "org.apache.hc.client5.http.impl.classic.CloseableHttpClient",
        "org.slf4j.LoggerFactory", "org.joou.ULong")) {
      assertThatThrownBy(() -> Class.forName(hostClass, false, loader))
          .as(hostClass).isInstanceOf(ClassNotFoundException.class);
    }
    for (String shadedClass : List.of(
        "io.strata.jdbc.shaded.com.fasterxml.jackson.databind.ObjectMapper",
        "io.strata.jdbc.shaded.com.google.protobuf.Message",
        "io.strata.jdbc.shaded.org.apache.calcite.avatica.remote.Driver",
        "io.strata.jdbc.shaded.org.apache.hc.client5.http.impl.classic.CloseableHttpClient",
        "io.strata.jdbc.shaded.org.slf4j.LoggerFactory")) {
      assertThat(Class.forName(shadedClass, false, loader).getClassLoader()).isSameAs(loader);
    }
    assertThat(driverClass.getSuperclass().getName())
        .isEqualTo("io.strata.jdbc.shaded.org.apache.calcite.avatica.remote.Driver");
  }

  @Test void driverIdentity() throws Exception {
    assertThat(shaded.driver.acceptsURL("jdbc:strata://localhost")).isTrue();
    assertThat(shaded.driver.acceptsURL("jdbc:avatica:remote:url=http://localhost")).isFalse();
    String version = System.getProperty("project.version", "0.1.0-SNAPSHOT");
    String[] parts = version.replaceAll("-.*", "").split("\\.");
    assertThat(shaded.driver.getMajorVersion()).isEqualTo(Integer.parseInt(parts[0]));
    assertThat(shaded.driver.getMinorVersion()).isEqualTo(Integer.parseInt(parts[1]));
    try (Connection c = connect()) {
      DatabaseMetaData md = c.getMetaData();
      assertThat(md.getDriverName()).isEqualTo("Strata JDBC Driver");
      assertThat(md.getDriverVersion()).isEqualTo(version);
      // Avatica reports the product from the client driver, not the server
      assertThat(md.getDatabaseProductName()).isEqualTo("Strata");
      assertThat(md.getDatabaseProductVersion()).isEqualTo(version);
    }
  }

  // --- connecting ---

  @Test void connectsWithUserAndPassword() throws Exception {
    try (Connection c = connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT 1 + 1")) {
      assertThat(c.isValid(5)).isTrue();
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(2);
      assertThat(c.getMetaData().getURL()).isEqualTo(protobuf.url());
    }
  }

  @Test void credentialsInTheUrl() throws Exception {
    String url = protobuf.url() + "?user=" + StockAvaticaServer.USER + "&password="
        + URLEncoder.encode(StockAvaticaServer.PASSWORD, StandardCharsets.UTF_8).replace("+", "%20");
    try (Connection c = shaded.connect(url, new Properties());
        ResultSet rs = c.createStatement().executeQuery("SELECT 'ok'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("ok");
      assertThat(c.getMetaData().getURL()).contains("password=***")
          .doesNotContain("s3cret");
    }
  }

  @Test void wrongPasswordIsRefused() {
    assertThatThrownBy(() -> shaded.connect(protobuf.url(), StockAvaticaServer.USER, "wrong"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("Authentication failed")
        .hasMessageContaining("user 'alice'")
        .hasMessageContaining("401")
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"));
  }

  @Test void credentialsAreSentWithTheFirstRequest() throws Exception {
    int before = protobuf.authorizationSchemes.size();
    try (Connection c = connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT 1")) {
      assertThat(rs.next()).isTrue();
    }
    // pre-emptive: no request went out without credentials first to collect a 401 challenge
    assertThat(protobuf.authorizationSchemes.subList(before,
        protobuf.authorizationSchemes.size())).isNotEmpty().containsOnly("Basic");
  }

  @Test void tokenIsSentAsBearer() {
    int before = protobuf.authorizationSchemes.size();
    // the stock server only knows Basic, so the token is refused; but it was sent as Bearer
    assertThatThrownBy(() -> shaded.connect(protobuf.url() + "?token=abc.def.ghi",
        new Properties()))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("Authentication failed")
        .hasMessageContaining("for the token")
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"));
    assertThat(protobuf.authorizationSchemes.get(before)).isEqualTo("Bearer");
  }

  @Test void missingCredentialsAreRefused() {
    assertThatThrownBy(() -> shaded.connect(protobuf.url(), null, null))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("Authentication failed")
        .hasMessageContaining("no credentials");
  }

  @Test void badUrlIsAClearSqlException() {
    assertThatThrownBy(() -> shaded.connect("jdbc:strata://localhost:notaport", "a", "b"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("port 'notaport' is not a number");
  }

  // --- data ---

  @Test void valuesOfSeveralTypesRoundTrip() throws Exception {
    roundTripTypes(connect());
  }

  @Test void valuesRoundTripWithJsonSerialization() throws Exception {
    String url = "jdbc:strata://localhost:" + json.port() + "?serialization=json";
    roundTripTypes(shaded.connect(url, StockAvaticaServer.USER, StockAvaticaServer.PASSWORD));
  }

  private static void roundTripTypes(Connection connection) throws Exception {
    try (Connection c = connection; Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT ID, NAME, QTY, BIG, PRICE, RATIO, D, TS, FLAG"
            + " FROM ALL_TYPES ORDER BY ID")) {
      ResultSetMetaData md = rs.getMetaData();
      assertThat(md.getColumnCount()).isEqualTo(9);
      assertThat(md.getColumnType(2)).isEqualTo(Types.VARCHAR);
      assertThat(md.getColumnType(3)).isEqualTo(Types.INTEGER);
      assertThat(md.getColumnType(4)).isEqualTo(Types.BIGINT);
      assertThat(md.getColumnType(5)).isEqualTo(Types.DECIMAL);
      assertThat(md.getScale(5)).isEqualTo(2);
      assertThat(md.getColumnType(6)).isEqualTo(Types.DOUBLE);
      assertThat(md.getColumnType(7)).isEqualTo(Types.DATE);
      assertThat(md.getColumnType(8)).isEqualTo(Types.TIMESTAMP);
      assertThat(md.getColumnType(9)).isEqualTo(Types.BOOLEAN);

      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt("ID")).isEqualTo(1);
      assertThat(rs.getString("NAME")).isEqualTo("héllo wörld ✓");
      assertThat(rs.getInt("QTY")).isEqualTo(42);
      assertThat(rs.getLong("BIG")).isEqualTo(9007199254740993L);
      assertThat(rs.getBigDecimal("PRICE")).isEqualByComparingTo(new BigDecimal("12345.67"));
      assertThat(rs.getDouble("RATIO")).isEqualTo(0.125);
      assertThat(rs.getDate("D")).isEqualTo(Date.valueOf("2024-02-29"));
      assertThat(rs.getTimestamp("TS")).isEqualTo(Timestamp.valueOf("2024-02-29 13:45:30.123"));
      assertThat(rs.getBoolean("FLAG")).isTrue();
      assertThat(rs.getObject("QTY")).isEqualTo(42);
      assertThat(rs.getObject("BIG")).isEqualTo(9007199254740993L);
      assertThat(rs.getObject("FLAG")).isEqualTo(Boolean.TRUE);

      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt("ID")).isEqualTo(2);
      for (String column : List.of("NAME", "QTY", "BIG", "PRICE", "RATIO", "D", "TS", "FLAG")) {
        assertThat(rs.getObject(column)).as(column).isNull();
      }
      assertThat(rs.getInt("QTY")).isZero();
      assertThat(rs.wasNull()).isTrue();

      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt("QTY")).isEqualTo(-7);
      assertThat(rs.getLong("BIG")).isEqualTo(-1L);
      assertThat(rs.getBigDecimal("PRICE")).isEqualByComparingTo(new BigDecimal("-0.01"));
      assertThat(rs.getDouble("RATIO")).isEqualTo(-1.5E300);
      assertThat(rs.getDate("D")).isEqualTo(Date.valueOf("1969-12-31"));
      assertThat(rs.getTimestamp("TS")).isEqualTo(Timestamp.valueOf("1999-12-31 23:59:59.999"));
      assertThat(rs.getBoolean("FLAG")).isFalse();
      assertThat(rs.next()).isFalse();
    }
  }

  @Test void largeResultArrivesCompletelyInLargeFrames() throws Exception {
    protobuf.meta.fetchSizes.clear();
    try (Connection c = connect(); Statement st = c.createStatement()) {
      assertThat(st.getFetchSize()).isEqualTo(10_000);
      long rows = 0;
      long sum = 0;
      long last = 0;
      try (ResultSet rs = st.executeQuery(
          "SELECT X, CAST(X AS VARCHAR) AS S FROM SYSTEM_RANGE(1, 20000) ORDER BY X")) {
        while (rs.next()) {
          rows++;
          sum += rs.getLong(1);
          last = rs.getLong(1);
          assertThat(rs.getString(2)).isEqualTo(Long.toString(last));
        }
      }
      assertThat(rows).isEqualTo(20_000);
      assertThat(sum).isEqualTo(20_000L * 20_001L / 2);
      assertThat(last).isEqualTo(20_000);
    }
    // the stock server sends a first frame of up to 100 rows; every further frame is asked for
    // with the driver's 10,000-row fetch size (Avatica's default would be 100)
    assertThat(protobuf.meta.fetchSizes).isNotEmpty().allMatch(n -> n == 10_000);
  }

  @Test void fetchSizeCanBeChosen() throws Exception {
    protobuf.meta.fetchSizes.clear();
    try (Connection c = shaded.connect(protobuf.url() + "?fetchSize=2500",
        StockAvaticaServer.USER, StockAvaticaServer.PASSWORD);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT X FROM SYSTEM_RANGE(1, 6000)")) {
      int rows = 0;
      while (rs.next()) {
        rows++;
      }
      assertThat(rows).isEqualTo(6000);
    }
    assertThat(protobuf.meta.fetchSizes).isNotEmpty().allMatch(n -> n == 2500);
  }

  @Test void preparedStatementWithParameters() throws Exception {
    try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
        "SELECT ID, NAME FROM ALL_TYPES WHERE QTY > ? AND PRICE < ? AND D <= ? AND FLAG = ?"
            + " ORDER BY ID")) {
      assertThat(ps.getParameterMetaData().getParameterCount()).isEqualTo(4);
      ps.setInt(1, 0);
      ps.setBigDecimal(2, new BigDecimal("99999.99"));
      ps.setDate(3, Date.valueOf("2030-01-01"));
      ps.setBoolean(4, true);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(1);
        assertThat(rs.getString(2)).isEqualTo("héllo wörld ✓");
        assertThat(rs.next()).isFalse();
      }
      // re-executed with other values
      ps.setInt(1, -100);
      ps.setBoolean(4, false);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(3);
        assertThat(rs.next()).isFalse();
      }
    }
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement("SELECT ? || '!', CAST(? AS BIGINT) + 1")) {
      ps.setString(1, "strata");
      ps.setLong(2, 41L);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("strata!");
        assertThat(rs.getLong(2)).isEqualTo(42L);
      }
    }
  }

  @Test void databaseMetaDataGetTables() throws Exception {
    try (Connection c = connect()) {
      DatabaseMetaData md = c.getMetaData();
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = md.getTables(null, "PUBLIC", "%", new String[] {"TABLE", "BASE TABLE"})) {
        while (rs.next()) {
          tables.add(rs.getString("TABLE_NAME"));
        }
      }
      assertThat(tables).contains("ALL_TYPES");
      List<String> columns = new ArrayList<>();
      try (ResultSet rs = md.getColumns(null, "PUBLIC", "ALL_TYPES", "%")) {
        while (rs.next()) {
          columns.add(rs.getString("COLUMN_NAME"));
        }
      }
      assertThat(columns).containsExactly("ID", "NAME", "QTY", "BIG", "PRICE", "RATIO", "D",
          "TS", "FLAG");
      try (ResultSet rs = md.getSchemas()) {
        List<String> schemas = new ArrayList<>();
        while (rs.next()) {
          schemas.add(rs.getString("TABLE_SCHEM"));
        }
        assertThat(schemas).contains("PUBLIC");
      }
    }
  }

  // --- cancel ---

  @Test void cancelStopsAQueryBlockedInAnotherThread() throws Exception {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      String marker = "7 -- plain " + System.nanoTime();
      Future<Throwable> running = executor.submit(() -> {
        try (ResultSet rs = st.executeQuery(SLOW_SQL + marker)) {
          rs.next();
          return null;
        } catch (Throwable t) {
          return t;
        }
      });
      awaitRunningOnServer(marker);
      assertCancelReachesServer(c, st, running);
      // the statement stays usable
      try (ResultSet rs = st.executeQuery("SELECT 5")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(5);
      }
    }
  }

  @Test void cancelStopsAPreparedStatementBlockedInAnotherThread() throws Exception {
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement(SLOW_SQL + "? -- prepared")) {
      ps.setInt(1, 7);
      Future<Throwable> running = executor.submit(() -> {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return null;
        } catch (Throwable t) {
          return t;
        }
      });
      awaitRunningOnServer("-- prepared");
      assertCancelReachesServer(c, ps, running);
    }
  }

  @Test void cancelWhenNothingRunsIsHarmless() throws Exception {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      st.cancel();
      try (ResultSet rs = st.executeQuery("SELECT 6")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(6);
      }
    }
  }

  private static void assertCancelReachesServer(Connection c, Statement st,
      Future<Throwable> running) throws Exception {
    int before = protobuf.cancelCalls.size();
    long t0 = System.nanoTime();
    st.cancel(); // must not wait for the running query (Avatica's own cancel would)
    long cancelMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(cancelMillis).isLessThan(10_000);

    Throwable failure = running.get(30, TimeUnit.SECONDS);
    assertThat(failure).isInstanceOf(SQLException.class);
    assertThat(failure).hasMessageContaining("cancel");

    assertThat(protobuf.cancelCalls).hasSize(before + 1);
    CancelCall call = protobuf.cancelCalls.get(before);
    assertThat(call.authorizationScheme).isEqualTo("Basic");
    assertThat(call.remoteUser).isEqualTo(StockAvaticaServer.USER);
    assertThat(call.connectionId).isEqualTo(ShadedDriver.connectionId(c));
    assertThat(call.statementId).isEqualTo(ShadedDriver.statementId(st));
    assertThat(call.cancelled).isTrue();
  }

  /** Waits until H2 is executing a statement containing {@code marker}. */
  private static void awaitRunningOnServer(String marker) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    try (Connection h2 = StockAvaticaServer.h2();
        PreparedStatement ps = h2.prepareStatement("SELECT COUNT(*) FROM"
            + " INFORMATION_SCHEMA.SESSIONS WHERE EXECUTING_STATEMENT LIKE ?"
            + " AND SESSION_ID <> SESSION_ID()")) { // not this polling query itself
      ps.setString(1, "%" + marker + "%");
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getInt(1) > 0) {
            return;
          }
        }
        Thread.sleep(50);
      }
    }
    throw new AssertionError("the slow query never started on the server");
  }
}
