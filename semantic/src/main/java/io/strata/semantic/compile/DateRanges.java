package io.strata.semantic.compile;

import io.strata.semantic.query.DateRange;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns date strings and date ranges into half-open intervals of local time
 * {@code [from, until)}, and local times into the UTC literals that filters compare against.
 *
 * <p>A date ({@code 2024-01-31}) as the end of a range includes that whole day; a date-time
 * ({@code 2024-01-31T12:00:00} or with a space) is an exact instant, included. Relative ranges,
 * resolved against "today" in the query's zone: {@code today}, {@code yesterday},
 * {@code this week|month|quarter|year}, {@code last week|month|quarter|year} (the previous whole
 * period), and {@code last N days|weeks|months|years} (the N whole periods before the current
 * one, so {@code last 7 days} is the seven days ending yesterday).
 *
 * <p>Public so that rollup planning reads date ranges exactly as the compiler does.
 */
public final class DateRanges {
  public static final DateTimeFormatter LITERAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final Pattern LAST_N =
      Pattern.compile("last\\s+(\\d+)\\s+(day|week|month|quarter|year)s?");
  private static final Pattern PERIOD =
      Pattern.compile("(this|last)\\s+(day|week|month|quarter|year)");

  /**
   * The earliest and the day after the latest date a query may name: what every supported
   * warehouse handles as a date and a timestamp (MySQL's DATETIME starts at year 1000; BigQuery
   * and MySQL stop at 9999-12-31, and a range's end is the day after its last day). Outside it,
   * warehouses fail in their own ways (502s, overflows), so the range is refused up front.
   */
  static final LocalDateTime EARLIEST = LocalDate.of(1000, 1, 1).atStartOfDay();
  static final LocalDateTime LATEST_END = LocalDate.of(9999, 1, 1).atStartOfDay();
  static final String BOUNDS = "dates from 1000-01-01 to 9998-12-31";

  /** A half-open local-time interval. */
  public record Interval(LocalDateTime from, LocalDateTime until) {}

  private DateRanges() {}

  /** A date or date-time value; {@code end} says whether a plain date means its end. */
  public static LocalDateTime parse(String text, boolean end) {
    String t = text.trim();
    try {
      LocalDateTime value;
      if (t.length() == 10) {
        LocalDate d = LocalDate.parse(t);
        value = end ? d.plusDays(1).atStartOfDay() : d.atStartOfDay();
      } else {
        LocalDateTime dt = LocalDateTime.parse(t.replace(' ', 'T').replaceFirst("Z$", ""));
        value = end ? dt.plusNanos(1) : dt;
      }
      if (value.isBefore(EARLIEST) || value.isAfter(LATEST_END)) {
        throw new IllegalArgumentException("'" + text + "' is outside the dates every warehouse"
            + " handles: give " + BOUNDS);
      }
      return value;
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text
          + "' is not a date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM:SS)");
    }
  }

  /** True when the text is a plain date, not a date-time. */
  public static boolean isDate(String text) {
    return text.trim().length() == 10;
  }

  public static Interval interval(DateRange range, LocalDate today) {
    if (range.relative() == null) {
      LocalDateTime from = parse(range.from(), false);
      LocalDateTime until = parse(range.to(), true);
      if (!until.isAfter(from)) {
        throw new IllegalArgumentException("the date range ends (" + range.to()
            + ") before it starts (" + range.from() + ")");
      }
      return new Interval(from, until);
    }
    return relative(range.relative(), today);
  }

  public static Interval relative(String text, LocalDate today) {
    String t = text.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    switch (t) {
      case "today":
        return days(today, today.plusDays(1));
      case "yesterday":
        return days(today.minusDays(1), today);
      default:
        break;
    }
    Matcher p = PERIOD.matcher(t);
    if (p.matches()) {
      LocalDate start = periodStart(today, p.group(2));
      if (p.group(1).equals("last")) {
        start = minus(start, p.group(2), 1);
      }
      return days(start, plus(start, p.group(2), 1));
    }
    Matcher n = LAST_N.matcher(t);
    if (n.matches()) {
      LocalDate currentStart = periodStart(today, n.group(2));
      String digits = n.group(1).replaceFirst("^0+(?=\\d)", "");
      LocalDate from = null;
      if (digits.length() <= 7) { // 9,999,999 days is already before year 1000
        try {
          from = minus(currentStart, n.group(2), Integer.parseInt(digits));
        } catch (java.time.DateTimeException e) {
          from = null;
        }
      }
      if (from == null || from.atStartOfDay().isBefore(EARLIEST)) {
        throw new IllegalArgumentException("'" + text + "' starts before 1000-01-01: relative"
            + " ranges must stay within " + BOUNDS);
      }
      return days(from, currentStart);
    }
    throw new IllegalArgumentException("'" + text + "' is not a date range: give [from, to] or"
        + " one of today, yesterday, this week|month|quarter|year, last week|month|quarter|year,"
        + " last N days|weeks|months|quarters|years");
  }

  private static Interval days(LocalDate from, LocalDate until) {
    return new Interval(from.atStartOfDay(), until.atStartOfDay());
  }

  private static LocalDate periodStart(LocalDate d, String unit) {
    return switch (unit) {
      case "day" -> d;
      case "week" -> d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case "month" -> d.withDayOfMonth(1);
      case "quarter" -> d.withDayOfMonth(1).withMonth(((d.getMonthValue() - 1) / 3) * 3 + 1);
      default -> d.withDayOfYear(1);
    };
  }

  private static LocalDate minus(LocalDate d, String unit, int n) {
    return plus(d, unit, -n);
  }

  private static LocalDate plus(LocalDate d, String unit, int n) {
    return switch (unit) {
      case "day" -> d.plusDays(n);
      case "week" -> d.plusWeeks(n);
      case "month" -> d.plusMonths(n);
      case "quarter" -> d.plusMonths(3L * n);
      default -> d.plusYears(n);
    };
  }

  /** A local time in {@code zone} as the UTC timestamp literal text. */
  static String utcLiteral(LocalDateTime local, ZoneId zone) {
    LocalDateTime utc = local.atZone(zone).withZoneSameInstant(ZoneOffset.UTC).toLocalDateTime();
    return LITERAL.format(utc.withNano(0).plusSeconds(utc.getNano() > 0 ? 1 : 0));
  }
}
