package io.strata.server.rollup;

import io.strata.semantic.dialect.Dialect;
import io.strata.server.datasource.DataSourceRegistry;
import io.strata.server.query.JdbcArrowReader;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code local} store: an embedded DuckDB file ({@code <data-dir>/rollups.duckdb}),
 * registered as the internal data source {@value #DATA_SOURCE} so that queries over it run
 * through the normal query path. A partition is the Arrow result of its build query on the
 * source, appended into a new table in one transaction; a version is one table holding the
 * rows of all its partitions (see {@link #createView}).
 *
 * <p>Loading: DuckDB's Arrow import ({@code registerArrowStream}) needs the arrow-c-data JNI
 * library, which Strata does not ship; the appender writes Arrow vectors value by value
 * without it (see the rollup benchmark for its speed).
 */
final class LocalRollupStore implements PartitionStore {
  static final String DATA_SOURCE = "strata_rollups";
  private static final Logger LOG = LoggerFactory.getLogger(LocalRollupStore.class);

  private static final RollupSql SQL = new RollupSql(Dialect.DUCKDB);
  /** A version's relation: {@code sr_<slug>_<hash>_v<n>} (a partition's has a key after it). */
  private static final java.util.regex.Pattern VERSION =
      java.util.regex.Pattern.compile("sr_.*_v\\d+");

  private final DataSourceRegistry registry;
  private final BufferAllocator allocator;
  private final String id;

  /**
   * @param node names this server (host and data directory), since each server has its own
   *     local store: the store's id, and so the status row of each local rollup, is per server
   */
  LocalRollupStore(DataSourceRegistry registry, BufferAllocator allocator, String node) {
    this.registry = registry;
    this.allocator = allocator;
    this.id = id(node);
  }

  /** {@code local@<node>}, shortened with a hash of it past the metadata column's 160. */
  static String id(String node) {
    String id = "local@" + node;
    if (id.length() <= 160) {
      return id;
    }
    String hash = RollupService.sha256(node).substring(0, 16);
    return id.substring(0, 160 - 17) + "#" + hash;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String dataSource() {
    return DATA_SOURCE;
  }

  @Override
  public Dialect dialect() {
    return Dialect.DUCKDB;
  }

  @Override
  public String path(String name) {
    return "main." + name;
  }

  @Override
  public String qualified(String name) {
    return SQL.qualified("main", name);
  }

  @Override
  public Written write(String table, String source, String sql, List<String> columns)
      throws SQLException {
    long rows = 0;
    long bytes = 0;
    try (Connection src = registry.connect(source); Statement st = src.createStatement()) {
      st.setFetchSize(10_000);
      try (ResultSet rs = st.executeQuery(sql);
          BufferAllocator alloc = allocator.newChildAllocator("rollup-" + table, 0,
              allocator.getLimit());
          JdbcArrowReader reader = new JdbcArrowReader(rs, alloc, 8192);
          Connection c = registry.connect(DATA_SOURCE)) {
        List<Field> fields = reader.schema().getFields();
        if (fields.size() != columns.size()) {
          throw new SQLException("the build query of " + table + " returned " + fields.size()
              + " columns, the rollup's layout has " + columns.size());
        }
        c.setAutoCommit(false);
        try {
          try (Statement create = c.createStatement()) {
            create.execute(createTable(table, fields, columns));
          }
          try (DuckDBAppender app = c.unwrap(DuckDBConnection.class)
              .createAppender("main", table)) {
            while (reader.next()) {
              VectorSchemaRoot batch = reader.batch();
              int n = batch.getRowCount();
              List<FieldVector> vectors = batch.getFieldVectors();
              for (int row = 0; row < n; row++) {
                app.beginRow();
                for (FieldVector v : vectors) {
                  append(app, v, row);
                }
                app.endRow();
              }
              rows += n;
              for (FieldVector v : vectors) {
                bytes += v.getBufferSize();
              }
            }
            app.flush();
          }
          c.commit();
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(true);
        }
      }
    }
    return new Written(rows, bytes);
  }

  private String createTable(String table, List<Field> fields, List<String> columns) {
    List<String[]> cols = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      cols.add(new String[] {columns.get(i), type(fields.get(i))});
    }
    return SQL.createTable(qualified(table), cols);
  }

  private static String type(Field f) {
    ArrowType t = f.getType();
    if (t instanceof ArrowType.Int i) {
      return switch (i.getBitWidth()) {
        case 8 -> "TINYINT";
        case 16 -> "SMALLINT";
        case 32 -> "INTEGER";
        default -> "BIGINT";
      };
    }
    if (t instanceof ArrowType.FloatingPoint fp) {
      return fp.getPrecision() == org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE
          ? "REAL" : "DOUBLE";
    }
    if (t instanceof ArrowType.Decimal d) {
      return d.getPrecision() <= 38 ? "DECIMAL(" + d.getPrecision() + "," + d.getScale() + ")"
          : "VARCHAR";
    }
    if (t instanceof ArrowType.Bool) {
      return "BOOLEAN";
    }
    if (t instanceof ArrowType.Date) {
      return "DATE";
    }
    if (t instanceof ArrowType.Timestamp ts) {
      return ts.getTimezone() == null ? "TIMESTAMP" : "TIMESTAMPTZ";
    }
    return "VARCHAR";
  }

  private static void append(DuckDBAppender app, FieldVector v, int row) throws SQLException {
    if (v.isNull(row)) {
      app.appendNull();
    } else if (v instanceof BigIntVector x) {
      app.append(x.get(row));
    } else if (v instanceof IntVector x) {
      app.append(x.get(row));
    } else if (v instanceof SmallIntVector x) {
      app.append(x.get(row));
    } else if (v instanceof TinyIntVector x) {
      app.append(x.get(row));
    } else if (v instanceof Float8Vector x) {
      app.append(x.get(row));
    } else if (v instanceof Float4Vector x) {
      app.append(x.get(row));
    } else if (v instanceof DecimalVector x) {
      BigDecimal d = x.getObject(row);
      if (x.getPrecision() <= 38) {
        app.append(d);
      } else {
        app.append(d.toPlainString());
      }
    } else if (v instanceof BitVector x) {
      app.append(x.get(row) == 1);
    } else if (v instanceof DateDayVector x) {
      app.append(LocalDate.ofEpochDay(x.get(row)));
    } else if (v instanceof TimeStampVector x) {
      Object o = x.getObject(row);
      if (o instanceof LocalDateTime t) {
        app.append(t);
      } else {
        // a zoned timestamp's getObject is its micros since the epoch
        long micros = ((Number) o).longValue();
        app.append(LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
            (int) Math.floorMod(micros, 1_000_000L) * 1000, java.time.ZoneOffset.UTC));
      }
    } else if (v instanceof VarCharVector x) {
      app.append(new String(x.get(row), java.nio.charset.StandardCharsets.UTF_8));
    } else {
      app.append(String.valueOf(v.getObject(row)));
    }
  }

  /**
   * Here a version is one table, not a view: the partitions' rows copied into
   * {@code <base>_v<version>} by one {@code CREATE TABLE ... AS} (atomic in DuckDB: the table
   * exists whole or not at all). DuckDB plans and runs a query over one table in a fraction of
   * the time it takes over a UNION ALL of dozens of partition tables (a fixed 20-100 ms on the
   * demo dashboard's queries, measured by the rollups benchmark), and a version's rows are few.
   * The partition tables stay: the next build reuses the ones it does not rebuild. Rows are
   * copied in partition (time) order, so DuckDB's zone maps skip row groups outside a query's
   * date range.
   */
  @Override
  public void createView(String view, List<String> tables) throws SQLException {
    try (Connection c = registry.connect(DATA_SOURCE); Statement st = c.createStatement()) {
      st.execute(SQL.createMergedTable(qualified(view), tables.stream().map(this::qualified)
          .toList()));
    }
  }

  /**
   * The relations versions are read through ({@code <base>_v<version>}: merged tables, or
   * views an earlier release built), in name order; partition tables are not listed.
   */
  List<String> versions() throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = registry.connect(DATA_SOURCE); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables"
            + " WHERE table_schema = 'main' ORDER BY 1")) {
      while (rs.next()) {
        String name = rs.getString(1);
        if (VERSION.matcher(name).matches()) {
          out.add(name);
        }
      }
    }
    return out;
  }

  /**
   * {@inheritDoc} A version's relation is a table since versions are merged, and a view when
   * an earlier release built it: whichever the store holds under that name is dropped.
   */
  @Override
  public void drop(String relation, boolean view) {
    try (Connection c = registry.connect(DATA_SOURCE); Statement st = c.createStatement()) {
      boolean isView = view;
      if (view) {
        try (ResultSet rs = st.executeQuery("SELECT table_type FROM information_schema.tables"
            + " WHERE table_schema = 'main' AND table_name = '" + relation.replace("'", "''")
            + "'")) {
          if (!rs.next()) {
            return;
          }
          isView = "VIEW".equals(rs.getString(1));
        }
      }
      st.execute(SQL.drop(qualified(relation), isView));
    } catch (SQLException | RuntimeException e) {
      LOG.warn("could not drop rollup relation {} from the local store: {}", relation,
          e.getMessage());
    }
  }
}
