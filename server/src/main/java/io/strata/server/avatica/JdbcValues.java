package io.strata.server.avatica;

import io.strata.server.sql.SqlColumn;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.DatabaseMetaData;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VariableWidthFieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.SqlType;

/**
 * Arrow values as Avatica frames carry them. The conventions are those of Avatica's own
 * {@code JdbcMeta}/{@code JdbcResultSet}, which the stock remote driver decodes:
 *
 * <ul>
 *   <li>DATE: {@code Integer} days since 1970-01-01 (rep {@code PRIMITIVE_INT});
 *   <li>TIME: {@code Integer} milliseconds since midnight (rep {@code PRIMITIVE_INT});
 *   <li>TIMESTAMP: {@code Long} milliseconds since 1970-01-01T00:00 of the wall-clock value
 *       read as UTC (rep {@code PRIMITIVE_LONG}); a timestamp with a time zone is an instant
 *       and travels as its UTC wall clock; micro- and nanoseconds are cut to milliseconds;
 *   <li>DECIMAL/NUMERIC: {@code BigDecimal}; integers as {@code Byte}, {@code Short},
 *       {@code Integer}, {@code Long}; REAL as {@code Float}; FLOAT/DOUBLE as {@code Double};
 *       BOOLEAN as {@code Boolean}; character types as {@code String}; binary as {@code byte[]}.
 * </ul>
 *
 * <p>The JDBC type a column announces is the SQL layer's ({@link SqlColumn#jdbcType()}) when
 * the Arrow data can be carried as that type; otherwise (an unknown or contradicting type) it
 * is derived from the Arrow type. Arrow types without a JDBC scalar counterpart (lists,
 * structs, maps, intervals) travel as VARCHAR text.
 */
final class JdbcValues {
  private static final long MILLIS_PER_DAY = TimeUnit.DAYS.toMillis(1);

  private JdbcValues() {}

  /** Reads one value of one Arrow vector as the frame value of its column. */
  @FunctionalInterface
  interface Reader {
    /** The value at {@code row}, or null. */
    Object read(FieldVector vector, int row);
  }

  /**
   * How one result column travels: its metadata for the signature, its value reader and the
   * writer of its values straight into a protobuf frame ({@link FrameWriter}).
   */
  record Column(ColumnMetaData metaData, Reader reader, FrameWriter.ValueWriter writer) {}

  /** What an Arrow field holds, as far as JDBC is concerned. */
  enum Kind { BOOL, INT, FLOAT, DECIMAL, STRING, DATE, TIME, TIMESTAMP, BINARY, NULL, OTHER }

  /** The columns of a result: {@code columns} and {@code schema} describe the same fields in order. */
  static List<Column> columns(List<SqlColumn> columns, Schema schema) {
    List<Field> fields = schema.getFields();
    if (fields.size() != columns.size()) {
      throw new IllegalStateException("the result has " + fields.size()
          + " Arrow fields but " + columns.size() + " columns");
    }
    List<Column> out = new ArrayList<>(columns.size());
    for (int i = 0; i < columns.size(); i++) {
      out.add(column(i, columns.get(i), fields.get(i)));
    }
    return out;
  }

  /** One column: its wire type decided, its reader built. */
  static Column column(int ordinal, SqlColumn column, Field field) {
    Kind kind = kind(field.getType());
    int declared = column.jdbcType();
    boolean useDeclared = carries(declared, kind);
    int type = useDeclared ? normalise(declared) : derived(field.getType(), kind);
    String typeName = useDeclared && column.typeName() != null && !column.typeName().isBlank()
        ? column.typeName() : SqlType.valueOf(type).name();
    int precision = useDeclared && column.precision() > 0 ? column.precision()
        : defaultPrecision(type, field.getType());
    int scale = useDeclared ? column.scale()
        : field.getType() instanceof ArrowType.Decimal d ? d.getScale() : 0;
    Reader reader = reader(field.getType(), kind, type);
    return new Column(metaData(ordinal, column.name(), type, typeName,
        column.nullable() || field.isNullable(), precision, scale), reader,
        FrameWriter.writer(field.getType(), kind, type, reader));
  }

