package io.strata.server.flight;

import io.strata.server.sql.SqlColumn;
import io.strata.server.sql.SearchPattern;
import io.strata.server.sql.SqlTable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.arrow.flight.sql.FlightSqlColumnMetadata;
import org.apache.arrow.flight.sql.FlightSqlProducer.Schemas;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The Flight SQL catalog commands answered from {@code SqlService.tables()}: catalogs
 * ({@code strata} for the semantic layer, one per data source), schemas, tables with their
 * Arrow schemas, table types, primary keys, and the types Strata returns. Each answer is one
 * record batch in the {@link Schemas} layout, sorted as the Flight SQL specification asks.
 */
final class FlightMetadata {
  static final List<String> TABLE_TYPES = List.of("TABLE", "VIEW");

  private FlightMetadata() {}

  // --------------------------------------------------------------------------- answers

  static VectorSchemaRoot catalogs(List<SqlTable> tables, BufferAllocator allocator) {
    TreeSet<String> names = new TreeSet<>();
    tables.forEach(t -> names.add(t.catalog()));
    List<Object[]> rows = new ArrayList<>();
    names.forEach(n -> rows.add(new Object[] {n}));
    return root(Schemas.GET_CATALOGS_SCHEMA, rows, allocator);
  }

  static VectorSchemaRoot schemas(List<SqlTable> tables, FlightSql.CommandGetDbSchemas command,
      BufferAllocator allocator) {
    Predicate<String> catalog = command.hasCatalog() ? exact(command.getCatalog()) : any();
    Predicate<String> schema = command.hasDbSchemaFilterPattern()
        ? like(command.getDbSchemaFilterPattern()) : any();
    TreeSet<List<String>> names = new TreeSet<>(PAIRS);
    for (SqlTable t : tables) {
      if (catalog.test(t.catalog()) && schema.test(t.schema())) {
        names.add(List.of(t.catalog(), t.schema()));
      }
    }
    List<Object[]> rows = new ArrayList<>();
    names.forEach(n -> rows.add(new Object[] {n.get(0), n.get(1)}));
    return root(Schemas.GET_SCHEMAS_SCHEMA, rows, allocator);
  }

  static VectorSchemaRoot tables(List<SqlTable> tables, FlightSql.CommandGetTables command,
      BufferAllocator allocator) {
    Predicate<String> catalog = command.hasCatalog() ? exact(command.getCatalog()) : any();
    Predicate<String> schema = command.hasDbSchemaFilterPattern()
        ? like(command.getDbSchemaFilterPattern()) : any();
    Predicate<String> name = command.hasTableNameFilterPattern()
        ? like(command.getTableNameFilterPattern()) : any();
    List<String> types = command.getTableTypesList();
    List<SqlTable> matching = new ArrayList<>();
    for (SqlTable t : tables) {
      if (catalog.test(t.catalog()) && schema.test(t.schema()) && name.test(t.name())
          && (types.isEmpty() || types.stream().anyMatch(x -> x.equalsIgnoreCase(t.type())))) {
        matching.add(t);
      }
    }
    matching.sort(Comparator.comparing(SqlTable::catalog).thenComparing(SqlTable::schema)
        .thenComparing(SqlTable::name).thenComparing(SqlTable::type));
    boolean withSchema = command.getIncludeSchema();
    List<Object[]> rows = new ArrayList<>();
    for (SqlTable t : matching) {
      rows.add(withSchema
          ? new Object[] {t.catalog(), t.schema(), t.name(), t.type(), serialize(schema(t))}
          : new Object[] {t.catalog(), t.schema(), t.name(), t.type()});
    }
    return root(withSchema ? Schemas.GET_TABLES_SCHEMA : Schemas.GET_TABLES_SCHEMA_NO_SCHEMA,
        rows, allocator);
  }

  static VectorSchemaRoot tableTypes(BufferAllocator allocator) {
    List<Object[]> rows = new ArrayList<>();
    TABLE_TYPES.forEach(t -> rows.add(new Object[] {t}));
    return root(Schemas.GET_TABLE_TYPES_SCHEMA, rows, allocator);
  }

  static VectorSchemaRoot primaryKeys(List<SqlTable> tables,
      FlightSql.CommandGetPrimaryKeys command, BufferAllocator allocator) {
    Predicate<String> catalog = command.hasCatalog() ? exact(command.getCatalog()) : any();
    Predicate<String> schema = command.hasDbSchema() ? exact(command.getDbSchema()) : any();
    List<SqlTable> matching = new ArrayList<>();
    for (SqlTable t : tables) {
      if (catalog.test(t.catalog()) && schema.test(t.schema())
          && exact(command.getTable()).test(t.name()) && !t.primaryKey().isEmpty()) {
        matching.add(t);
      }
    }
    matching.sort(Comparator.comparing(SqlTable::catalog).thenComparing(SqlTable::schema));
    List<Object[]> rows = new ArrayList<>();
    for (SqlTable t : matching) {
      for (int i = 0; i < t.primaryKey().size(); i++) {
        rows.add(new Object[] {t.catalog(), t.schema(), t.name(), t.primaryKey().get(i), i + 1,
            null});
      }
    }
    return root(Schemas.GET_PRIMARY_KEYS_SCHEMA, rows, allocator);
  }

