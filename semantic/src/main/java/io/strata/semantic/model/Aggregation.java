package io.strata.semantic.model;

/**
 * How a measure aggregates. {@link #NUMBER} is a derived measure: its {@code expr} combines
 * other measures ({@code {revenue} / {count}}) and is computed after aggregation.
 */
public enum Aggregation {
  COUNT, COUNT_DISTINCT, COUNT_DISTINCT_APPROX, SUM, AVG, MIN, MAX, NUMBER;

  /** True when partial aggregates can be added together (sum of sums, sum of counts). */
  public boolean additive() {
    return this == COUNT || this == SUM;
  }
}
