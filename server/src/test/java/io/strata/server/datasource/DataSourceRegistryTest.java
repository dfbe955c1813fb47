package io.strata.server.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strata.semantic.dialect.Dialect;
import io.strata.server.query.TestSupport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The registry against real DuckDB, Postgres and MariaDB, plus closed ports and absent drivers. */
class DataSourceRegistryTest {
  DataSourceRegistry registry;

  @BeforeAll
  static void quiet() {
  }

  @BeforeEach
  void setUp() {
    registry = new DataSourceRegistry();
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  static long scalar(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static String text(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  // ---- configuration -----------------------------------------------------------------------

  @Test
  void anInvalidSpecIsRefusedWithEveryProblem() {
    DataSourceSpec bad = new DataSourceSpec("Bad Name", DataSourceKind.DUCKDB,
        "jdbc:postgresql://h/d", null, null, null,
        PoolSettings.defaults().withMaxSize(0));
    DataSourceException e = catchThrowableOfType(DataSourceException.class,
        () -> registry.put(bad));
    assertThat(e.code()).isEqualTo(DataSourceException.Code.INVALID_CONFIG);
    assertThat(e.dataSource()).isEqualTo("Bad Name");
    assertThat(e.getMessage()).startsWith("data source 'Bad Name' is invalid: ")
        .contains("lower-case letter").contains("must start with jdbc:duckdb:")
        .contains("between 1 and 200");
    assertThat(registry.names()).isEmpty();
  }

  @Test
  void unknownNamesAreReportedWithTheKnownOnes() {
    assertThat(catchThrowableOfType(DataSourceException.class, () -> registry.connect("x")))
        .hasMessage("unknown data source 'x' (known: none)");
    registry.put(DataSourceSpec.of("warehouse", DataSourceKind.POSTGRES, "jdbc:postgresql://h/d"));
    registry.put(DataSourceSpec.of("lake", DataSourceKind.DUCKDB, "jdbc:duckdb:"));
    DataSourceException e = catchThrowableOfType(DataSourceException.class,
        () -> registry.dialect("sales"));
    assertThat(e.code()).isEqualTo(DataSourceException.Code.UNKNOWN_DATA_SOURCE);
    assertThat(e.dataSource()).isEqualTo("sales");
    assertThat(e).hasMessage("unknown data source 'sales' (known: lake, warehouse)");
    assertThat(registry.names()).containsExactly("lake", "warehouse");
    assertThat(registry.dialect("warehouse")).isEqualTo(Dialect.POSTGRES);
    assertThat(registry.dialect("lake")).isEqualTo(Dialect.DUCKDB);
    assertThat(registry.spec("lake")).map(DataSourceSpec::url).contains("jdbc:duckdb:");
    assertThat(registry.spec("sales")).isEmpty();
    registry.remove("lake");
    registry.remove("lake"); // idempotent
    assertThat(registry.names()).containsExactly("warehouse");
  }

  // ---- DuckDB ------------------------------------------------------------------------------

  @Test
  void anInMemoryDuckDbIsOneDatabaseForAllPooledConnections() throws Exception {
    registry.put(DataSourceSpec.of("mem", DataSourceKind.DUCKDB, "jdbc:duckdb:"));
    try (Connection a = registry.connect("mem"); Connection b = registry.connect("mem")) {
      assertThat(a).isNotSameAs(b);
      try (Statement st = a.createStatement()) {
        st.execute("CREATE TABLE t AS SELECT range AS i FROM range(10)");
      }
      assertThat(scalar(b, "SELECT count(*) FROM t")).isEqualTo(10);
      assertThat(text(b, "SELECT current_setting('jdbc_stream_results')")).isEqualTo("true");
      assertThat(a.unwrap(DuckDBConnection.class)).isInstanceOf(DuckDBConnection.class);
    }
    try (Connection c = registry.connect("mem")) {
      assertThat(scalar(c, "SELECT count(*) FROM t")).isEqualTo(10);
    }
    // a different in-memory data source is a different database
    registry.put(DataSourceSpec.of("other", DataSourceKind.DUCKDB, "jdbc:duckdb:"));
    try (Connection c = registry.connect("other")) {
      assertThatThrownBy(() -> scalar(c, "SELECT count(*) FROM t"))
          .isInstanceOf(SQLException.class).hasMessageContaining("t");
    }
  }

  @Test
  void aDuckDbFileServesManyConnectionsAtOnce() throws Exception {
    DataSourceSpec spec = TestSupport.duckdbSpec("demo")
        .withPool(PoolSettings.defaults().withMaxSize(4));
    registry.put(spec);
    long expected;
    // a connection opened outside the pool, on the same file, at the same time
    try (Connection outside = TestSupport.connect(spec)) {
      expected = scalar(outside, "SELECT count(*) FROM retail.orders");
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<Long>> counts = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
          counts.add(pool.submit(() -> {
            try (Connection c = registry.connect("demo")) {
              return scalar(c, "SELECT count(*) FROM retail.orders o JOIN retail.customers c"
                  + " ON o.customer_id = c.customer_id");
            }
          }));
        }
        for (Future<Long> f : counts) {
          assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(expected);
        }
      } finally {
        pool.shutdownNow();
      }
    }
    assertThat(expected).isPositive();
  }

  // ---- Postgres and MariaDB ----------------------------------------------------------------

  @Test
  void postgresAndMariadbThroughTheirPools() throws Exception {
    registry.put(TestSupport.postgresSpec("pg"));
    DataSourceSpec maria = TestSupport.mariadbSpec("maria");
    registry.put(maria);
    try (Connection c = registry.connect("pg")) {
      assertThat(scalar(c, "SELECT 1")).isEqualTo(1);
      assertThat(text(c, "SELECT current_setting('application_name')")).isEqualTo("strata");
    }
    try (Connection c = registry.connect("maria")) {
      assertThat(scalar(c, "SELECT 1")).isEqualTo(1);
      assertThat(text(c, "SELECT DATABASE()")).isEqualTo(TestSupport.DATABASE);
    }
    // MariaDB Connector/J takes jdbc:mysql: only with permitMysqlScheme; the registry adds it
    DataSourceSpec mysqlScheme = new DataSourceSpec("mysql_scheme", DataSourceKind.MYSQL,
        maria.url().replace("jdbc:mariadb:", "jdbc:mysql:"), maria.user(), maria.password(),
        null, null);
    assertThat(mysqlScheme.url()).startsWith("jdbc:mysql:");
    registry.put(mysqlScheme);
    try (Connection c = registry.connect("mysql_scheme")) {
      assertThat(scalar(c, "SELECT 2")).isEqualTo(2);
    }
    assertThat(registry.test(mysqlScheme).ok()).isTrue();
  }

  @Test
  void exhaustedPoolsReportWhatIsGoingOn() throws Exception {
    registry.put(TestSupport.postgresSpec("pg").withPool(
        PoolSettings.defaults().withMaxSize(1).withConnectionTimeout(Duration.ofMillis(500))));
    Connection first = registry.connect("pg");
    try {
      long t0 = System.nanoTime();
      DataSourceException e = catchThrowableOfType(DataSourceException.class,
          () -> registry.connect("pg"));
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(400L, 2500L);
      assertThat(e.code()).isEqualTo(DataSourceException.Code.UNAVAILABLE);
      assertThat(e).hasMessage("data source 'pg' is unavailable: all 1 connections are in use"
          + " and none was returned within 500ms");
    } finally {
      first.close();
      first.close(); // closing twice is harmless
      assertThat(first.isClosed()).isTrue();
    }
    try (Connection again = registry.connect("pg")) {
      assertThat(scalar(again, "SELECT 1")).isEqualTo(1);
    }
  }

  // ---- failures ----------------------------------------------------------------------------

  @Test
  void aMissingDriverIsNamedWithWhereToGetIt() {
    registry.put(DataSourceSpec.of("snow", DataSourceKind.SNOWFLAKE,
        "jdbc:snowflake://acme.snowflakecomputing.com/"));
    registry.put(DataSourceSpec.of("bq", DataSourceKind.BIGQUERY,
        "jdbc:bigquery://https://www.googleapis.com/bigquery/v2:443;ProjectId=p"));
    registry.put(DataSourceSpec.of("rs", DataSourceKind.REDSHIFT,
        "jdbc:redshift://cluster:5439/dev"));
    for (String name : List.of("snow", "bq", "rs")) {
      DataSourceKind kind = registry.spec(name).orElseThrow().kind();
      long t0 = System.nanoTime();
      DataSourceException e = catchThrowableOfType(DataSourceException.class,
          () -> registry.connect(name));
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1000);
      assertThat(e.code()).isEqualTo(DataSourceException.Code.DRIVER_MISSING);
      assertThat(e.dataSource()).isEqualTo(name);
      assertThat(e.getMessage()).startsWith("data source '" + name + "' needs the " + kind.id()
              + " JDBC driver (" + kind.driverClass())
          .contains("which is not installed").endsWith(kind.driverHint());
    }
  }

