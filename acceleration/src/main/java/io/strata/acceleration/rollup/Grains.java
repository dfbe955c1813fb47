package io.strata.acceleration.rollup;

import io.strata.semantic.model.Granularity;
import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAdjusters;

/** Periods of local time: truncating to a granularity, stepping by one, naming a partition. */
final class Grains {
  private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH");
  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm");
  private static final DateTimeFormatter SECOND =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

  private Grains() {}

  /** The start of the period of {@code g} holding {@code t} (weeks start on Monday). */
  static LocalDateTime truncate(LocalDateTime t, Granularity g) {
    return switch (g) {
      case SECOND -> t.withNano(0);
      case MINUTE -> t.withNano(0).withSecond(0);
      case HOUR -> t.withNano(0).withSecond(0).withMinute(0);
      case DAY -> t.toLocalDate().atStartOfDay();
      case WEEK -> t.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
          .atStartOfDay();
      case MONTH -> t.toLocalDate().withDayOfMonth(1).atStartOfDay();
      case QUARTER -> t.toLocalDate().withDayOfMonth(1)
          .withMonth(((t.getMonthValue() - 1) / 3) * 3 + 1).atStartOfDay();
      case YEAR -> t.toLocalDate().withDayOfYear(1).atStartOfDay();
    };
  }

  /** True when {@code t} starts a period of {@code g}. */
  static boolean onBoundary(LocalDateTime t, Granularity g) {
    return truncate(t, g).equals(t);
  }

  /** The start of the next period after the one starting at {@code start}. */
  static LocalDateTime next(LocalDateTime start, Granularity g) {
    return switch (g) {
      case SECOND -> start.plusSeconds(1);
      case MINUTE -> start.plusMinutes(1);
      case HOUR -> start.plusHours(1);
      case DAY -> start.plusDays(1);
      case WEEK -> start.plusWeeks(1);
      case MONTH -> start.plusMonths(1);
      case QUARTER -> start.plusMonths(3);
      case YEAR -> start.plusYears(1);
    };
  }

  /** A period's name: {@code 2024}, {@code 2024-Q1}, {@code 2024-03}, {@code 2024-03-04}... */
  static String key(LocalDateTime start, Granularity g) {
    return switch (g) {
      case YEAR -> String.valueOf(start.getYear());
      case QUARTER -> start.getYear() + "-Q" + ((start.getMonthValue() - 1) / 3 + 1);
      case MONTH -> String.format("%04d-%02d", start.getYear(), start.getMonthValue());
      case WEEK, DAY -> start.toLocalDate().toString();
      case HOUR -> HOUR.format(start);
      case MINUTE -> MINUTE.format(start);
      case SECOND -> SECOND.format(start);
    };
  }

  /** A local time as a query value: {@code 2024-03-01T00:00:00}. */
  static String text(LocalDateTime t) {
    return SECOND.format(t) + (t.getNano() == 0 ? "" : String.format(".%09d", t.getNano()));
  }

  /**
   * The inclusive end a query's date range gives for the half-open end {@code until}: the
   * previous date when {@code until} is midnight (a date means its whole day), else the last
   * nanosecond before it.
   */
  static String inclusiveEnd(LocalDateTime until) {
    if (until.toLocalTime().equals(java.time.LocalTime.MIDNIGHT)) {
      return until.toLocalDate().minusDays(1).toString();
    }
    return text(until.minusNanos(1));
  }

  /** A local time as people read it in messages: {@code 2024-03-01}, or with the time of day. */
  static String show(LocalDateTime t) {
    if (t.toLocalTime().equals(java.time.LocalTime.MIDNIGHT)) {
      return t.toLocalDate().toString();
    }
    return t.getSecond() == 0 && t.getNano() == 0 ? MINUTE.format(t) : text(t);
  }
}
