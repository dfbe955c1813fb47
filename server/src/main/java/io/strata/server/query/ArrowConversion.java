package io.strata.server.query;

import io.strata.semantic.compile.OutputColumn;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import org.apache.arrow.adapter.jdbc.JdbcFieldInfo;
import org.apache.arrow.adapter.jdbc.JdbcToArrowConfig;
import org.apache.arrow.adapter.jdbc.JdbcToArrowConfigBuilder;
import org.apache.arrow.adapter.jdbc.JdbcToArrowUtils;
import org.apache.arrow.adapter.jdbc.consumer.JdbcConsumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * How Strata turns a warehouse's JDBC result into Arrow: one place for the type rules of every
 * driver, applied through arrow-jdbc's type converter and consumer factory.
 *
 * <p>The rules, and the driver behaviour behind them (DuckDB 1.4, pgjdbc 42.7, MariaDB
 * Connector/J 3.5, measured on the demo queries):
 * <ul>
 *   <li>Integers keep their width; unsigned ones (MariaDB {@code ... UNSIGNED}) get the next
 *       wider type, {@code BIGINT UNSIGNED} and DuckDB {@code UBIGINT} become Decimal(20,0),
 *       DuckDB {@code HUGEINT} (what {@code SUM} of integers returns) Decimal(38,0) and
 *       {@code UHUGEINT} Decimal256(39,0). An integer column of a {@code boolean} member is read
 *       as a boolean (MariaDB has no boolean type; {@code x IN (...)} is an INT there).</li>
 *   <li>DECIMAL(p,s) with p up to 38 is Decimal128(p,s); wider (MariaDB reports DECIMAL(65,4)
 *       for sums) is Decimal256(min(p,76),s). A numeric without precision (Postgres
 *       {@code NUMERIC} from SUM, AVG and division, where values carry up to 20 decimals) is
 *       Decimal(38,16): exact for sums of money-like values up to 10^22, rounded half-up at the
 *       16th decimal for quotients. NaN or a value that does not fit fails the query with a
 *       message naming the column, never silently.</li>
 *   <li>Timestamps are Timestamp(MICROSECOND) without time zone holding the UTC wall time: a
 *       {@code TIMESTAMP} column's wall time as the warehouse returns it, a
 *       {@code TIMESTAMP WITH TIME ZONE} (Postgres {@code timestamptz}) converted to UTC.
 *       Microseconds are kept (Postgres and DuckDB have them; DuckDB's nanoseconds are
 *       truncated). Infinite timestamps are clamped to the representable range.</li>
 *   <li>Dates are Date(DAY), except the columns of {@code time} members, which become
 *       timestamps at midnight: DuckDB's {@code date_trunc('month', ts)} returns DATE where
 *       Postgres returns TIMESTAMP, and a member must have one type whatever the warehouse.</li>
 *   <li>Booleans, REAL (Float4), DOUBLE and FLOAT (Float8, as JDBC defines FLOAT) and character
 *       types (Utf8) are read by arrow-jdbc's own consumers.</li>
 *   <li>Anything else (TIME, INTERVAL, UUID, JSON, arrays, structs, binary, driver-specific
 *       types) becomes Utf8 through {@code getString}, with the reason in the field's
 *       {@code strata.conversion} metadata, rather than failing the query.</li>
 * </ul>
 * Every field is nullable: drivers' nullability reports are unreliable for computed columns.
 */
final class ArrowConversion {
  static final String MEMBER = "strata.member";
  static final String GRANULARITY = "strata.granularity";
  static final String KIND = "strata.kind";
  static final String TYPE = "strata.type";
  static final String TITLE = "strata.title";
  static final String FORMAT = "strata.format";
  static final String SQL_TYPE = "strata.sql_type";
  static final String CONVERSION = "strata.conversion";

  /** The decimal a numeric without declared precision is read as. */
  static final int UNCONSTRAINED_PRECISION = 38;
  static final int UNCONSTRAINED_SCALE = 16;

