package io.strata.server.query;

import io.strata.server.security.SecurityContext;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.acceleration.cache.CacheMode;
import io.strata.acceleration.cache.CacheSettings;
import io.strata.acceleration.cache.CacheTier;
import io.strata.acceleration.cache.ResultCache;
import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.query.QueryJson;
import io.strata.server.datasource.DataSourceKind;
import io.strata.server.datasource.DataSourceRegistry;
import io.strata.server.datasource.DataSourceSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The results cache on the query path, with a real DuckDB warehouse and the clock moved by the
 * test (never slept): hits equal the warehouse's answers, freshness follows the models'
 * {@code refresh}, stale entries are served and revalidated, the warehouse failing falls back to a
 * stale entry, identical concurrent misses run once, and invalidation drops what it covers.
 */
class QueryServiceCacheTest {
  static final String ORDERS = """
      {"measures":["orders.count"],"dimensions":["orders.status"],
       "order":[["orders.status","asc"]]}""";

  /** A clock the test moves. */
  static final class MovingClock extends Clock {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

    void advance(Duration d) {
      now.updateAndGet(i -> i.plus(d));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }

  final List<QueryEvent> events = new CopyOnWriteArrayList<>();
  final MovingClock clock = new MovingClock();
  RootAllocator allocator;
  DataSourceRegistry registry;
  ResultCache cache;
  QueryService service;
  SemanticCompiler compiler;

  @BeforeEach
  void setUp() throws Exception {
    allocator = new RootAllocator();
    registry = new DataSourceRegistry();
    registry.put(TestSupport.duckdbSpec("demo"));
    compiler = TestSupport.compiler();
    start(CacheSettings.defaults());
  }

  void start(CacheSettings settings) {
    if (service != null) {
      service.close();
      cache.close();
    }
    cache = new ResultCache(settings, clock);
    service = new QueryService(() -> compiler, registry, allocator, QueryLimits.defaults(),
        events::add, clock, cache);
  }

  @AfterEach
  void tearDown() {
    service.close();
    cache.close();
    registry.close();
    assertThat(allocator.getAllocatedMemory()).as("Arrow memory left allocated").isZero();
    allocator.close();
  }

  /** Runs a query; its rows as text, and where they came from. */
  record Answer(String rows, CacheInfo cache) {}

  Answer run(String json, CacheMode mode) {
    try (QueryResult r = service.execute(new QueryRequest(QueryJson.parse(json), json, SecurityContext.internal("alice"),
        "test", null, null, mode))) {
      StringBuilder rows = new StringBuilder();
      for (VectorSchemaRoot b : r.batches()) {
        rows.append(b.contentToTSVString());
      }
      return new Answer(rows.toString(), r.cacheInfo());
    }
  }

  Answer run(String json) {
    return run(json, CacheMode.ON);
  }

  List<String> tiers() {
    return events.stream().map(QueryEvent::cacheTier).toList();
  }

