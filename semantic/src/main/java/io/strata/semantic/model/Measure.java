package io.strata.semantic.model;

/**
 * A measure of a model. {@code expr} is SQL over the model's columns (for {@code count} it may
 * be absent: rows are counted); {@code filter} is a SQL condition that restricts the rows the
 * measure aggregates. For {@link Aggregation#NUMBER} the expr refers to other measures in braces.
 */
public record Measure(
    String name,
    Aggregation agg,
    String expr,
    String filter,
    String description,
    String title,
    String format,
    Origin origin) {}
