package io.strata.benchmarks.e2e;

import io.strata.demo.LoadResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.duckdb.DuckDBConnection;

/**
 * The end-to-end comparative benchmark: {@code benchmarks/run-e2e [--quick] [--scale S]
 * [--out DIR]} (see {@link Options} and the README's Benchmarks section).
 *
 * <p>One run generates the retail demo into a DuckDB file and a Postgres database, starts two
 * Strata servers through {@code bin/strata serve} (A with L1 and L2; B with L1 off, sharing A's
 * metadata database and Redis, so that its hits are L2 hits), and measures, each figure beside
 * its baseline from the same run: the demo dashboard's queries direct on the warehouse versus
 * Strata miss, L1 hit and L2 hit over REST, Avatica JDBC and Flight SQL; the throughput of a
 * 1M-row result; cached queries under 1 to 64 concurrent clients. It writes {@code e2e.md},
 * {@code e2e.json} and {@code e2e.svg}. It reports timings and never asserts them; a section
 * that fails is reported as an error row and the run goes on.
 */
public final class E2e {
  static final String ADMIN = "admin";
  static final String PROTO_REST = "REST";
  static final String PROTO_AVATICA = "Avatica JDBC";
  static final String PROTO_FLIGHT = "Flight SQL";
  static final String PROTO_PGWIRE = "Postgres wire";
  /** REST driven by Debian's wrk (concurrency only). */
  static final String PROTO_REST_WRK = "REST (wrk)";
  /** Server A keeps results this large, so the large result can be read from the cache too. */
  static final String CACHED_ENTRY_BYTES = "256MB";
  /** Avatica with Strata's own driver (the stock driver is {@link #PROTO_AVATICA}). */
  static final String PROTO_STRATA_JDBC = "jdbc:strata:";
  static final List<String> PROTOCOLS = List.of(PROTO_REST, PROTO_AVATICA, PROTO_FLIGHT,
      PROTO_PGWIRE, PROTO_STRATA_JDBC);
  static final String DIRECT = "direct";
  static final String MISS = "miss";
  static final String L1 = "L1 hit";
  static final String L2 = "L2 hit";
  static final long HIT_SERIES_NANOS = 20_000_000_000L;

  /** Untimed hits before each protocol's hit series: 5 s, or 0.5 s in a quick run. */
  private long hitWarmupNanos() {
    return options.quick() ? 500_000_000L : 5_000_000_000L;
  }
  // not retail.duckdb: DuckDB names the catalog after the file, and a catalog "retail" makes
  // the schema "retail" ambiguous
  static final String SERVER_DUCKDB_FILE = "warehouse.duckdb";

  private final Options options;
  private final Report report;
  private final String password = "bench-" + UUID.randomUUID();
  private final BufferAllocator allocator = new RootAllocator();

  private E2e(Options options) {
    this.options = options;
    this.report = new Report(options);
  }

