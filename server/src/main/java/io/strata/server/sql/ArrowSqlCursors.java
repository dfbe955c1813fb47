package io.strata.server.sql;

import io.strata.server.query.JdbcArrowReader;
import io.strata.server.query.QueryExecutionException;
import io.strata.server.query.QueryExecutionException.Code;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Cursors over results Strata computes itself: Calcite's, and plans. */
final class ArrowSqlCursors {
  private static final Logger LOG = LoggerFactory.getLogger(ArrowSqlCursors.class);

  private ArrowSqlCursors() {}

  /**
   * A Calcite result set read as Arrow batches. The statement's semantic leaves run through the
   * query service (with its limits); this cursor adds the row limit and the timeout for the
   * whole statement.
   */
  static final class Calcite implements SqlCursor {
    private final String id;
    private final Connection connection;
    private final Statement statement;
    private final ResultSet resultSet;
    private final JdbcArrowReader reader;
    private final CalciteTables.Execution exec;
    private final BufferAllocator allocator;
    private final io.strata.server.query.QueryRequest.Limits limits;
    private final ScheduledFuture<?> timeout;
    private final List<SqlColumn> columns;
    private final java.util.function.BiConsumer<Long, RuntimeException> onClose;
    private RuntimeException failure;
    private boolean current;
    private long rows;
    private boolean closed;

    Calcite(String id, Connection connection, Statement statement, ResultSet resultSet,
        CalciteTables.Execution exec, BufferAllocator allocator, int batchRows,
        io.strata.server.query.QueryRequest.Limits limits, ScheduledFuture<?> timeout,
        java.util.function.BiConsumer<Long, RuntimeException> onClose) throws SQLException {
      this.onClose = onClose;
      this.id = id;
      this.connection = connection;
      this.statement = statement;
      this.resultSet = resultSet;
      this.exec = exec;
      this.allocator = allocator;
      this.limits = limits;
      this.reader = new JdbcArrowReader(resultSet, allocator, batchRows);
      this.columns = ArrowSqlTypes.columns(reader.schema(), Map.of());
      // started before the statement ran (SqlService), which cancels it when it fires
      this.timeout = timeout;
    }

    @Override
    public String queryId() {
      return id;
    }

    @Override
    public Schema schema() {
      return reader.schema();
    }

    @Override
    public List<SqlColumn> columns() {
      return columns;
    }

    @Override
    public boolean next() {
      current = false;
      if (closed) {
        throw new IllegalStateException("query " + id + " is closed");
      }
      if (failure != null) {
        throw failure;
      }
      try (CalciteTables.Execution.Scope scope = exec.enter()) {
        if (!reader.next()) {
          return false;
        }
      } catch (RuntimeException e) {
        failure = failure(e);
        throw failure;
      }
      rows += reader.batch().getRowCount();
      if (rows > limits.rows()) {
        throw failure = new QueryExecutionException(Code.ROW_LIMIT_EXCEEDED, id, "query " + id
            + " returns more than " + limits.rows() + " rows, the most a query may return ("
            + limits.maxRowsSetting() + "); add a limit or filters, or raise "
            + limits.maxRowsSetting());
      }
      current = true;
      return true;
    }

    private RuntimeException failure(RuntimeException e) {
      if (exec.timedOut) {
        return new QueryExecutionException(Code.TIMEOUT, id, "query " + id + " ran longer than"
            + " " + limits.timeoutSetting() + " and was cancelled", e);
      }
      if (exec.cancelled) {
        return new QueryExecutionException(Code.CANCELLED, id, "query " + id
            + " was cancelled", e);
      }
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof QueryExecutionException q) {
          return q;
        }
        if (t instanceof SqlQueryException s) {
          return s;
        }
        if (t.getCause() == t) {
          break;
        }
      }
      return e;
    }

    @Override
    public VectorSchemaRoot batch() {
      if (!current) {
        throw new IllegalStateException("query " + id + " has no current batch");
      }
      return reader.batch();
    }

    @Override
    public long rows() {
      return rows;
    }

    @Override
    public void cancel() {
      exec.cancel();
      try {
        // the flag, not Statement.cancel(), which may wait on the statement's lock
        connection.unwrap(org.apache.calcite.avatica.AvaticaConnection.class)
            .getCancelFlag(statement.unwrap(org.apache.calcite.avatica.AvaticaStatement.class)
                .handle).set(true);
      } catch (SQLException | org.apache.calcite.avatica.NoSuchStatementException
          | RuntimeException e) {
        LOG.debug("cancelling query {} in Calcite failed", id, e);
      }
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      timeout.cancel(false);
      exec.cancelled = true;
      reader.close();
      for (AutoCloseable c : new AutoCloseable[] {resultSet, statement, connection}) {
        try {
          c.close();
        } catch (Exception e) {
          LOG.debug("closing query {} failed", id, e);
        }
      }
      allocator.close();
      onClose.accept(rows, failure);
    }
  }

  /** A result of text lines (EXPLAIN's), one VARCHAR column. */
  static final class Lines implements SqlCursor {
    private final String id;
    private final Schema schema;
    private final VectorSchemaRoot root;
    private final List<SqlColumn> columns;
    private boolean read;
    private boolean current;

    Lines(String id, String column, List<String> lines, BufferAllocator allocator) {
      this.id = id;
      this.schema = new Schema(List.of(new Field(column,
          FieldType.nullable(ArrowType.Utf8.INSTANCE), null)));
      this.root = VectorSchemaRoot.create(schema, allocator);
      VarCharVector v = (VarCharVector) root.getVector(0);
      v.allocateNew(lines.size());
      for (int i = 0; i < lines.size(); i++) {
        v.setSafe(i, lines.get(i).getBytes(StandardCharsets.UTF_8));
      }
      v.setValueCount(lines.size());
      root.setRowCount(lines.size());
      this.columns = ArrowSqlTypes.columns(schema, Map.of());
    }

    @Override
    public String queryId() {
      return id;
    }

    @Override
    public Schema schema() {
      return schema;
    }

    @Override
    public List<SqlColumn> columns() {
      return columns;
    }

    @Override
    public boolean next() {
      current = !read && root.getRowCount() > 0;
      read = true;
      return current;
    }

    @Override
    public VectorSchemaRoot batch() {
      if (!current) {
        throw new IllegalStateException("no current batch");
      }
      return root;
    }

    @Override
    public long rows() {
      return read ? root.getRowCount() : 0;
    }

    @Override
    public void cancel() {}

    @Override
    public void close() {
      root.close();
    }
  }
}
