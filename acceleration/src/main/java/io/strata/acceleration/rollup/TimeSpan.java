package io.strata.acceleration.rollup;

import java.time.LocalDateTime;

/**
 * A half-open span of local time {@code [from, until)} in a rollup's time zone. A null
 * {@code from} reaches back to the first row of data; a null {@code until} reaches to the
 * latest row (as of the last build).
 */
public record TimeSpan(LocalDateTime from, LocalDateTime until) {
  /** All of the data. */
  public static final TimeSpan ALL = new TimeSpan(null, null);

  public TimeSpan {
    if (from != null && until != null && !until.isAfter(from)) {
      throw new IllegalArgumentException("time span ends (" + until + ") before it starts ("
          + from + ")");
    }
  }

  /** True when every instant of {@code other} lies in this span. */
  public boolean covers(TimeSpan other) {
    boolean start = from == null || (other.from != null && !other.from.isBefore(from));
    boolean end = until == null || (other.until != null && !other.until.isAfter(until));
    return start && end;
  }

  @Override
  public String toString() {
    return (from == null ? "" : from.toString()) + ".." + (until == null ? "" : until.toString());
  }
}
