package io.strata.server.query;

import io.strata.server.query.QueryExecutionException.Code;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

/**
 * The shared state of one running query: what {@link QueryService#running()} lists and what
 * {@link QueryService#cancel(String)}, the timeout watchdog and shutdown act on. The cursor
 * owns the JDBC objects; other threads only ever call {@link Statement#cancel()}, under this
 * object's lock, and never after {@link #finish()}, so a late cancel cannot reach a statement
 * that has been closed or a connection already serving another query.
 */
final class Execution {
  final String queryId;
  final QueryRequest request;
  final Instant startedAt;
  final long startNanos;
  final long deadlineNanos;
  volatile String dataSource;
  volatile String sql;
  /** The rollup answering the query ({@code model.rollup@version}), or null. */
  volatile String rollup;

  /** Time the result spent waiting for its reader (the client), which the timeout leaves out. */
  private final java.util.concurrent.atomic.AtomicLong waitedNanos =
      new java.util.concurrent.atomic.AtomicLong();
  /** Since when the result waits for its reader; 0 while the cursor reads the warehouse. */
  private volatile long waitingSince;

  private Statement statement; // guarded by this
  private boolean finished; // guarded by this
  private boolean resultArrived; // guarded by this
  private volatile Code abortReason;

  Execution(String queryId, QueryRequest request, Instant startedAt, long startNanos,
      long deadlineNanos) {
    this.queryId = queryId;
    this.request = request;
    this.startedAt = startedAt;
    this.startNanos = startNanos;
    this.deadlineNanos = deadlineNanos;
  }

  /** Makes the statement cancellable; cancels it at once if an abort came first. */
  synchronized void attach(Statement st) {
    statement = st;
    if (abortReason != null && !finished) {
      cancelQuietly(st);
    }
  }

  /**
   * Asks the query to stop for {@code reason} (the first reason wins): cancels the statement if
   * one is executing; the cursor notices the reason at its next batch in any case.
   *
   * @return false when the query had already finished
   */
  boolean abort(Code reason) {
    synchronized (this) {
      if (finished) {
        return false;
      }
      if (abortReason == null) {
        abortReason = reason;
      }
      if (statement != null) {
        cancelQuietly(statement);
      }
      return true;
    }
  }

  /** The warehouse has answered the statement: a cancel from now on reaches a running query. */
  synchronized void resultArrived() {
    resultArrived = true;
  }

  /**
   * Cancels the statement again if the query was aborted and its statement is still waiting
   * for the warehouse's answer: a driver may drop a cancel that arrives just before the
   * statement starts executing (DuckDB does).
   *
   * @return true while another try may be needed
   */
  synchronized boolean cancelAgain() {
    if (finished || abortReason == null || resultArrived) {
      return false;
    }
    if (statement != null) {
      cancelQuietly(statement);
    }
    return true;
  }

  /** No cancels after this; called before the cursor closes its statement. */
  synchronized void finish() {
    finished = true;
    statement = null;
  }

  /**
   * When strata.query.timeout ends this query: its deadline moved on by the time the result
   * spent waiting for the client to ask for more, so a slow reader is not timed out for the
   * warehouse's work.
   */
  long deadline() {
    long since = waitingSince;
    return deadlineNanos + waitedNanos.get() + (since == 0 ? 0 : System.nanoTime() - since);
  }

  /** The cursor handed a batch over: the result waits for its reader from now on. */
  void waitingForReader() {
    waitingSince = System.nanoTime();
  }

  /** The reader asked for the next batch. */
  void readerBack() {
    long since = waitingSince;
    if (since != 0) {
      waitingSince = 0;
      waitedNanos.addAndGet(System.nanoTime() - since);
    }
  }

  Code abortReason() {
    return abortReason;
  }

  RunningQuery describe() {
    return new RunningQuery(queryId, request.user(), dataSource, sql, startedAt);
  }

  private static void cancelQuietly(Statement st) {
    try {
      st.cancel();
    } catch (SQLException | RuntimeException e) {
      // the statement finished or the driver cannot cancel; the cursor checks the reason itself
    }
  }
}
