package io.strata.server.flight;

import io.strata.server.query.QueryExecutionException;
import io.strata.server.sql.PreparedSql;
import io.strata.server.sql.SqlCancel;
import io.strata.server.sql.SqlCursor;
import io.strata.server.sql.SqlService;
import io.strata.server.sql.SqlSession;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One statement a Flight client runs: executed when the client asks for its FlightInfo, then
 * held open under {@link #handle} until the client streams it (or it expires), then streamed.
 * One thread at a time owns it (the executing call, then the results cache, then the streaming
 * call) and only the owner reads or closes the cursor; {@link #cancel()} may come from any
 * thread at any time.
 */
final class FlightQuery {
  final String handle;
  final String user;
  /** Cancels the statement while it executes. */
  private final SqlCancel token = new SqlCancel();
  private volatile SqlCursor cursor;
  private volatile Schema schema;
  private volatile boolean cancelled;
  private volatile Runnable onCancel;
  private boolean closed; // guarded by this

  FlightQuery(String handle, String user) {
    this.handle = handle;
    this.user = user;
  }

  /**
   * Runs the statement until its first batch is read. A {@link #cancel()} meanwhile (the client
   * gave up on its call) cancels it through its {@link SqlCancel} and fails it
   * {@code CANCELLED}.
   */
  void execute(SqlService sql, PreparedSql statement, List<Object> parameters,
      SqlSession session) {
    SqlCursor c = sql.execute(statement, parameters, new SqlSession(session.security(),
        session.endpoint(), token, session.options()));
    synchronized (this) {
      if (cancelled || closed) {
        c.cancel();
        c.close();
        throw new QueryExecutionException(QueryExecutionException.Code.CANCELLED, c.queryId(),
            "query " + c.queryId() + " was cancelled");
      }
      cursor = c;
      schema = FlightMetadata.describe(c.schema(), c.columns());
    }
  }

  SqlCursor cursor() {
    return cursor;
  }

  /** The result's schema, with the Flight SQL column metadata. */
  Schema schema() {
    return schema;
  }

  boolean cancelled() {
    return cancelled;
  }

  /** Run (once) when the statement is cancelled, to wake whoever waits on its behalf. */
  void onCancel(Runnable r) {
    onCancel = r;
  }

  /** Stops the statement: at the warehouse if it runs, at the next batch if it streams. */
  void cancel() {
    cancelled = true;
    SqlCursor c = cursor;
    if (c != null) {
      c.cancel();
    } else {
      token.cancel();
    }
    Runnable r = onCancel;
    if (r != null) {
      r.run();
    }
  }

  /** Closes the cursor (by its owner). */
  synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    SqlCursor c = cursor;
    if (c != null) {
      c.close();
    }
  }
}
