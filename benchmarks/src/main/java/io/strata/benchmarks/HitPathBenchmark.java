package io.strata.benchmarks;

import io.strata.acceleration.cache.CacheSettings;
import io.strata.acceleration.cache.ResultCache;
import io.strata.demo.DemoData;
import io.strata.demo.DemoModels;
import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.model.ModelLoader;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.QueryJson;
import io.strata.server.datasource.DataSourceKind;
import io.strata.server.datasource.DataSourceRegistry;
import io.strata.server.datasource.DataSourceSpec;
import io.strata.server.query.QueryLimits;
import io.strata.server.query.QueryRequest;
import io.strata.server.query.QueryResult;
import io.strata.server.query.QueryService;
import io.strata.server.security.SecurityContext;
import io.strata.server.sql.PreparedSql;
import io.strata.server.sql.SqlCursor;
import io.strata.server.sql.SqlLimits;
import io.strata.server.sql.SqlService;
import io.strata.server.sql.SqlSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
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
 * An L1 hit through the server's one query path, in process (no network, no endpoint encoding):
 * the demo models over a small DuckDB demo, the results cache in its default configuration
 * (L1 only), every call answered from L1 after the first.
 *
 * <ul>
 *   <li>{@code queryService}: {@link QueryService#execute} of the "Revenue by region" chart's
 *       semantic query (what REST does per request, JSON parsing aside);
 *   <li>{@code sqlText}: {@link SqlService#execute(String, SqlSession)} of the same chart as a
 *       SQL statement (a JDBC/Flight SQL {@code Statement.executeQuery});
 *   <li>{@code sqlPrepared}: a prepared statement with two parameters, executed with its values
 *       (a JDBC {@code PreparedStatement} or Flight SQL prepared statement).
 * </ul>
 *
 * <p>{@code fastPath=false} turns the statement cache and the cached cache keys off: the
 * baseline in the same run.
 *
 * <p>Needs the DuckDB driver on the class path (it is left out of benchmarks.jar):
 * {@code java --add-opens=java.base/java.nio=ALL-UNNAMED -cp
 * "benchmarks/target/classes:benchmarks/target/lib/*" org.openjdk.jmh.Main HitPathBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "--add-opens=java.base/java.nio=ALL-UNNAMED"})
public class HitPathBenchmark {
  static final String REVENUE_BY_REGION = """
      {"measures": ["order_items.revenue"], "dimensions": ["customers.region"],
       "timeDimensions": [{"dimension": "orders.ordered_at",
                           "dateRange": ["2024-01-01", "2024-12-31"]}],
       "order": [["order_items.revenue", "desc"]]}""";
  static final String SQL = "SELECT region, MEASURE(revenue) FROM semantic.sales"
      + " WHERE ordered_at >= DATE '2024-01-01' AND ordered_at < DATE '2025-01-01'"
      + " GROUP BY region ORDER BY 2 DESC";
  static final String PREPARED = "SELECT status, MEASURE(count) FROM semantic.orders"
      + " WHERE channel = ? AND ordered_at >= ? GROUP BY status ORDER BY status";

  @Param({"true", "false"})
  public boolean fastPath;

  private Path dir;
  private RootAllocator allocator;
  private DataSourceRegistry registry;
  private ResultCache cache;
  private QueryService queries;
  private SqlService sql;
  private SqlSession session;
  private PreparedSql prepared;
  private final SecurityContext user = SecurityContext.internal("bench");

  @Setup
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("strata-hitpath");
    Path file = dir.resolve("demo.duckdb");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file)) {
      DemoData.loadDuckDb(c, 0.02);
    }
    allocator = new RootAllocator();
    registry = new DataSourceRegistry();
    registry.put(DataSourceSpec.of("demo", DataSourceKind.DUCKDB, "jdbc:duckdb:" + file));
    SemanticCompiler compiler = new SemanticCompiler(
        SemanticCatalog.fromLoad(ModelLoader.loadTexts(DemoModels.files())), Clock.systemUTC());
    cache = new ResultCache(CacheSettings.defaults(), null);
    queries = new QueryService(() -> compiler, registry, allocator, QueryLimits.defaults(),
        null, Clock.systemUTC(), cache);
    queries.rememberCacheKeys(fastPath);
    sql = new SqlService(compiler::catalog, registry, queries, allocator, SqlLimits.defaults(),
        fastPath ? SqlService.STATEMENT_CACHE_ENTRIES : 0);
    session = new SqlSession(user, "bench");
    prepared = sql.prepare(PREPARED, session);
    // the first call of each misses and fills L1
    queryService();
    sqlText();
    sqlPrepared();
  }

  @TearDown
  public void tearDown() throws Exception {
    sql.close();
    queries.close();
    cache.close();
    registry.close();
    allocator.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public long queryService() {
    try (QueryResult r = queries.execute(new QueryRequest(QueryJson.parse(REVENUE_BY_REGION),
        REVENUE_BY_REGION, user, "bench"))) {
      return r.rows();
    }
  }

  @Benchmark
  public long sqlText() {
    return drain(sql.execute(SQL, session));
  }

  @Benchmark
  public long sqlPrepared() {
    return drain(sql.execute(prepared, List.of("web", java.time.LocalDate.of(2024, 1, 1)),
        session));
  }

  private static long drain(SqlCursor c) {
    try (c) {
      long rows = 0;
      while (c.next()) {
        rows += c.batch().getRowCount();
      }
      return rows;
    }
  }
}