  @Test
  void aClosedPortIsUnavailableWithinTheTimeoutAndTheNextCallTriesAgain() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    DataSourceSpec real = TestSupport.postgresSpec("real");
    Matcher hostPort = Pattern.compile("//([^/:?]+):(\\d+)/").matcher(real.url());
    assertThat(hostPort.find()).as("host and port in " + real.url()).isTrue();
    DataSourceSpec viaPort = new DataSourceSpec("flaky", DataSourceKind.POSTGRES,
        real.url().replace(hostPort.group(0), "//127.0.0.1:" + port + "/"), real.user(),
        real.password(), null,
        PoolSettings.defaults().withConnectionTimeout(Duration.ofSeconds(1)));
    registry.put(viaPort);
    for (int i = 0; i < 2; i++) {
      long t0 = System.nanoTime();
      DataSourceException e = catchThrowableOfType(DataSourceException.class,
          () -> registry.connect("flaky"));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(e.code()).isEqualTo(DataSourceException.Code.UNAVAILABLE);
      assertThat(e.getMessage()).startsWith("data source 'flaky' is unavailable: ")
          .contains("refused");
      assertThat(ms).isBetween(900L, 2500L);
    }
    // the warehouse comes up on that port: the same data source works, no restart needed
    try (Forwarder f = new Forwarder(port, hostPort.group(1),
        Integer.parseInt(hostPort.group(2)))) {
      try (Connection c = registry.connect("flaky")) {
        assertThat(scalar(c, "SELECT 1")).isEqualTo(1);
      }
    }
  }

  @Test
  void wrongCredentialsAreUnavailableWithTheWarehousesReason() throws Exception {
    DataSourceSpec maria = TestSupport.mariadbSpec("maria");
    registry.put(maria.withCredentials("strata_no_such_user", "wrong")
        .withPool(PoolSettings.defaults().withConnectionTimeout(Duration.ofSeconds(1))));
    long t0 = System.nanoTime();
    DataSourceException e = catchThrowableOfType(DataSourceException.class,
        () -> registry.connect("maria"));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2500);
    assertThat(e.code()).isEqualTo(DataSourceException.Code.UNAVAILABLE);
    assertThat(e.getMessage()).startsWith("data source 'maria' is unavailable: ")
        .contains("Access denied").contains("strata_no_such_user").doesNotContain("wrong");
    // fixed configuration: works at once
    registry.put(maria);
    try (Connection c = registry.connect("maria")) {
      assertThat(scalar(c, "SELECT 1")).isEqualTo(1);
    }
  }

  @Test
  void replacingADataSourceRetiresItsPoolOnceBorrowedConnectionsReturn() throws Exception {
    DataSourceSpec base = TestSupport.postgresSpec("pg");
    DataSourceSpec old = base.withProperties(Map.of("ApplicationName", "strata_test_old"));
    DataSourceSpec next = base.withProperties(Map.of("ApplicationName", "strata_test_new"));
    registry.put(old);
    try (Connection watcher = TestSupport.connect(base)) {
      String sessions = "SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s'";
      Connection borrowed = registry.connect("pg");
      registry.put(next);
      assertThat(scalar(borrowed, "SELECT 1")).as("a borrowed connection keeps working")
          .isEqualTo(1);
      try (Connection fresh = registry.connect("pg")) {
        assertThat(text(fresh, "SELECT current_setting('application_name')"))
            .isEqualTo("strata_test_new");
      }
      assertThat(scalar(watcher, sessions.formatted("strata_test_old"))).isEqualTo(1);
      borrowed.close();
      awaitCount(watcher, sessions.formatted("strata_test_old"), 0);
      assertThat(scalar(watcher, sessions.formatted("strata_test_new"))).isEqualTo(1);
      registry.remove("pg");
      awaitCount(watcher, sessions.formatted("strata_test_new"), 0);
    }
    assertThat(catchThrowableOfType(DataSourceException.class, () -> registry.connect("pg"))
        .code()).isEqualTo(DataSourceException.Code.UNKNOWN_DATA_SOURCE);
  }

  static void awaitCount(Connection c, String sql, long expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    long n;
    do {
      n = scalar(c, sql);
      if (n == expected) {
        return;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    assertThat(n).as(sql).isEqualTo(expected);
  }

  // ---- connection tests --------------------------------------------------------------------

  @Test
  void testingAConnectionReportsTheProductOrTheProblem() throws Exception {
    ConnectionTest duck = registry.test(DataSourceSpec.of("mem", DataSourceKind.DUCKDB,
        "jdbc:duckdb:"));
    assertThat(duck.ok()).as(String.valueOf(duck.error())).isTrue();
    assertThat(duck.product()).isEqualTo("DuckDB");
    assertThat(duck.version()).isNotBlank();

    ConnectionTest pg = registry.test(TestSupport.postgresSpec("pg"));
    assertThat(pg.ok()).isTrue();
    assertThat(pg.product()).isEqualTo("PostgreSQL");
    assertThat(pg.error()).isNull();
    assertThat(pg.millis()).isGreaterThanOrEqualTo(0);
    assertThat(registry.names()).as("testing does not register").isEmpty();

    ConnectionTest maria = registry.test(TestSupport.mariadbSpec("maria"));
    assertThat(maria.ok()).isTrue();
    assertThat(maria.product()).isIn("MariaDB", "MySQL");

    long t0 = System.nanoTime();
    ConnectionTest closed = registry.test(new DataSourceSpec("closed", DataSourceKind.POSTGRES,
        "jdbc:postgresql://127.0.0.1:1/x", "postgres", null, null,
        PoolSettings.defaults().withConnectionTimeout(Duration.ofSeconds(1))));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(3000);
    assertThat(closed.ok()).isFalse();
    assertThat(closed.error()).contains("refused");
    assertThat(closed.product()).isNull();

    ConnectionTest badPassword = registry.test(TestSupport.mariadbSpec("maria")
        .withCredentials("strata_no_such_user", "wrong"));
    assertThat(badPassword.ok()).isFalse();
    assertThat(badPassword.error()).contains("strata_no_such_user");

    ConnectionTest noDriver = registry.test(DataSourceSpec.of("snow", DataSourceKind.SNOWFLAKE,
        "jdbc:snowflake://acme.snowflakecomputing.com/"));
    assertThat(noDriver.ok()).isFalse();
    assertThat(noDriver.error()).contains("net.snowflake.client.jdbc.SnowflakeDriver")
        .contains("drivers/");

    ConnectionTest invalid = registry.test(DataSourceSpec.of("x", DataSourceKind.POSTGRES,
        "jdbc:duckdb:"));
    assertThat(invalid.ok()).isFalse();
    assertThat(invalid.error()).startsWith("invalid configuration: ");

    ConnectionTest badSql = registry.test(DataSourceSpec.of("x", DataSourceKind.DUCKDB,
        "jdbc:duckdb:").withProperties(Map.of("no_such_duckdb_option", "1")));
    assertThat(badSql.ok()).isFalse();
    assertThat(badSql.error()).contains("no_such_duckdb_option");
  }

  /** A TCP port forwarder: the warehouse "comes up" on a port that was closed. */
  static final class Forwarder implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Socket> sockets = new ArrayList<>();

    Forwarder(int port, String host, int targetPort) throws IOException {
      server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
      threads.submit(() -> {
        while (!server.isClosed()) {
          try {
            Socket in = server.accept();
            Socket out = new Socket(host, targetPort);
            synchronized (sockets) {
              sockets.add(in);
              sockets.add(out);
            }
            threads.submit(() -> pipe(in, out));
            threads.submit(() -> pipe(out, in));
          } catch (IOException e) {
            return null;
          }
        }
        return null;
      });
    }

    private static Void pipe(Socket from, Socket to) {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        in.transferTo(out);
      } catch (IOException e) {
        // one side closed
      }
      return null;
    }

    @Override
    public void close() throws IOException {
      server.close();
      synchronized (sockets) {
        for (Socket s : sockets) {
          s.close();
        }
      }
      threads.shutdownNow();
    }
  }
}
