package io.strata.server.query;

import io.strata.semantic.compile.CompiledQuery;
import io.strata.semantic.dialect.Dialect;
import io.strata.server.datasource.DataSourceException;
import io.strata.server.query.QueryExecutionException.Code;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
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
 * has been sent anything.
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
      long remaining = execution.deadlineNanos - System.nanoTime();
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
      failure = map(e);
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
    return reader.batch();
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
    checkAbort();
    if (!reader.next()) {
      exhausted = true;
      return false;
    }
    VectorSchemaRoot root = reader.batch();
    int n = root.getRowCount();
    if (rows + n > limits.maxRows()) {
      root.clear();
      throw new QueryExecutionException(Code.ROW_LIMIT_EXCEEDED, execution.queryId,
          "query " + execution.queryId + " returns more than " + limits.maxRows()
              + " rows, the most a query may return (strata.query.max-rows); add a limit or"
              + " filters, or raise strata.query.max-rows");
    }
    rows += n;
    for (FieldVector v : root.getFieldVectors()) {
      bytes += v.getBufferSize();
    }
    return true;
  }

  private void checkAbort() {
    Code reason = execution.abortReason();
    if (reason == null && System.nanoTime() - execution.deadlineNanos >= 0) {
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
        || System.nanoTime() - execution.deadlineNanos >= 0)) {
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
    if (ownsAllocator) {
      try {
        allocator.close();
      } catch (IllegalStateException e) {
        LOG.warn("query {} leaked Arrow memory: {}", execution.queryId, e.getMessage());
      }
    }
    endNanos = System.nanoTime();
    service.record(execution, timings(), rows, bytes, failure);
  }
}