  /** Strata knows no foreign keys (joins live in the semantic models): always empty. */
  static VectorSchemaRoot noKeys(BufferAllocator allocator) {
    return root(Schemas.GET_EXPORTED_KEYS_SCHEMA, List.of(), allocator);
  }

  /** The SQL types Strata returns, in the order of {@code DatabaseMetaData.getTypeInfo}. */
  static VectorSchemaRoot typeInfo(FlightSql.CommandGetXdbcTypeInfo command,
      BufferAllocator allocator) {
    // name, JDBC type, column size, literal prefix/suffix, case sensitive, fixed scale,
    // unsigned, min/max scale, radix
    Object[][] types = {
        {"TINYINT", Types.TINYINT, 3, null, null, false, false, false, 0, 0, 10},
        {"BIGINT", Types.BIGINT, 19, null, null, false, false, false, 0, 0, 10},
        {"VARBINARY", Types.VARBINARY, 65536, "X'", "'", false, false, null, null, null, null},
        {"DECIMAL", Types.DECIMAL, 38, null, null, false, true, false, 0, 38, 10},
        {"INTEGER", Types.INTEGER, 10, null, null, false, false, false, 0, 0, 10},
        {"SMALLINT", Types.SMALLINT, 5, null, null, false, false, false, 0, 0, 10},
        {"REAL", Types.REAL, 7, null, null, false, false, false, null, null, 2},
        {"DOUBLE", Types.DOUBLE, 15, null, null, false, false, false, null, null, 2},
        {"VARCHAR", Types.VARCHAR, 65536, "'", "'", true, false, null, null, null, null},
        {"BOOLEAN", Types.BOOLEAN, 1, null, null, false, false, null, null, null, null},
        {"DATE", Types.DATE, 10, "DATE '", "'", false, false, null, null, null, null},
        {"TIME", Types.TIME, 8, "TIME '", "'", false, false, null, 0, 0, null},
        {"TIMESTAMP", Types.TIMESTAMP, 26, "TIMESTAMP '", "'", false, false, null, 0, 6,
            null},
    };
    List<Object[]> rows = new ArrayList<>();
    for (Object[] t : types) {
      if (command.hasDataType() && command.getDataType() != (int) t[1]) {
        continue;
      }
      int jdbc = (int) t[1];
      Integer subcode = switch (jdbc) {
        case Types.DATE -> 1;
        case Types.TIME -> 2;
        case Types.TIMESTAMP -> 3;
        default -> null;
      };
      int sqlDataType = subcode != null ? 9 : jdbc; // SQL_DATETIME for dates and times
      rows.add(new Object[] {t[0], jdbc, t[2], t[3], t[4], null,
          java.sql.DatabaseMetaData.typeNullable, t[5], java.sql.DatabaseMetaData.typeSearchable,
          t[7], t[6], false, t[0], t[8], t[9], sqlDataType, subcode, t[10], null});
    }
    return root(Schemas.GET_TYPE_INFO_SCHEMA, rows, allocator);
  }

  // --------------------------------------------------------------------------- schemas

  /** A table's columns as an Arrow schema, with the Flight SQL column metadata. */
  static Schema schema(SqlTable t) {
    return schema(t.columns(), t.catalog(), t.schema(), t.name());
  }

  /** Result columns known before execution as an Arrow schema. */
  static Schema schema(List<SqlColumn> columns) {
    return schema(columns, null, null, null);
  }

  private static Schema schema(List<SqlColumn> columns, String catalog, String schema,
      String table) {
    List<Field> fields = new ArrayList<>();
    for (SqlColumn c : columns) {
      fields.add(new Field(c.name(), new FieldType(c.nullable(), arrowType(c), null,
          metadata(c, catalog, schema, table, catalog != null)), null));
    }
    return new Schema(fields);
  }

  /**
   * A result's schema as its cursor gives it, each field with the Flight SQL column metadata
   * of its column (type name, precision, scale), which the Flight SQL JDBC driver shows as
   * result set metadata.
   */
  static Schema describe(Schema schema, List<SqlColumn> columns) {
    List<Field> fields = new ArrayList<>();
    List<Field> source = schema.getFields();
    for (int i = 0; i < source.size(); i++) {
      Field f = source.get(i);
      if (i >= columns.size()) {
        fields.add(f);
        continue;
      }
      Map<String, String> meta = new java.util.LinkedHashMap<>();
      if (f.getMetadata() != null) {
        meta.putAll(f.getMetadata());
      }
      meta.putAll(metadata(columns.get(i), null, null, null, false));
      fields.add(new Field(f.getName(), new FieldType(f.isNullable(), f.getType(),
          f.getDictionary(), meta), f.getChildren()));
    }
    return new Schema(fields, schema.getCustomMetadata());
  }

