package io.strata.server.query;

import io.strata.server.security.SecurityContext;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strata.demo.DemoData;
import io.strata.semantic.compile.CompiledQuery;
import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.query.QueryException;
import io.strata.semantic.query.QueryJson;
import io.strata.server.datasource.DataSourceException;
import io.strata.server.datasource.DataSourceKind;
import io.strata.server.datasource.DataSourceRegistry;
import io.strata.server.datasource.DataSourceSpec;
import io.strata.server.datasource.PoolSettings;
import io.strata.server.query.QueryExecutionException.Code;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The query service against real warehouses: result shape and metadata, the query log, limits,
 * timeouts, cancellation, shutdown, unreachable and misconfigured data sources, and streaming
 * with bounded memory. After every failure the same service must still answer a normal query.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryServiceTest {
  static final String EXTRA = """
      models:
        - name: slow
          description: A cross join DuckDB needs minutes for.
          data_source: demo
          sql: "SELECT o1.order_id AS x FROM retail.orders o1, retail.orders o2, retail.orders o3, retail.orders o4"
          dimensions:
            - { name: x, type: number }
          measures:
            - { name: count, agg: count }
        - name: missing
          data_source: demo
          table: retail.no_such_table
          dimensions:
            - { name: id, type: number }
          measures:
            - { name: count, agg: count }
        - name: pg_slow
          data_source: pg
          sql: "SELECT 1 AS x FROM pg_sleep(30)"
          dimensions:
            - { name: x, type: number }
          measures:
            - { name: count, agg: count }
        - name: pg_rows
          data_source: pg
          sql: "SELECT g AS n, 'row ' || g AS label FROM generate_series(1, 400000) g"
          dimensions:
            - { name: n, type: number }
            - { name: label, type: string }
          measures:
            - { name: count, agg: count }
            - { name: avg_n, agg: avg, expr: n }
        - name: pg_nan
          data_source: pg
          sql: "SELECT CAST('NaN' AS numeric) AS v"
          dimensions:
            - { name: v, type: number }
        - name: maria_slow
          data_source: maria
          sql: "SELECT SLEEP(30) AS x"
          dimensions:
            - { name: x, type: number }
          measures:
            - { name: count, agg: count }
        - name: maria_rows
          data_source: maria
          sql: "SELECT seq AS n FROM seq_1_to_30000000"
          dimensions:
            - { name: n, type: number }
          measures:
            - { name: count, agg: count }
        - name: ghost
          data_source: closed
          table: retail.orders
          dimensions:
            - { name: id, type: number }
          measures:
            - { name: count, agg: count }
        - name: snowy
          data_source: snow
          table: retail.orders
          dimensions:
            - { name: id, type: number }
          measures:
            - { name: count, agg: count }
        - name: lost
          data_source: nowhere
          table: retail.orders
          dimensions:
            - { name: id, type: number }
          measures:
            - { name: count, agg: count }
      """;

  static final String NORMAL = """
      {"measures":["orders.count"],"dimensions":["orders.status"]}""";

  final List<QueryEvent> events = new CopyOnWriteArrayList<>();
  final List<QueryService> services = new ArrayList<>();
  final ExecutorService threads = Executors.newCachedThreadPool();
  DataSourceRegistry registry;
  RootAllocator allocator;
  SemanticCompiler compiler;
  QueryService service;

  @BeforeAll
  void setUp() throws Exception {
    allocator = new RootAllocator();
    compiler = TestSupport.compiler(Map.of("extra.yml", EXTRA));
    registry = new DataSourceRegistry();
    registry.put(TestSupport.duckdbSpec("demo"));
    registry.put(TestSupport.postgresSpec("pg"));
    registry.put(TestSupport.mariadbSpec("maria"));
    registry.put(new DataSourceSpec("closed", DataSourceKind.POSTGRES,
        "jdbc:postgresql://127.0.0.1:1/x", "postgres", null, Map.of(),
        PoolSettings.defaults().withConnectionTimeout(Duration.ofSeconds(1))));
    registry.put(DataSourceSpec.of("snow", DataSourceKind.SNOWFLAKE,
        "jdbc:snowflake://example.snowflakecomputing.com/"));
    service = service(QueryLimits.defaults());
  }

  QueryService service(QueryLimits limits) {
    QueryService s = new QueryService(() -> compiler, registry, allocator, limits, events::add,
        TestSupport.CLOCK);
    services.add(s);
    return s;
  }

  @AfterEach
  void noQueryLeftRunning() throws InterruptedException {
    List<RunningQuery> left = new ArrayList<>();
    for (QueryService s : services) {
      left.addAll(s.running());
      // do not let one failed test poison the next ones
      s.running().forEach(q -> s.cancel(q.queryId()));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (services.stream().anyMatch(s -> !s.running().isEmpty())
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(left).as("queries still running").isEmpty();
    assertThat(allocator.getAllocatedMemory()).as("Arrow memory still allocated").isZero();
  }

  @AfterAll
  void tearDown() {
    threads.shutdownNow();
    services.forEach(QueryService::close);
    if (registry != null) {
      registry.close();
    }
    if (allocator != null) {
      allocator.close();
    }
  }

  static QueryRequest request(String json) {
    return new QueryRequest(QueryJson.parse(json), json, SecurityContext.internal("ada"), "rest");
  }

  /** The service answers a normal query: the check after every failure. */
  void stillServes(QueryService s) {
    try (QueryResult r = s.execute(request(NORMAL))) {
      assertThat(r.rows()).isPositive();
    }
  }

  QueryEvent lastEvent() {
    return events.get(events.size() - 1);
  }

  // ---- results -----------------------------------------------------------------------------

  @Test
  void schemaUsesMemberNamesAndCarriesTheirDescription() {
    String json = """
        {"measures":["orders.count","order_items.revenue","order_items.units"],
         "dimensions":["orders.is_closed"],
         "timeDimensions":[{"dimension":"orders.ordered_at","granularity":"month",
                            "dateRange":["2024-01-01","2024-03-31"]}]}""";
    try (QueryResult r = service.execute(request(json))) {
      List<Field> fields = r.schema().getFields();
      assertThat(fields).extracting(Field::getName).containsExactly("orders.is_closed",
          "orders.ordered_at.month", "orders.count", "order_items.revenue", "order_items.units");
      Field month = fields.get(1);
      assertThat(month.getMetadata())
          .containsEntry("strata.member", "orders.ordered_at")
          .containsEntry("strata.granularity", "month")
          .containsEntry("strata.kind", "dimension")
          .containsEntry("strata.type", "time")
          .containsEntry("strata.title", "Ordered at")
          .containsKey("strata.conversion"); // DuckDB's date_trunc gives DATE
      assertThat(month.getType()).isEqualTo(new ArrowType.Timestamp(org.apache.arrow.vector.types.TimeUnit.MICROSECOND, null));
      assertThat(fields.get(0).getType()).isEqualTo(ArrowType.Bool.INSTANCE);
      assertThat(fields.get(2).getType()).isEqualTo(new ArrowType.Int(64, true));
      assertThat(fields.get(3).getMetadata()).containsEntry("strata.format", "currency")
          .containsEntry("strata.kind", "measure").containsEntry("strata.type", "number");
      assertThat(fields.get(3).getType()).isEqualTo(new ArrowType.Decimal(38, 4, 128));
      assertThat(fields.get(4).getType()).isEqualTo(new ArrowType.Decimal(38, 0, 128)); // HUGEINT
      assertThat(r.rows()).isEqualTo(6); // 3 months x open/closed
    }
  }

  @Test
  void postgresNumericWithoutPrecisionIsReadAsWideDecimal() {
    String json = """
        {"measures":["pg_rows.count","pg_rows.avg_n"]}""";
    try (QueryResult r = service.execute(request(json))) {
      List<Field> fields = r.schema().getFields();
      assertThat(fields.get(0).getType()).isEqualTo(new ArrowType.Int(64, true));
      assertThat(fields.get(1).getType()).isEqualTo(new ArrowType.Decimal(38, 16, 128));
      assertThat(fields.get(1).getMetadata()).containsEntry("strata.sql_type", "numeric")
          .containsEntry("strata.conversion",
              "numeric without declared precision read as Decimal(38,16)");
      assertThat(RowWriters.value(r.batches().get(0).getVector(0), 0)).isEqualTo(400_000L);
      assertThat(RowWriters.value(r.batches().get(0).getVector(1), 0))
          .isEqualTo(new java.math.BigDecimal("200000.5000000000000000"));
    }
  }

  @Test
  void cursorReadsBatchByBatch() {
    QueryService small = service(QueryLimits.defaults().withBatchRows(3));
    String json = """
        {"measures":["orders.count"],"dimensions":["customers.region","orders.channel"]}""";
    try (QueryCursor c = small.open(request(json))) {
      assertThat(c.queryId()).isNotBlank();
      assertThatThrownBy(c::batch).isInstanceOf(IllegalStateException.class);
      int batches = 0;
      long rows = 0;
      while (c.next()) {
        batches++;
        assertThat(c.batch().getRowCount()).isBetween(1, 3);
        rows += c.batch().getRowCount();
        assertThat(c.rows()).isEqualTo(rows);
      }
      assertThat(c.next()).isFalse();
      assertThat(rows).isGreaterThan(6);
      assertThat(batches).isEqualTo((int) ((rows + 2) / 3));
      assertThatThrownBy(c::batch).isInstanceOf(IllegalStateException.class);
      assertThat(small.running()).as("the connection is returned at the end").isEmpty();
    }
  }

  @Test
  void everyQueryRecordsOneEventWithTimings() {
    int before = events.size();
    try (QueryCursor c = service.open(request(NORMAL))) {
      while (c.next()) {
        // read all
      }
      assertThat(events).hasSize(before); // recorded on close
      c.close();
      c.close(); // idempotent
    }
    assertThat(events).hasSize(before + 1);
    QueryEvent e = lastEvent();
    assertThat(e.errorCode()).isNull();
    assertThat(e.error()).isNull();
    assertThat(e.user()).isEqualTo("ada");
    assertThat(e.endpoint()).isEqualTo("rest");
    assertThat(e.queryText()).isEqualTo(NORMAL);
    assertThat(e.dataSource()).isEqualTo("demo");
    assertThat(e.sql()).contains("retail.orders").contains("LIMIT 100001");
    assertThat(e.startedAt()).isEqualTo(TestSupport.CLOCK.instant());
    assertThat(e.rows()).isPositive();
    assertThat(e.bytes()).isPositive();
    StageTimings t = e.timings();
    assertThat(t.compileMicros()).isPositive();
    assertThat(t.executeMicros()).isPositive();
    assertThat(t.totalMicros())
        .isGreaterThanOrEqualTo(t.compileMicros() + t.executeMicros() + t.fetchMicros());
  }

  @Test
  void planCompilesForTheDataSourcesDialectWithTheRowLimit() {
    CompiledQuery duck = service.plan(QueryJson.parse(NORMAL), SecurityContext.internal("test"));
    assertThat(duck.dataSource()).isEqualTo("demo");
    assertThat(duck.dialect().id()).isEqualTo("duckdb");
    assertThat(duck.sql()).contains("LIMIT 100001");
    CompiledQuery pg = service.plan(QueryJson.parse("""
        {"measures":["pg_rows.count"]}"""), SecurityContext.internal("test"));
    assertThat(pg.dialect().id()).isEqualTo("postgres");
    CompiledQuery limited = service.plan(QueryJson.parse("""
        {"measures":["orders.count"],"dimensions":["orders.status"],"limit":3}"""),
        SecurityContext.internal("test"));
    assertThat(limited.sql()).contains("LIMIT 3").doesNotContain("100001");
  }

  // ---- row limits --------------------------------------------------------------------------

  @Test
  void aLimitAboveMaxRowsIsRefusedBeforeExecuting() {
    QueryService s = service(QueryLimits.defaults().withMaxRows(10));
    String json = """
        {"measures":["orders.count"],"dimensions":["orders.status"],"limit":11}""";
    QueryExecutionException e = catchThrowableOfType(QueryExecutionException.class,
        () -> s.open(request(json)));
    assertThat(e.code()).isEqualTo(Code.ROW_LIMIT_EXCEEDED);
    assertThat(e.getMessage()).contains("11").contains("10")
        .contains("strata.query.max-rows").contains(e.queryId());
    QueryEvent ev = lastEvent();
    assertThat(ev.errorCode()).isEqualTo("ROW_LIMIT_EXCEEDED");
    assertThat(ev.timings().executeMicros()).as("nothing executed").isZero();
    stillServes(s);
  }

  @Test
  void aResultLongerThanMaxRowsFailsInsteadOfBeingCut() {
    String json = """
        {"measures":["orders.count"],
         "timeDimensions":[{"dimension":"orders.ordered_at","granularity":"day",
                            "dateRange":["2024-01-01","2024-03-31"]}]}""";
    long n;
    try (QueryResult all = service.execute(request(json))) {
      n = all.rows();
    }
    assertThat(n).isGreaterThan(40);
    // one row too many: fails when that row arrives, after whole batches were delivered
    QueryService s = service(QueryLimits.defaults().withMaxRows(n - 1).withBatchRows(8));
    assertThat(s.plan(QueryJson.parse(json), SecurityContext.internal("test")).sql()).contains("LIMIT " + n);
    long delivered = 0;
    QueryCursor c = s.open(request(json));
    QueryExecutionException e;
    try {
      while (true) {
        try {
          if (!c.next()) {
            throw new AssertionError("the result ended without the row limit error");
          }
          delivered += c.batch().getRowCount();
        } catch (QueryExecutionException failure) {
          e = failure;
          break;
        }
      }
      assertThat(e.code()).isEqualTo(Code.ROW_LIMIT_EXCEEDED);
      assertThat(e.getMessage()).contains("more than " + (n - 1) + " rows")
          .contains("strata.query.max-rows");
      assertThat(s.running()).as("connection returned at once").isEmpty();
      QueryExecutionException first = e;
      assertThatThrownBy(c::next).isSameAs(first);
    } finally {
      c.close();
    }
    assertThat(delivered).isEqualTo((n - 1) / 8 * 8).isLessThan(n);
    assertThat(lastEvent().errorCode()).isEqualTo("ROW_LIMIT_EXCEEDED");
    assertThat(lastEvent().rows()).isEqualTo(delivered);
    // exactly max rows is fine
    QueryService exact = service(QueryLimits.defaults().withMaxRows(n).withBatchRows(8));
    try (QueryResult r = exact.execute(request(json))) {
      assertThat(r.rows()).isEqualTo(n);
      assertThat(r.batches()).hasSize((int) ((n + 7) / 8));
    }
    stillServes(s);
  }

  @Test
  void aLongResultFailsInExecuteToo() {
    QueryService s = service(QueryLimits.defaults().withMaxRows(3));
    assertThatThrownBy(() -> s.execute(request(NORMAL)))
        .isInstanceOfSatisfying(QueryExecutionException.class,
            e -> assertThat(e.code()).isEqualTo(Code.ROW_LIMIT_EXCEEDED));
    stillServes(service);
  }

  // ---- timeouts and cancellation ----------------------------------------------------------

  @Test
  void aSlowDuckDbQueryTimesOut() {
    QueryService s = service(QueryLimits.defaults().withTimeout(Duration.ofMillis(1500)));
    long t0 = System.nanoTime();
    QueryExecutionException e = catchThrowableOfType(QueryExecutionException.class,
        () -> s.execute(request("""
            {"measures":["slow.count"]}""")));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(e.code()).isEqualTo(Code.TIMEOUT);
    assertThat(e.getMessage()).isEqualTo("query " + e.queryId()
        + " exceeded the timeout of 1.5s (strata.query.timeout)");
    // the statement's own timeout is rounded up to 2 s: stopping before that is the watchdog
    assertThat(ms).isBetween(1400L, 1950L);
    assertThat(lastEvent().errorCode()).isEqualTo("TIMEOUT");
    stillServes(s);
  }

  @Test
  void aSlowPostgresQueryTimesOut() {
    QueryService s = service(QueryLimits.defaults().withTimeout(Duration.ofSeconds(1)));
    long t0 = System.nanoTime();
    QueryExecutionException e = catchThrowableOfType(QueryExecutionException.class,
        () -> s.execute(request("""
            {"measures":["pg_slow.count"]}""")));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(e.code()).isEqualTo(Code.TIMEOUT);
    assertThat(e.getMessage()).contains("exceeded the timeout of 1s (strata.query.timeout)");
    assertThat(ms).isBetween(900L, 6000L);
    stillServes(s);
    try (QueryResult r = s.execute(request("""
        {"measures":["pg_rows.count"]}"""))) {
      assertThat(r.rows()).isEqualTo(1);
    }
  }

  @Test
  void aRunningQueryCanBeCancelledFromAnotherThread() throws Exception {
    for (String model : List.of("slow", "pg_slow", "maria_slow")) {
      Future<QueryResult> running = threads.submit(() -> service.execute(request(
          "{\"measures\":[\"" + model + ".count\"]}")));
      RunningQuery q = awaitRunning(service, model);
      assertThat(q.user()).isEqualTo("ada");
      assertThat(q.dataSource())
          .isEqualTo(Map.of("slow", "demo", "pg_slow", "pg", "maria_slow", "maria").get(model));
      assertThat(q.sql()).contains(model);
      assertThat(q.startedAt()).isEqualTo(TestSupport.CLOCK.instant());
      Thread.sleep(200); // let it reach the warehouse
      long t0 = System.nanoTime();
      assertThat(service.cancel(q.queryId())).isTrue();
      Throwable thrown = catchThrowableOfType(java.util.concurrent.ExecutionException.class,
          () -> running.get(10, TimeUnit.SECONDS)).getCause();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5000);
      assertThat(thrown).isInstanceOfSatisfying(QueryExecutionException.class, e -> {
        assertThat(e.code()).isEqualTo(Code.CANCELLED);
        assertThat(e.getMessage()).isEqualTo("query " + q.queryId() + " was cancelled");
      });
      assertThat(service.cancel(q.queryId())).as("no longer running").isFalse();
      stillServes(service);
    }
    assertThat(service.cancel("no-such-query")).isFalse();
  }

  static RunningQuery awaitRunning(QueryService s, String sqlPart) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      for (RunningQuery q : s.running()) {
        if (q.sql() != null && q.sql().contains(sqlPart)) {
          return q;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("query reading " + sqlPart + " never showed as running");
  }

  // ---- data-source failures ----------------------------------------------------------------

  @Test
  void anUnknownDataSourceIsNamedWithTheKnownOnes() {
    String json = """
        {"measures":["lost.count"]}""";
    DataSourceException e = catchThrowableOfType(DataSourceException.class,
        () -> service.open(request(json)));
    assertThat(e.code()).isEqualTo(DataSourceException.Code.UNKNOWN_DATA_SOURCE);
    assertThat(e.getMessage())
        .isEqualTo("unknown data source 'nowhere' (known: closed, demo, maria, pg, snow)");
    assertThat(lastEvent().errorCode()).isEqualTo("UNKNOWN_DATA_SOURCE");
    assertThat(lastEvent().sql()).isNull();
    stillServes(service);
  }

  @Test
  void aMissingDriverSaysWhatToInstall() {
    long t0 = System.nanoTime();
    DataSourceException e = catchThrowableOfType(DataSourceException.class,
        () -> service.open(request("""
            {"measures":["snowy.count"]}""")));
    assertThat(e.code()).isEqualTo(DataSourceException.Code.DRIVER_MISSING);
    assertThat(e.getMessage()).contains("snow").contains("snowflake")
        .contains("net.snowflake.client.jdbc.SnowflakeDriver").contains("drivers/");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2000);
    assertThat(lastEvent().errorCode()).isEqualTo("DRIVER_MISSING");
    stillServes(service);
  }

  @Test
  void aClosedPortIsUnavailableQuicklyAndOtherDataSourcesKeepWorking() {
    for (int attempt = 0; attempt < 2; attempt++) {
      long t0 = System.nanoTime();
      DataSourceException e = catchThrowableOfType(DataSourceException.class,
          () -> service.open(request("""
              {"measures":["ghost.count"]}""")));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(e.code()).isEqualTo(DataSourceException.Code.UNAVAILABLE);
      assertThat(e.getMessage()).startsWith("data source 'closed' is unavailable: ")
          .containsIgnoringCase("refused");
      assertThat(ms).isLessThan(3000);
      assertThat(lastEvent().errorCode()).isEqualTo("UNAVAILABLE");
      stillServes(service);
    }
  }

  @Test
  void aWarehouseErrorCarriesTheDriversMessage() {
    QueryExecutionException e = catchThrowableOfType(QueryExecutionException.class,
        () -> service.open(request("""
            {"measures":["missing.count"]}""")));
    assertThat(e.code()).isEqualTo(Code.WAREHOUSE_ERROR);
    assertThat(e.getMessage()).startsWith("data source 'demo' failed query " + e.queryId())
        .contains("no_such_table");
    assertThat(lastEvent().errorCode()).isEqualTo("WAREHOUSE_ERROR");
    assertThat(lastEvent().sql()).contains("no_such_table");
    stillServes(service);
  }

  @Test
  void aValueArrowCannotHoldFailsTheQueryNamingTheColumn() {
    QueryExecutionException e = catchThrowableOfType(QueryExecutionException.class,
        () -> service.open(request("""
            {"dimensions":["pg_nan.v"]}""")));
    assertThat(e.code()).isEqualTo(Code.WAREHOUSE_ERROR);
    assertThat(e.getMessage()).isEqualTo("query " + e.queryId() + " on data source 'pg'"
        + " returned a value Strata cannot convert: column 'pg_nan.v' holds NaN, which a"
        + " numeric read as a decimal cannot represent; cast it to a floating-point type in the"
        + " model's SQL or filter it out");
    stillServes(service);
  }

  @Test
  void aQueryThatDoesNotCompileIsASemanticError() {
    String json = """
        {"measures":["orders.nope"]}""";
    QueryException e = catchThrowableOfType(QueryException.class,
        () -> service.open(request(json)));
    assertThat(e.code()).isEqualTo(QueryException.Code.UNKNOWN_MEMBER);
    assertThat(lastEvent().errorCode()).isEqualTo("UNKNOWN_MEMBER");
    stillServes(service);
  }

  // ---- shutdown ----------------------------------------------------------------------------

  @Test
  void shutdownRefusesNewQueriesAndCancelsThoseStillRunningAfterTheGrace() throws Exception {
    QueryService s = service(QueryLimits.defaults());
    Future<QueryResult> slow = threads.submit(() -> s.execute(request("""
        {"measures":["slow.count"]}""")));
    awaitRunning(s, "retail.orders o4");
    long t0 = System.nanoTime();
    s.shutdown(Duration.ofMillis(300));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(ms).isBetween(250L, 3000L);
    Throwable thrown = catchThrowableOfType(java.util.concurrent.ExecutionException.class,
        () -> slow.get(10, TimeUnit.SECONDS)).getCause();
    assertThat(thrown).isInstanceOfSatisfying(QueryExecutionException.class,
        e -> assertThat(e.code()).isEqualTo(Code.SHUTTING_DOWN));
    QueryExecutionException refused = catchThrowableOfType(QueryExecutionException.class,
        () -> s.open(request(NORMAL)));
    assertThat(refused.code()).isEqualTo(Code.SHUTTING_DOWN);
    assertThat(lastEvent().errorCode()).isEqualTo("SHUTTING_DOWN");
    stillServes(service); // another service on the same registry is unaffected
  }

  @Test
  void shutdownWaitsForQueriesThatFinishWithinTheGrace() throws Exception {
    QueryService s = service(QueryLimits.defaults().withBatchRows(2));
    QueryCursor open = s.open(request(NORMAL));
    Future<?> shutdown = threads.submit(() -> s.shutdown(Duration.ofSeconds(20)));
    Thread.sleep(300);
    assertThat(shutdown.isDone()).as("waiting for the open cursor").isFalse();
    long t0 = System.nanoTime();
    long rows = 0;
    while (open.next()) {
      rows += open.batch().getRowCount();
    }
    open.close();
    shutdown.get(5, TimeUnit.SECONDS);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(3000);
    assertThat(rows).isPositive();
    assertThat(events.stream().filter(e -> e.errorCode() == null).count()).isPositive();
  }

  // ---- streaming ---------------------------------------------------------------------------

  @Test
  void aBigResultIsStreamedWithBoundedArrowMemory() throws Exception {
    try (DataSourceRegistry big = new DataSourceRegistry();
        RootAllocator root = new RootAllocator()) {
      big.put(DataSourceSpec.of("demo", DataSourceKind.DUCKDB, "jdbc:duckdb:"));
      long expected;
      try (Connection c = big.connect("demo")) {
        DemoData.loadDuckDb(c, 1.0);
        try (Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT count(*) FROM retail.order_items")) {
          rs.next();
          expected = rs.getLong(1);
        }
      }
      assertThat(expected).isGreaterThan(200_000);
      try (QueryService s = new QueryService(() -> compiler, big, root,
          QueryLimits.defaults().withMaxRows(1_000_000), events::add, TestSupport.CLOCK)) {
        long rows = 0;
        int batches = 0;
        try (QueryCursor c = s.open(request("""
            {"dimensions":["order_items.order_id","order_items.line_no"]}"""))) {
          while (c.next()) {
            batches++;
            rows += c.batch().getRowCount();
          }
        }
        QueryEvent e = lastEvent();
        assertThat(rows).isEqualTo(expected);
        assertThat(e.rows()).isEqualTo(expected);
        assertThat(batches).isEqualTo((int) ((expected + 4095) / 4096));
        long peak = root.getPeakMemoryAllocation();
        System.out.printf("streamed %d rows in %d batches: %d bytes of Arrow data, peak %d"
            + " bytes allocated%n", rows, batches, e.bytes(), peak);
        assertThat(e.bytes()).isGreaterThan(3_000_000);
        assertThat(peak).as("peak Arrow memory vs whole result").isLessThan(e.bytes() / 10);
        assertThat(root.getAllocatedMemory()).isZero();
      }
    }
  }

  @Test
  void postgresStreamsInsteadOfBufferingTheWholeResult() throws Exception {
    // 400,000 rows: buffered by the driver they would take well over 40 MB of heap
    String json = """
        {"dimensions":["pg_rows.n","pg_rows.label"]}""";
    QueryService s = service(QueryLimits.defaults().withMaxRows(1_000_000));
    long baseline = usedHeapAfterGc();
    long rows = 0;
    try (QueryCursor c = s.open(request(json))) {
      long whileOpen = usedHeapAfterGc() - baseline;
      System.out.printf("heap held by an open Postgres cursor: %d KB%n", whileOpen / 1024);
      assertThat(whileOpen).isLessThan(20L << 20);
      while (c.next()) {
        rows += c.batch().getRowCount();
      }
    }
    assertThat(rows).isEqualTo(400_000);
    stillServes(s);
  }

  @Test
  void closingAnUnfinishedMariadbResultDoesNotReadItToTheEnd() {
    // 30M rows streamed in index order; reading them all would take many seconds
    QueryService s = service(QueryLimits.defaults().withMaxRows(40_000_000));
    String json = """
        {"dimensions":["maria_rows.n"]}""";
    for (int i = 0; i < 2; i++) {
      QueryCursor c = s.open(request(json));
      assertThat(c.next()).isTrue();
      assertThat(c.batch().getRowCount()).isEqualTo(4096);
      long t0 = System.nanoTime();
      c.close();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1000);
      stillServes(s);
    }
    try (QueryResult r = s.execute(request("""
        {"measures":["maria_rows.count"]}"""))) {
      assertThat(RowWriters.value(r.batches().get(0).getVector(0), 0)).isEqualTo(30_000_000L);
    }
  }

  static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }
}
