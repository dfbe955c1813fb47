package io.strata.server.sql;

import io.strata.semantic.model.MemberKind;
import io.strata.semantic.query.SemanticQuery;
import io.strata.server.query.QueryCursor;
import io.strata.server.query.QueryRequest;
import io.strata.server.query.QueryService;
import io.strata.server.sql.SemanticTables.Column;
import io.strata.server.sql.SemanticTables.Table;
import io.strata.server.sql.SqlQueryException.Code;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.AbstractEnumerable;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.schema.ProjectableFilterableTable;
import org.apache.calcite.schema.ScannableTable;
import org.apache.calcite.schema.Schema;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * The tables Calcite plans with when a query is more than a SELECT over one semantic table:
 * the semantic schema's tables (a scan is the semantic query of the columns Calcite needs,
 * grouped by the dimensions among them) and the leaves (semantic SELECTs found inside the
 * query, each run as its own semantic query). Both read through the query service, so each
 * leaf is compiled for its warehouse, limited, logged and cancellable like any query.
 */
final class CalciteTables {

  /**
   * What one SQL statement's queries share: who runs them, and cancellation, which reaches its
   * semantic queries (through the query service) and the statements Calcite opened on data
   * sources' connections while this execution was {@link #current()} on the thread.
   */
  static final class Execution {
    private static final ThreadLocal<Execution> CURRENT = new ThreadLocal<>();

    final SqlSession session;
    final String text;
    final QueryService queries;
    final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Set<java.sql.Statement> warehouse = ConcurrentHashMap.newKeySet();
    volatile boolean cancelled;
    volatile boolean timedOut;

    Execution(SqlSession session, String text, QueryService queries) {
      this.session = session;
      this.text = text;
      this.queries = queries;
    }

    void cancel() {
      cancelled = true;
      running.forEach(queries::cancel);
      for (java.sql.Statement st : warehouse) {
        try {
          st.cancel();
        } catch (java.sql.SQLException | RuntimeException e) {
          // closed meanwhile, or a driver without cancel: the timeout still ends the read
        }
      }
    }

    /** The execution Calcite works for on this thread, or null. */
    static Execution current() {
      return CURRENT.get();
    }

    /** Makes this the current execution of the thread until the returned scope closes. */
    Scope enter() {
      Execution previous = CURRENT.get();
      CURRENT.set(this);
      return () -> {
        if (previous == null) {
          CURRENT.remove();
        } else {
          CURRENT.set(previous);
        }
      };
    }

    /** A statement opened on a data source's connection for this execution. */
    void opened(java.sql.Statement st) {
      warehouse.add(st);
      if (cancelled) {
        try {
          st.cancel();
        } catch (java.sql.SQLException | RuntimeException e) {
          // nothing runs on it yet: Calcite's cancel flag stops it
        }
      }
    }

    void closed(java.sql.Statement st) {
      warehouse.remove(st);
    }

    /** The extent of {@link #enter()}. */
    interface Scope extends AutoCloseable {
      @Override
      void close();
    }
  }

  private CalciteTables() {}

  static RelDataType rowType(RelDataTypeFactory f, List<SqlColumn> columns) {
    RelDataTypeFactory.Builder b = f.builder();
    Set<String> seen = new java.util.HashSet<>();
    for (SqlColumn c : columns) {
      SqlTypeName t = ArrowSqlTypes.sqlTypeName(c);
      RelDataType type = t == SqlTypeName.DECIMAL
          ? f.createSqlType(t, Math.max(1, Math.min(38, c.precision())),
              Math.max(0, Math.min(c.scale(), Math.min(38, c.precision()))))
          : f.createSqlType(t);
      String name = c.name();
      for (int i = 0; !seen.add(name.toLowerCase(java.util.Locale.ROOT)); i++) {
        name = c.name() + i;
      }
      b.add(name, f.createTypeWithNullability(type, true));
    }
    return b.build();
  }

  /** The semantic schema for one statement: a table per model and view. */
  static Schema semanticSchema(SemanticTables tables, Execution exec) {
    Map<String, org.apache.calcite.schema.Table> map = new LinkedHashMap<>();
    for (Table t : tables.tables()) {
      map.put(t.name(), new SemanticTable(tables, t, exec));
    }
    return new AbstractSchema() {
      @Override
      protected Map<String, org.apache.calcite.schema.Table> getTableMap() {
        return map;
      }
    };
  }

  /** A schema holding the given tables. */
  static Schema schemaOf(Map<String, org.apache.calcite.schema.Table> tables) {
    return new AbstractSchema() {
      @Override
      protected Map<String, org.apache.calcite.schema.Table> getTableMap() {
        return tables;
      }
    };
  }

  /** A semantic table scanned by Calcite. */
  static final class SemanticTable extends AbstractTable implements ProjectableFilterableTable {
    private final SemanticTables tables;
    private final Table table;
    private final Execution exec;

    SemanticTable(SemanticTables tables, Table table, Execution exec) {
      this.tables = tables;
      this.table = table;
      this.exec = exec;
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory f) {
      return rowType(f, tables.types(table));
    }

