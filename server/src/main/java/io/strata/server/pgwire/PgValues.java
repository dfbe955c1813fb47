package io.strata.server.pgwire;

import io.netty.buffer.ByteBuf;
import io.strata.server.sql.SqlColumn;
import io.strata.server.sql.pgcatalog.PgTypes;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Values of Strata's results and parameters on the wire: the {@code RowDescription} of each
 * Arrow field (type OID, length and modifier, all from the one Postgres type table,
 * {@link PgTypes}, which {@code pg_type} shows too), and each value in Postgres's text and
 * binary formats (as {@code typoutput} and {@code typsend} write them). The Arrow data decides
 * the type, since it is what is encoded; the SQL layer's column only adds a {@code varchar}
 * length.
 */
final class PgValues {
  static final int BOOL = PgTypes.BOOL;
  static final int BYTEA = PgTypes.BYTEA;
  static final int INT8 = PgTypes.INT8;
  static final int INT2 = PgTypes.INT2;
  static final int INT4 = PgTypes.INT4;
  static final int TEXT = PgTypes.TEXT;
  static final int OID = PgTypes.OID;
  static final int FLOAT4 = PgTypes.FLOAT4;
  static final int FLOAT8 = PgTypes.FLOAT8;
  static final int UNKNOWN = PgTypes.UNKNOWN;
  static final int BPCHAR = PgTypes.BPCHAR;
  static final int VARCHAR = PgTypes.VARCHAR;
  static final int DATE = PgTypes.DATE;
  static final int TIME = PgTypes.TIME;
  static final int TIMESTAMP = PgTypes.TIMESTAMP;
  static final int TIMESTAMPTZ = PgTypes.TIMESTAMPTZ;
  static final int NUMERIC = PgTypes.NUMERIC;
  /** Types whose text an undeclared parameter is read as when the statement gives it one. */
  static final java.util.Set<Integer> NUMBERS = java.util.Set.of(BOOL, INT2, INT4, INT8,
      FLOAT4, FLOAT8, NUMERIC);

