package io.strata.benchmarks.e2e;

import io.strata.benchmarks.Machine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The Flight SQL fast path against a running Strata server, each figure beside its baseline
 * from the same run (issue 18): an L1 hit at one client and cached queries/s at many clients,
 * served pre-encoded (the default) against the decoded path (the {@code strata-flight-path:
 * decoded} call header keeps it callable: the entry decoded into vectors and encoded again);
 * a cached large result both ways, and with ZSTD bodies sent as stored to a client that accepts
 * them ({@code strata-ipc-compression: zstd}); the same result uncached against a direct JDBC
 * read of the same DuckDB table.
 *
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -cp benchmarks.jar:... \
 *   io.strata.benchmarks.e2e.FlightPath --http-port 8080 --flight-port 8815 --password PW \
 *   [--rows 1000000] [--dir /tmp/flightpath] [--seconds 5] [--clients 1,32] [--hits 2000]
 * </pre>
 *
 * <p>It creates a DuckDB table of {@code rows} rows in {@code dir}, registers it as the data
 * source {@code flightpath} with the model {@code flightpath_big}, and reads a copy of the file
 * for the direct baseline. The server needs {@code strata.query.max-rows} above {@code rows} and
 * {@code strata.cache.max-entry-bytes} above the result's size (about 30 MB per million rows)
 * for the large result to be cached.
 */
public final class FlightPath {
  static final String HIT_SQL =
      "SELECT status, MEASURE(count) FROM semantic.orders GROUP BY status ORDER BY status";
  static final String MODEL = """
      name: flightpath_big
      data_source: flightpath
      table: main.t
      dimensions:
        - { name: id, type: number }
        - { name: k, type: number }
        - { name: price, type: number }
        - { name: label, type: string }
      measures:
        - { name: count, agg: count }
      """;

  private FlightPath() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    String host = o.getOrDefault("host", "127.0.0.1");
    int httpPort = Integer.parseInt(o.getOrDefault("http-port", "8080"));
    int flightPort = Integer.parseInt(o.getOrDefault("flight-port", "8815"));
    String user = o.getOrDefault("user", "admin");
    String password = o.get("password");
    if (password == null) {
      throw new IllegalArgumentException("--password is required (the admin user's)");
    }
    long rows = Long.parseLong(o.getOrDefault("rows", "1000000"));
    Path dir = Path.of(o.getOrDefault("dir", "/tmp/flightpath"));
    double seconds = Double.parseDouble(o.getOrDefault("seconds", "5"));
    int hits = Integer.parseInt(o.getOrDefault("hits", "2000"));
    int[] clients = java.util.Arrays.stream(o.getOrDefault("clients", "1,32").split(","))
        .mapToInt(Integer::parseInt).toArray();
    String only = o.getOrDefault("only", "hit,load,large,uncached");

