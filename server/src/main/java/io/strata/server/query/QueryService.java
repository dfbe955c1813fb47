package io.strata.server.query;

import io.strata.acceleration.cache.CacheKeys;
import io.strata.acceleration.cache.CacheMode;
import io.strata.acceleration.cache.CacheTier;
import io.strata.acceleration.cache.ResultCache;
import io.strata.semantic.compile.CompiledQuery;
import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.query.QueryException;
import io.strata.semantic.query.SemanticQuery;
import io.strata.server.datasource.DataSourceException;
import io.strata.server.datasource.DataSourceRegistry;
import io.strata.server.datasource.PoolSettings;
import io.strata.server.query.QueryExecutionException.Code;
import io.strata.server.security.AccessPolicy;
import io.strata.server.security.SecurityContext;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs semantic queries against the warehouses: compiles for the data source's dialect, borrows
 * a pooled connection, executes under the {@link QueryLimits}, and streams the result as Arrow
 * batches through a {@link QueryCursor}. Every endpoint (REST, JDBC, Flight SQL) goes through
 * one instance; it is thread-safe.
 *
 * <p>Limits: a query may not ask for more than {@code maxRows} rows ({@code limit} larger is
 * refused before anything runs); a query without a {@code limit} is compiled with
 * {@code maxRows + 1} and fails with {@code ROW_LIMIT_EXCEEDED} if that row arrives, so a
 * result is never silently cut short. Timeouts are set on the statement and enforced by a
 * watchdog that cancels it at the deadline, since not every driver honours
 * {@code setQueryTimeout}; a cursor also checks the deadline between batches.
 *
 * <p>Errors, as thrown by {@link #open} and {@link #execute}: the semantic
 * {@link QueryException} for a query that does not compile, {@link DataSourceException} for an
 * unknown, unreachable or driverless data source, {@link QueryExecutionException} for
 * everything after compilation. Every query, whatever its outcome, produces exactly one
 * {@link QueryEvent} for the {@link QueryLogger}.
 *
 * <p>The service does not own the registry or the allocator; whoever created them closes them
 * after this service.
 */
public final class QueryService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);

  private final Supplier<SemanticCompiler> compiler;
  private volatile AccessPolicy access = AccessPolicy.open();
  private volatile RollupRouting rollups = RollupRouting.NONE;
  private final QueryCaching caching;
  private final ExecutorService revalidators;
  private final DataSourceRegistry registry;
  private final BufferAllocator allocator;
  private final QueryLimits limits;
  private final QueryLogger logger;
  private final Clock clock;
  private final ScheduledThreadPoolExecutor watchdog;
  private final ExecutorService cancellers;
  private final Map<String, Execution> running = new ConcurrentHashMap<>();
  /** Work computed outside this service (SQL that Calcite runs over data sources), by id. */
  private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();

  private record Tracked(RunningQuery query, long startNanos, Runnable cancel) {}
  private final Object drained = new Object();
  private volatile boolean shuttingDown;

  /**
   * @param compiler the current compiler (models can be reloaded; each query asks once)
   * @param clock the clock of {@link QueryEvent#startedAt()} and {@link RunningQuery#startedAt()}
   */
  public QueryService(Supplier<SemanticCompiler> compiler, DataSourceRegistry registry,
      BufferAllocator allocator, QueryLimits limits, QueryLogger logger, Clock clock) {
    this(compiler, registry, allocator, limits, logger, clock, null);
  }

  /**
   * @param cache the results cache, or null to always ask the warehouse; the service does not
   *     close it
   */
  public QueryService(Supplier<SemanticCompiler> compiler, DataSourceRegistry registry,
      BufferAllocator allocator, QueryLimits limits, QueryLogger logger, Clock clock,
      ResultCache cache) {
    this.compiler = compiler;
    this.caching = cache == null ? null : new QueryCaching(cache, registry);
    this.revalidators = Executors.newFixedThreadPool(2, daemon("strata-cache-revalidate"));
    this.registry = registry;
    this.allocator = allocator;
    this.limits = limits == null ? QueryLimits.defaults() : limits;
    this.logger = logger == null ? QueryLogger.NONE : logger;
    this.clock = clock == null ? Clock.systemUTC() : clock;
    this.watchdog = new ScheduledThreadPoolExecutor(1, daemon("strata-query-watchdog"));
    this.watchdog.setRemoveOnCancelPolicy(true);
    // cancelling talks to the warehouse (Postgres opens a connection for it): not on the
    // watchdog's only thread
    this.cancellers = Executors.newCachedThreadPool(daemon("strata-query-cancel"));
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  public QueryLimits limits() {
    return limits;
  }

  /**
   * Sets the row-level security and grants every query is run under (set once, at startup;
   * without it no rules or grants apply).
   */
  public void access(AccessPolicy policy) {
    this.access = policy == null ? AccessPolicy.open() : policy;
  }

  /** The row-level security and grants queries run under. */
  public AccessPolicy access() {
    return access;
  }

  DataSourceRegistry registry() {
    return registry;
  }

  /** Sets what decides whether a rollup answers a query (set once, at startup). */
  public void rollups(RollupRouting routing) {
    this.rollups = routing == null ? RollupRouting.NONE : routing;
  }

  /**
   * Compiles a query for the dialect of the data source it reads, exactly as {@link #open}
   * would run it for {@code security} (its row-level security filters, and the
   * {@code maxRows + 1} limit added to a query without one). Executes nothing.
   *
   * @throws QueryException when the query cannot be compiled, or names what {@code security}
   *     may not see (answered as a typo is)
   * @throws DataSourceException {@code UNKNOWN_DATA_SOURCE} when its models name a data source
   *     that is not configured
   */
  public CompiledQuery plan(SemanticQuery q, SecurityContext security) {
    return explain(q, security).compiled();
  }

  /**
   * {@link #plan}, and the rollup that would answer the query or why none can (EXPLAIN).
   *
   * @throws QueryException as {@link #plan}
   * @throws DataSourceException as {@link #plan}
   */
  public QueryPlan explain(SemanticQuery q, SecurityContext security) {
    RollupRouting.Route[] route = {RollupRouting.Route.NONE};
    CompiledQuery compiled = secure(compiler.get(), q, security, route).compiled();
    return new QueryPlan(compiled, route[0].rollup(), route[0].rejections());
  }

  /**
   * The query as {@code security} may run it: row-level filters added, then matched against
   * the rollups (the rollup route is left in {@code route[0]}) and compiled.
   */
  private AccessPolicy.Secured secure(SemanticCompiler c, SemanticQuery q,
      SecurityContext security, RollupRouting.Route[] route) {
    return secure(c, q, security, limits.maxRows(), route);
  }

  private AccessPolicy.Secured secure(SemanticCompiler c, SemanticQuery q,
      SecurityContext security, long maxRows, RollupRouting.Route[] route) {
    return access.secure(security, q, x -> plan(c, x, maxRows, route));
  }

  /**
   * Filters and segments are put in a canonical order first, so that queries differing only in
   * their order compile to the same SQL and share a cache entry.
   */
  private CompiledQuery plan(SemanticCompiler c, SemanticQuery q, long maxRows,
      RollupRouting.Route[] route) {
    SemanticQuery query = bounded(CacheKeys.normalise(q), maxRows);
    RollupRouting.Route r;
    try {
      r = rollups.route(c, query);
    } catch (RuntimeException e) {
      // a rollup is only ever a shortcut: the source can still answer
      LOG.warn("rollup matching failed, the source answers: {}", e.toString());
      r = RollupRouting.Route.NONE;
    }
    route[0] = r;
    return r.compiled() != null ? r.compiled() : c.compile(query, registry::dialect);
  }

  /**
   * Where a query's answer for {@code security} sits in the results cache: the key's hash and
   * how long an entry lives (the models' {@code refresh.every}, else
   * {@code strata.cache.default-ttl}); null without a cache. Executes nothing but refresh-key
   * SQL that is due. Warm-up uses it to run each query once per window.
   */
  public CacheSlot cacheSlot(SemanticQuery q, SecurityContext security) {
    if (caching == null) {
      return null;
    }
    SemanticCompiler c = compiler.get();
    AccessPolicy.Secured secured = secure(c, q, security,
        new RollupRouting.Route[] {RollupRouting.Route.NONE});
    QueryCaching.Plan p = caching.plan(secured.compiled(), c.catalog(), limits.timeout(),
        secured.rules());
    return new CacheSlot(p.key().hash(), p.ttl());
  }

  /** A query's place in the results cache: its key's hash and its entries' lifetime. */
  public record CacheSlot(String key, Duration ttl) {}

  /**
   * Whether a repeated query's cache key is remembered with its compiled query (the default) or
   * made from scratch each time: off only to measure the difference (HitPathBenchmark).
   */
  public void rememberCacheKeys(boolean on) {
    if (caching != null) {
      caching.remember(on);
    }
  }

  /** The results cache, or null when the service has none. */
  public ResultCache cache() {
    return caching == null ? null : caching.cache();
  }

  /** The query with {@code limit = maxRows + 1} when it has no limit (and there is a cap). */
  private static SemanticQuery bounded(SemanticQuery q, long maxRows) {
    if (q.limit() != null || maxRows >= Integer.MAX_VALUE) {
      return q;
    }
    return new SemanticQuery(q.measures(), q.dimensions(), q.timeDimensions(), q.filters(),
        q.segments(), q.order(), (int) (maxRows + 1), q.offset(), q.timezone());
  }

  /** The most rows this request may return: its own cap, or {@code strata.query.max-rows}. */
  long maxRows(QueryRequest request) {
    return request.limits() == null ? limits.maxRows() : request.limits().rows();
  }

  /** The setting that sets {@link #maxRows}, for the message of a refusal. */
  static String maxRowsSetting(QueryRequest request) {
    return request.limits() == null ? "strata.query.max-rows" : request.limits().maxRowsSetting();
  }

  private Duration timeout(QueryRequest request) {
    return request.limits() == null ? limits.timeout() : request.limits().timeout();
  }

  /**
   * Compiles and starts a query and reads its first batch. The caller must close the cursor.
   *
   * @throws QueryException the query does not compile
   * @throws DataSourceException unknown, unreachable or driverless data source
   * @throws QueryExecutionException refused (limit above max rows, shutting down) or failed
   */
  public QueryCursor open(QueryRequest request) {
    return open(request, null);
  }

  private QueryCursor open(QueryRequest request, BufferAllocator resultAllocator) {
    long t0 = System.nanoTime();
    String id = request.queryId() != null ? request.queryId() : UUID.randomUUID().toString();
    Execution ex = new Execution(id, request, clock.instant(), t0,
        t0 + timeout(request).toNanos());
    if (shuttingDown) {
      throw refuse(ex, t0, new QueryExecutionException(Code.SHUTTING_DOWN, id,
          "the server is shutting down and accepts no new queries (query " + id + ")"));
    }
    CompiledQuery compiled;
    String rules;
    SemanticCompiler c = compiler.get();
    RollupRouting.Route[] route = {RollupRouting.Route.NONE};
    try {
      AccessPolicy.Secured secured = secure(c, request.query(), request.security(),
          maxRows(request), route);
      compiled = secured.compiled();
      rules = secured.rules();
    } catch (RuntimeException e) {
      throw refuse(ex, t0, e);
    }
    long compileMicros = (System.nanoTime() - t0) / 1000;
    ex.dataSource = compiled.dataSource();
    ex.sql = compiled.sql();
    ex.rollup = route[0].rollup();
    Integer limit = request.query().limit();
    if (limit != null && limit > maxRows(request)) {
      String setting = maxRowsSetting(request);
      throw refuse(ex, t0, new QueryExecutionException(Code.ROW_LIMIT_EXCEEDED, id,
          "query " + id + " asks for " + limit + " rows (limit) but at most " + maxRows(request)
              + " rows may be returned (" + setting + "); lower the limit or raise " + setting));
    }
    BufferAllocator alloc;
    boolean owns = resultAllocator == null;
    try {
      alloc = owns ? allocator.newChildAllocator("query-" + id, 0, allocator.getLimit())
          : resultAllocator;
    } catch (RuntimeException e) {
      throw refuse(ex, t0, e);
    }
    ResultCache.Lookup lookup = null;
    QueryCaching.Plan cachePlan = null;
    if (caching != null && request.cache() != CacheMode.BYPASS) {
      try {
        cachePlan = caching.plan(compiled, c.catalog(), limits.timeout(), rules);
        lookup = caching.cache().lookup(cachePlan.key(), request.cache(), limits.timeout());
      } catch (RuntimeException e) {
        LOG.warn("query {} runs without the results cache: {}", id, e.getMessage());
        cachePlan = null;
      }
    }
    long lookupMicros = (System.nanoTime() - t0) / 1000;
    if (lookup instanceof ResultCache.Hit hit) {
      if (hit.revalidate()) {
        revalidate(request, hit.entry().keyHash());
      }
      return new QueryCursor(this, ex, compiled, alloc, owns, lookupMicros)
          .startCached(hit.entry(), hit.tier(), hit.stale(), null);
    }
    if (lookup == null && caching != null) {
      caching.cache().bypassed();
    }
    running.put(id, ex);
    if (shuttingDown) {
      // shutdown began after the first check: this query was never seen by it
      ex.abort(Code.SHUTTING_DOWN);
    }
    if (request.cancelled() != null && request.cancelled().getAsBoolean()) {
      // cancelled while it started: a cancel(id) before running.put found nothing to cancel
      ex.abort(Code.CANCELLED);
    }
    QueryCursor cursor = new QueryCursor(this, ex, compiled, alloc, owns, compileMicros);
    if (lookup instanceof ResultCache.Lead lead) {
      cursor.capture(lead, caching.cache().settings(), cachePlan.ttl(),
          cachePlan.sourceVersion());
    }
    return cursor.start();
  }

  /**
   * Refreshes a stale entry in the background (stale-while-revalidate): the same query with
   * {@code no-cache}, read to its end so that its result is stored.
   */
  private void revalidate(QueryRequest request, String keyHash) {
    try {
      revalidators.execute(() -> {
        try (QueryCursor c = open(new QueryRequest(request.query(), request.queryText(),
            request.security(), "revalidate", null, null, CacheMode.NO_CACHE))) {
          while (c.next()) {
            // stored by the cursor when it reaches the end
          }
        } catch (RuntimeException e) {
          LOG.warn("refreshing a stale cache entry failed: {}", e.getMessage());
        } finally {
          caching.cache().revalidationEnded(keyHash);
        }
      });
    } catch (RejectedExecutionException e) {
      caching.cache().revalidationEnded(keyHash);
    }
  }





  /**
   * Runs a query and collects its whole result (at most {@code maxRows} rows). The caller must
   * close the result.
   *
   * @throws QueryException the query does not compile
   * @throws DataSourceException unknown, unreachable or driverless data source
   * @throws QueryExecutionException refused or failed
   */
  public QueryResult execute(QueryRequest request) {
    BufferAllocator child = allocator.newChildAllocator("result", 0, allocator.getLimit());
    List<VectorSchemaRoot> batches = new ArrayList<>();
    QueryCursor cursor = null;
    try {
      cursor = open(request, child);
      while (cursor.next()) {
        VectorSchemaRoot batch = cursor.batch();
        VectorSchemaRoot copy = VectorSchemaRoot.create(cursor.schema(), child);
        batches.add(copy);
        for (int i = 0; i < batch.getFieldVectors().size(); i++) {
          batch.getVector(i).makeTransferPair(copy.getVector(i)).transfer();
        }
        copy.setRowCount(batch.getRowCount());
      }
      cursor.close();
      return new QueryResult(cursor.queryId(), cursor.compiled(), cursor.schema(), batches,
          cursor.rows(), cursor.timings(), child, cursor.cacheInfo(), cursor.rollup());
    } catch (RuntimeException | Error e) {
      if (cursor != null) {
        cursor.close();
      }
      batches.forEach(VectorSchemaRoot::close);
      child.close();
      throw e;
    }
  }

  /**
   * Cancels a running query: its statement is cancelled at the warehouse and its cursor fails
   * with {@code CANCELLED}.
   *
   * @return false when no such query is running
   */
  public boolean cancel(String queryId) {
    Execution ex = queryId == null ? null : running.get(queryId);
    if (ex != null) {
      return abort(ex, Code.CANCELLED);
    }
    Tracked t = queryId == null ? null : tracked.get(queryId);
    if (t == null) {
      return false;
    }
    cancellers.execute(t.cancel());
    return true;
  }

  /**
   * Lists work this service did not open (a SQL statement that Calcite computes over data
   * sources' tables) among the running queries until the returned handle is closed, and makes
   * {@link #cancel(String)} and shutdown reach it through {@code cancel} (run on another
   * thread, so a cancel returns at once).
   */
  public AutoCloseable track(RunningQuery query, Runnable cancel) {
    if (shuttingDown) {
      throw new QueryExecutionException(Code.SHUTTING_DOWN, query.queryId(),
          "the server is shutting down and takes no new queries");
    }
    tracked.put(query.queryId(), new Tracked(query, System.nanoTime(), cancel));
    return () -> {
      if (tracked.remove(query.queryId()) != null) {
        synchronized (drained) {
          drained.notifyAll();
        }
      }
    };
  }

  /** Queries opened and not yet finished, oldest first. */
  public List<RunningQuery> running() {
    record Entry(long startNanos, RunningQuery query) {}
    return Stream.concat(
            running.values().stream().map(e -> new Entry(e.startNanos, e.describe())),
            tracked.values().stream().map(t -> new Entry(t.startNanos(), t.query())))
        .sorted(Comparator.comparingLong(Entry::startNanos))
        .map(Entry::query)
        .toList();
  }

  /**
   * Refuses new queries ({@code SHUTTING_DOWN}), waits up to {@code grace} for running ones to
   * finish, then cancels the rest (their cursors fail with {@code SHUTTING_DOWN}).
   */
  public void shutdown(Duration grace) {
    shuttingDown = true;
    long deadline = System.nanoTime() + (grace == null ? 0 : grace.toNanos());
    synchronized (drained) {
      while (!running.isEmpty() || !tracked.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          drained.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    for (Execution ex : running.values()) {
      abort(ex, Code.SHUTTING_DOWN);
    }
    for (Tracked t : tracked.values()) {
      cancellers.execute(t.cancel());
    }
  }

  /** {@link #shutdown(Duration) shutdown(Duration.ZERO)}, then stops the watchdog threads. */
  @Override
  public void close() {
    shutdown(Duration.ZERO);
    revalidators.shutdownNow();
    watchdog.shutdownNow();
    cancellers.shutdown();
  }

  /**
   * Aborts a query and, while its statement still waits for the warehouse's first answer,
   * cancels the statement again every 100 ms (for 10 s at most): a driver may drop a cancel
   * that arrives just before the statement starts executing (DuckDB does).
   */
  private boolean abort(Execution ex, Code reason) {
    if (!ex.abort(reason)) {
      return false;
    }
    cancelAgain(ex, 0);
    return true;
  }

  private void cancelAgain(Execution ex, int attempt) {
    if (attempt >= 100) {
      return;
    }
    try {
      watchdog.schedule(() -> cancellers.execute(() -> {
        if (ex.cancelAgain()) {
          cancelAgain(ex, attempt + 1);
        }
      }), 100, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed: nothing left to cancel
    }
  }

  ScheduledFuture<?> scheduleTimeout(Execution ex, long delayNanos) {
    try {
      return watchdog.schedule(() -> {
        long left = ex.deadline() - System.nanoTime();
        if (left > 0) {
          // the deadline moved while the result waited for its reader: look again then
          scheduleTimeout(ex, left);
          return;
        }
        try {
          cancellers.execute(() -> abort(ex, Code.TIMEOUT));
        } catch (RejectedExecutionException e) {
          abort(ex, Code.TIMEOUT);
        }
      }, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return null; // closed: the cursor's own deadline checks still apply
    }
  }

  QueryExecutionException aborted(Execution ex, Code reason, Throwable cause) {
    String id = ex.queryId;
    String message = switch (reason) {
      case TIMEOUT -> "query " + id + " exceeded the timeout of "
          + PoolSettings.format(timeout(ex.request)) + " (" + (ex.request.limits() == null
          ? "strata.query.timeout" : ex.request.limits().timeoutSetting()) + ")";
      case CANCELLED -> "query " + id + " was cancelled";
      case SHUTTING_DOWN -> "query " + id + " was cancelled because the server is shutting down";
      default -> "query " + id + " was stopped (" + reason + ")";
    };
    return new QueryExecutionException(reason, id, message, cause);
  }

  /** Called by a cursor when it has returned its connection. */
  void finished(Execution ex) {
    running.remove(ex.queryId);
    synchronized (drained) {
      drained.notifyAll();
    }
  }

  private RuntimeException refuse(Execution ex, long t0, RuntimeException e) {
    long micros = (System.nanoTime() - t0) / 1000;
    record(ex, new StageTimings(micros, 0, 0, micros), 0, 0, e);
    return e;
  }

  /**
   * Records a query Strata ran without this service (a SQL statement computed by the SQL
   * layer), so that the query log and metrics see every query of every endpoint.
   */
  public void log(QueryEvent event) {
    try {
      logger.record(event);
    } catch (RuntimeException failure) {
      LOG.warn("the query logger failed for query {}", event.queryId(), failure);
    }
  }

  /** The query log's error code of an exception a client saw. */
  public static String errorCode(RuntimeException e) {
    if (e == null) {
      return null;
    }
    if (e instanceof QueryExecutionException q) {
      return q.code().name();
    }
    if (e instanceof DataSourceException d) {
      return d.code().name();
    }
    if (e instanceof QueryException q) {
      return q.code().name();
    }
    return "INTERNAL";
  }

  public Clock clock() {
    return clock;
  }

  void record(Execution ex, StageTimings timings, long rows, long bytes, RuntimeException e) {
    record(ex, timings, rows, bytes, e, null);
  }

  void record(Execution ex, StageTimings timings, long rows, long bytes, RuntimeException e,
      CacheTier tier) {
    String code = errorCode(e);
    QueryRequest r = ex.request;
    QueryEvent event = new QueryEvent(ex.queryId, r.user(), r.endpoint(), r.queryText(), ex.sql,
        ex.dataSource, ex.startedAt, timings, rows, bytes, code,
        e == null ? null : String.valueOf(e.getMessage()), tier == null ? null : tier.id(),
        ex.rollup);
    try {
      logger.record(event);
    } catch (RuntimeException failure) {
      LOG.warn("the query logger failed for query {}", ex.queryId, failure);
    }
  }
}
