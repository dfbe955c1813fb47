package io.strata.server.flight;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.DenseUnionVector;
import org.apache.arrow.vector.complex.UnionVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;

/**
 * Parameters of prepared statements: the schema Strata declares, and the values clients bind
 * as Arrow, read as the Java values {@code SqlService} binds (String, Long, Double, BigDecimal,
 * Boolean, LocalDate, LocalDateTime, Instant).
 *
 * <p>Strata does not know a parameter's type before it runs (a value becomes a literal
 * compared with whatever it stands next to), so it declares every parameter as nullable Utf8:
 * the Flight SQL JDBC driver then accepts {@code setString}/{@code setObject(String)} for any
 * parameter, and a number or date written as text compares as one. Clients that bind their own
 * Arrow types (ADBC, {@code FlightSqlClient}) may send any of integers, floating point,
 * decimals, booleans, strings, dates, timestamps, nulls, or a dense or sparse union of them.
 */
final class FlightParameters {
  private FlightParameters() {}

  /** {@code parameter_1} ... {@code parameter_n}, all nullable Utf8. */
  static Schema schema(int count) {
    List<Field> fields = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      fields.add(new Field("parameter_" + i, FieldType.nullable(ArrowType.Utf8.INSTANCE), null));
    }
    return new Schema(fields);
  }

  /** The values of row {@code row}, one per column. */
  static List<Object> row(VectorSchemaRoot root, int row) {
    List<Object> values = new ArrayList<>(root.getFieldVectors().size());
    for (int i = 0; i < root.getFieldVectors().size(); i++) {
      values.add(value(root.getVector(i), row, i));
    }
    return values;
  }

  static Object value(FieldVector v, int row, int index) {
    if (v.isNull(row)) {
      return null;
    }
    if (v instanceof DenseUnionVector u) {
      return value((FieldVector) u.getVectorByType(u.getTypeId(row)), u.getOffset(row), index);
    }
    if (v instanceof UnionVector u) {
      return value((FieldVector) u.getVector(row), row, index);
    }
    if (v instanceof DateDayVector d) {
      return LocalDate.ofEpochDay(d.get(row));
    }
    if (v instanceof DateMilliVector d) {
      return LocalDate.ofEpochDay(Math.floorDiv(d.get(row), 86_400_000L));
    }
    if (v instanceof TimeStampVector t) {
      ArrowType.Timestamp type = (ArrowType.Timestamp) t.getField().getType();
      Instant instant = instant(t.get(row), type.getUnit());
      // with a time zone the value is an instant; without, the wall-clock time in UTC
      return type.getTimezone() == null
          ? LocalDateTime.ofInstant(instant, java.time.ZoneOffset.UTC) : instant;
    }
    if (v instanceof UInt8Vector u) {
      long raw = u.get(row);
      return raw >= 0 ? (Object) raw : new BigInteger(Long.toUnsignedString(raw));
    }
    if (v instanceof BaseIntVector i) {
      return i.getValueAsLong(row);
    }
    return plain(v.getObject(row), index);
  }

  /** A vector's {@code getObject} value as one SqlService binds. */
  private static Object plain(Object o, int index) {
    if (o == null || o instanceof String || o instanceof Boolean || o instanceof Long
        || o instanceof BigDecimal || o instanceof Double || o instanceof LocalDate
        || o instanceof LocalDateTime || o instanceof BigInteger) {
      return o;
    }
    if (o instanceof Text t) {
      return t.toString();
    }
    if (o instanceof Integer || o instanceof Short || o instanceof Byte) {
      return ((Number) o).longValue();
    }
    if (o instanceof Float f) {
      return f.doubleValue();
    }
    if (o instanceof Character c) {
      return c.toString();
    }
    if (o instanceof LocalTime t) {
      return t; // SqlService explains why a TIME is refused
    }
    throw FlightErrors.invalid("parameter " + (index + 1) + " is a " + o.getClass().getSimpleName()
        + "; bind a string, number, boolean, date or timestamp");
  }

  private static Instant instant(long value, TimeUnit unit) {
    return switch (unit) {
      case SECOND -> Instant.ofEpochSecond(value);
      case MILLISECOND -> Instant.ofEpochMilli(value);
      case MICROSECOND -> Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000L),
          Math.floorMod(value, 1_000_000L) * 1000L);
      case NANOSECOND -> Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000_000L),
          Math.floorMod(value, 1_000_000_000L));
    };
  }
}
