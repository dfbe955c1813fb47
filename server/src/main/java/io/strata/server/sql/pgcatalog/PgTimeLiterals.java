package io.strata.server.sql.pgcatalog;

import io.strata.server.sql.SqlQueryException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.DateString;
import org.apache.calcite.util.TimestampString;

/**
 * Postgres's {@code to_timestamp(text, format)}, {@code to_timestamp(epoch seconds)} and
 * {@code to_date(text, format)} over constants, folded into timestamp and date literals before
 * the statement is planned: BI tools write their time bounds this way (Superset:
 * {@code ordered_at >= TO_TIMESTAMP('2024-01-01 00:00:00.000000', 'YYYY-MM-DD HH24:MI:SS.US')}),
 * and a literal is what a semantic query's time filter takes.
 */
final class PgTimeLiterals {
  private PgTimeLiterals() {}

  /**
   * The literal a call over constants stands for, or null when an argument is not a constant
   * (the call is then left as it is).
   *
   * @throws SqlQueryException the text does not match its format, or the format uses a field
   *     Strata does not read (named in the message, with the call's position)
   */
  static SqlNode fold(String function, List<SqlNode> args, SqlParserPos pos) {
    if (function.equals("to_timestamp") && args.size() == 1
        && args.get(0) instanceof SqlNumericLiteral n) {
      java.math.BigDecimal seconds = n.getValueAs(java.math.BigDecimal.class);
      long micros = seconds.movePointRight(6).setScale(0, java.math.RoundingMode.HALF_UP)
          .longValueExact();
      LocalDateTime t = LocalDateTime.ofInstant(Instant.EPOCH.plus(micros,
          java.time.temporal.ChronoUnit.MICROS), ZoneOffset.UTC);
      return timestamp(t, pos);
    }
    if (args.size() != 2 || !(args.get(0) instanceof SqlCharStringLiteral text)
        || !(args.get(1) instanceof SqlCharStringLiteral format)) {
      return null;
    }
    String value = text.getValueAs(String.class);
    String pattern = format.getValueAs(String.class);
    DateTimeFormatter f;
    try {
      f = formatter(pattern);
    } catch (IllegalArgumentException e) {
      throw invalid(e.getMessage(), pos);
    }
    try {
      if (function.equals("to_date")) {
        LocalDate d = LocalDate.parse(value.trim(), f);
        return SqlLiteral.createDate(new DateString(d.toString()), pos);
      }
      return timestamp(LocalDateTime.parse(value.trim(), f), pos);
    } catch (DateTimeParseException e) {
      throw invalid(function + ": '" + value + "' does not match the format '" + pattern
          + "' (" + e.getMessage() + ")", pos);
    }
  }

  private static SqlQueryException invalid(String message, SqlParserPos pos) {
    return new SqlQueryException(SqlQueryException.Code.VALIDATION_ERROR, message,
        pos.getLineNum(), pos.getColumnNum());
  }

  private static SqlNode timestamp(LocalDateTime t, SqlParserPos pos) {
    String text = t.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS"));
    return SqlLiteral.createTimestamp(SqlTypeName.TIMESTAMP, new TimestampString(text), 6, pos);
  }

  /** A Postgres datetime format as a Java formatter (fields left out default to their start). */
  static DateTimeFormatter formatter(String pattern) {
    DateTimeFormatterBuilder b = new DateTimeFormatterBuilder().parseCaseInsensitive();
    String p = pattern;
    int i = 0;
    while (i < p.length()) {
      String rest = p.substring(i).toUpperCase(Locale.ROOT);
      String[][] fields = {
          {"YYYY", "yyyy"}, {"HH24", "HH"}, {"HH12", "hh"}, {"MI", "mm"}, {"SS", "ss"},
          {"MS", "SSS"}, {"US", "SSSSSS"}, {"MM", "MM"}, {"DD", "dd"}, {"HH", "hh"},
          {"AM", "a"}, {"PM", "a"}, {"YY", "yy"}, {"MON", "MMM"}, {"DDD", "DDD"}};
      String matched = null;
      for (String[] field : fields) {
        if (rest.startsWith(field[0]) && (matched == null
            || field[0].length() > matched.length())) {
          matched = field[0];
        }
      }
      if (matched != null) {
        for (String[] field : fields) {
          if (field[0].equals(matched)) {
            b.appendPattern(field[1]);
          }
        }
        i += matched.length();
        continue;
      }
      char c = p.charAt(i);
      if (Character.isLetter(c)) {
        throw new IllegalArgumentException("to_timestamp: the format field at '"
            + p.substring(i) + "' of '" + pattern + "' is not supported (use YYYY, MM, DD,"
            + " HH24, HH12, MI, SS, MS, US)");
      }
      b.appendLiteral(c);
      i++;
    }
    return b.parseDefaulting(ChronoField.MONTH_OF_YEAR, 1)
        .parseDefaulting(ChronoField.DAY_OF_MONTH, 1)
        .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
        .parseDefaulting(ChronoField.MINUTE_OF_HOUR, 0)
        .parseDefaulting(ChronoField.SECOND_OF_MINUTE, 0)
        .toFormatter(Locale.ROOT);
  }
}
