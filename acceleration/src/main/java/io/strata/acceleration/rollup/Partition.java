package io.strata.acceleration.rollup;

/**
 * One partition of a rollup: the rows whose time falls in {@code span} (local time in the
 * rollup's zone), named by {@code key} ({@code 2024-03} for a month, {@code 2024-03-05} for a
 * day or the Monday of a week, {@code 2024-Q1}, {@code 2024}, {@code 2024-03-05T10} for an
 * hour). An unpartitioned rollup has one partition, key {@code all}, over its whole build range.
 */
public record Partition(String key, TimeSpan span) {
  public static final String ALL = "all";
}