  public static void main(String[] args) {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("run-e2e: " + e.getMessage());
      System.err.println(Options.USAGE);
      System.exit(2);
      return;
    }
    if (o == null) {
      System.out.println(Options.USAGE);
      return;
    }
    try {
      new E2e(o).run();
      System.exit(0);
    } catch (Exception e) {
      System.err.println("run-e2e: " + message(e));
      e.printStackTrace();
      System.exit(1);
    }
  }

  static String message(Throwable e) {
    String m = e.getMessage();
    Throwable c = e.getCause();
    if (c != null && c != e && c.getMessage() != null && (m == null || !m.contains(c.getMessage()))) {
      m = (m == null ? "" : m + ": ") + c.getMessage();
    }
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.strip());
  }

  static void log(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[e2e %s] %s%n",
        DateTimeFormatter.ISO_LOCAL_TIME.format(Instant.now().atOffset(ZoneOffset.UTC)).substring(0, 8),
        String.format(Locale.ROOT, format, args));
    System.out.flush();
  }

  private void run() throws Exception {
    long start = System.nanoTime();
    String runId = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").format(Instant.now().atOffset(ZoneOffset.UTC))
        + "_" + ProcessHandle.current().pid();
    log("run %s: %s", runId, options);
    Warehouses.Postgres pg = Warehouses.postgres();
    String redisUri = Warehouses.redis();
    StrataProcess.requireBuilt(options.root());
    Files.createDirectories(options.work());

    // ---- data
    Path duckFile = options.work().resolve(String.format(Locale.ROOT, "retail-scale-%s.duckdb",
        Options.fmt(options.scale())));
    log("loading the retail demo at scale %s into %s ...", Options.fmt(options.scale()), duckFile);
    LoadResult duckLoad = Warehouses.loadDuckDb(duckFile, options.scale(), options.reload());
    log("DuckDB: %s in %.1f s", duckLoad.loaded() ? "loaded" : "already there", seconds(duckLoad));
    log("loading into Postgres database %s ...", options.pgDatabase());
    LoadResult pgLoad = Warehouses.loadPostgres(pg, options.pgDatabase(), options.scale(), options.reload());
    log("Postgres: %s in %.1f s", pgLoad.loaded() ? "loaded" : "already there", seconds(pgLoad));
    long duckItems;
    try (Connection c = Warehouses.duckDbReadOnly(duckFile)) {
      duckItems = Warehouses.orderItems(c);
    }
    long pgItems;
    try (Connection c = pg.connect(options.pgDatabase())) {
      pgItems = Warehouses.orderItems(c);
    }
    report.data("duckdb", duckFile.toString(), duckItems, duckLoad);
    report.data("postgres", pg.url(options.pgDatabase()), pgItems, pgLoad);

    // ---- servers: A (L1 + L2) and B (L2 only), one metadata database, one Redis prefix
    String metaDb = "strata_bench_meta_" + runId;
    for (String stale : pg.databases("strata_bench_meta_")) {
      if (pg.dropDatabase(stale)) {
        log("dropped %s, left by an earlier run", stale);
      }
    }
    pg.createDatabaseIfMissing(metaDb);
    String prefix = "strata-bench:" + runId + ":";
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("strata.demo.enabled", "false");
    settings.put("strata.admin.password", password);
    settings.put("strata.metadata.url", pg.url(metaDb));
    if (pg.user() != null) {
      settings.put("strata.metadata.user", pg.user());
    }
    if (pg.password() != null) {
      settings.put("strata.metadata.password", pg.password());
    }
    settings.put("strata.models.poll-interval", "1s");
    settings.put("strata.query.max-rows", Long.toString(Math.max(2_000_000, options.largeRows() * 2)));
    settings.put("strata.query.timeout", options.quick() ? "60s" : "600s");
    settings.put("strata.cache.redis.uri", redisUri);
    // the throughput section caches its large result (1M rows are about 40 MB of Arrow)
    settings.put("strata.cache.l1.max-bytes", "1GB");
    // both servers share the metadata database, so they must share the key of its secrets
    byte[] secretKey = new byte[32];
    new java.security.SecureRandom().nextBytes(secretKey);
    settings.put("strata.secret.key", java.util.Base64.getEncoder().encodeToString(secretKey));
    settings.put("strata.cache.redis.prefix", prefix);
    // A and B measure the warehouse through Strata: no rollup answers for them (the rollups
    // section's server R has them on)
    settings.put("strata.rollups.enabled", "false");
    settings.put("strata.cache.max-entry-bytes", CACHED_ENTRY_BYTES);
    report.settings(settings, password);
    String metaDbR = metaDb + "_r";
    String rollupSchema = "strata_rollups_" + runId;

    Path serverDirs = options.work().resolve("servers-" + runId);
    StrataProcess a = null;
    StrataProcess b = null;
    StrataProcess r = null;
    try {
      log("starting Strata A (L1 + L2) through bin/strata serve ...");
      a = StrataProcess.start(options.root(), "A", withDuckDbCopy(serverDirs.resolve("a"), duckFile),
          settings, options.heap());
      log("Strata A (pid %d): http %d, jdbc %d, flight %d, pgwire %d", a.pid(), a.httpPort,
          a.jdbcPort, a.flightPort, a.pgwirePort);
      a.awaitHealthy(Duration.ofSeconds(300));
      // B starts once A has created the metadata schema and the admin user, and boots while
      // A is being set up
      if (options.runs(Options.DASHBOARD)) {
        Map<String, String> settingsB = new LinkedHashMap<>(settings);
        settingsB.put("strata.cache.l1.max-bytes", "0");
        log("starting Strata B (L1 off, same Redis and metadata) ...");
        b = StrataProcess.start(options.root(), "B", withDuckDbCopy(serverDirs.resolve("b"), duckFile),
            settingsB, options.heap());
      }
      if (options.runs(Options.ROLLUPS)) {
        // R boots after A (on a loaded machine, JVMs booting together all boot slowly); its
        // own metadata database, so that neither A nor B (rollups off) picks up its build jobs
        pg.createDatabaseIfMissing(metaDbR);
        Map<String, String> settingsR = new LinkedHashMap<>(settings);
        settingsR.put("strata.metadata.url", pg.url(metaDbR));
        settingsR.put("strata.rollups.enabled", "true");
        settingsR.put("strata.rollups.check-interval", "2s");
        settingsR.put("strata.cache.redis.prefix", prefix + "r:");
        log("starting Strata R (rollups on, its own metadata database) ...");
        r = StrataProcess.start(options.root(), "R", withDuckDbCopy(serverDirs.resolve("r"), duckFile),
            settingsR, options.heap());
        log("Strata R (pid %d): http %d", r.pid(), r.httpPort);
      }
      StrataApi apiA = new StrataApi(a.baseUrl(), ADMIN, password);
      Map<String, Object> duck = new LinkedHashMap<>();
      duck.put("name", "demo");
      duck.put("kind", "duckdb");
      duck.put("url", "jdbc:duckdb:" + SERVER_DUCKDB_FILE);
      duck.put("poolSize", 16);
      apiA.createDataSource(duck);
      Map<String, Object> pgSource = new LinkedHashMap<>();
      pgSource.put("name", "demo_pg");
      pgSource.put("kind", "postgres");
      pgSource.put("url", pg.url(options.pgDatabase()));
      if (pg.user() != null) {
        pgSource.put("username", pg.user());
      }
      if (pg.password() != null) {
        pgSource.put("password", pg.password());
      }
      pgSource.put("poolSize", 16);
      apiA.createDataSource(pgSource);
      Map<String, String> models = new LinkedHashMap<>(QuerySet.models("", "demo"));
      models.putAll(QuerySet.models(QuerySet.PG_PREFIX, "demo_pg"));
      apiA.pushModels(models);

      StrataApi apiB = null;
      if (b != null) {
        log("Strata B (pid %d): waiting for it to be healthy ...", b.pid());
        b.awaitHealthy(Duration.ofSeconds(300));
        apiB = new StrataApi(b.baseUrl(), ADMIN, password);
        long until = System.nanoTime() + 60_000_000_000L;
        while (!apiB.hasModel(QuerySet.PG_PREFIX + "sales") && System.nanoTime() < until) {
          Thread.sleep(250);
        }
        report.cacheStats("B before", apiB.cacheStats());
      }
      report.cacheStats("A before", apiA.cacheStats());
      // R gets its models when its section starts: its builds would load the machine under
      // the other sections' measurements. A quick run, whose figures mean little, has R build
      // while the other sections run, to keep it short.
      Map<String, Object> pgR = new LinkedHashMap<>(pgSource);
      if (options.pgRollupStore().equals("source")) {
        pgR.put("properties", Map.of("rollup_schema", rollupSchema));
      }
      RollupSection rollups = r == null ? null : new RollupSection(options);
      if (rollups != null && options.quick() && !options.sections().equals(List.of(Options.ROLLUPS))) {
        r.awaitHealthy(Duration.ofSeconds(300));
        setUpRollupServer(rollups, r, List.of(duck, pgR));
      }

      if (options.runs(Options.DUCKDB)) {
        dashboard("duckdb", "", a, b, apiA, () -> Warehouses.duckDbReadOnly(duckFile));
      }
      if (options.runs(Options.POSTGRES)) {
        dashboard("postgres", QuerySet.PG_PREFIX, a, b, apiA, () -> pg.connect(options.pgDatabase()));
      }
      if (options.runs(Options.THROUGHPUT)) {
        throughput(a, duckFile, duckItems);
      }
      if (options.runs(Options.CONCURRENCY)) {
        concurrency(a, duckFile, apiA);
      }
      if (rollups != null) {
        r.awaitHealthy(Duration.ofSeconds(300));
        report.rollups(rollups);
        if (rollups.api == null) {
          setUpRollupServer(rollups, r, List.of(duck, pgR));
        }
        rollups(rollups, a, r);
      }

      report.cacheStats("A after", apiA.cacheStats());
      if (apiB != null) {
        report.cacheStats("B after", apiB.cacheStats());
      }
    } finally {
      if (r != null) {
        r.close();
        if (!pg.dropDatabase(metaDbR)) {
          log("could not drop %s now; the next run drops it", metaDbR);
        }
        if (options.pgRollupStore().equals("source")) {
          dropSchema(pg, rollupSchema);
        }
      }
      if (b != null) {
        b.close();
      }
      if (a != null) {
        a.close();
      }
      if (!pg.dropDatabase(metaDb)) {
        log("could not drop %s now; the next run drops it", metaDb);
      }
      try (Redis redis = new Redis(redisUri)) {
        long n = redis.deletePrefix(prefix);
        report.note("Redis keys the run left under its prefix, deleted afterwards: " + n);
      } catch (IOException e) {
        log("could not delete the run's Redis keys (%s): %s", prefix, e.getMessage());
      }
      if (!options.keepServerDirs()) {
        deleteTree(serverDirs);
      }
      allocator.close();
    }
    report.elapsed((System.nanoTime() - start) / 1e9);
    report.write(options.out());
    log("wrote the report%s%s into %s", options.writesE2e() ? " (e2e.md, e2e.json, e2e.svg)" : "",
        options.runs(Options.ROLLUPS) ? " and rollups.md, rollups.json" : "", options.out());
  }

  /** The rollups section: waits for R's builds, then the dashboard raw (A) vs rollup (R). */
  /** Registers the data sources and models on R, which then builds their rollups. */
  private void setUpRollupServer(RollupSection section, StrataProcess r,
      List<Map<String, Object>> dataSources) throws Exception {
    section.loadBefore = RollupSection.loadAverage();
    StrataApi apiR = new StrataApi(r.baseUrl(), ADMIN, password);
    for (Map<String, Object> ds : dataSources) {
      apiR.createDataSource(ds);
    }
    Map<String, String> models = new LinkedHashMap<>(QuerySet.models("", "demo"));
    Map<String, String> pgModels = QuerySet.models(QuerySet.PG_PREFIX, "demo_pg");
    models.putAll(options.pgRollupStore().equals("source")
        ? RollupSection.withSourceStore(pgModels) : pgModels);
    section.pushedAt = System.nanoTime();
    apiR.pushModels(models);
    log("Strata R: models pushed; it builds their rollups (Postgres store: %s)",
        options.pgRollupStore());
    section.api = apiR;
  }

  private void rollups(RollupSection section, StrataProcess a, StrataProcess r) throws Exception {
    StrataApi apiR = section.api;
    int expected = 0;
    for (String yaml : QuerySet.models("", "demo").values()) {
      expected += RollupSection.declaredRollups(yaml);
    }
    expected *= 2; // the DuckDB models and their pg_ copies
    log("rollups: waiting for R to build %d rollups ...", expected);
    section.awaitBuilds(apiR, expected, Duration.ofMinutes(options.quick() ? 3 : 60));
    try {
      for (String[] w : new String[][] {{"duckdb", ""}, {"postgres", QuerySet.PG_PREFIX}}) {
        section.measure(w[0], w[1], new RestClient(a.baseUrl(), ADMIN, password, "no-cache"),
            new RestClient(r.baseUrl(), ADMIN, password, "no-cache"), apiR);
      }
      section.builds = apiR.rollups(); // as served while measured
    } finally {
      section.loadAfter = RollupSection.loadAverage();
    }
  }

  /** Drops the run's own rollup schema from the data's database (R is stopped by then). */
  private void dropSchema(Warehouses.Postgres pg, String schema) {
    try (Connection c = pg.connect(options.pgDatabase());
        java.sql.Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (SQLException e) {
      log("could not drop the rollup schema %s from %s: %s", schema, options.pgDatabase(),
          e.getMessage());
    }
  }

  /**
   * A DuckDB file is opened by one process at a time, and Strata cannot open one read-only (its
   * pool sets {@code readOnly=false} on each connection, which DuckDB refuses on a read-only
   * database). So each server gets its own copy, in its working directory, and the data source's
   * URL is that relative name: the one metadata database then serves both servers.
   */
  private static Path withDuckDbCopy(Path serverDir, Path duckFile) throws IOException {
    Files.createDirectories(serverDir);
    Files.copy(duckFile, serverDir.resolve(SERVER_DUCKDB_FILE),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return serverDir;
  }

  private static double seconds(LoadResult r) {
    return r.elapsed().toMillis() / 1000.0;
  }

  interface ConnectionSource {
    Connection open() throws SQLException;
  }

  interface ClientFactory {
    QueryClient open() throws Exception;
  }

  // ------------------------------------------------------------------ dashboard query set

  private void dashboard(String warehouse, String prefix, StrataProcess a, StrataProcess b,
      StrataApi api, ConnectionSource direct) throws Exception {
    log("%s: dashboard query set", warehouse);
    List<BenchQuery> queries = new ArrayList<>();
    for (BenchQuery q : QuerySet.dashboard(prefix)) {
      try {
        queries.add(q.withWarehouseSql(api.compiledSql(q.json())));
      } catch (Exception e) {
        Series s = new Series(warehouse, q.name(), "-", DIRECT);
        s.error = "compiling: " + message(e);
        report.add(s);
      }
    }
    Map<String, Series> series = new LinkedHashMap<>();
    for (BenchQuery q : queries) {
      series.put(key(q, "-", DIRECT), new Series(warehouse, q.name(), "-", DIRECT));
      for (String p : PROTOCOLS) {
        for (String m : List.of(MISS, L1, L2)) {
          series.put(key(q, p, m), new Series(warehouse, q.name(), p, m));
        }
      }
    }
    try (QueryClient d = JdbcClient.direct(direct.open());
        QueryClient restMiss = client(PROTO_REST, a, "no-cache");
        QueryClient avaMiss = client(PROTO_AVATICA, a, "refresh");
        QueryClient flightMiss = client(PROTO_FLIGHT, a, "refresh");
        QueryClient pgMiss = client(PROTO_PGWIRE, a, "refresh");
        QueryClient strataMiss = client(PROTO_STRATA_JDBC, a, "refresh")) {
      Map<String, QueryClient> miss = Map.of(PROTO_REST, restMiss, PROTO_AVATICA, avaMiss,
          PROTO_FLIGHT, flightMiss, PROTO_PGWIRE, pgMiss, PROTO_STRATA_JDBC, strataMiss);
      // warm-up (JIT, warehouse caches, pools), untimed; then direct and miss interleaved so
      // that the machine's noise falls on both alike
      for (BenchQuery q : queries) {
        series.get(key(q, "-", DIRECT)).run(d, q, false);
        for (String p : PROTOCOLS) {
          series.get(key(q, p, MISS)).run(miss.get(p), q, false);
        }
      }
      for (int i = 0; i < options.slowIterations(); i++) {
        for (BenchQuery q : queries) {
          series.get(key(q, "-", DIRECT)).run(d, q, true);
          for (String p : PROTOCOLS) {
            series.get(key(q, p, MISS)).run(miss.get(p), q, true);
          }
        }
        log("%s: direct and miss, round %d of %d", warehouse, i + 1, options.slowIterations());
      }
    }
    for (String[] phase : new String[][] {{L1, "A"}, {L2, "B"}}) {
      StrataProcess server = phase[1].equals("A") ? a : b;
      for (String p : PROTOCOLS) {
        try (QueryClient c = client(p, server, "on")) {
          for (BenchQuery q : queries) {
            series.get(key(q, p, phase[0])).run(c, q, false); // fills the cache
          }
          // a server in use is warm: hits, untimed, for a while (JIT compiles the hit path
          // after a few thousand calls, which 50 timed runs per chart never reach)
          long warm = System.nanoTime() + hitWarmupNanos();
          while (System.nanoTime() < warm) {
            for (BenchQuery q : queries) {
              series.get(key(q, p, phase[0])).run(c, q, false);
            }
          }
          for (BenchQuery q : queries) {
            Series s = series.get(key(q, p, phase[0]));
            // up to --hits runs, but no more than ~20 s per series once 3 are in: before the
            // cache exists (or when it misses) every "hit" is a warehouse query
            long t0 = System.nanoTime();
            for (int i = 0; i < options.hitIterations()
                && (i < 3 || System.nanoTime() - t0 < HIT_SERIES_NANOS); i++) {
              s.run(c, q, true);
            }
          }
        } catch (Exception e) {
          for (BenchQuery q : queries) {
            series.get(key(q, p, phase[0])).error = "connecting: " + message(e);
          }
        }
      }
      log("%s: %s done", warehouse, phase[0]);
    }
    // every client must have read what the warehouse returns
    for (BenchQuery q : queries) {
      long expected = series.get(key(q, "-", DIRECT)).rows;
      for (Series s : series.values()) {
        if (s.query.equals(q.name()) && s.error == null && s.rows != expected) {
          s.error = "returned " + s.rows + " rows, the warehouse " + expected;
        }
      }
    }
    series.values().forEach(report::add);
  }

  private static String key(BenchQuery q, String protocol, String mode) {
    return q.name() + "|" + protocol + "|" + mode;
  }

  private QueryClient client(String protocol, StrataProcess s, String cacheMode) throws Exception {
    return switch (protocol) {
      case PROTO_REST -> new RestClient(s.baseUrl(), ADMIN, password, cacheMode);
      case PROTO_AVATICA -> JdbcClient.avatica("127.0.0.1", s.jdbcPort, ADMIN, password, cacheMode);
      case PROTO_FLIGHT -> new FlightClient(allocator, "127.0.0.1", s.flightPort, ADMIN, password,
          cacheMode);
      case PROTO_STRATA_JDBC -> JdbcClient.strata("127.0.0.1", s.jdbcPort, ADMIN, password,
          cacheMode);
      case PROTO_PGWIRE -> JdbcClient.postgres("127.0.0.1", s.pgwirePort, ADMIN, password,
          cacheMode);
      default -> throw new IllegalArgumentException(protocol);
    };
  }

  // ------------------------------------------------------------------ large result

  private void throughput(StrataProcess a, Path duckFile, long available) {
    long rows = Math.min(options.largeRows(), available);
    String columns = "order_id, line_no, product_id, quantity, unit_price, discount";
    BenchQuery q = new BenchQuery("order_items, " + rows + " rows", null,
        "SELECT " + columns + " FROM demo.retail.order_items LIMIT " + rows,
        "SELECT " + columns + " FROM retail.order_items LIMIT " + rows);
    log("throughput: %,d rows (cache bypassed: every client reads the warehouse)", rows);
    Map<String, ClientFactory> clients = new LinkedHashMap<>();
    clients.put("direct JDBC (DuckDB)", () -> JdbcClient.direct(Warehouses.duckDbReadOnly(duckFile)));
    clients.put(PROTO_AVATICA + " (stock driver, protobuf)",
        () -> JdbcClient.avatica("127.0.0.1", a.jdbcPort, ADMIN, password, "bypass"));
    clients.put(PROTO_AVATICA + " (jdbc:strata: driver)",
        () -> JdbcClient.strata("127.0.0.1", a.jdbcPort, ADMIN, password, "bypass"));
    clients.put(PROTO_FLIGHT + " (FlightSqlClient)",
        () -> new FlightClient(allocator, "127.0.0.1", a.flightPort, ADMIN, password, "bypass"));
    clients.put(PROTO_FLIGHT + " JDBC (stock driver)",
        () -> JdbcClient.flightJdbc("127.0.0.1", a.flightPort, ADMIN, password, "bypass"));
    clients.put(PROTO_PGWIRE + " (pgjdbc)",
        () -> JdbcClient.postgres("127.0.0.1", a.pgwirePort, ADMIN, password, "bypass"));
    for (Map.Entry<String, ClientFactory> e : clients.entrySet()) {
      Series s = new Series("duckdb", q.name(), e.getKey(), "throughput");
      long bytes = -1;
      try (QueryClient c = e.getValue().open()) {
        s.run(c, q, false);
        for (int i = 0; i < options.largeIterations(); i++) {
          s.run(c, q, true);
        }
        if (c instanceof FlightClient f) {
          bytes = f.run(q).bytes();
        }
      } catch (Exception ex) {
        s.error = message(ex);
      }
      report.throughput(s, bytes);
      log("throughput: %s %s", e.getKey(), s.error == null ? s.stats().p50() + " ms" : s.error);
    }
    cachedThroughput(a, rows);
  }

  /**
   * As many rows from the results cache: a semantic query (raw-table SQL is not cached) whose
   * first run fills the cache on server A, which keeps entries that large
   * ({@link #CACHED_ENTRY_BYTES}); every timed run is a hit. With ZSTD bodies the stored record
   * batches go out over Flight as they are.
   */
  private void cachedThroughput(StrataProcess a, long rows) {
    BenchQuery q = new BenchQuery("order_items by line, " + rows + " rows, cached", null,
        "SELECT order_id, line_no, quantity, discount, MEASURE(revenue) AS revenue"
            + " FROM semantic.order_items GROUP BY 1, 2, 3, 4 LIMIT " + rows, null);
    log("throughput: %,d rows from the results cache", rows);
    Map<String, ClientFactory> clients = new LinkedHashMap<>();
    clients.put(CACHED + PROTO_FLIGHT + " (FlightSqlClient)",
        () -> new FlightClient(allocator, "127.0.0.1", a.flightPort, ADMIN, password, "on"));
    clients.put(CACHED + PROTO_FLIGHT + " (FlightSqlClient, ZSTD bodies as stored)",
        () -> new FlightClient(allocator, "127.0.0.1", a.flightPort, ADMIN, password, "on",
            Map.of("strata-ipc-compression", "zstd")));
    clients.put(CACHED + PROTO_FLIGHT + " JDBC (stock driver)",
        () -> JdbcClient.flightJdbc("127.0.0.1", a.flightPort, ADMIN, password, "on"));
    clients.put(CACHED + PROTO_AVATICA + " (jdbc:strata: driver)",
        () -> JdbcClient.strata("127.0.0.1", a.jdbcPort, ADMIN, password, "on"));
    clients.put(CACHED + PROTO_PGWIRE + " (pgjdbc)",
        () -> JdbcClient.postgres("127.0.0.1", a.pgwirePort, ADMIN, password, "on"));
    for (Map.Entry<String, ClientFactory> e : clients.entrySet()) {
      Series s = new Series("duckdb", q.name(), e.getKey(), "throughput");
      try (QueryClient c = e.getValue().open()) {
        s.run(c, q, false);
        for (int i = 0; i < options.largeIterations(); i++) {
          s.run(c, q, true);
        }
      } catch (Exception ex) {
        s.error = message(ex);
      }
      report.throughput(s, -1);
      log("throughput: %s %s", e.getKey(), s.error == null ? s.stats().p50() + " ms" : s.error);
    }
  }

  /** The prefix of a large-result series read from the results cache. */
  static final String CACHED = "cached: ";

  // ------------------------------------------------------------------ concurrency

  private void concurrency(StrataProcess a, Path duckFile, StrataApi api) throws Exception {
    BenchQuery base = QuerySet.dashboard("").stream()
        .filter(q -> q.name().equals("Revenue by region")).findFirst().orElseThrow();
    BenchQuery q = base.withWarehouseSql(api.compiledSql(base.json()));
    report.concurrencyQuery(q);
    try (Connection root = Warehouses.duckDbReadOnly(duckFile)) {
      for (int clients : options.clients()) {
        Report.Load direct = load("direct JDBC (DuckDB)", clients, q,
            () -> JdbcClient.direct(root.unwrap(DuckDBConnection.class).duplicate()));
        report.concurrency(direct, null);
        for (String p : List.of(PROTO_FLIGHT, PROTO_REST)) {
          report.concurrency(load(p, clients, q, () -> client(p, a, "on")), direct);
        }
        // the Java clients above share the two cores with the server; wrk (C) costs far less
        report.concurrency(WrkLoad.available()
            ? WrkLoad.run(PROTO_REST_WRK, a.baseUrl(), ADMIN, password, q, clients,
                options.warmupSeconds(), options.durationSeconds())
            : new Report.Load(PROTO_REST_WRK, clients, 0, 0, Stats.EMPTY, 1,
                WrkLoad.WRK + " is missing: apt-get install -y wrk"), direct);
      }
    }
  }

  /** {@code clients} threads, each with its own client, running {@code q} for the set duration. */
  private Report.Load load(String protocol, int clients, BenchQuery q, ClientFactory factory) {
    List<QueryClient> open = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      for (int i = 0; i < clients; i++) {
        QueryClient c = factory.open();
        open.add(c);
        c.run(q); // warm: connection, JIT, and the cache entry
      }
      AtomicInteger errors = new AtomicInteger();
      String[] firstError = new String[1];
      long warmupNanos = (long) (options.warmupSeconds() * 1e9);
      long durationNanos = (long) (options.durationSeconds() * 1e9);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<long[]>> futures = new ArrayList<>();
      long[] window = new long[1];
      java.util.concurrent.atomic.AtomicLong lastFinish = new java.util.concurrent.atomic.AtomicLong();
      for (QueryClient c : open) {
        Callable<long[]> task = () -> {
          go.await();
          long t0 = window[0];
          long measureFrom = t0 + warmupNanos;
          long end = measureFrom + durationNanos;
          long[] lat = new long[1 << 16];
          int n = 0;
          // until the end of the window, and at least one measured query per client (a slow
          // query, as a miss is, would otherwise leave a short window empty)
          while (true) {
            long s = System.nanoTime();
            if (s >= end && n > 0) {
              break;
            }
            try {
              c.run(q);
            } catch (Exception e) {
              if (errors.getAndIncrement() == 0) {
                firstError[0] = message(e);
              }
              continue;
            }
            long f = System.nanoTime();
            lastFinish.accumulateAndGet(f, Math::max);
            if (s >= measureFrom) {
              if (n == lat.length) {
                lat = Arrays.copyOf(lat, n * 2);
              }
              lat[n++] = f - s;
            }
          }
          return Arrays.copyOf(lat, n);
        };
        futures.add(pool.submit(task));
      }
      window[0] = System.nanoTime();
      go.countDown();
      List<Long> all = new ArrayList<>();
      for (Future<long[]> f : futures) {
        for (long l : f.get()) {
          all.add(l);
        }
      }
      double measured = (lastFinish.get() - window[0] - warmupNanos) / 1e9;
      Stats st = Stats.ofNanos(all);
      log("concurrency: %-22s %2d clients: %,.0f q/s, p50 %.2f ms, p99 %.2f ms%s", protocol, clients,
          all.size() / measured, st.p50(), st.p99(), errors.get() > 0 ? ", errors " + errors.get() : "");
      return new Report.Load(protocol, clients, all.size(), measured, st, errors.get(), firstError[0]);
    } catch (Exception e) {
      return new Report.Load(protocol, clients, 0, 0, Stats.EMPTY, 1, message(e));
    } finally {
      pool.shutdownNow();
      for (QueryClient c : open) {
        try {
          c.close();
        } catch (Exception e) {
          // closing a client after the run; nothing to report
        }
      }
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log("could not delete %s: %s", dir, e.getMessage());
    }
  }
}