  /** Column metadata as JdbcMeta builds it from a JDBC ResultSetMetaData. */
  static ColumnMetaData metaData(int ordinal, String name, int type, String typeName,
      boolean nullable, int precision, int scale) {
    if ((type == Types.TIME || type == Types.TIMESTAMP) && (precision < 1 || precision > 3)) {
      // the driver reads a time's precision as the digits of the second's fraction it prints
      // (getString); values carry milliseconds
      precision = 3;
    }
    ColumnMetaData.Rep rep = rep(type);
    ColumnMetaData.AvaticaType avaticaType = ColumnMetaData.scalar(type, typeName, rep);
    boolean numeric = isNumeric(type);
    return new ColumnMetaData(ordinal, false, isString(type), true, false,
        nullable ? DatabaseMetaData.columnNullable : DatabaseMetaData.columnNoNulls,
        numeric, displaySize(type, precision, scale), name, name, "", precision, scale, "", "",
        avaticaType, true, false, false, avaticaType.columnClassName());
  }

  /** The representation JdbcMeta announces for a JDBC type (its "internal" Java class). */
  static ColumnMetaData.Rep rep(int type) {
    return ColumnMetaData.Rep.of(SqlType.valueOf(type).internal);
  }

  static Kind kind(ArrowType t) {
    return switch (t.getTypeID()) {
      case Bool -> Kind.BOOL;
      case Int -> ((ArrowType.Int) t).getBitWidth() == 64 && !((ArrowType.Int) t).getIsSigned()
          ? Kind.DECIMAL : Kind.INT;
      case FloatingPoint -> Kind.FLOAT;
      case Decimal -> Kind.DECIMAL;
      case Utf8, LargeUtf8, Utf8View -> Kind.STRING;
      case Date -> Kind.DATE;
      case Time -> Kind.TIME;
      case Timestamp -> Kind.TIMESTAMP;
      case Binary, LargeBinary, BinaryView, FixedSizeBinary -> Kind.BINARY;
      case Null -> Kind.NULL;
      default -> Kind.OTHER;
    };
  }

  /** Whether values of {@code kind} can be carried as JDBC type {@code type}. */
  static boolean carries(int type, Kind kind) {
    if (kind == Kind.NULL) {
      return isSupportedScalar(type);
    }
    if (isString(type)) {
      return true;
    }
    if (isNumeric(type)) {
      return kind == Kind.INT || kind == Kind.FLOAT || kind == Kind.DECIMAL;
    }
    return switch (type) {
      case Types.BOOLEAN, Types.BIT -> kind == Kind.BOOL;
      case Types.DATE -> kind == Kind.DATE;
      case Types.TIME, Types.TIME_WITH_TIMEZONE -> kind == Kind.TIME;
      case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE ->
          kind == Kind.TIMESTAMP || kind == Kind.DATE;
      case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY -> kind == Kind.BINARY;
      default -> false;
    };
  }

  private static boolean isSupportedScalar(int type) {
    return isString(type) || isNumeric(type) || switch (type) {
      case Types.BOOLEAN, Types.BIT, Types.DATE, Types.TIME, Types.TIME_WITH_TIMEZONE,
          Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE, Types.BINARY, Types.VARBINARY,
          Types.LONGVARBINARY -> true;
      default -> false;
    };
  }

  /** The type a declared type travels as: the remote driver has no zoned date-time accessors. */
  static int normalise(int type) {
    return switch (type) {
      case Types.TIME_WITH_TIMEZONE -> Types.TIME;
      case Types.TIMESTAMP_WITH_TIMEZONE -> Types.TIMESTAMP;
      case Types.BIT -> Types.BOOLEAN;
      default -> type;
    };
  }

