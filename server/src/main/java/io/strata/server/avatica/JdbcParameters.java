package io.strata.server.avatica;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.TimeZone;
import org.apache.calcite.avatica.remote.TypedValue;
import org.apache.calcite.avatica.util.ByteString;

/**
 * Parameter values as the remote driver sends them ({@link TypedValue}s) to the JDBC values the
 * SQL layer takes. Dates and times arrive as the client's wall-clock values (days, milliseconds
 * of the day, milliseconds since the epoch read as UTC) and become {@link LocalDate},
 * {@link LocalTime} and {@link LocalDateTime}, so the server's time zone never shifts them.
 */
final class JdbcParameters {
  private static final Calendar UTC = Calendar.getInstance(TimeZone.getTimeZone("UTC"));

  private JdbcParameters() {}

  /**
   * The values in order.
   *
   * @throws JdbcException a parameter is not set, or is of a kind Strata does not take
   */
  static List<Object> values(List<TypedValue> parameters, int expected) {
    List<TypedValue> given = parameters == null ? List.of() : parameters;
    if (given.size() < expected) {
      throw JdbcException.of(JdbcException.PARAMETER, "07001", "the statement has " + expected
          + " parameter" + (expected == 1 ? "" : "s") + " but " + given.size()
          + (given.size() == 1 ? " was" : " were") + " set");
    }
    List<Object> out = new ArrayList<>(given.size());
    for (int i = 0; i < given.size(); i++) {
      TypedValue v = given.get(i);
      if (v == null) {
        throw JdbcException.of(JdbcException.PARAMETER, "07001",
            "parameter " + (i + 1) + " is not set");
      }
      out.add(value(v, i + 1));
    }
    return out;
  }

  /** One value; {@code index} (1-based) names it in errors. */
  static Object value(TypedValue v, int index) {
    if (v.value == null) {
      return null;
    }
    return switch (v.type) {
      case JAVA_SQL_DATE -> LocalDate.ofEpochDay(((Number) v.toLocal()).longValue());
      case JAVA_SQL_TIME -> LocalTime.ofNanoOfDay(
          Math.floorMod(((Number) v.toLocal()).longValue(), 86_400_000L) * 1_000_000L);
      case JAVA_SQL_TIMESTAMP, JAVA_UTIL_DATE -> {
        long millis = ((Number) v.toLocal()).longValue();
        yield LocalDateTime.ofEpochSecond(Math.floorDiv(millis, 1000L),
            (int) Math.floorMod(millis, 1000L) * 1_000_000, ZoneOffset.UTC);
      }
      case BYTE_STRING -> {
        Object local = v.toLocal();
        yield local instanceof ByteString b ? b.getBytes() : v.toJdbc(UTC);
      }
      case ARRAY, MULTISET, STRUCT -> throw JdbcException.of(JdbcException.PARAMETER, "22023",
          "parameter " + index + " is an " + v.type.name().toLowerCase(java.util.Locale.ROOT)
              + "; Strata takes scalar parameters only");
      case CHARACTER, PRIMITIVE_CHAR -> String.valueOf(v.value);
      default -> v.toLocal();
    };
  }
}
