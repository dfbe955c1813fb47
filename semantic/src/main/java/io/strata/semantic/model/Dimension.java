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

  /**
   * The SQL expression this dimension reads: its {@code expr}, or its own column (quoted when
   * its name is a reserved word such as {@code at} or {@code order}, so that it parses and each
   * dialect writes it quoted).
   */
  public String sql() {
    return expr != null ? expr : io.strata.semantic.sql.SqlExpressions.column(name);
  }
}
