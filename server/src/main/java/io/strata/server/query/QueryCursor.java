package io.strata.server.query;

import io.strata.acceleration.cache.ArrowIpc;
import io.strata.acceleration.cache.CacheEntry;
import io.strata.acceleration.cache.CacheSettings;
import io.strata.acceleration.cache.CacheTier;
import io.strata.acceleration.cache.ResultCache;
import io.strata.semantic.compile.CompiledQuery;
import io.strata.semantic.dialect.Dialect;
import io.strata.server.datasource.DataSourceException;
import io.strata.server.query.QueryExecutionException.Code;
import java.io.IOException;
import java.sql.Connection;
import java.time.Duration;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The result of one query, read batch by batch while the warehouse streams it. Obtain one from
 * {@link QueryService#open(QueryRequest)}; use it from one thread and always close it.
 *
 * <p>{@link #next()} loads the next Arrow batch (at most {@code batchRows} rows) into
 * {@link #batch()}, which the cursor owns and reuses: a batch is valid until the next call to
 * {@code next()} or {@code close()}, and only one batch is in memory at a time. The first batch
 * is already read when {@code open} returns, so warehouse errors surface there, before a client
 * has been sent anything (a hit reads only its entry's schema there: see {@link #takeEntry()}).
 *
 * <p>{@code next()} throws {@link QueryExecutionException}: {@code TIMEOUT} once the query has
 * run longer than {@code strata.query.timeout} (the timeout covers the whole cursor, so a client
 * that stops reading cannot hold a warehouse connection forever), {@code CANCELLED},
 * {@code SHUTTING_DOWN}, {@code ROW_LIMIT_EXCEEDED} when the row after
 * {@code strata.query.max-rows} arrives, {@code WAREHOUSE_ERROR}. After a failure the
 * warehouse connection is returned at once and {@code next()} throws the same exception again.
 *
 * <p>{@link #close()} is idempotent: it closes the result set, statement and connection (if
 * that has not happened when the result was exhausted), frees the Arrow memory and records
 * exactly one {@link QueryEvent}.
 */
public final class QueryCursor implements ArrowBatches {
  private static final Logger LOG = LoggerFactory.getLogger(QueryCursor.class);

  private final QueryService service;
  private final Execution execution;
  private final CompiledQuery compiled;
  private final BufferAllocator allocator;
  private final boolean ownsAllocator;
  private final QueryLimits limits;
  private final long compileMicros;

  private Connection connection;
  private Statement statement;
  private ResultSet resultSet;
  private JdbcArrowReader reader;
  private boolean autoCommitChanged;
  private ScheduledFuture<?> watchdog;

  private Schema schema;
  private boolean firstPending;
  private boolean firstHasRows;
  private boolean current;
  private boolean exhausted;
  private boolean released;
  private boolean closed;
  private RuntimeException failure;

  // the results cache: a hit is read from its entry; a miss is captured for it while it streams
  private ArrowStreamReader cached;
  private VectorSchemaRoot cachedRoot;
  /** The entry of a hit until a batch is read or the entry is taken whole. */
  private CacheEntry cachedEntry;
  private CacheTier tier = CacheTier.BYPASS;
  private CacheInfo cacheInfo;
  private ResultCache.Lead lead;
  private ArrowIpc.Writer capture;
  private CacheSettings cacheSettings;
  private Duration ttl;
  private String sourceVersion;

  private long rows;
  private long bytes;
  private long executeNanos;
  private long fetchNanos;
  private long endNanos;

  QueryCursor(QueryService service, Execution execution, CompiledQuery compiled,
      BufferAllocator allocator, boolean ownsAllocator, long compileMicros) {
    this.service = service;
    this.execution = execution;
    this.compiled = compiled;
    this.allocator = allocator;
    this.ownsAllocator = ownsAllocator;
    this.limits = service.limits();
    this.compileMicros = compileMicros;
  }

  /** Offers the result to the cache (a miss this cursor leads): it is captured as it streams. */
  void capture(ResultCache.Lead lead, CacheSettings settings, Duration ttl,
      String sourceVersion) {
    this.lead = lead;
    this.cacheSettings = settings;
    this.ttl = ttl;
    this.sourceVersion = sourceVersion;
    this.tier = CacheTier.MISS;
  }

  /** Serves a cached result: no warehouse is touched. */
  QueryCursor startCached(CacheEntry entry, CacheTier from, boolean stale, String staleReason) {
    long t = System.nanoTime();
    try {
      tier = from;
      cacheInfo = new CacheInfo(from, stale, staleReason, entry.createdAt(), entry.expiresAt());
      cached = ArrowIpc.reader(entry.ipc(), allocator);
      cachedRoot = cached.getVectorSchemaRoot();
      schema = cachedRoot.getSchema();
      // only the schema is read: batches are decoded when they are asked for, so an endpoint
      // that sends the entry's IPC messages as they are (Flight) never decodes them
      cachedEntry = entry;
      executeNanos = System.nanoTime() - t;
      return this;
    } catch (IOException | RuntimeException e) {
      executeNanos = System.nanoTime() - t;
      failure = new QueryExecutionException(Code.WAREHOUSE_ERROR, execution.queryId,
          "query " + execution.queryId + ": its cached result could not be read: " + e, e);
      close();
      throw failure;
    }
  }

  /**
   * When the warehouse failed and the cache holds an expired result within the stale-if-error
   * window, serves that (and says so) instead of the error.
   */
  private boolean fallBackToStale(RuntimeException error) {
    if (lead == null || !(error instanceof QueryExecutionException q)
        || q.code() != Code.WAREHOUSE_ERROR && q.code() != Code.TIMEOUT) {
      return false;
    }
    CacheEntry stale = lead.staleFallback();
    if (stale == null) {
      return false;
    }
    LOG.warn("query {}: the warehouse failed, serving the result cached at {} ({})",
        execution.queryId, stale.createdAt(), error.getMessage());
    ResultCache.Hit hit = lead.servedStale(stale);
    lead = null;
    closeCapture();
    release();
    exhausted = false;
    startCached(hit.entry(), hit.tier(), true, error.getMessage());
    return true;
  }

  /** Borrows a connection, executes, reads the first batch; on failure closes and throws. */
  QueryCursor start() {
    long t = System.nanoTime();
    try {
      checkAbort();
      connection = service.registry().connect(compiled.dataSource());
      if (streamsInTransaction(compiled.dialect()) && connection.getAutoCommit()) {
        // pgjdbc only honours the fetch size (a server-side cursor) outside autocommit
        connection.setAutoCommit(false);
        autoCommitChanged = true;
      }
      statement = connection.createStatement(ResultSet.TYPE_FORWARD_ONLY,
          ResultSet.CONCUR_READ_ONLY);
      try {
        statement.setFetchSize(limits.batchRows());
      } catch (SQLException e) {
        // a driver that cannot stream by fetch size (DuckDB streams by its own setting)
      }
      long remaining = execution.deadline() - System.nanoTime();
      try {
        statement.setQueryTimeout((int) Math.max(1,
            Math.min(Integer.MAX_VALUE, (TimeUnit.NANOSECONDS.toMillis(remaining) + 999) / 1000)));
      } catch (SQLException e) {
        // the watchdog below enforces the timeout anyway
      }
      execution.attach(statement);
      watchdog = service.scheduleTimeout(execution, remaining);
      checkAbort();
      resultSet = statement.executeQuery(compiled.sql());
      execution.resultArrived();
      reader = new JdbcArrowReader(resultSet, allocator, limits.batchRows(),
          compiled.columns());
      schema = reader.schema();
      firstHasRows = load();
      firstPending = true;
      executeNanos = System.nanoTime() - t;
      return this;
    } catch (RuntimeException | SQLException e) {
      executeNanos = System.nanoTime() - t;
      RuntimeException mapped = map(e);
      if (fallBackToStale(mapped)) {
        return this;
      }
      failure = mapped;
      close();
      throw failure;
    } catch (Error e) {
      failure = new IllegalStateException(e);
      close();
      throw e;
    }
  }

  private static boolean streamsInTransaction(Dialect d) {
    return d == Dialect.POSTGRES || d == Dialect.REDSHIFT;
  }

  @Override
  public String queryId() {
    return execution.queryId;
  }

  /** The compiled query, including the row limit Strata added. */
  public CompiledQuery compiled() {
    return compiled;
  }

  /**
   * The result's schema: one field per output column, named as clients know it
   * ({@code orders.ordered_at.month}), with {@code strata.*} metadata describing the member.
   */
  @Override
  public Schema schema() {
    return schema;
  }

  /**
   * Loads the next batch into {@link #batch()}.
   *
   * @return false when there are no more rows
   * @throws QueryExecutionException see the class description
   */
  @Override
  public boolean next() {
    if (closed) {
      throw new IllegalStateException("the cursor of query " + execution.queryId
          + " is closed");
    }
    if (failure != null) {
      throw failure;
    }
    execution.readerBack();
    cachedEntry = null;
    try {
      return nextBatch();
    } finally {
      execution.waitingForReader();
    }
  }

  private boolean nextBatch() {
    if (firstPending) {
      firstPending = false;
      current = firstHasRows;
      if (!current) {
        release();
      }
      return current;
    }
    if (exhausted) {
      current = false;
      return false;
    }
    long t = System.nanoTime();
    try {
      current = false;
      current = load();
      if (!current) {
        release();
      }
      return current;
    } catch (RuntimeException e) {
      failure = map(e);
      release();
      throw failure;
    } finally {
      fetchNanos += System.nanoTime() - t;
    }
  }

  /** The current batch; owned by the cursor and valid until the next {@code next()}. */
  @Override
  public VectorSchemaRoot batch() {
    if (!current) {
      throw new IllegalStateException("query " + execution.queryId + " has no current batch:"
          + " call next() first, and only while it returns true");
    }
    return cached != null ? cachedRoot : reader.batch();
  }

  /**
   * The cache entry a hit is served from, taken whole instead of read batch by batch: an
   * endpoint that sends Arrow IPC as it is (Flight SQL) sends the entry's record batches without
   * decoding them. Empty when the result is not a hit or a batch was read already; once taken,
   * the cursor is at its end and its query-log entry counts the entry's rows.
   */
  public java.util.Optional<CacheEntry> takeEntry() {
    CacheEntry e = cachedEntry;
    if (e == null || closed || failure != null) {
      return java.util.Optional.empty();
    }
    cachedEntry = null;
    firstPending = false;
    current = false;
    exhausted = true;
    rows = e.rows();
    bytes = e.ipc().length;
    return java.util.Optional.of(e);
  }

  /** The rollup answering the query ({@code model.rollup@version}), or null. */
  public String rollup() {
    return execution.rollup;
  }

  /** Where the result comes from: a cache tier with its age, or the warehouse. */
  public CacheInfo cacheInfo() {
    return cacheInfo != null ? cacheInfo : new CacheInfo(tier, false, null, null, null);
  }

  /** Rows read so far. */
  public long rows() {
    return rows;
  }

  /** Bytes of Arrow buffers read so far. */
  long bytes() {
    return bytes;
  }

  public StageTimings timings() {
    long end = endNanos != 0 ? endNanos : System.nanoTime();
    return new StageTimings(compileMicros, executeNanos / 1000, fetchNanos / 1000,
        (end - execution.startNanos) / 1000);
  }

  /** Reads the next non-empty batch of warehouse rows into the reader's batch. */
  private boolean load() {
    if (cached != null) {
      return loadCached();
    }
    checkAbort();
    if (!reader.next()) {
      exhausted = true;
      stored();
      return false;
    }
    VectorSchemaRoot root = reader.batch();
    int n = root.getRowCount();
    long maxRows = service.maxRows(execution.request);
    if (rows + n > maxRows) {
      root.clear();
      String setting = QueryService.maxRowsSetting(execution.request);
      throw new QueryExecutionException(Code.ROW_LIMIT_EXCEEDED, execution.queryId,
          "query " + execution.queryId + " returns more than " + maxRows
              + " rows, the most a query may return (" + setting + "); add a limit or"
              + " filters, or raise " + setting);
    }
    rows += n;
    for (FieldVector v : root.getFieldVectors()) {
      bytes += v.getBufferSize();
    }
    if (capture == null && lead != null) {
      capture = new ArrowIpc.Writer(schema != null ? schema : root.getSchema(),
          cacheSettings.compression(), cacheSettings.maxEntryBytes());
    }
    if (capture != null && !capture.write(root)) {
      closeCapture(); // larger than an entry may be: streamed, not stored
      lead.complete(null, rows, 0, ttl, sourceVersion);
      lead = null;
    }
    return true;
  }

  private boolean loadCached() {
    try {
      while (cached.loadNextBatch()) {
        VectorSchemaRoot root = cachedRoot;
        if (root.getRowCount() == 0) {
          continue;
        }
        rows += root.getRowCount();
        for (FieldVector v : root.getFieldVectors()) {
          bytes += v.getBufferSize();
        }
        return true;
      }
      exhausted = true;
      return false;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The whole result has been read from the warehouse: store it. */
  private void stored() {
    if (lead == null) {
      return;
    }
    byte[] ipc;
    if (capture == null) { // an empty result
      try (ArrowIpc.Writer empty = new ArrowIpc.Writer(schema, cacheSettings.compression(),
          cacheSettings.maxEntryBytes())) {
        ipc = empty.finish(allocator);
      }
    } else {
      ipc = capture.finish(allocator);
    }
    closeCapture();
    long micros = (System.nanoTime() - execution.startNanos) / 1000; // what a hit saves
    CacheEntry entry = lead.complete(ipc, rows, micros, ttl, sourceVersion);
    lead = null;
    if (entry != null) {
      cacheInfo = new CacheInfo(CacheTier.MISS, false, null, entry.createdAt(),
          entry.expiresAt());
    }
  }

  private void closeCapture() {
    if (capture != null) {
      capture.close();
      capture = null;
    }
  }

  private void checkAbort() {
    Code reason = execution.abortReason();
    if (reason == null && System.nanoTime() - execution.deadline() >= 0) {
      execution.abort(Code.TIMEOUT);
      reason = execution.abortReason();
    }
    if (reason != null) {
      throw service.aborted(execution, reason, null);
    }
  }

  /** The exception a client sees for a failure while executing or reading. */
  private RuntimeException map(Throwable e) {
    if (e instanceof QueryExecutionException q) {
      return q;
    }
    if (e instanceof DataSourceException d) {
      return d;
    }
    Code reason = execution.abortReason();
    if (reason == null && (find(e, SQLTimeoutException.class) != null
        || System.nanoTime() - execution.deadline() >= 0)) {
      reason = Code.TIMEOUT;
    }
    if (reason != null) {
      return service.aborted(execution, reason, e);
    }
    ArrowConversion.ConversionException ce = find(e, ArrowConversion.ConversionException.class);
    if (ce != null) {
      return new QueryExecutionException(Code.WAREHOUSE_ERROR, execution.queryId,
          "query " + execution.queryId + " on data source '" + compiled.dataSource()
              + "' returned a value Strata cannot convert: " + ce.getMessage(), e);
    }
    SQLException se = find(e, SQLException.class);
    java.util.Optional<String> refused =
        io.strata.server.datasource.ExternalAccess.refusal(se, compiled.dataSource());
    if (refused.isPresent()) {
      return new QueryExecutionException(Code.EXTERNAL_ACCESS_DENIED, execution.queryId,
          "query " + execution.queryId + ": " + refused.get(), se);
    }
    if (se != null) {
      return new QueryExecutionException(Code.WAREHOUSE_ERROR, execution.queryId,
          "data source '" + compiled.dataSource() + "' failed query " + execution.queryId
              + ": " + message(se), se);
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return new QueryExecutionException(Code.WAREHOUSE_ERROR, execution.queryId,
        "query " + execution.queryId + " failed while reading its result from data source '"
            + compiled.dataSource() + "': " + message(root), e);
  }

  private static String message(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m.strip();
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /**
   * Returns the warehouse connection: after the last batch, after a failure, or on close.
   * Stops the watchdog first and forbids further cancels, so none can reach the connection's
   * next user.
   */
  private void release() {
    if (released) {
      return;
    }
    released = true;
    if (lead != null) {
      lead.abandon(); // failed, cancelled or closed before its end: nothing to store
      lead = null;
    }
    closeCapture();
    if (watchdog != null) {
      watchdog.cancel(false);
    }
    execution.finish();
    if (resultSet != null && !exhausted && connection != null
        && compiled.dialect() == Dialect.MYSQL) {
      // MariaDB Connector/J reads an unfinished streaming result to its end when the result
      // set or statement is closed (measured: 9 s for 30M rows; a KILL QUERY does not stop
      // it). Aborting the connection drops the socket instead; the pool then discards it.
      try {
        connection.abort(Runnable::run);
      } catch (SQLException | RuntimeException e) {
        LOG.debug("query {}: aborting the connection failed", execution.queryId, e);
      }
    }
    closeQuietly(resultSet);
    closeQuietly(statement);
    if (connection != null) {
      if (autoCommitChanged) {
        try {
          connection.rollback();
          connection.setAutoCommit(true);
        } catch (SQLException | RuntimeException e) {
          LOG.debug("query {}: resetting the connection failed", execution.queryId, e);
        }
      }
      closeQuietly(connection);
    }
    resultSet = null;
    statement = null;
    connection = null;
    service.finished(execution);
  }

  private void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.debug("query {}: closing {} failed", execution.queryId, c.getClass().getSimpleName(), e);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    current = false;
    release();
    if (reader != null) {
      reader.close();
    }
    if (cached != null) {
      try {
        cached.close();
      } catch (IOException | RuntimeException e) {
        LOG.debug("query {}: closing its cached result failed", execution.queryId, e);
      }
    }
    if (ownsAllocator) {
      try {
        allocator.close();
      } catch (IllegalStateException e) {
        LOG.warn("query {} leaked Arrow memory: {}", execution.queryId, e.getMessage());
      }
    }
    endNanos = System.nanoTime();
    service.record(execution, timings(), rows, bytes, failure, tier);
  }
}
