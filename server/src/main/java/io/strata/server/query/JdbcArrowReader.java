package io.strata.server.query;

import io.strata.semantic.compile.OutputColumn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.List;
import org.apache.arrow.adapter.jdbc.ArrowVectorIterator;
import org.apache.arrow.adapter.jdbc.JdbcToArrow;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads a JDBC result set as Arrow batches with Strata's type rules ({@link ArrowConversion}):
 * a warehouse's result for a {@link QueryCursor}, or one Strata computes itself (the SQL
 * layer's). One batch in memory at a time; empty batches are skipped. The caller owns the
 * result set and closes both.
 */
public final class JdbcArrowReader implements AutoCloseable {
  private final Schema schema;
  private final ArrowVectorIterator iterator;
  private final VectorSchemaRoot root;

  /** A result whose fields are named by its SQL labels. */
  public JdbcArrowReader(ResultSet rs, BufferAllocator allocator, int batchRows)
      throws SQLException {
    this(rs, allocator, batchRows, List.of());
  }

  /**
   * A result whose columns hold {@code columns}, by position: fields named and described after
   * the members, values read as the members' types ask.
   */
  JdbcArrowReader(ResultSet rs, BufferAllocator allocator, int batchRows,
      List<OutputColumn> columns) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    List<ArrowConversion.Column> plans = ArrowConversion.plan(md, columns);
    this.schema = ArrowConversion.schema(plans, columns, md);
    List<String> names = schema.getFields().stream().map(Field::getName).toList();
    try {
      this.iterator = JdbcToArrow.sqlToArrowVectorIterator(rs,
          ArrowConversion.config(allocator, batchRows, plans, names));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.root = VectorSchemaRoot.create(schema, allocator);
  }

  public Schema schema() {
    return schema;
  }

  /** Loads the next non-empty batch into {@link #batch()}; false at the end. */
  public boolean next() {
    root.clear();
    while (iterator.hasNext()) {
      try (VectorSchemaRoot batch = iterator.next()) {
        int n = batch.getRowCount();
        if (n == 0) {
          continue;
        }
        for (int i = 0; i < batch.getFieldVectors().size(); i++) {
          batch.getVector(i).makeTransferPair(root.getVector(i)).transfer();
        }
        root.setRowCount(n);
        return true;
      }
    }
    return false;
  }

  public VectorSchemaRoot batch() {
    return root;
  }

  @Override
  public void close() {
    iterator.close();
    root.close();
  }
}
