package io.strata.acceleration.rollup;

import io.strata.semantic.model.Granularity;

/**
 * One physical column of a rollup table. {@code name} is the column's SQL-safe name, which is
 * also the alias the compiled build query gives it, so a build loads its result as is.
 * {@code member} is the {@code model.member} it holds; {@code part} names which additive part of
 * a non-additive measure it is ({@code sum} or {@code count} of an avg; else null);
 * {@code granularity} is set for the time column; {@code type} is the member's type
 * ({@code string}, {@code number}, {@code boolean}, {@code time}).
 */
public record RollupColumn(String name, Role role, String member, String part,
    Granularity granularity, String type, Reaggregation reaggregation) {

  /** What a column is for. */
  public enum Role {
    /** A dimension the rows are grouped by. */
    DIMENSION,
    /** The time dimension, truncated to the rollup's granularity. */
    TIME,
    /** A stored aggregate: a measure or an additive part of one. */
    MEASURE
  }

  /** How rows of the column combine when a query groups them further. */
  public enum Reaggregation {
    /** Dimensions: grouped by, not aggregated. */
    GROUP,
    /** Sums and counts: the sum of the parts. */
    SUM,
    MIN,
    MAX,
    /**
     * Distinct counts: not combinable; read only by queries at exactly the rollup's dimensions
     * and grain, where each result row is one stored row.
     */
    NONE
  }
}
