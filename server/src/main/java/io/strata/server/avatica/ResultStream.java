package io.strata.server.avatica;

import io.strata.server.sql.SqlCursor;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta.Frame;

/**
 * One open result, turned into Avatica frames as the client fetches them: rows are converted
 * from the cursor's current Arrow batch only, so at most one batch and one frame are in memory
 * whatever the size of the result. Frames are written straight into Avatica's protobuf wire
 * format ({@link FrameWriter}, {@link EncodedRows}), not boxed value by value. Reads forward only. Not thread-safe, except {@link #cancel()}.
 */
final class ResultStream implements AutoCloseable {
  private final SqlCursor cursor;
  private final List<JdbcValues.Column> columns;
  private final long limit;
  private long delivered;
  private int batchRow;
  private boolean positioned;
  private boolean exhausted;
  private volatile boolean done;
  private volatile boolean cancelled;
  private boolean closed;

  /**
   * @param limit the most rows to deliver (the statement's max rows), or a negative number or
   *     zero for all
   */
  ResultStream(SqlCursor cursor, long limit) {
    this.cursor = cursor;
    this.columns = JdbcValues.columns(cursor.columns(), cursor.schema());
    this.limit = limit > 0 ? limit : -1;
  }

  List<ColumnMetaData> metaData() {
    return columns.stream().map(JdbcValues.Column::metaData).toList();
  }

  String queryId() {
    return cursor.queryId();
  }

  /** Rows delivered so far: the offset of the next frame. */
  long offset() {
    return delivered;
  }

  boolean done() {
    return done;
  }

  /**
   * The next frame of at most {@code maxRows} rows (at least one row unless the result is
   * exhausted). When it is the last, the cursor is closed at once, returning the warehouse
   * connection before the client has even read it.
   */
  Frame next(int maxRows) {
    if (cancelled) {
      close();
      throw JdbcException.of(JdbcException.CANCELLED, "57014", "the query was cancelled (query "
          + cursor.queryId() + ")");
    }
    long offset = delivered;
    int wanted = maxRows;
    if (limit >= 0) {
      wanted = (int) Math.min(wanted, limit - delivered);
    }
    int width = columns.size();
    FrameWriter rows = new FrameWriter(Math.min(wanted, 4096) * Math.max(1, width) * 12);
    while (rows.rows() < wanted && position()) {
      VectorSchemaRoot batch = cursor.batch();
      List<FieldVector> vectors = batch.getFieldVectors();
      int end = batchRow + Math.min(wanted - rows.rows(), batch.getRowCount() - batchRow);
      for (int r = batchRow; r < end; r++) {
        rows.writeRow(vectors, columns, r);
      }
      batchRow = end;
    }
    delivered += rows.rows();
    if (limit >= 0 && delivered >= limit || !position()) {
      done = true;
      close();
    }
    return new Frame(offset, done, new EncodedRows(rows.toBytes(), rows.rows()));
  }

  /** Moves to a batch with a row left to read; false at the end of the result. */
  private boolean position() {
    if (done || closed || exhausted) {
      return false;
    }
    while (!positioned || batchRow >= cursor.batch().getRowCount()) {
      if (!cursor.next()) {
        exhausted = true; // the cursor has no current batch any more
        return false;
      }
      positioned = true;
      batchRow = 0;
    }
    return true;
  }

  /**
   * Cancels the query at the warehouse; any thread may call it. Rows already read from the
   * warehouse are not delivered either: the next frame fails CANCELLED.
   */
  void cancel() {
    if (!done) {
      cancelled = true;
      cursor.cancel();
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      cursor.close();
    }
  }
}
