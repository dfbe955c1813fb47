package io.strata.server.sql;

import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The result of one SQL statement, read as Arrow batches while it streams. Use from one thread,
 * except {@link #cancel()}, which any thread may call; always close.
 *
 * <p>{@link #next()} loads the next batch into {@link #batch()}, valid until the next call to
 * {@code next()} or {@code close()}. Failures while reading are the query service's
 * {@code QueryExecutionException} (timeout, cancelled, row limit, warehouse error).
 */
public interface SqlCursor extends AutoCloseable {
  /** The id under which the query appears in the query log and the running-queries list. */
  String queryId();

  /** The Arrow schema; field names are the column labels of {@link #columns()}. */
  Schema schema();

  /** The result's columns as JDBC describes them, in order. */
  List<SqlColumn> columns();

  /** Loads the next batch; false at the end. */
  boolean next();

  /** The current batch, owned by the cursor. */
  VectorSchemaRoot batch();

  /** Rows read so far. */
  long rows();

  /** Cancels the query at the warehouse; the reader's next {@code next()} fails CANCELLED. */
  void cancel();

  @Override
  void close();
}