    System.out.println("# Flight SQL fast path, " + java.time.Instant.now());
    System.out.println(Machine.describe());
    System.out.println("load: " + uptime());
    Path table = setUp(dir, rows, new StrataApi("http://" + host + ":" + httpPort, user,
        password));
    BigQuery big = new BigQuery(rows);
    try (BufferAllocator allocator = new RootAllocator()) {
      Map<String, String> fast = Map.of();
      Map<String, String> decoded = Map.of("strata-flight-path", "decoded");
      BenchQuery hit = new BenchQuery("hit", null, HIT_SQL, null);
      if (only.contains("hit")) {
        System.out.println("\n## L1 hit, one client (" + hits + " queries each, after as many"
            + " to warm up)\n\n| path | p50 ms | p99 ms | mean ms | vs decoded |\n|---|---:|---:|---:|---:|");
        Stats d = latency(allocator, host, flightPort, user, password, decoded, hit, hits);
        Stats f = latency(allocator, host, flightPort, user, password, fast, hit, hits);
        row("decoded (baseline)", d, d);
        row("pre-encoded", f, d);
      }
      if (only.contains("load")) {
        System.out.println("\n## Cached queries/s (" + seconds + " s per cell)\n\n| clients |"
            + " path | queries/s | p50 ms | p99 ms | vs decoded |\n|---:|---|---:|---:|---:|---:|");
        for (int c : clients) {
          double[] d = load(allocator, host, flightPort, user, password, decoded, hit, c, seconds);
          double[] f = load(allocator, host, flightPort, user, password, fast, hit, c, seconds);
          System.out.printf(Locale.ROOT, "| %d | decoded (baseline) | %,.0f | %.2f | %.2f | 1.00x |%n",
              c, d[0], d[1], d[2]);
          System.out.printf(Locale.ROOT, "| %d | pre-encoded | %,.0f | %.2f | %.2f | %.2fx |%n",
              c, f[0], f[1], f[2], f[0] / d[0]);
        }
      }
      if (only.contains("large")) {
        System.out.println("\n## Cached " + rows + "-row result (FlightSqlClient)\n\n| path |"
            + " p50 ms | rows/s | MB/s | vs decoded |\n|---|---:|---:|---:|---:|");
        double[] d = large(allocator, host, flightPort, user, password, decoded, big.semantic(), "on");
        row2("decoded (baseline)", d, d);
        row2("pre-encoded", large(allocator, host, flightPort, user, password, fast,
            big.semantic(), "on"), d);
        row2("pre-encoded, ZSTD bodies as stored", large(allocator, host, flightPort, user,
            password, Map.of("strata-ipc-compression", "zstd"), big.semantic(), "on"), d);
      }
      if (only.contains("uncached")) {
        System.out.println("\n## Uncached " + rows + "-row result (cache bypassed)\n\n| client |"
            + " p50 ms | rows/s | MB/s | vs direct JDBC |\n|---|---:|---:|---:|---:|");
        Path copy = dir.resolve("direct.duckdb");
        Files.copy(table, copy, StandardCopyOption.REPLACE_EXISTING);
        double[] direct;
        try (JdbcClient c = JdbcClient.direct(Warehouses.duckDbReadOnly(copy))) {
          direct = timed(c, big.semantic(), 3);
        }
        row2("direct JDBC (DuckDB)", direct, direct);
        row2("Flight SQL, semantic table", large(allocator, host, flightPort, user, password,
            fast, big.semantic(), "bypass"), direct);
        row2("Flight SQL, data source table", large(allocator, host, flightPort, user, password,
            fast, big.raw(), "bypass"), direct);
      }
    }
    System.out.println("\nload after: " + uptime());
  }

  /** The large result as Strata's semantic table and as the data source's own table. */
  record BigQuery(long rows) {
    BenchQuery semantic() {
      return new BenchQuery("big", null, "SELECT id, k, price, label FROM semantic.flightpath_big",
          "SELECT id, k, price, label FROM t");
    }

    BenchQuery raw() {
      return new BenchQuery("big raw", null,
          "SELECT id, k, price, label FROM flightpath.main.t", "SELECT id, k, price, label FROM t");
    }
  }

  private static Path setUp(Path dir, long rows, StrataApi api) throws Exception {
    Files.createDirectories(dir);
    Path file = dir.resolve("flightpath-" + rows + ".duckdb");
    if (!Files.exists(file)) {
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file);
          Statement st = c.createStatement()) {
        st.execute("CREATE TABLE t AS SELECT range AS id, CAST(range % 7 AS INTEGER) AS k,"
            + " range * 0.25 AS price, 'row-' || (range % 1000) AS label FROM range(" + rows + ")");
      }
    }
    StrataApi.Answer a = api.postJson("/api/v1/datasources", Map.of("name", "flightpath",
        "kind", "duckdb", "url", "jdbc:duckdb:" + file.toAbsolutePath()));
    if (a.status() / 100 != 2 && a.status() != 409) {
      throw new IllegalStateException("registering the data source: " + a);
    }
    StrataApi.ok(api.send("PUT", "/api/v1/models/flightpath_big", "application/yaml", MODEL),
        "saving the model");
    return file;
  }

  private static FlightClient client(BufferAllocator allocator, String host, int port,
      String user, String password, Map<String, String> headers, String cache) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    return new FlightClient(allocator, host, port, user, password, cache, h);
  }

  private static Stats latency(BufferAllocator allocator, String host, int port, String user,
      String password, Map<String, String> headers, BenchQuery q, int n) throws Exception {
    try (FlightClient c = client(allocator, host, port, user, password, headers, null)) {
      for (int i = 0; i < n; i++) {
        c.run(q);
      }
      List<Long> nanos = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        long t = System.nanoTime();
        c.run(q);
        nanos.add(System.nanoTime() - t);
      }
      return Stats.ofNanos(nanos);
    }
  }

  /** queries/s, p50 ms, p99 ms of {@code clients} threads for {@code seconds}. */
  private static double[] load(BufferAllocator allocator, String host, int port, String user,
      String password, Map<String, String> headers, BenchQuery q, int clients, double seconds)
      throws Exception {
    List<FlightClient> open = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      for (int i = 0; i < clients; i++) {
        FlightClient c = client(allocator, host, port, user, password, headers, null);
        open.add(c);
        c.run(q);
      }
      CountDownLatch go = new CountDownLatch(1);
      long[] start = new long[1];
      List<Future<List<Long>>> futures = new ArrayList<>();
      for (FlightClient c : open) {
        futures.add(pool.submit(() -> {
          go.await();
          long warm = start[0] + (long) (1e9);
          long end = warm + (long) (seconds * 1e9);
          List<Long> lat = new ArrayList<>();
          while (true) {
            long s = System.nanoTime();
            if (s >= end) {
              break;
            }
            c.run(q);
            if (s >= warm) {
              lat.add(System.nanoTime() - s);
            }
          }
          return lat;
        }));
      }
      start[0] = System.nanoTime();
      go.countDown();
      List<Long> all = new ArrayList<>();
      for (Future<List<Long>> f : futures) {
        all.addAll(f.get());
      }
      Stats s = Stats.ofNanos(all);
      return new double[] {all.size() / seconds, s.p50(), s.p99()};
    } finally {
      pool.shutdownNow();
      for (FlightClient c : open) {
        c.close();
      }
    }
  }

  /** p50 ms, rows/s, MB/s (of Arrow buffer bytes) of reading the large result. */
  private static double[] large(BufferAllocator allocator, String host, int port, String user,
      String password, Map<String, String> headers, BenchQuery q, String cache) throws Exception {
    try (FlightClient c = client(allocator, host, port, user, password, headers, cache)) {
      return timed(c, q, 3);
    }
  }

  private static double[] timed(QueryClient c, BenchQuery q, int n) throws Exception {
    RunResult first = c.run(q); // warm (and, cached, stores the entry)
    List<Long> nanos = new ArrayList<>();
    RunResult r = first;
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      r = c.run(q);
      nanos.add(System.nanoTime() - t);
    }
    Stats s = Stats.ofNanos(nanos);
    double secs = s.p50() / 1000;
    long bytes = r.bytes() > 0 ? r.bytes() : first.bytes();
    return new double[] {s.p50(), r.rows() / secs, bytes > 0 ? bytes / secs / 1e6 : Double.NaN};
  }

  private static void row(String name, Stats s, Stats base) {
    System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.2fx |%n", name, s.p50(),
        s.p99(), s.mean(), base.p50() / s.p50());
  }

  private static void row2(String name, double[] v, double[] base) {
    System.out.printf(Locale.ROOT, "| %s | %.1f | %,.0f | %s | %.2fx |%n", name, v[0], v[1],
        Double.isNaN(v[2]) ? "—" : String.format(Locale.ROOT, "%.0f", v[2]), v[1] / base[1]);
  }

  private static String uptime() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