  /** The JDBC type of an Arrow type when the SQL layer's cannot be used. */
  static int derived(ArrowType t, Kind kind) {
    return switch (kind) {
      case BOOL -> Types.BOOLEAN;
      case INT -> {
        ArrowType.Int i = (ArrowType.Int) t;
        int bits = i.getIsSigned() ? i.getBitWidth() : i.getBitWidth() * 2;
        yield bits <= 8 ? Types.TINYINT : bits <= 16 ? Types.SMALLINT
            : bits <= 32 ? Types.INTEGER : Types.BIGINT;
      }
      case FLOAT -> ((ArrowType.FloatingPoint) t).getPrecision()
          == org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE ? Types.DOUBLE : Types.REAL;
      case DECIMAL -> Types.DECIMAL;
      case DATE -> Types.DATE;
      case TIME -> Types.TIME;
      case TIMESTAMP -> Types.TIMESTAMP;
      case BINARY -> Types.VARBINARY;
      case STRING, NULL, OTHER -> Types.VARCHAR;
    };
  }

  static boolean isString(int type) {
    return switch (type) {
      case Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR,
          Types.LONGNVARCHAR -> true;
      default -> false;
    };
  }

  static boolean isNumeric(int type) {
    return switch (type) {
      case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT, Types.REAL, Types.FLOAT,
          Types.DOUBLE, Types.DECIMAL, Types.NUMERIC -> true;
      default -> false;
    };
  }

  private static int defaultPrecision(int type, ArrowType t) {
    return switch (type) {
      case Types.TINYINT -> 3;
      case Types.SMALLINT -> 5;
      case Types.INTEGER -> 10;
      case Types.BIGINT -> 19;
      case Types.REAL -> 7;
      case Types.FLOAT, Types.DOUBLE -> 15;
      case Types.DECIMAL, Types.NUMERIC -> t instanceof ArrowType.Decimal d ? d.getPrecision()
          : t instanceof ArrowType.Int ? 20 : 38;
      case Types.DATE -> 10;
      case Types.BOOLEAN -> 1;
      default -> 0;
    };
  }

  private static int displaySize(int type, int precision, int scale) {
    return switch (type) {
      case Types.BOOLEAN, Types.BIT -> 5;
      case Types.TINYINT -> 4;
      case Types.SMALLINT -> 6;
      case Types.INTEGER -> 11;
      case Types.BIGINT -> 20;
      case Types.REAL -> 14;
      case Types.FLOAT, Types.DOUBLE -> 24;
      case Types.DECIMAL, Types.NUMERIC -> precision > 0 ? precision + 2 : 40;
      case Types.DATE -> 10;
      case Types.TIME -> 12;
      case Types.TIMESTAMP -> 23;
      default -> precision > 0 ? precision : 65535;
    };
  }

  // ---------------------------------------------------------------- values

  /** A reader of an Arrow vector's values of {@code kind}, carried as JDBC type {@code type}. */
  static Reader reader(ArrowType arrow, Kind kind, int type) {
    Reader raw = raw(arrow, kind);
    Coercion to = coercion(kind, type);
    return (v, row) -> {
      if (v.isNull(row)) {
        return null;
      }
      Object o = raw.read(v, row);
      return o == null ? null : to.apply(o);
    };
  }

  @FunctionalInterface
  private interface Coercion {
    Object apply(Object canonical);
  }

