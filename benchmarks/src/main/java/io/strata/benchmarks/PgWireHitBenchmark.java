package io.strata.benchmarks;

import io.micronaut.context.ApplicationContext;
import io.strata.server.StrataServer;
import io.strata.server.pgwire.PgWireEndpoint;
import io.strata.server.sql.SqlService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * An L1 hit over the Postgres wire with pgjdbc, against a whole Strata server started in this
 * JVM ({@link StrataServer#start}: the embedded demo on DuckDB at scale 0.02, the results cache
 * at its defaults, L1 only), every call answered from L1 after the first. Sampled, so JMH
 * reports p50/p90/p99 per benchmark.
 *
 * <ul>
 *   <li>{@code statement}: {@code Statement.executeQuery} of the "Revenue by region" chart in
 *       SQL, as the e2e harness's pgjdbc client runs it (pgjdbc's defaults: unnamed statements
 *       for the first uses, then a named server-side statement: Bind, Execute, Sync);
 *   <li>{@code unnamed}: the same with {@code prepareThreshold=0}: Parse, Bind, Describe,
 *       Execute and Sync of an unnamed statement every time (node-postgres, Npgsql, pgjdbc in a
 *       pooler-safe configuration);
 *   <li>{@code describeThenExecute}: a new {@code PreparedStatement} with a parameter whose
 *       {@code getParameterMetaData()} is read before it runs (a round trip of Parse, Describe
 *       statement and Sync, then the execution), as BI tools do for a statement they show;
 *   <li>{@code simple}: {@code preferQueryMode=simple}, one Query message (psql's protocol).
 * </ul>
 *
 * <p>{@code fastPath=false} describes every statement again, validating it
 * ({@link SqlService#rememberDescriptions}), as the endpoint did before descriptions were kept
 * in the statement cache: the baseline, in the same run.
 *
 * <p>Needs the DuckDB driver on the class path (it is left out of benchmarks.jar):
 * {@code java --add-opens=java.base/java.nio=ALL-UNNAMED -cp
 * "benchmarks/target/classes:benchmarks/target/lib/*" org.openjdk.jmh.Main PgWireHitBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "--add-opens=java.base/java.nio=ALL-UNNAMED"})
public class PgWireHitBenchmark {
  static final String PASSWORD = "bench-secret-1";
  static final String SQL = "SELECT region, MEASURE(revenue) AS revenue FROM semantic.sales"
      + " WHERE ordered_at >= TIMESTAMP '2024-01-01 00:00:00'"
      + " AND ordered_at < TIMESTAMP '2025-01-01 00:00:00' GROUP BY region ORDER BY 2 DESC";
  static final String PREPARED = "SELECT status, MEASURE(count) AS n FROM semantic.orders"
      + " WHERE channel = $1 GROUP BY status ORDER BY status";

  @Param({"true", "false"})
  public boolean fastPath;

  private Path dir;
  private ApplicationContext server;
  private Connection standard;
  private Connection unnamed;
  private Connection simple;

  @Setup
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("strata-pgwire-bench");
    Map<String, Object> props = new HashMap<>();
    props.put("micronaut.server.port", -1);
    props.put("strata.data-dir", dir.toString());
    props.put("strata.admin.password", PASSWORD);
    props.put("strata.demo.scale", "0.02");
    props.put("strata.jdbc.port", 0);
    props.put("strata.flight.port", 0);
    props.put("strata.pgwire.port", 0);
    // nothing else runs beside the measured queries: no job workers (warm-up, thumbnails), no
    // rollup builds, no other endpoints
    props.put("strata.workers.enabled", "false");
    props.put("strata.rollups.enabled", "false");
    props.put("strata.jdbc.enabled", "false");
    props.put("strata.flight.enabled", "false");
    server = StrataServer.start(props);
    server.getBean(SqlService.class).rememberDescriptions(fastPath);
    int port = server.getBean(PgWireEndpoint.class).port();
    standard = connect(port, Map.of());
    unnamed = connect(port, Map.of("prepareThreshold", "0"));
    simple = connect(port, Map.of("preferQueryMode", "simple"));
    // the first call of each misses and fills L1
    statement();
    unnamed();
    describeThenExecute();
    simple();
  }

  private static Connection connect(int port, Map<String, String> extra) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "admin");
    p.setProperty("password", PASSWORD);
    extra.forEach(p::setProperty);
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/strata", p);
  }

  @TearDown
  public void tearDown() throws Exception {
    for (Connection c : new Connection[] {standard, unnamed, simple}) {
      if (c != null) {
        c.close();
      }
    }
    server.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public long statement() throws SQLException {
    try (Statement st = standard.createStatement()) {
      return read(st.executeQuery(SQL));
    }
  }

  @Benchmark
  public long unnamed() throws SQLException {
    try (Statement st = unnamed.createStatement()) {
      return read(st.executeQuery(SQL));
    }
  }

  @Benchmark
  public long describeThenExecute() throws SQLException {
    try (PreparedStatement ps = unnamed.prepareStatement(PREPARED.replace("$1", "?"))) {
      long types = ps.getParameterMetaData().getParameterType(1);
      ps.setString(1, "web");
      return read(ps.executeQuery()) + types;
    }
  }

  @Benchmark
  public long simple() throws SQLException {
    try (Statement st = simple.createStatement()) {
      return read(st.executeQuery(SQL));
    }
  }

  /** Reads every value, as a BI tool does. */
  private static long read(ResultSet rs) throws SQLException {
    try (rs) {
      int columns = rs.getMetaData().getColumnCount();
      long n = 0;
      while (rs.next()) {
        for (int i = 1; i <= columns; i++) {
          if (rs.getObject(i) != null) {
            n++;
          }
        }
      }
      if (n == 0) {
        throw new IllegalStateException("no rows: the benchmark's query must return some");
      }
      return n;
    }
  }
}
