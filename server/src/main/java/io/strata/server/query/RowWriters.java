package io.strata.server.query;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Encodes Arrow batches as JSON rows and CSV, for the REST endpoints. Both encoders read values
 * through {@link #value(FieldVector, int)}, so they agree on every type:
 * <ul>
 *   <li>integers: {@link Long}; decimals: {@link BigDecimal}; floating point: {@link Double}
 *       (a float is widened through its decimal text, so 0.1f stays 0.1);</li>
 *   <li>numbers are written without exponent and without trailing zeros
 *       ({@code 1234.5}, {@code 100}, {@code 0.0000001}); NaN and infinities, which JSON cannot
 *       hold, as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"};</li>
 *   <li>timestamps: {@link LocalDateTime} of the UTC wall time, written
 *       {@code 2024-01-01T00:00:00.000} (milliseconds); dates: {@link LocalDate},
 *       {@code 2024-01-01};</li>
 *   <li>booleans, strings; null as JSON {@code null} and as an empty CSV field (an empty string
 *       is written {@code ""} in CSV, so the two stay distinguishable).</li>
 * </ul>
 * CSV follows RFC 4180: comma-separated, CRLF line ends, fields quoted when they contain a
 * comma, a double quote, CR or LF, with quotes doubled. Text that a spreadsheet would run as a
 * formula (it starts with {@code =}, {@code +}, {@code -}, {@code @}, a tab or a carriage
 * return) is neutralised as OWASP recommends, when asked: a single quote is put before it and the
 * field is quoted, so {@code =HYPERLINK(...)} opens as the text {@code '=HYPERLINK(...)}. Only text
 * columns and header names are touched: {@code -5} in a numeric column stays a number.
 */
public final class RowWriters {
  /** How timestamps are written: ISO-8601 local date-time with milliseconds. */
  public static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS");

  private RowWriters() {}

  /**
   * Writes each row of the batch as one JSON object whose keys are {@code names} (the output
   * columns' names, in column order). The caller writes the surrounding array.
   */
  public static void writeJsonRows(VectorSchemaRoot batch, List<String> names, JsonGenerator g)
      throws IOException {
    List<FieldVector> vectors = batch.getFieldVectors();
    if (names.size() != vectors.size()) {
      throw new IllegalArgumentException("the batch has " + vectors.size() + " columns but "
          + names.size() + " names were given");
    }
    int n = batch.getRowCount();
    for (int row = 0; row < n; row++) {
      g.writeStartObject();
      for (int c = 0; c < vectors.size(); c++) {
        g.writeFieldName(names.get(c));
        writeJsonValue(value(vectors.get(c), row), g);
      }
      g.writeEndObject();
    }
  }

  /** Writes each row of the batch as one JSON array of its values, in column order. */
  public static void writeJsonArrays(VectorSchemaRoot batch, JsonGenerator g)
      throws IOException {
    List<FieldVector> vectors = batch.getFieldVectors();
    int n = batch.getRowCount();
    for (int row = 0; row < n; row++) {
      g.writeStartArray();
      for (FieldVector v : vectors) {
        writeJsonValue(value(v, row), g);
      }
      g.writeEndArray();
    }
  }

  private static void writeJsonValue(Object v, JsonGenerator g) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof Long l) {
      g.writeNumber(l);
    } else if (v instanceof BigDecimal d) {
      g.writeNumber(plain(d));
    } else if (v instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        g.writeString(d.toString());
      } else {
        g.writeNumber(plain(d));
      }
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else {
      g.writeString(text(v));
    }
  }

  /** Writes the CSV header line, neutralising names that look like formulas. */
  public static void writeCsvHeader(List<String> names, Writer w) throws IOException {
    writeCsvHeader(names, w, true);
  }

  /** Writes the CSV header line; {@code neutraliseFormulas} as for {@link #writeCsv}. */
  public static void writeCsvHeader(List<String> names, Writer w, boolean neutraliseFormulas)
      throws IOException {
    for (int c = 0; c < names.size(); c++) {
      if (c > 0) {
        w.write(',');
      }
      writeCsvField(names.get(c), w, neutraliseFormulas);
    }
    w.write("\r\n");
  }

  /** Writes the batch's rows as CSV lines, without a header, neutralising formulas in text. */
  public static void writeCsv(VectorSchemaRoot batch, Writer w) throws IOException {
    writeCsv(batch, w, true);
  }

  /**
   * Writes the batch's rows as CSV lines, without a header. With {@code neutraliseFormulas}
   * (setting {@code strata.csv.neutralise-formulas}), values of text columns that a spreadsheet
   * would evaluate are written as text (see the class comment).
   */
  public static void writeCsv(VectorSchemaRoot batch, Writer w, boolean neutraliseFormulas)
      throws IOException {
    List<FieldVector> vectors = batch.getFieldVectors();
    boolean[] text = new boolean[vectors.size()];
    for (int c = 0; c < text.length; c++) {
      FieldVector v = vectors.get(c);
      text[c] = neutraliseFormulas && (v instanceof VarCharVector || v instanceof LargeVarCharVector);
    }
    int n = batch.getRowCount();
    for (int row = 0; row < n; row++) {
      for (int c = 0; c < vectors.size(); c++) {
        if (c > 0) {
          w.write(',');
        }
        Object v = value(vectors.get(c), row);
        if (v != null) {
          writeCsvField(text(v), w, text[c]);
        }
      }
      w.write("\r\n");
    }
  }

  /** Whether a spreadsheet opening the CSV would take this text for a formula (OWASP's list). */
  static boolean looksLikeFormula(String s) {
    if (s.isEmpty()) {
      return false;
    }
    char first = s.charAt(0);
    return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t'
        || first == '\r';
  }

  /** Writes one CSV field, quoted when it must be (RFC 4180). */
  public static void writeCsvField(String s, Writer w) throws IOException {
    writeCsvField(s, w, false);
  }

  /**
   * Writes one CSV field, quoted when it must be (RFC 4180); with {@code neutraliseFormulas},
   * text a spreadsheet would run as a formula is written as {@code '} + the text, quoted.
   */
  public static void writeCsvField(String s, Writer w, boolean neutraliseFormulas)
      throws IOException {
    if (neutraliseFormulas && looksLikeFormula(s)) {
      w.write("\"'");
      w.write(s.replace("\"", "\"\""));
      w.write('"');
      return;
    }
    boolean quote = s.isEmpty();
    for (int i = 0; i < s.length() && !quote; i++) {
      char ch = s.charAt(i);
      quote = ch == ',' || ch == '"' || ch == '\r' || ch == '\n';
    }
    if (!quote) {
      w.write(s);
      return;
    }
    w.write('"');
    w.write(s.replace("\"", "\"\""));
    w.write('"');
  }

  /** The text of a value as both encoders write it (null stays null). */
  public static String text(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof BigDecimal d) {
      return plain(d);
    }
    if (v instanceof Double d) {
      return d.isNaN() || d.isInfinite() ? d.toString() : plain(d);
    }
    if (v instanceof LocalDateTime t) {
      return TIMESTAMP.format(t);
    }
    return v.toString();
  }

  private static String plain(BigDecimal d) {
    return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
  }

  private static String plain(double d) {
    return plain(BigDecimal.valueOf(d));
  }

  /**
   * The Java value of one cell: {@link Long}, {@link BigDecimal}, {@link Double},
   * {@link String}, {@link LocalDateTime}, {@link LocalDate}, {@link Boolean}, or null. Types
   * Strata does not produce fall back to their {@code toString()}.
   */
  public static Object value(FieldVector v, int row) {
    if (v.isNull(row)) {
      return null;
    }
    if (v instanceof UInt8Vector u) {
      long raw = u.get(row);
      return raw >= 0 ? (Object) raw : new BigDecimal(new BigInteger(Long.toUnsignedString(raw)));
    }
    if (v instanceof BaseIntVector i) {
      return i.getValueAsLong(row);
    }
    if (v instanceof DecimalVector d) {
      return d.getObject(row);
    }
    if (v instanceof Decimal256Vector d) {
      return d.getObject(row);
    }
    if (v instanceof Float8Vector f) {
      return f.get(row);
    }
    if (v instanceof Float4Vector f) {
      return Double.valueOf(Float.toString(f.get(row)));
    }
    if (v instanceof BitVector b) {
      return b.get(row) != 0;
    }
    if (v instanceof VarCharVector s) {
      return new String(s.get(row), StandardCharsets.UTF_8);
    }
    if (v instanceof LargeVarCharVector s) {
      return new String(s.get(row), StandardCharsets.UTF_8);
    }
    if (v instanceof TimeStampVector t) {
      return utcDateTime(t.get(row), ((ArrowType.Timestamp) t.getField().getType()).getUnit());
    }
    if (v instanceof DateDayVector d) {
      return LocalDate.ofEpochDay(d.get(row));
    }
    if (v instanceof DateMilliVector d) {
      return LocalDate.ofEpochDay(Math.floorDiv(d.get(row), TimeUnit.DAYS.toMillis(1)));
    }
    Object o = v.getObject(row);
    return o == null ? null : o.toString();
  }

  private static LocalDateTime utcDateTime(long value, org.apache.arrow.vector.types.TimeUnit unit) {
    long perSecond = switch (unit) {
      case SECOND -> 1L;
      case MILLISECOND -> 1_000L;
      case MICROSECOND -> 1_000_000L;
      case NANOSECOND -> 1_000_000_000L;
    };
    long seconds = Math.floorDiv(value, perSecond);
    long fraction = Math.floorMod(value, perSecond);
    int nanos = (int) (fraction * (1_000_000_000L / perSecond));
    return LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC);
  }
}