  /**
   * Reads a non-null value in its kind's canonical form: BOOL Boolean, INT Long, FLOAT Double,
   * DECIMAL BigDecimal, STRING String, DATE Integer days, TIME Integer millis of the day,
   * TIMESTAMP Long millis, BINARY byte[], OTHER String.
   */
  private static Reader raw(ArrowType arrow, Kind kind) {
    return switch (kind) {
      case BOOL -> (v, r) -> ((BitVector) v).get(r) != 0;
      case INT -> (v, r) -> ((BaseIntVector) v).getValueAsLong(r);
      case FLOAT -> (v, r) -> ((FloatingPointVector) v).getValueAsDouble(r);
      case DECIMAL -> (v, r) -> {
        if (v instanceof DecimalVector d) {
          return d.getObject(r);
        }
        if (v instanceof Decimal256Vector d) {
          return d.getObject(r);
        }
        if (v instanceof UInt8Vector u) {
          return new BigDecimal(u.getObjectNoOverflow(r));
        }
        Object o = v.getObject(r);
        return o instanceof BigDecimal b ? b
            : o instanceof BigInteger b ? new BigDecimal(b) : new BigDecimal(o.toString());
      };
      case STRING -> (v, r) -> new String(((VariableWidthFieldVector) v).get(r),
          StandardCharsets.UTF_8);
      case DATE -> (v, r) -> v instanceof DateDayVector d ? d.get(r)
          : (int) Math.floorDiv(((DateMilliVector) v).get(r), MILLIS_PER_DAY);
      case TIME -> (v, r) -> {
        if (v instanceof TimeMilliVector t) {
          return t.get(r);
        }
        if (v instanceof TimeMicroVector t) {
          return (int) (t.get(r) / 1_000L);
        }
        if (v instanceof TimeNanoVector t) {
          return (int) (t.get(r) / 1_000_000L);
        }
        return ((TimeSecVector) v).get(r) * 1000;
      };
      case TIMESTAMP -> {
        TimeUnitScale unit = TimeUnitScale.of(((ArrowType.Timestamp) arrow).getUnit());
        yield (v, r) -> unit.toMillis(((TimeStampVector) v).get(r));
      }
      case BINARY -> (v, r) -> v instanceof FixedSizeBinaryVector f ? f.get(r)
          : ((VariableWidthFieldVector) v).get(r);
      case NULL -> (v, r) -> null;
      case OTHER -> (v, r) -> {
        Object o = v.getObject(r);
        return o == null ? null : o.toString();
      };
    };
  }

  /** Epoch values of an Arrow time unit to milliseconds (floor, so pre-1970 values stay right). */
  private enum TimeUnitScale {
    SECOND(1000, 1), MILLI(1, 1), MICRO(1, 1_000), NANO(1, 1_000_000);

    private final long multiply;
    private final long divide;

    TimeUnitScale(long multiply, long divide) {
      this.multiply = multiply;
      this.divide = divide;
    }

    static TimeUnitScale of(org.apache.arrow.vector.types.TimeUnit unit) {
      return switch (unit) {
        case SECOND -> SECOND;
        case MILLISECOND -> MILLI;
        case MICROSECOND -> MICRO;
        case NANOSECOND -> NANO;
      };
    }

    long toMillis(long value) {
      return divide == 1 ? value * multiply : Math.floorDiv(value, divide);
    }
  }

  /** Converts a canonical value of {@code kind} to the Java class the frame carries for {@code type}. */
  private static Coercion coercion(Kind kind, int type) {
    if (isString(type)) {
      return switch (kind) {
        case STRING, OTHER -> o -> o;
        case DECIMAL -> o -> ((BigDecimal) o).toPlainString();
        case DATE -> o -> LocalDate.ofEpochDay((Integer) o).toString();
        case TIME -> o -> LocalTime.ofNanoOfDay((Integer) o * 1_000_000L).toString();
        case TIMESTAMP -> o -> timestamp((Long) o).toString().replace('T', ' ');
        case BINARY -> o -> HexFormat.of().formatHex((byte[]) o);
        default -> String::valueOf;
      };
    }
    return switch (type) {
      case Types.BOOLEAN, Types.BIT -> o -> o;
      case Types.TINYINT -> o -> ((Number) o).byteValue();
      case Types.SMALLINT -> o -> ((Number) o).shortValue();
      case Types.INTEGER -> o -> ((Number) o).intValue();
      case Types.BIGINT -> o -> ((Number) o).longValue();
      case Types.REAL -> o -> ((Number) o).floatValue();
      case Types.FLOAT, Types.DOUBLE -> o -> ((Number) o).doubleValue();
      case Types.DECIMAL, Types.NUMERIC -> switch (kind) {
        case INT -> o -> BigDecimal.valueOf((Long) o);
        case FLOAT -> o -> {
          double d = (Double) o;
          return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
        };
        default -> o -> o;
      };
      case Types.DATE, Types.TIME -> o -> o;
      case Types.TIMESTAMP -> kind == Kind.DATE ? o -> (Integer) o * MILLIS_PER_DAY : o -> o;
      default -> o -> o; // binary
    };
  }

  private static LocalDateTime timestamp(long millis) {
    return LocalDateTime.ofEpochSecond(Math.floorDiv(millis, 1000L),
        (int) Math.floorMod(millis, 1000L) * 1_000_000, ZoneOffset.UTC);
  }
}
