package io.strata.semantic.model;

/**
 * A metric declared in a model and addressed like any member ({@code orders.avg_order_value}).
 * It is computed after aggregation and may combine measures of several models. Which fields are
 * set depends on {@link #type()}: {@code expr} for derived; {@code numerator}/{@code denominator}
 * for ratio; {@code measure}, {@code timeDimension} and an optional {@code window} (absent means
 * a running total) for cumulative. Member references are {@code model.member}.
 */
public record Metric(
    String name,
    MetricType type,
    String expr,
    String numerator,
    String denominator,
    String measure,
    String timeDimension,
    Window window,
    String description,
    String title,
    String format,
    Origin origin) {}
