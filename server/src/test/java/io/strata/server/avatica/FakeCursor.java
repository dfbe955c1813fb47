package io.strata.server.avatica;

import io.strata.server.sql.SqlColumn;
import io.strata.server.sql.SqlCursor;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/** A cursor over batches built in memory, for testing what reads cursors. */
final class FakeCursor implements SqlCursor {
  private final List<SqlColumn> columns;
  private final List<VectorSchemaRoot> batches;
  private int index = -1;
  private long rows;
  volatile boolean cancelled;
  volatile boolean closed;
  int nextCalls;

  FakeCursor(List<SqlColumn> columns, List<VectorSchemaRoot> batches) {
    this.columns = columns;
    this.batches = new ArrayList<>(batches);
  }

  @Override
  public String queryId() {
    return "fake";
  }

  @Override
  public Schema schema() {
    return batches.get(0).getSchema();
  }

  @Override
  public List<SqlColumn> columns() {
    return columns;
  }

  @Override
  public boolean next() {
    nextCalls++;
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (index + 1 >= batches.size()) {
      index = batches.size();
      return false;
    }
    index++;
    rows += batches.get(index).getRowCount();
    return true;
  }

  @Override
  public VectorSchemaRoot batch() {
    if (index < 0 || index >= batches.size()) {
      throw new IllegalStateException("no current batch");
    }
    return batches.get(index);
  }

  @Override
  public long rows() {
    return rows;
  }

  @Override
  public void cancel() {
    cancelled = true;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      batches.forEach(VectorSchemaRoot::close);
    }
  }
}
