package io.strata.semantic.model;

/** Kinds of metric computed after aggregation, possibly across models. */
public enum MetricType {
  /** {@code expr} over measures and metrics, e.g. {@code {order_items.revenue} - {order_items.cost}}. */
  DERIVED,
  /** {@code numerator / denominator}, each a measure; division by zero gives null. */
  RATIO,
  /** A running total, or a trailing window, of one additive measure over a time dimension. */
  CUMULATIVE
}