  /**
   * The Flight SQL column metadata of a column, in a table's schema or a result's.
   *
   * <p>Remarks go only into table schemas (where the Flight SQL JDBC driver reads getColumns'
   * REMARKS), never into result schemas: that driver takes a result field's remarks as its
   * column label, so {@code rs.getString("channel")} would not find the column.
   *
   * <p>IS_AUTO_INCREMENT goes only into result schemas: ADBC Java (0.20) turns it, in a table's
   * schema, into a column field its getObjects schema does not have ({@code
   * xdbc_auto_increment} beside {@code xdbc_is_autoincrement}), and then fails to read its own
   * result ("not all nodes, buffers and variadicBufferCounts were consumed").
   */
  private static Map<String, String> metadata(SqlColumn c, String catalog, String schema,
      String table, boolean tableSchema) {
    FlightSqlColumnMetadata.Builder b = new FlightSqlColumnMetadata.Builder()
        .typeName(c.typeName())
        .precision(c.precision())
        .scale(c.scale())
        .isCaseSensitive(c.jdbcType() == Types.VARCHAR || c.jdbcType() == Types.CHAR)
        .isReadOnly(true)
        .isSearchable(true);
    if (!tableSchema) {
      b.isAutoIncrement(false);
    }
    if (catalog != null) {
      b.catalogName(catalog).schemaName(schema).tableName(table);
    }
    if (tableSchema && c.remarks() != null) {
      b.remarks(c.remarks());
    }
    return b.build().getMetadataMap();
  }

  /** The Arrow type Strata's results use for a column of this JDBC type. */
  static ArrowType arrowType(SqlColumn c) {
    return switch (c.jdbcType()) {
      case Types.TINYINT -> new ArrowType.Int(8, true);
      case Types.SMALLINT -> new ArrowType.Int(16, true);
      case Types.INTEGER -> new ArrowType.Int(32, true);
      case Types.BIGINT -> new ArrowType.Int(64, true);
      case Types.REAL -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case Types.FLOAT, Types.DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case Types.DECIMAL, Types.NUMERIC -> {
        int precision = c.precision() <= 0 ? 38 : Math.min(c.precision(), 76);
        int scale = Math.max(0, Math.min(c.scale(), precision));
        yield new ArrowType.Decimal(precision, scale, precision > 38 ? 256 : 128);
      }
      case Types.BOOLEAN, Types.BIT -> ArrowType.Bool.INSTANCE;
      case Types.DATE -> new ArrowType.Date(DateUnit.DAY);
      case Types.TIME -> new ArrowType.Time(TimeUnit.MILLISECOND, 32);
      case Types.TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
      case Types.TIMESTAMP_WITH_TIMEZONE -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
      case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB ->
          ArrowType.Binary.INSTANCE;
      default -> ArrowType.Utf8.INSTANCE;
    };
  }

  /** A schema as Flight SQL sends it inside messages: an IPC-encapsulated Schema. */
  static byte[] serialize(Schema schema) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      MessageSerializer.serialize(new WriteChannel(Channels.newChannel(out)), schema);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  // --------------------------------------------------------------------------- filters

  private static final Comparator<List<String>> PAIRS = Comparator
      .comparing((List<String> l) -> l.get(0)).thenComparing(l -> l.get(1));

  private static Predicate<String> any() {
    return s -> true;
  }

  private static Predicate<String> exact(String value) {
    return SearchPattern.exact(value);
  }

  /** A filter pattern as SQL LIKE reads it ({@link SearchPattern}). */
  static Predicate<String> like(String pattern) {
    return SearchPattern.of(pattern);
  }

  // --------------------------------------------------------------------------- roots

  /** One batch of {@code rows} (values in field order; null for null). */
  static VectorSchemaRoot root(Schema schema, List<Object[]> rows, BufferAllocator allocator) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
    try {
      root.allocateNew();
      for (int r = 0; r < rows.size(); r++) {
        Object[] row = rows.get(r);
        for (int c = 0; c < schema.getFields().size(); c++) {
          set(root.getVector(c), r, c < row.length ? row[c] : null);
        }
      }
      root.setRowCount(rows.size());
      return root;
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  private static void set(FieldVector v, int row, Object value) {
    if (value == null) {
      v.setNull(row);
    } else if (v instanceof VarCharVector s) {
      s.setSafe(row, value.toString().getBytes(StandardCharsets.UTF_8));
    } else if (v instanceof VarBinaryVector b) {
      b.setSafe(row, (byte[]) value);
    } else if (v instanceof IntVector i) {
      i.setSafe(row, ((Number) value).intValue());
    } else if (v instanceof BitVector b) {
      b.setSafe(row, (Boolean) value ? 1 : 0);
    } else if (v instanceof UInt1Vector u) {
      u.setSafe(row, ((Number) value).intValue());
    } else {
      throw new IllegalStateException("no metadata value for a "
          + v.getField().getType().toString().toLowerCase(Locale.ROOT) + " column");
    }
  }
}