    @Override
    public Enumerable<Object[]> scan(DataContext root, List<RexNode> filters, int[] projects) {
      List<Column> columns = table.columns();
      List<SqlColumn> types = tables.types(table);
      // segments tested by the filter become the query's segments (and are TRUE in every row)
      List<String> segments = new ArrayList<>();
      Set<Integer> segmentColumns = new java.util.HashSet<>();
      for (var it = filters.iterator(); it.hasNext(); ) {
        Integer i = segmentRef(it.next());
        if (i != null && columns.get(i).segment()) {
          segments.add(columns.get(i).path());
          segmentColumns.add(i);
          it.remove();
        }
      }
      int[] cols = projects != null ? projects
          : java.util.stream.IntStream.range(0, columns.size()).toArray();
      List<String> dims = new ArrayList<>();
      List<String> measures = new ArrayList<>();
      List<String> names = new ArrayList<>();
      SqlTypeName[] targets = new SqlTypeName[cols.length];
      for (int k = 0; k < cols.length; k++) {
        Column c = columns.get(cols[k]);
        targets[k] = ArrowSqlTypes.sqlTypeName(types.get(cols[k]));
        if (c.segment()) {
          if (!segmentColumns.contains(cols[k])) {
            throw new SqlQueryException(Code.VALIDATION_ERROR, "segment " + c.name() + " of"
                + " semantic." + table.name() + " can only be used as a filter (WHERE "
                + c.name() + ")", 0, 0);
          }
          names.add(null);
        } else {
          if (c.kind() == MemberKind.DIMENSION) {
            dims.add(c.path());
          } else {
            measures.add(c.path());
          }
          names.add(c.path());
        }
      }
      SemanticQuery q = new SemanticQuery(measures, dims, null, null, segments, null, null,
          null, null);
      return new SemanticRows(exec, q, names, targets);
    }

    private static Integer segmentRef(RexNode filter) {
      if (filter instanceof RexInputRef ref) {
        return ref.getIndex();
      }
      if (filter instanceof RexCall call && (call.getKind() == SqlKind.IS_TRUE
          || (call.getKind() == SqlKind.EQUALS && call.getOperands().size() == 2
              && call.getOperands().get(1) instanceof RexLiteral lit
              && Boolean.TRUE.equals(lit.getValueAs(Boolean.class))))
          && call.getOperands().get(0) instanceof RexInputRef ref) {
        return ref.getIndex();
      }
      return null;
    }
  }

  /** A semantic SELECT found inside a larger query, run as its own semantic query. */
  static final class LeafTable extends AbstractTable implements ScannableTable {
    private final SemanticSelect.Translation translation;
    private final List<SqlColumn> columns;
    private final Execution exec;

    LeafTable(SemanticSelect.Translation translation, List<SqlColumn> columns, Execution exec) {
      this.translation = translation;
      this.columns = columns;
      this.exec = exec;
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory f) {
      return rowType(f, columns);
    }

    @Override
    public Enumerable<Object[]> scan(DataContext root) {
      List<String> names = translation.outputs().stream().map(SemanticSelect.Output::name)
          .toList();
      SqlTypeName[] targets = columns.stream().map(ArrowSqlTypes::sqlTypeName)
          .toArray(SqlTypeName[]::new);
      return new SemanticRows(exec, translation.query(), names, targets);
    }

    SemanticSelect.Translation translation() {
      return translation;
    }
  }

  /**
   * The rows of a semantic query as Calcite row arrays: {@code names} are the compiled columns
   * to read, in order (null for a constant TRUE), converted to {@code targets}.
   */
  static final class SemanticRows extends AbstractEnumerable<Object[]> {
    private final Execution exec;
    private final SemanticQuery query;
    private final List<String> names;
    private final SqlTypeName[] targets;

    SemanticRows(Execution exec, SemanticQuery query, List<String> names,
        SqlTypeName[] targets) {
      this.exec = exec;
      this.query = query;
      this.names = names;
      this.targets = targets;
    }

    @Override
    public Enumerator<Object[]> enumerator() {
      if (exec.cancelled) {
        throw new io.strata.server.query.QueryExecutionException(
            io.strata.server.query.QueryExecutionException.Code.CANCELLED, null,
            "the query was cancelled");
      }
      String id = java.util.UUID.randomUUID().toString();
      exec.running.add(id);
      QueryCursor cursor;
      try {
        cursor = exec.queries.open(new QueryRequest(query, exec.text, exec.session.security(),
            exec.session.endpoint(), id, () -> exec.cancelled, exec.session.options().cache(),
            exec.session.options().limits()));
      } catch (RuntimeException e) {
        exec.running.remove(id);
        throw e;
      }
      Map<String, Integer> byName = new HashMap<>();
      List<Field> fields = cursor.schema().getFields();
      for (int i = 0; i < fields.size(); i++) {
        byName.putIfAbsent(fields.get(i).getName(), i);
      }
      int[] source = new int[names.size()];
      for (int k = 0; k < source.length; k++) {
        source[k] = names.get(k) == null ? -1 : byName.get(names.get(k));
      }
      return new Enumerator<>() {
        private VectorSchemaRoot batch;
        private int row;
        private Object[] current;

        @Override
        public Object[] current() {
          return current;
        }

        @Override
        public boolean moveNext() {
          while (batch == null || row >= batch.getRowCount()) {
            if (!cursor.next()) {
              return false;
            }
            batch = cursor.batch();
            row = 0;
          }
          Object[] values = new Object[source.length];
          for (int k = 0; k < source.length; k++) {
            if (source[k] < 0) {
              values[k] = Boolean.TRUE;
            } else {
              FieldVector v = batch.getVector(source[k]);
              values[k] = ArrowSqlTypes.value(v, row, targets[k]);
            }
          }
          row++;
          current = values;
          return true;
        }

        @Override
        public void reset() {
          throw new UnsupportedOperationException("a semantic query is read once");
        }

        @Override
        public void close() {
          exec.running.remove(cursor.queryId());
          cursor.close();
        }
      };
    }
  }
}