  @Test
  void aRepeatedQueryIsAnsweredFromL1WithTheWarehousesAnswer() {
    Answer first = run(ORDERS);
    Answer second = run(ORDERS);
    Answer direct = run(ORDERS, CacheMode.BYPASS);
    assertThat(first.cache().tier()).isEqualTo(CacheTier.MISS);
    assertThat(second.cache().tier()).isEqualTo(CacheTier.L1);
    assertThat(second.cache().stale()).isFalse();
    assertThat(second.rows()).isEqualTo(first.rows()).isEqualTo(direct.rows()).isNotBlank();
    assertThat(tiers()).containsExactly("miss", "l1", "bypass");
    // the hit never reached the warehouse: it has no execute time to speak of and its entry
    // says when the warehouse answered and until when it is fresh (orders: refresh every 10m)
    assertThat(second.cache().createdAt()).isEqualTo(clock.instant());
    assertThat(second.cache().expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
    assertThat(cache.stats().l1Hits()).isEqualTo(1);
    assertThat(cache.stats().misses()).isEqualTo(1);
    assertThat(cache.stats().bypassed()).isEqualTo(1);
  }

  @Test
  void queriesDifferingOnlyInFilterOrderShareAnEntry() {
    String a = """
        {"measures":["orders.count"],"filters":[
          {"member":"orders.status","operator":"equals","values":["completed"]},
          {"member":"orders.channel","operator":"equals","values":["web"]}]}""";
    String b = """
        {"filters":[{"member":"orders.channel","operator":"equals","values":["web"]},
                    {"member":"orders.status","operator":"equals","values":["completed"]}],
         "measures":["orders.count"]}""";
    Answer first = run(a);
    Answer second = run(b);
    assertThat(second.cache().tier()).isEqualTo(CacheTier.L1);
    assertThat(second.rows()).isEqualTo(first.rows());
    // a different value is a different result
    assertThat(run(a.replace("web", "store")).cache().tier()).isEqualTo(CacheTier.MISS);
  }

  @Test
  void anExpiredEntryIsServedStaleOnceAndRefreshedInTheBackground() throws Exception {
    Answer first = run(ORDERS);
    clock.advance(Duration.ofMinutes(10).plusSeconds(1));
    Answer stale = run(ORDERS);
    assertThat(stale.cache().tier()).isEqualTo(CacheTier.L1);
    assertThat(stale.cache().stale()).isTrue();
    assertThat(stale.rows()).isEqualTo(first.rows());
    // one background query (endpoint "revalidate") refreshes it
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (events.stream().noneMatch(e -> "revalidate".equals(e.endpoint()))
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(events).filteredOn(e -> "revalidate".equals(e.endpoint()))
        .singleElement().satisfies(e -> assertThat(e.cacheTier()).isEqualTo("miss"));
    Answer fresh = run(ORDERS);
    assertThat(fresh.cache().tier()).isEqualTo(CacheTier.L1);
    assertThat(fresh.cache().stale()).isFalse();
    assertThat(fresh.cache().createdAt()).isEqualTo(clock.instant());
  }

  @Test
  void mustRevalidateAsksTheWarehouseAndStaleOkDoesNot() {
    run(ORDERS);
    clock.advance(Duration.ofMinutes(30)); // past expiry and the 1 m stale-while-revalidate
    assertThat(run(ORDERS, CacheMode.STALE_OK).cache()).satisfies(c -> {
      assertThat(c.tier()).isEqualTo(CacheTier.L1);
      assertThat(c.stale()).isTrue();
    });
    assertThat(run(ORDERS, CacheMode.MUST_REVALIDATE).cache().tier()).isEqualTo(CacheTier.MISS);
    assertThat(run(ORDERS, CacheMode.MUST_REVALIDATE).cache().tier()).isEqualTo(CacheTier.L1);
    // no-cache always asks the warehouse, and stores what it says
    assertThat(run(ORDERS, CacheMode.NO_CACHE).cache().tier()).isEqualTo(CacheTier.MISS);
    assertThat(tiers()).containsExactly("miss", "l1", "miss", "l1", "miss");
  }

  @Test
  void whenTheWarehouseFailsAStaleEntryIsServedAndSaysSo() throws Exception {
    Answer first = run(ORDERS);
    clock.advance(Duration.ofMinutes(12)); // past expiry and stale-while-revalidate
    // the same data source (same dialect, so the same key), now a warehouse without the tables
    Path empty = Files.createTempDirectory("strata-broken").resolve("empty.duckdb");
    registry.put(DataSourceSpec.of("demo", DataSourceKind.DUCKDB, "jdbc:duckdb:" + empty));
    Answer fallback = run(ORDERS);
    assertThat(fallback.rows()).isEqualTo(first.rows());
    assertThat(fallback.cache().stale()).isTrue();
    assertThat(fallback.cache().staleReason()).contains("demo");
    assertThat(events.get(events.size() - 1).errorCode()).isNull();
    assertThat(cache.stats().staleOnError()).isEqualTo(1);
    // past the stale-if-error window the client sees the warehouse's error
    clock.advance(Duration.ofHours(1));
    assertThatThrownBy(() -> run(ORDERS)).isInstanceOf(QueryExecutionException.class)
        .hasMessageContaining("demo");
  }

  @Test
  void aResultLargerThanAnEntryMayBeStreamsUncached() {
    start(CacheSettings.defaults().withMaxEntryBytes(2048));
    String big = """
        {"dimensions":["orders.order_id","orders.status"],"order":[["orders.order_id","asc"]]}""";
    Answer first = run(big);
    Answer second = run(big);
    assertThat(first.rows().lines().count()).isGreaterThan(1000);
    assertThat(second.rows()).isEqualTo(first.rows());
    assertThat(tiers()).containsExactly("miss", "miss");
    assertThat(cache.stats().tooLarge()).isEqualTo(2);
    assertThat(cache.stats().l1Entries()).isZero();
    // a small one still fits
    run(ORDERS);
    assertThat(run(ORDERS).cache().tier()).isEqualTo(CacheTier.L1);
  }

  @Test
  void fiftyConcurrentIdenticalColdQueriesRunOnce() throws Exception {
    int n = 50;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Answer>> answers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      answers.add(pool.submit(() -> {
        go.await();
        return run(ORDERS);
      }));
    }
    go.countDown();
    List<Answer> all = new ArrayList<>();
    for (Future<Answer> f : answers) {
      all.add(f.get(60, TimeUnit.SECONDS));
    }
    pool.shutdown();
    assertThat(tiers()).hasSize(n);
    assertThat(tiers()).filteredOn("miss"::equals).hasSize(1);
    assertThat(tiers()).filteredOn("l1"::equals).hasSize(n - 1);
    assertThat(all).extracting(Answer::rows).containsOnly(all.get(0).rows());
  }

  @Test
  void invalidationDropsWhatItCoversAndNothingElse() {
    String products = """
        {"measures":["products.count"],"dimensions":["products.category"]}""";
    run(ORDERS);
    run(products);
    cache.invalidateModel("orders");
    assertThat(run(ORDERS).cache().tier()).isEqualTo(CacheTier.MISS);
    assertThat(run(products).cache().tier()).isEqualTo(CacheTier.L1);
    cache.invalidateDataSource("demo");
    assertThat(run(products).cache().tier()).isEqualTo(CacheTier.MISS);
    cache.invalidateDataSource("elsewhere");
    assertThat(run(products).cache().tier()).isEqualTo(CacheTier.L1);
    cache.invalidateAll();
    assertThat(run(ORDERS).cache().tier()).isEqualTo(CacheTier.MISS);
  }

  @Test
  void aRefreshKeyIsPartOfTheKeyAndCheckedAtMostEveryInterval() throws Exception {
    Path file = Files.createTempDirectory("strata-refresh").resolve("rk.duckdb");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE events (id INTEGER, kind VARCHAR)");
      s.execute("INSERT INTO events VALUES (1, 'a'), (2, 'b')");
    }
    registry.put(DataSourceSpec.of("rk", DataSourceKind.DUCKDB, "jdbc:duckdb:" + file));
    compiler = TestSupport.compiler(Map.of("events.yml", """
        name: events
        data_source: rk
        table: main.events
        refresh: { sql: "SELECT max(id) FROM main.events" }
        dimensions:
          - { name: kind, type: string }
        measures:
          - { name: count, agg: count }
        """));
    String q = """
        {"measures":["events.count"]}""";
    assertThat(run(q).cache().tier()).isEqualTo(CacheTier.MISS);
    assertThat(run(q).cache().tier()).isEqualTo(CacheTier.L1);
    registry.remove("rk"); // the pool holds the file: write through a connection of our own
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO events VALUES (3, 'c')");
    }
    registry.put(DataSourceSpec.of("rk", DataSourceKind.DUCKDB, "jdbc:duckdb:" + file));
    // within the refresh-key interval the old value stands
    assertThat(run(q).cache().tier()).isEqualTo(CacheTier.L1);
    clock.advance(Duration.ofSeconds(11));
    Answer changed = run(q);
    assertThat(changed.cache().tier()).isEqualTo(CacheTier.MISS);
    assertThat(changed.rows()).contains("3");
    assertThat(run(q).cache().tier()).isEqualTo(CacheTier.L1);
  }
}