  /** Days from 1970-01-01 to Postgres's epoch, 2000-01-01. */
  private static final long PG_EPOCH_DAYS = 10_957;
  private static final long PG_EPOCH_MICROS = PG_EPOCH_DAYS * 86_400_000_000L;
  private static final DateTimeFormatter TIME_TEXT = new DateTimeFormatterBuilder()
      .appendPattern("HH:mm:ss").optionalStart()
      .appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true).toFormatter(Locale.ROOT);
  private static final DateTimeFormatter DATE_TEXT = DateTimeFormatter.ofPattern("yyyy-MM-dd",
      Locale.ROOT);

  private PgValues() {}

  /** Writes one non-null value of a column. */
  @FunctionalInterface
  interface Writer {
    void write(FieldVector vector, int row, ByteBuf out, ZoneId zone);
  }

  /**
   * One result column as the wire describes and encodes it.
   *
   * @param name its label
   * @param oid its type
   * @param size {@code typlen}: bytes of a fixed-size type, -1 for variable ones
   * @param modifier {@code atttypmod}: numeric precision and scale, varchar length, or -1
   */
  record Column(String name, int oid, int size, int modifier, Writer text, Writer binary) {}

  static List<Column> columns(List<SqlColumn> declared, List<Field> fields) {
    List<Column> out = new ArrayList<>(fields.size());
    for (int i = 0; i < fields.size(); i++) {
      SqlColumn d = i < declared.size() ? declared.get(i) : null;
      out.add(column(d == null ? fields.get(i).getName() : d.name(), d, fields.get(i).getType()));
    }
    return out;
  }

  /** The columns a statement's prepared description promises, before it runs. */
  static List<Column> declared(List<SqlColumn> declared) {
    List<Column> out = new ArrayList<>(declared.size());
    for (SqlColumn d : declared) {
      out.add(column(d.name(), d, arrowOf(d)));
    }
    return out;
  }

  /** The Arrow type a JDBC column type arrives as (for descriptions made before execution). */
  private static ArrowType arrowOf(SqlColumn c) {
    return switch (c.jdbcType()) {
      case Types.BOOLEAN, Types.BIT -> ArrowType.Bool.INSTANCE;
      case Types.TINYINT, Types.SMALLINT -> new ArrowType.Int(16, true);
      case Types.INTEGER -> new ArrowType.Int(32, true);
      case Types.BIGINT -> new ArrowType.Int(64, true);
      case Types.REAL -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case Types.FLOAT, Types.DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case Types.DECIMAL, Types.NUMERIC -> new ArrowType.Decimal(
          c.precision() > 0 ? c.precision() : 38, Math.max(c.scale(), 0), 128);
      case Types.DATE -> new ArrowType.Date(org.apache.arrow.vector.types.DateUnit.DAY);
      case Types.TIME -> new ArrowType.Time(TimeUnit.MICROSECOND, 64);
      case Types.TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
      case Types.TIMESTAMP_WITH_TIMEZONE -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
      case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY -> ArrowType.Binary.INSTANCE;
      default -> ArrowType.Utf8.INSTANCE;
    };
  }

  static Column column(String name, SqlColumn declared, ArrowType type) {
    switch (type.getTypeID()) {
      case Bool:
        return new Column(name, BOOL, PgTypes.length(BOOL), -1,
            (v, r, o, z) -> o.writeByte(((BitVector) v).get(r) == 1 ? 't' : 'f'),
            (v, r, o, z) -> o.writeByte(((BitVector) v).get(r)));
      case Int: {
        ArrowType.Int t = (ArrowType.Int) type;
        if (t.getBitWidth() == 64 && !t.getIsSigned()) {
          return decimal(name, 20, 0,
              (v, r) -> new BigDecimal(new BigInteger(Long.toUnsignedString(((UInt8Vector) v).get(r)))));
        }
        int bits = t.getIsSigned() ? t.getBitWidth() : t.getBitWidth() * 2;
        int oid = bits <= 16 ? INT2 : bits <= 32 ? INT4 : INT8;
        int size = PgTypes.length(oid);
        return new Column(name, oid, size, -1,
            (v, r, o, z) -> ascii(o, Long.toString(((BaseIntVector) v).getValueAsLong(r))),
            (v, r, o, z) -> {
              long x = ((BaseIntVector) v).getValueAsLong(r);
              if (size == 2) {
                o.writeShort((short) x);
              } else if (size == 4) {
                o.writeInt((int) x);
              } else {
                o.writeLong(x);
              }
            });
      }
      case FloatingPoint: {
        ArrowType.FloatingPoint f = (ArrowType.FloatingPoint) type;
        if (f.getPrecision() == FloatingPointPrecision.SINGLE) {
          return new Column(name, FLOAT4, PgTypes.length(FLOAT4), -1,
              (v, r, o, z) -> ascii(o, floatText(((Float4Vector) v).get(r), true)),
              (v, r, o, z) -> o.writeFloat(((Float4Vector) v).get(r)));
        }
        if (f.getPrecision() == FloatingPointPrecision.DOUBLE) {
          return new Column(name, FLOAT8, PgTypes.length(FLOAT8), -1,
              (v, r, o, z) -> ascii(o, floatText(((Float8Vector) v).get(r), false)),
              (v, r, o, z) -> o.writeDouble(((Float8Vector) v).get(r)));
        }
        return new Column(name, FLOAT4, PgTypes.length(FLOAT4), -1,
            (v, r, o, z) -> ascii(o, floatText(((Number) v.getObject(r)).floatValue(), true)),
            (v, r, o, z) -> o.writeFloat(((Number) v.getObject(r)).floatValue()));
      }
      case Decimal: {
        ArrowType.Decimal d = (ArrowType.Decimal) type;
        return decimal(name, d.getPrecision(), d.getScale(),
            (v, r) -> (BigDecimal) v.getObject(r));
      }
      case Utf8: {
        int length = declared != null && isCharacter(declared.jdbcType())
            && declared.precision() > 0 && declared.precision() < 10_485_760
            ? declared.precision() : -1;
        return new Column(name, length > 0 ? VARCHAR : TEXT, PgTypes.length(VARCHAR),
            length > 0 ? PgTypes.varcharTypmod(length) : -1,
            PgValues::utf8, PgValues::utf8);
      }
      case LargeUtf8, Utf8View:
        return new Column(name, TEXT, -1, -1, PgValues::objectText, PgValues::objectText);
      case Date:
        return new Column(name, DATE, PgTypes.length(DATE), -1,
            (v, r, o, z) -> ascii(o, LocalDate.ofEpochDay(days(v, r)).format(DATE_TEXT)),
            (v, r, o, z) -> o.writeInt((int) (days(v, r) - PG_EPOCH_DAYS)));
      case Time:
        return new Column(name, TIME, PgTypes.length(TIME), -1,
            (v, r, o, z) -> ascii(o, LocalTime.ofNanoOfDay(timeMicros(v, r) * 1000)
                .format(TIME_TEXT)),
            (v, r, o, z) -> o.writeLong(timeMicros(v, r)));
      case Timestamp: {
        boolean zoned = ((ArrowType.Timestamp) type).getTimezone() != null;
        if (zoned) {
          return new Column(name, TIMESTAMPTZ, PgTypes.length(TIMESTAMPTZ), -1,
              (v, r, o, z) -> ascii(o, timestamptzText(micros(v, r), z)),
              (v, r, o, z) -> o.writeLong(micros(v, r) - PG_EPOCH_MICROS));
        }
        return new Column(name, TIMESTAMP, PgTypes.length(TIMESTAMP), -1,
            (v, r, o, z) -> ascii(o, timestampText(micros(v, r))),
            (v, r, o, z) -> o.writeLong(micros(v, r) - PG_EPOCH_MICROS));
      }
      case Binary, LargeBinary, BinaryView, FixedSizeBinary:
        return new Column(name, BYTEA, -1, -1,
            (v, r, o, z) -> {
              o.writeByte('\\').writeByte('x');
              ascii(o, HexFormat.of().formatHex((byte[]) v.getObject(r)));
            },
            (v, r, o, z) -> o.writeBytes((byte[]) v.getObject(r)));
      default:
        // lists, structs, maps, intervals, nulls: their text, which is what a client can show
        return new Column(name, TEXT, -1, -1, PgValues::objectText, PgValues::objectText);
    }
  }

  private static boolean isCharacter(int jdbcType) {
    return jdbcType == Types.VARCHAR || jdbcType == Types.CHAR || jdbcType == Types.NVARCHAR
        || jdbcType == Types.NCHAR;
  }

  private interface DecimalReader {
    BigDecimal read(FieldVector v, int row);
  }

  private static Column decimal(String name, int precision, int scale, DecimalReader read) {
    int modifier = precision > 0 && precision <= 1000 ? PgTypes.numericTypmod(precision, scale)
        : -1;
    return new Column(name, NUMERIC, -1, modifier,
        (v, r, o, z) -> ascii(o, read.read(v, r).toPlainString()),
        (v, r, o, z) -> numericBinary(read.read(v, r), o));
  }

  private static void utf8(FieldVector v, int row, ByteBuf out, ZoneId zone) {
    if (v instanceof VarCharVector s) {
      out.writeBytes(s.get(row));
    } else {
      objectText(v, row, out, zone);
    }
  }

  private static void objectText(FieldVector v, int row, ByteBuf out, ZoneId zone) {
    out.writeCharSequence(String.valueOf(v.getObject(row)), StandardCharsets.UTF_8);
  }

  private static void ascii(ByteBuf out, String s) {
    out.writeCharSequence(s, StandardCharsets.US_ASCII);
  }

  private static long days(FieldVector v, int row) {
    if (v instanceof DateDayVector d) {
      return d.get(row);
    }
    return Math.floorDiv(((DateMilliVector) v).get(row), 86_400_000L);
  }

  private static long timeMicros(FieldVector v, int row) {
    if (v instanceof TimeMicroVector t) {
      return t.get(row);
    }
    if (v instanceof TimeMilliVector t) {
      return t.get(row) * 1000L;
    }
    if (v instanceof TimeNanoVector t) {
      return t.get(row) / 1000L;
    }
    return ((TimeSecVector) v).get(row) * 1_000_000L;
  }

  /** Microseconds since 1970-01-01T00:00 (UTC for zoned values, wall clock otherwise). */
  private static long micros(FieldVector v, int row) {
    TimeStampVector t = (TimeStampVector) v;
    long x = t.get(row);
    return switch (((ArrowType.Timestamp) t.getField().getType()).getUnit()) {
      case SECOND -> x * 1_000_000L;
      case MILLISECOND -> x * 1000L;
      case MICROSECOND -> x;
      case NANOSECOND -> Math.floorDiv(x, 1000L);
    };
  }

  static String timestampText(long micros) {
    LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
        (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
    return t.toLocalDate().format(DATE_TEXT) + " " + t.toLocalTime().format(TIME_TEXT);
  }

  static String timestamptzText(long micros, ZoneId zone) {
    Instant i = Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    OffsetDateTime t = i.atZone(zone).toOffsetDateTime();
    int seconds = t.getOffset().getTotalSeconds();
    String sign = seconds < 0 ? "-" : "+";
    int abs = Math.abs(seconds);
    String offset = sign + String.format(Locale.ROOT, "%02d", abs / 3600)
        + (abs % 3600 == 0 ? "" : String.format(Locale.ROOT, ":%02d", abs % 3600 / 60));
    return t.toLocalDate().format(DATE_TEXT) + " " + t.toLocalTime().format(TIME_TEXT) + offset;
  }

  /** A float as Postgres prints it: the shortest exact digits, exponent only when far out. */
  static String floatText(double d, boolean single) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    if (d == 0) {
      return 1 / d < 0 ? "-0" : "0";
    }
    BigDecimal b = new BigDecimal(single ? Float.toString((float) d) : Double.toString(d))
        .stripTrailingZeros();
    int exponent = b.precision() - b.scale() - 1;
    if (exponent >= -4 && exponent < (single ? 6 : 15)) {
      return b.toPlainString();
    }
    String digits = b.unscaledValue().abs().toString();
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return (b.signum() < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
        + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
  }

  /** {@code numeric_send}: base-10000 digits with weight, sign and display scale. */
  static void numericBinary(BigDecimal value, ByteBuf out) {
    int scale = Math.max(value.scale(), 0);
    String s = value.setScale(scale, RoundingMode.UNNECESSARY).unscaledValue().abs().toString();
    if (s.length() <= scale) {
      s = "0".repeat(scale - s.length() + 1) + s;
    }
    String whole = s.substring(0, s.length() - scale);
    String fraction = s.substring(s.length() - scale);
    whole = "0".repeat((4 - whole.length() % 4) % 4) + whole;
    fraction = fraction + "0".repeat((4 - fraction.length() % 4) % 4);
    String digits = whole + fraction;
    int groups = digits.length() / 4;
    int weight = whole.length() / 4 - 1;
    int first = 0;
    while (first < groups && digits.startsWith("0000", first * 4)) {
      first++;
      weight--;
    }
    int last = groups;
    while (last > first && digits.startsWith("0000", (last - 1) * 4)) {
      last--;
    }
    if (first == last) {
      weight = 0;
    }
    out.writeShort(last - first);
    out.writeShort(weight);
    out.writeShort(value.signum() < 0 ? 0x4000 : 0);
    out.writeShort(scale);
    for (int i = first; i < last; i++) {
      out.writeShort(Integer.parseInt(digits.substring(i * 4, i * 4 + 4)));
    }
  }

  static BigDecimal numericFromBinary(ByteBuffer b) {
    int n = b.getShort();
    int weight = b.getShort();
    int sign = b.getShort() & 0xFFFF;
    int scale = b.getShort();
    if (sign == 0xC000) {
      throw PgException.error("22P02", "NaN is not a number Strata can compare");
    }
    BigDecimal v = BigDecimal.ZERO;
    for (int i = 0; i < n; i++) {
      v = v.add(BigDecimal.valueOf(b.getShort()).scaleByPowerOfTen(4 * (weight - i)));
    }
    v = v.setScale(scale, RoundingMode.HALF_UP);
    return sign == 0x4000 ? v.negate() : v;
  }

  // --------------------------------------------------------------------------- parameters

  /**
   * A parameter value sent by the client, as the Java value Strata's SQL path binds.
   *
   * @param oid the type the client declared, 0 when it left it to the server
   * @param binary whether it came in binary format
   * @param index 0-based, for messages
   * @throws PgException 22P02/22P03 naming the parameter when the value is not of its type
   */
  static Object parameter(int oid, boolean binary, byte[] value, int index) {
    if (value == null) {
      return null;
    }
    try {
      return binary ? fromBinary(oid, value, index) : fromText(oid,
          new String(value, StandardCharsets.UTF_8));
    } catch (NumberFormatException | DateTimeParseException | ArithmeticException
        | java.nio.BufferUnderflowException e) {
      throw PgException.error(binary ? "22P03" : "22P02", "parameter $" + (index + 1)
          + " is not a valid " + typeName(oid) + (binary ? " in binary format" : ": '"
          + new String(value, StandardCharsets.UTF_8) + "'"));
    }
  }

  private static Object fromText(int oid, String s) {
    return switch (oid) {
      case BOOL -> switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "t", "true", "y", "yes", "on", "1" -> Boolean.TRUE;
        case "f", "false", "n", "no", "off", "0" -> Boolean.FALSE;
        default -> throw new NumberFormatException(s);
      };
      case INT2, INT4 -> Integer.parseInt(s.trim());
      case INT8, OID -> Long.parseLong(s.trim());
      case FLOAT4, FLOAT8 -> Double.parseDouble(s.trim());
      case NUMERIC -> new BigDecimal(s.trim());
      case DATE -> LocalDate.parse(s.trim());
      case TIMESTAMP -> LocalDateTime.parse(s.trim().replace(' ', 'T'));
      case TIMESTAMPTZ -> offsetTimestamp(s.trim());
      case TEXT, VARCHAR, BPCHAR -> s; // declared text stays text, whatever it looks like
      default -> untyped(s);
    };
  }

  /**
   * A value of no declared type: pgjdbc sends dates and timestamps this way (with the client's
   * zone offset), which Strata binds as what they are; anything else stays text.
   */
  private static Object untyped(String s) {
    String t = s.trim();
    if (t.length() >= 19 && t.length() <= 35 && t.matches(
        "\\d{4}-\\d\\d-\\d\\d[ T]\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})?([+-]\\d\\d(:?\\d\\d){0,2})?")) {
      if (t.length() > 19 && (t.lastIndexOf('+') > 10 || t.lastIndexOf('-') > 10)) {
        // the wall clock as the client wrote it: Strata's timestamps have no zone
        return LocalDateTime.parse(t.substring(0, Math.max(t.lastIndexOf('+'),
            t.lastIndexOf('-'))).replace(' ', 'T'));
      }
      return LocalDateTime.parse(t.replace(' ', 'T'));
    }
    if (t.length() >= 10 && t.length() <= 16
        && t.matches("\\d{4}-\\d\\d-\\d\\d( ?[+-]\\d\\d(:?\\d\\d)?)?")) {
      return LocalDate.parse(t.substring(0, 10));
    }
    return s;
  }

  private static OffsetDateTime offsetTimestamp(String s) {
    String t = s.replace(' ', 'T');
    if (t.matches(".*[+-]\\d\\d$")) {
      t = t + ":00";
    }
    try {
      return OffsetDateTime.parse(t);
    } catch (DateTimeParseException e) {
      return LocalDateTime.parse(t).atOffset(ZoneOffset.UTC);
    }
  }

  private static Object fromBinary(int oid, byte[] value, int index) {
    ByteBuffer b = ByteBuffer.wrap(value);
    Object v = switch (oid) {
      case BOOL -> b.get() != 0;
      case INT2 -> (int) b.getShort();
      case INT4 -> b.getInt();
      case INT8 -> b.getLong();
      case OID -> Integer.toUnsignedLong(b.getInt());
      case FLOAT4 -> (double) b.getFloat();
      case FLOAT8 -> b.getDouble();
      case NUMERIC -> numericFromBinary(b);
      case DATE -> LocalDate.ofEpochDay(b.getInt() + PG_EPOCH_DAYS);
      case TIMESTAMP -> LocalDateTime.ofEpochSecond(0, 0, ZoneOffset.UTC)
          .plus(b.getLong() + PG_EPOCH_MICROS, ChronoUnit.MICROS);
      case TIMESTAMPTZ -> Instant.EPOCH.plus(b.getLong() + PG_EPOCH_MICROS, ChronoUnit.MICROS)
          .atOffset(ZoneOffset.UTC);
      case BYTEA -> throw PgException.error("0A000", "parameter $" + (index + 1)
          + " is bytea; Strata compares no binary values");
      case 0, TEXT, VARCHAR, BPCHAR, UNKNOWN -> new String(value, StandardCharsets.UTF_8);
      default -> throw PgException.error("0A000", "parameter $" + (index + 1) + " has type oid "
          + oid + " in binary format, which Strata does not read; send it as text");
    };
    if (b.hasRemaining() && !(v instanceof String)) {
      throw new NumberFormatException("extra bytes");
    }
    return v;
  }

  static String typeName(int oid) {
    return PgTypes.formatType(oid, -1).replace("???", "text");
  }

}
