package io.strata.semantic.model;

/**
 * A dimension of a model. {@code expr} is SQL over the model's columns; when absent the
 * dimension reads the column of the same name.
 */
public record Dimension(
    String name,
    DimensionType type,
    String expr,
    String description,
    String title,
    String format,
    Origin origin) {

  /** The SQL expression this dimension reads: its {@code expr}, or its own column. */
  public String sql() {
    return expr != null ? expr : name;
  }
}