  private static final long MICROS_PER_DAY = 86_400_000_000L;

  private ArrowConversion() {}

  /** How one result column is read. */
  enum Reader { ARROW_JDBC, DECIMAL, TIMESTAMP_LOCAL, TIMESTAMP_INSTANT, DATE, DATE_AS_TIMESTAMP }

  /** The plan for one column: its Arrow type, how it is read, and why if it is converted. */
  record Column(ArrowType type, Reader reader, String sqlType, String conversion) {}

  /** Plans every column of a result; {@code columns} describe them by position. */
  static List<Column> plan(ResultSetMetaData md, List<OutputColumn> columns) throws SQLException {
    List<Column> out = new ArrayList<>();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      OutputColumn oc = i <= columns.size() ? columns.get(i - 1) : null;
      out.add(plan(md.getColumnType(i), md.getColumnTypeName(i), md.getPrecision(i),
          md.getScale(i), oc == null ? null : oc.type()));
    }
    return out;
  }

  /**
   * The plan for one column from its JDBC type, type name, precision and scale, and the type of
   * the semantic member it holds ({@code string}, {@code number}, {@code boolean}, {@code time},
   * or null when unknown).
   */
  static Column plan(int jdbcType, String typeName, int precision, int scale, String memberType) {
    String sqlType = typeName == null ? JdbcType.name(jdbcType) : typeName;
    String upper = sqlType.toUpperCase(Locale.ROOT);
    boolean unsigned = upper.contains("UNSIGNED");
    switch (jdbcType) {
      case Types.BOOLEAN:
        return arrowJdbc(ArrowType.Bool.INSTANCE, sqlType, null);
      case Types.BIT:
        if (precision <= 1) {
          return arrowJdbc(ArrowType.Bool.INSTANCE, sqlType, null);
        }
        return text(sqlType);
      case Types.TINYINT:
      case Types.SMALLINT:
      case Types.INTEGER:
      case Types.BIGINT: {
        if ("boolean".equals(memberType)) {
          return arrowJdbc(ArrowType.Bool.INSTANCE, sqlType,
              sqlType + " read as boolean: the member's type is boolean");
        }
        int width = switch (jdbcType) {
          case Types.TINYINT -> 8;
          case Types.SMALLINT -> 16;
          case Types.INTEGER -> 32;
          default -> 64;
        };
        if (unsigned) {
          if (width == 64) {
            return decimal(20, 0, sqlType, sqlType + " read as Decimal(20,0)");
          }
          width *= 2;
        }
        return arrowJdbc(new ArrowType.Int(width, true), sqlType, null);
      }
      case Types.NUMERIC:
      case Types.DECIMAL:
        if (precision <= 0 || scale < 0 || scale > precision) {
          return decimal(UNCONSTRAINED_PRECISION, UNCONSTRAINED_SCALE, sqlType,
              sqlType + " without declared precision read as Decimal(" + UNCONSTRAINED_PRECISION
                  + "," + UNCONSTRAINED_SCALE + ")");
        }
        if (precision > 76) {
          return decimal(76, Math.min(scale, 76), sqlType,
              sqlType + "(" + precision + "," + scale + ") read as Decimal256(76," + scale + ")");
        }
        return decimal(precision, scale, sqlType, null);
      case Types.REAL:
        return arrowJdbc(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE), sqlType, null);
      case Types.FLOAT:
      case Types.DOUBLE:
        return arrowJdbc(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE), sqlType, null);
      case Types.CHAR:
      case Types.VARCHAR:
      case Types.LONGVARCHAR:
      case Types.NCHAR:
      case Types.NVARCHAR:
      case Types.LONGNVARCHAR:
      case Types.CLOB:
      case Types.NCLOB:
        return arrowJdbc(ArrowType.Utf8.INSTANCE, sqlType, null);
      case Types.DATE:
        if ("time".equals(memberType)) {
          return new Column(timestamp(), Reader.DATE_AS_TIMESTAMP, sqlType,
              sqlType + " read as a timestamp at midnight: the member's type is time");
        }
        return new Column(new ArrowType.Date(DateUnit.DAY), Reader.DATE, sqlType, null);
      case Types.TIMESTAMP:
        if (upper.contains("TZ") || upper.contains("TIME ZONE")) {
          return new Column(timestamp(), Reader.TIMESTAMP_INSTANT, sqlType,
              sqlType + " converted to UTC");
        }
        return new Column(timestamp(), Reader.TIMESTAMP_LOCAL, sqlType, null);
      case Types.TIMESTAMP_WITH_TIMEZONE:
        return new Column(timestamp(), Reader.TIMESTAMP_INSTANT, sqlType,
            sqlType + " converted to UTC");
      default:
        switch (upper) {
          case "HUGEINT":
            return decimal(38, 0, sqlType, "HUGEINT read as Decimal(38,0)");
          case "UHUGEINT":
            return decimal(39, 0, sqlType, "UHUGEINT read as Decimal256(39,0)");
          case "UBIGINT":
            return decimal(20, 0, sqlType, "UBIGINT read as Decimal(20,0)");
          default:
            return text(sqlType);
        }
    }
  }

  private static ArrowType timestamp() {
    return new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
  }

  private static Column arrowJdbc(ArrowType type, String sqlType, String conversion) {
    return new Column(type, Reader.ARROW_JDBC, sqlType, conversion);
  }

  private static Column text(String sqlType) {
    return new Column(ArrowType.Utf8.INSTANCE, Reader.ARROW_JDBC, sqlType,
        sqlType + " read as text");
  }

  private static Column decimal(int precision, int scale, String sqlType, String conversion) {
    return new Column(new ArrowType.Decimal(precision, scale, precision > 38 ? 256 : 128),
        Reader.DECIMAL, sqlType, conversion);
  }

  /**
   * The schema clients see: each field named after its member ({@code orders.ordered_at.month})
   * and carrying the member's description as metadata; columns beyond {@code columns} keep
   * their SQL label.
   */
  static Schema schema(List<Column> plans, List<OutputColumn> columns, ResultSetMetaData md)
      throws SQLException {
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < plans.size(); i++) {
      Column plan = plans.get(i);
      OutputColumn oc = i < columns.size() ? columns.get(i) : null;
      Map<String, String> meta = new LinkedHashMap<>();
      String name;
      if (oc != null) {
        name = oc.name();
        meta.put(MEMBER, oc.member());
        putIfPresent(meta, GRANULARITY, oc.granularity());
        putIfPresent(meta, KIND, oc.kind() == null ? null : oc.kind().name().toLowerCase(Locale.ROOT));
        putIfPresent(meta, TYPE, oc.type());
        putIfPresent(meta, TITLE, oc.title());
        putIfPresent(meta, FORMAT, oc.format());
      } else {
        name = md.getColumnLabel(i + 1);
      }
      putIfPresent(meta, SQL_TYPE, plan.sqlType());
      putIfPresent(meta, CONVERSION, plan.conversion());
      fields.add(new Field(name, new FieldType(true, plan.type(), null, meta), null));
    }
    return new Schema(fields);
  }

  private static void putIfPresent(Map<String, String> m, String key, String value) {
    if (value != null) {
      m.put(key, value);
    }
  }

  /** arrow-jdbc configured with the plans: batches of {@code batchRows}, UTC calendar. */
  static JdbcToArrowConfig config(BufferAllocator allocator, int batchRows, List<Column> plans,
      List<String> columnNames) {
    Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"), Locale.ROOT);
    return new JdbcToArrowConfigBuilder(allocator, utc)
        .setTargetBatchSize(batchRows)
        .setReuseVectorSchemaRoot(false)
        .setIncludeMetadata(false)
        .setBigDecimalRoundingMode(RoundingMode.HALF_UP)
        .setJdbcToArrowTypeConverter((JdbcFieldInfo info) -> plans.get(info.getColumn() - 1).type())
        .setJdbcConsumerGetter((type, column, nullable, vector, config) ->
            consumer(plans.get(column - 1), type, column, vector, config,
                columnNames.get(column - 1)))
        .build();
  }

  private static JdbcConsumer<?> consumer(Column plan, ArrowType type, int column,
      FieldVector vector, JdbcToArrowConfig config, String name) {
    return switch (plan.reader()) {
      // nullable consumers always: a driver saying "no nulls" for a computed column is not proof
      case ARROW_JDBC -> JdbcToArrowUtils.getConsumer(type, column, true, vector, config);
      case DECIMAL -> new DecimalReader(vector, column, (ArrowType.Decimal) type, name,
          plan.sqlType());
      case TIMESTAMP_LOCAL -> new TimestampReader((TimeStampMicroVector) vector, column, false);
      case TIMESTAMP_INSTANT -> new TimestampReader((TimeStampMicroVector) vector, column, true);
      case DATE -> new DateReader(vector, column, false);
      case DATE_AS_TIMESTAMP -> new DateReader(vector, column, true);
    };
  }

  /** Microseconds since the epoch of a UTC wall time, clamped to the long range. */
  static long micros(LocalDateTime t) {
    try {
      return Math.addExact(Math.multiplyExact(t.toEpochSecond(ZoneOffset.UTC), 1_000_000L),
          t.getNano() / 1000);
    } catch (ArithmeticException e) {
      return t.getYear() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
  }

  static long micros(Instant t) {
    try {
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    } catch (ArithmeticException e) {
      return t.getEpochSecond() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
  }

  /** A value Strata cannot put into the column's Arrow type. */
  static final class ConversionException extends RuntimeException {
    ConversionException(String message) {
      super(message);
    }
  }

  /**
   * Base of Strata's consumers. Deliberately not arrow-jdbc's {@code BaseConsumer}: for those,
   * arrow-jdbc 18.3 wraps a failure in a message built from {@code getMinorType().getType()},
   * which itself throws for decimal vectors, so the real cause (a cancelled statement, a value
   * that does not fit) would be replaced by "Cannot get simple type for type DECIMAL".
   */
  abstract static class ColumnReader<V extends FieldVector> implements JdbcConsumer<V> {
    protected V vector;
    protected final int columnIndexInResultSet;
    protected int currentIndex;

    ColumnReader(V vector, int index) {
      this.vector = vector;
      this.columnIndexInResultSet = index;
    }

    @Override
    public void close() {
      vector.close();
    }

    @Override
    public void resetValueVector(V v) {
      this.vector = v;
      this.currentIndex = 0;
    }
  }

  /** Decimals, rescaled half-up to the column's scale and checked against its precision. */
  static final class DecimalReader extends ColumnReader<FieldVector> {
    private final int precision;
    private final int scale;
    private final String name;
    private final String sqlType;

    DecimalReader(FieldVector vector, int index, ArrowType.Decimal type, String name,
        String sqlType) {
      super(vector, index);
      this.precision = type.getPrecision();
      this.scale = type.getScale();
      this.name = name;
      this.sqlType = sqlType;
    }

    @Override
    public void consume(ResultSet rs) throws SQLException {
      BigDecimal v;
      try {
        v = rs.getBigDecimal(columnIndexInResultSet);
      } catch (SQLException e) {
        String text = null;
        try {
          text = rs.getString(columnIndexInResultSet);
        } catch (SQLException ignored) {
          // report the original failure
        }
        if (text != null && text.matches("(?i)[+-]?(nan|inf|infinity)")) {
          throw new ConversionException("column '" + name + "' holds " + text + ", which a "
              + sqlType + " read as a decimal cannot represent; cast it to a floating-point"
              + " type in the model's SQL or filter it out");
        }
        throw e;
      }
      if (v != null && !rs.wasNull()) {
        if (v.scale() != scale) {
          v = v.setScale(scale, RoundingMode.HALF_UP);
        }
        if (v.precision() > precision) {
          throw new ConversionException("column '" + name + "' holds " + v.toPlainString()
              + ", which does not fit the Decimal(" + precision + "," + scale + ") its "
              + sqlType + " values are read as");
        }
        if (vector instanceof DecimalVector d) {
          d.setSafe(currentIndex, v);
        } else {
          ((Decimal256Vector) vector).setSafe(currentIndex, v);
        }
      }
      currentIndex++;
    }
  }

  /** Timestamps as UTC wall-clock microseconds. */
  static final class TimestampReader extends ColumnReader<TimeStampMicroVector> {
    private static final Calendar UTC = Calendar.getInstance(TimeZone.getTimeZone("UTC"),
        Locale.ROOT);
    private final boolean instant;
    /** Set when the driver cannot give java.time values; then java.sql.Timestamp in UTC. */
    private boolean legacy;

    TimestampReader(TimeStampMicroVector vector, int index, boolean instant) {
      super(vector, index);
      this.instant = instant;
    }

    @Override
    public void consume(ResultSet rs) throws SQLException {
      Long micros = null;
      boolean read = false;
      if (!legacy) {
        try {
          if (instant) {
            OffsetDateTime t = rs.getObject(columnIndexInResultSet, OffsetDateTime.class);
            micros = t == null ? null : micros(t.toInstant());
          } else {
            LocalDateTime t = rs.getObject(columnIndexInResultSet, LocalDateTime.class);
            micros = t == null ? null : micros(t);
          }
          read = true;
        } catch (SQLException e) {
          legacy = true;
        }
      }
      if (!read) {
        Timestamp t = rs.getTimestamp(columnIndexInResultSet, (Calendar) UTC.clone());
        micros = t == null ? null
            : micros(Instant.ofEpochSecond(Math.floorDiv(t.getTime(), 1000L), t.getNanos()));
      }
      if (micros != null) {
        vector.setSafe(currentIndex, micros);
      }
      currentIndex++;
    }
  }

  /** Dates as days since the epoch, or as timestamps at midnight for time members. */
  static final class DateReader extends ColumnReader<FieldVector> {
    private final boolean asTimestamp;
    private boolean legacy;

    DateReader(FieldVector vector, int index, boolean asTimestamp) {
      super(vector, index);
      this.asTimestamp = asTimestamp;
    }

    @Override
    public void consume(ResultSet rs) throws SQLException {
      LocalDate d = null;
      boolean read = false;
      if (!legacy) {
        try {
          d = rs.getObject(columnIndexInResultSet, LocalDate.class);
          read = true;
        } catch (SQLException e) {
          legacy = true;
        }
      }
      if (!read) {
        java.sql.Date sd = rs.getDate(columnIndexInResultSet);
        d = sd == null ? null : sd.toLocalDate();
      }
      if (d != null) {
        long day = d.toEpochDay();
        if (asTimestamp) {
          long micros;
          try {
            micros = Math.multiplyExact(day, MICROS_PER_DAY);
          } catch (ArithmeticException e) {
            micros = day > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
          }
          ((TimeStampMicroVector) vector).setSafe(currentIndex, micros);
        } else {
          int clamped = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, day));
          ((DateDayVector) vector).setSafe(currentIndex, clamped);
        }
      }
      currentIndex++;
    }
  }

  /** Names of java.sql.Types constants, for messages about columns without a type name. */
  static final class JdbcType {
    private JdbcType() {}

    static String name(int type) {
      for (java.lang.reflect.Field f : Types.class.getFields()) {
        try {
          if (f.getInt(null) == type) {
            return f.getName();
          }
        } catch (IllegalAccessException e) {
          // public constants
        }
      }
      return "JDBC type " + type;
    }
  }
}
