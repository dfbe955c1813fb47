package io.strata.server.avatica;

import java.math.BigDecimal;
import java.sql.Types;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Writes result rows straight from Arrow vectors in the protobuf wire format of Avatica's
 * {@code Common.Row} (the rows of a {@code Common.Frame}), without the object graph Avatica's
 * own path builds for every value ({@code Object[]} row, boxed value, {@code TypedValue},
 * {@code ColumnValue} and {@code Row} messages). What the stock driver decodes is exactly what
 * {@code Meta.Frame.toProto()} would have sent for the rows {@link JdbcValues} reads: each value
 * a {@code ColumnValue} whose {@code scalar_value} is the {@code TypedValue} of the Java class
 * JdbcValues carries (Integer days for a DATE, Long milliseconds for a TIMESTAMP, a
 * BigDecimal's {@code toString()}, the UTF-8 bytes of a string as Arrow holds them...). The
 * deprecated repeated {@code value} copy Avatica adds for pre-1.5 clients is left out (clients
 * since 1.5 read {@code scalar_value}), which halves the frame.
 *
 * <p>Common column kinds are written from the vectors' buffers; the rest go through their
 * {@link JdbcValues.Reader} and are written by class, as {@code TypedValue.toProto} does. Not
 * thread-safe; one per frame.
 */
final class FrameWriter {
  // Avatica's Common.Rep numbers, as TypedValue.toProto picks them from the value's class
  static final int REP_BOOLEAN = 8;
  static final int REP_BYTE = 9;
  static final int REP_SHORT = 11;
  static final int REP_INTEGER = 12;
  static final int REP_LONG = 13;
  static final int REP_FLOAT = 14;
  static final int REP_DOUBLE = 15;
  static final int REP_BYTE_STRING = 20;
  static final int REP_STRING = 21;
  static final int REP_NULL = 24;
  static final int REP_BIG_DECIMAL = 26;

  /** Writes one non-null value of a vector as a TypedValue (its fields, no length prefix). */
  @FunctionalInterface
  interface ValueWriter {
    void write(FieldVector vector, int row, FrameWriter out);
  }

  private byte[] buf;
  private int pos;
  private byte[] row = new byte[256];
  private int rowPos;
  private int rows;

  FrameWriter(int expectedBytes) {
    buf = new byte[Math.max(64, expectedBytes)];
  }

  /** Rows written so far. */
  int rows() {
    return rows;
  }

  /** The bytes of the {@code rows} fields of a Frame message (field 3, one per row). */
  byte[] toBytes() {
    return Arrays.copyOf(buf, pos);
  }

  /** Appends row {@code r} of {@code vectors}, column by column. */
  void writeRow(List<FieldVector> vectors, List<JdbcValues.Column> columns, int r) {
    rowPos = 0;
    for (int c = 0, n = columns.size(); c < n; c++) {
      FieldVector v = vectors.get(c);
      if (v.isNull(r)) {
        // ColumnValue{scalar_value: TypedValue{type: NULL, null: true}}
        ensureRow(8);
        byte[] b = row;
        int p = rowPos;
        b[p] = 0x0A; b[p + 1] = 6; b[p + 2] = 0x22; b[p + 3] = 4;
        b[p + 4] = 0x08; b[p + 5] = REP_NULL; b[p + 6] = 0x38; b[p + 7] = 1;
        rowPos = p + 8;
      } else {
        columns.get(c).writer().write(v, r, this);
      }
    }
    // Frame.rows (field 3): Row{value (field 1): ColumnValue...}
    ensure(1 + 5 + rowPos);
    buf[pos++] = 0x1A;
    pos = putVarint(buf, pos, rowPos);
    System.arraycopy(row, 0, buf, pos, rowPos);
    pos += rowPos;
    rows++;
  }

  // ------------------------------------------------------------ one value, as a ColumnValue

  /** A value travelling as a TypedValue {@code number_value} (sint64). */
  void number(int rep, long n) {
    long zz = (n << 1) ^ (n >> 63);
    int tv = 2 + (n == 0 ? 0 : 1 + varintSize(zz));
    open(tv);
    row[rowPos++] = 0x08;
    row[rowPos++] = (byte) rep;
    if (n != 0) {
      row[rowPos++] = 0x20;
      rowPos = putVarint(row, rowPos, zz);
    }
  }

  void doubleValue(double d) {
    long bits = Double.doubleToRawLongBits(d);
    open(bits == 0 ? 2 : 11);
    row[rowPos++] = 0x08;
    row[rowPos++] = REP_DOUBLE;
    if (bits != 0) {
      row[rowPos++] = 0x31;
      for (int i = 0; i < 8; i++) {
        row[rowPos++] = (byte) (bits >>> (8 * i));
      }
    }
  }

  void bool(boolean b) {
    open(b ? 4 : 2);
    row[rowPos++] = 0x08;
    row[rowPos++] = REP_BOOLEAN;
    if (b) {
      row[rowPos++] = 0x10;
      row[rowPos++] = 1;
    }
  }

  /** A STRING (or BIG_DECIMAL text) value whose UTF-8 bytes are {@code len} bytes of {@code data}. */
  void string(int rep, ArrowBuf data, long start, int len) {
    int tv = 2 + (len == 0 ? 0 : 1 + varintSize(len) + len);
    open(tv);
    row[rowPos++] = 0x08;
    row[rowPos++] = (byte) rep;
    if (len > 0) {
      row[rowPos++] = 0x1A;
      rowPos = putVarint(row, rowPos, len);
      data.getBytes(start, row, rowPos, len);
      rowPos += len;
    }
  }

  void string(int rep, byte[] utf8) {
    int len = utf8.length;
    int tv = 2 + (len == 0 ? 0 : 1 + varintSize(len) + len);
    open(tv);
    row[rowPos++] = 0x08;
    row[rowPos++] = (byte) rep;
    if (len > 0) {
      row[rowPos++] = 0x1A;
      rowPos = putVarint(row, rowPos, len);
      System.arraycopy(utf8, 0, row, rowPos, len);
      rowPos += len;
    }
  }

  /** Text of ASCII characters only (numbers), without an intermediate byte array. */
  void ascii(int rep, String s) {
    int len = s.length();
    int tv = 2 + (len == 0 ? 0 : 1 + varintSize(len) + len);
    open(tv);
    row[rowPos++] = 0x08;
    row[rowPos++] = (byte) rep;
    if (len > 0) {
      row[rowPos++] = 0x1A;
      rowPos = putVarint(row, rowPos, len);
      for (int i = 0; i < len; i++) {
        row[rowPos++] = (byte) s.charAt(i);
      }
    }
  }

  /** Binary, as Avatica sends it: base64 text for old clients and the bytes themselves. */
  void binary(byte[] bytes) {
    byte[] b64 = Base64.getEncoder().encode(bytes);
    int tv = 2 + (b64.length == 0 ? 0 : 1 + varintSize(b64.length) + b64.length)
        + (bytes.length == 0 ? 0 : 1 + varintSize(bytes.length) + bytes.length);
    open(tv);
    row[rowPos++] = 0x08;
    row[rowPos++] = REP_BYTE_STRING;
    if (b64.length > 0) {
      row[rowPos++] = 0x1A;
      rowPos = putVarint(row, rowPos, b64.length);
      System.arraycopy(b64, 0, row, rowPos, b64.length);
      rowPos += b64.length;
    }
    if (bytes.length > 0) {
      row[rowPos++] = 0x2A;
      rowPos = putVarint(row, rowPos, bytes.length);
      System.arraycopy(bytes, 0, row, rowPos, bytes.length);
      rowPos += bytes.length;
    }
  }

  void nullValue() {
    open(4);
    row[rowPos++] = 0x08;
    row[rowPos++] = REP_NULL;
    row[rowPos++] = 0x38;
    row[rowPos++] = 1;
  }

  /** Any value JdbcValues reads, written by its class as {@code TypedValue.toProto} does. */
  void object(Object o) {
    if (o == null) {
      nullValue();
    } else if (o instanceof Byte b) {
      number(REP_BYTE, b);
    } else if (o instanceof Short s) {
      number(REP_SHORT, s);
    } else if (o instanceof Integer i) {
      number(REP_INTEGER, i);
    } else if (o instanceof Long l) {
      number(REP_LONG, l);
    } else if (o instanceof Double d) {
      doubleValue(d);
    } else if (o instanceof Float f) {
      number(REP_FLOAT, Float.floatToIntBits(f));
    } else if (o instanceof BigDecimal d) {
      ascii(REP_BIG_DECIMAL, d.toString());
    } else if (o instanceof String s) {
      string(REP_STRING, s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } else if (o instanceof byte[] b) {
      binary(b);
    } else if (o instanceof Boolean b) {
      bool(b);
    } else {
      throw new IllegalStateException("no frame encoding for " + o.getClass().getName());
    }
  }

  /** Opens a ColumnValue{scalar_value: TypedValue} of {@code tv} bytes; the caller writes them. */
  private void open(int tv) {
    int cv = 1 + varintSize(tv) + tv;
    ensureRow(1 + varintSize(cv) + cv);
    row[rowPos++] = 0x0A;
    rowPos = putVarint(row, rowPos, cv);
    row[rowPos++] = 0x22;
    rowPos = putVarint(row, rowPos, tv);
  }

  private void ensureRow(int more) {
    if (rowPos + more > row.length) {
      row = Arrays.copyOf(row, Math.max(row.length * 2, rowPos + more));
    }
  }

  private void ensure(int more) {
    if (pos + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length + (buf.length >> 1), pos + more));
    }
  }

  static int varintSize(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  private static int putVarint(byte[] b, int p, long v) {
    while ((v & ~0x7FL) != 0) {
      b[p++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    b[p++] = (byte) v;
    return p;
  }

  // ------------------------------------------------------------ writers per column

  /**
   * The writer of a column whose Arrow values of {@code kind} travel as JDBC {@code type}:
   * straight from the vector's buffers for the common cases, else through {@code reader}.
   */
  static ValueWriter writer(ArrowType arrow, JdbcValues.Kind kind, int type,
      JdbcValues.Reader reader) {
    ValueWriter fallback = (v, r, out) -> out.object(reader.read(v, r));
    switch (kind) {
      case INT -> {
        switch (type) {
          case Types.TINYINT:
            return (v, r, out) -> out.number(REP_BYTE, (byte) ((BaseIntVector) v).getValueAsLong(r));
          case Types.SMALLINT:
            return (v, r, out) -> out.number(REP_SHORT, (short) ((BaseIntVector) v).getValueAsLong(r));
          case Types.INTEGER:
            return (v, r, out) -> out.number(REP_INTEGER, (int) ((BaseIntVector) v).getValueAsLong(r));
          case Types.BIGINT:
            return (v, r, out) -> out.number(REP_LONG, ((BaseIntVector) v).getValueAsLong(r));
          case Types.DECIMAL, Types.NUMERIC:
            return (v, r, out) -> out.ascii(REP_BIG_DECIMAL,
                Long.toString(((BaseIntVector) v).getValueAsLong(r)));
          default:
            return fallback;
        }
      }
      case FLOAT -> {
        if (type == Types.DOUBLE || type == Types.FLOAT) {
          return (v, r, out) -> out.doubleValue(((FloatingPointVector) v).getValueAsDouble(r));
        }
        if (type == Types.REAL) {
          return (v, r, out) -> out.number(REP_FLOAT,
              Float.floatToIntBits((float) ((FloatingPointVector) v).getValueAsDouble(r)));
        }
        return fallback;
      }
      case STRING -> {
        if (JdbcValues.isString(type)) {
          return (v, r, out) -> {
            if (v instanceof BaseVariableWidthVector s) {
              ArrowBuf offsets = s.getOffsetBuffer();
              int start = offsets.getInt((long) r * 4);
              int end = offsets.getInt((long) (r + 1) * 4);
              out.string(REP_STRING, s.getDataBuffer(), start, end - start);
            } else {
              out.object(reader.read(v, r));
            }
          };
        }
        return fallback;
      }
      case DECIMAL -> {
        if ((type == Types.DECIMAL || type == Types.NUMERIC)
            && arrow instanceof ArrowType.Decimal d && d.getBitWidth() == 128
            && d.getPrecision() <= 18) {
          int scale = d.getScale();
          // |unscaled| < 10^18 fits the low 64 bits (the high ones only extend the sign)
          return (v, r, out) -> out.ascii(REP_BIG_DECIMAL, BigDecimal.valueOf(
              ((DecimalVector) v).getDataBuffer().getLong((long) r * 16), scale).toString());
        }
        return fallback;
      }
      case DATE -> {
        if (type == Types.DATE) {
          return (v, r, out) -> {
            if (v instanceof DateDayVector d) {
              out.number(REP_INTEGER, d.get(r));
            } else {
              out.object(reader.read(v, r));
            }
          };
        }
        return fallback;
      }
      case TIMESTAMP -> {
        if (type == Types.TIMESTAMP) {
          long divide = switch (((ArrowType.Timestamp) arrow).getUnit()) {
            case SECOND -> -1000;
            case MILLISECOND -> 1;
            case MICROSECOND -> 1_000;
            case NANOSECOND -> 1_000_000;
          };
          return (v, r, out) -> {
            long raw = ((TimeStampVector) v).get(r);
            out.number(REP_LONG, divide < 0 ? raw * -divide : Math.floorDiv(raw, divide));
          };
        }
        return fallback;
      }
      case BOOL -> {
        if (type == Types.BOOLEAN) {
          return (v, r, out) -> out.bool(((BitVector) v).get(r) != 0);
        }
        return fallback;
      }
      default -> {
        return fallback;
      }
    }
  }
}
