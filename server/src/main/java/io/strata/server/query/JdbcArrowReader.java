package io.strata.server.query;

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
 * Reads any JDBC result set as Arrow batches with the same type rules as query results
 * ({@link ArrowConversion}): for results Strata computes itself, such as the SQL layer's. One
 * batch in memory at a time; the caller owns the result set and closes both.
 */
public final class JdbcArrowReader implements AutoCloseable {
  private final Schema schema;
  private final ArrowVectorIterator iterator;
  private final VectorSchemaRoot root;

  public JdbcArrowReader(ResultSet rs, BufferAllocator allocator, int batchRows)
      throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    List<ArrowConversion.Column> plans = ArrowConversion.plan(md, List.of());
    this.schema = ArrowConversion.schema(plans, List.of(), md);
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
