package io.strata.benchmarks;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.strata.server.StrataServer;
import io.strata.server.avatica.AvaticaEndpoint;
import io.strata.server.flight.FlightEndpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
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
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * A million rows of six columns (BIGINT, INTEGER, VARCHAR, INTEGER, DOUBLE, TIMESTAMP) read
 * through JDBC from one Strata server in the benchmark's process (over loopback HTTP and gRPC,
 * the demo DuckDB behind it), every value read with {@code getObject}:
 *
 * <ul>
 *   <li>{@code client=strata}: the {@code jdbc:strata:} driver (Avatica protobuf frames written
 *       from Arrow, decoded from the protobuf bytes, the next frame prefetched);
 *   <li>{@code client=flight-jdbc}: the stock Arrow Flight SQL JDBC driver, the baseline in the
 *       same run.
 * </ul>
 *
 * <p>{@code cache=on}: after the first read every read is a results-cache (L1) hit, so the time
 * is the endpoint's encoding, the transfer and the client's decoding; {@code cache=bypass}: every
 * read also runs the warehouse query. {@link #main} prints rows/s per client and the
 * {@code jdbc:strata:} / Flight SQL JDBC ratio. The drivers are left out of benchmarks.jar:
 * {@code java --add-opens=java.base/java.nio=ALL-UNNAMED -cp
 * "benchmarks/target/classes:benchmarks/target/lib/*" io.strata.benchmarks.JdbcReadBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "-Darrow.allocation.manager.type=Netty"})
public class JdbcReadBenchmark {
  static final long ROWS = 1_000_000;
  static final String PASSWORD = "bench-admin-password-1";
  static final String MODEL = """
      name: wide
      data_source: demo
      sql: >
        SELECT x AS id, CAST(x % 7 AS INTEGER) AS line_no, 'product-' || (x % 1000) AS product,
          CAST(x % 5 + 1 AS INTEGER) AS quantity, (x % 10000) / 100.0 AS unit_price,
          TIMESTAMP '2024-01-01' + x * INTERVAL 1 SECOND AS ordered_at
        FROM UNNEST(generate_series(0, %d)) AS a(x)
      dimensions:
        - { name: id, type: number }
        - { name: line_no, type: number }
        - { name: product, type: string }
        - { name: quantity, type: number }
        - { name: unit_price, type: number }
        - { name: ordered_at, type: time }
      measures:
        - { name: count, agg: count }
      """.formatted(ROWS - 1);
  static final String SQL = "SELECT id, line_no, product, quantity, unit_price, ordered_at"
      + " FROM semantic.wide";

  @Param({"strata", "flight-jdbc"})
  public String client;

  @Param({"on", "bypass"})
  public String cache;

  private Path dir;
  private ApplicationContext server;
  private Connection connection;

  @Setup
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("strata-jdbc-read");
    Map<String, Object> props = new HashMap<>();
    props.put("micronaut.server.port", -1);
    props.put("strata.data-dir", dir.toString());
    props.put("strata.admin.password", PASSWORD);
    props.put("strata.demo.scale", "0.02");
    props.put("strata.jdbc.port", 0);
    props.put("strata.flight.port", 0);
    props.put("strata.pgwire.port", 0);
    props.put("strata.query.max-rows", Long.toString(2 * ROWS));
    props.put("strata.cache.max-entry-bytes", "512MB");
    props.put("strata.cache.l1.max-bytes", "1GB");
    server = StrataServer.start(props);
    putModel();
    connection = connect();
    long read = read(); // fills the cache (cache=on); checks the count
    if (read != ROWS) {
      throw new IllegalStateException("read " + read + " rows, expected " + ROWS);
    }
  }

  private void putModel() throws Exception {
    URI base = server.getBean(EmbeddedServer.class).getURI();
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            base.resolve("/api/v1/models/wide"))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
            ("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
        .header("Content-Type", "application/yaml")
        .PUT(HttpRequest.BodyPublishers.ofString(MODEL)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("PUT /api/v1/models/wide: " + r.statusCode() + " "
          + r.body());
    }
  }

  private Connection connect() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "admin");
    p.setProperty("password", PASSWORD);
    return switch (client) {
      case "strata" -> {
        p.setProperty("strata_cache", cache);
        yield DriverManager.getConnection("jdbc:strata://127.0.0.1:"
            + server.getBean(AvaticaEndpoint.class).port(), p);
      }
      case "flight-jdbc" -> DriverManager.getConnection("jdbc:arrow-flight-sql://127.0.0.1:"
          + server.getBean(FlightEndpoint.class).port() + "?useEncryption=false&strata_cache="
          + cache, p);
      default -> throw new IllegalArgumentException("client " + client);
    };
  }

  @TearDown
  public void tearDown() throws Exception {
    if (connection != null) {
      connection.close();
    }
    if (server != null) {
      server.close();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  /** Reads every row, every column with getObject; the number of rows. */
  @Benchmark
  public long read() throws SQLException {
    long rows = 0;
    long nonNull = 0;
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(SQL)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= columns; i++) {
          if (rs.getObject(i) != null) {
            nonNull++;
          }
        }
        rows++;
      }
    }
    if (nonNull != rows * 6) {
      throw new IllegalStateException(nonNull + " non-null values in " + rows + " rows");
    }
    return rows;
  }

  /** Runs the benchmark and prints rows/s per client and cache mode, and the ratio. */
  public static void main(String[] args) throws Exception {
    Collection<RunResult> results = new Runner(new OptionsBuilder()
        .include(JdbcReadBenchmark.class.getName()).build()).run();
    Map<String, Double> rowsPerSecond = new TreeMap<>();
    for (RunResult r : results) {
      double msPerRead = r.getPrimaryResult().getScore();
      String key = r.getParams().getParam("cache") + " " + r.getParams().getParam("client");
      rowsPerSecond.put(key, ROWS / (msPerRead / 1000.0));
    }
    System.out.println();
    for (String cache : new String[] {"on", "bypass"}) {
      Double strata = rowsPerSecond.get(cache + " strata");
      Double flight = rowsPerSecond.get(cache + " flight-jdbc");
      if (strata == null || flight == null) {
        continue;
      }
      System.out.printf("cache=%-6s jdbc:strata: %,12.0f rows/s   Flight SQL JDBC %,12.0f rows/s"
          + "   ratio %.2fx%n", cache, strata, flight, strata / flight);
    }
  }
}
