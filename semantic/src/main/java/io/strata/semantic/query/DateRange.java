package io.strata.semantic.query;

/**
 * A date range: either two dates or date-times ({@code from}, {@code to}, both inclusive of
 * their whole day when given as dates), or a relative expression such as {@code last 7 days},
 * {@code this month} or {@code yesterday}, resolved against the compiler's clock.
 */
public record DateRange(String from, String to, String relative) {
  public static DateRange of(String from, String to) {
    return new DateRange(from, to, null);
  }

  public static DateRange relative(String text) {
    return new DateRange(null, null, text);
  }
}
