package io.strata.semantic.model;

import java.util.List;
import java.util.Optional;

/**
 * A semantic model: one table (or SQL query) of a data source, with the dimensions, measures,
 * segments, metrics and rollups defined over it and the joins to other models. Immutable.
 */
public record Model(
    String name,
    String description,
    String dataSource,
    String table,
    String sql,
    String primaryKey,
    List<Dimension> dimensions,
    List<Measure> measures,
    List<Join> joins,
    List<Segment> segments,
    List<Metric> metrics,
    Refresh refresh,
    List<Rollup> rollups,
    Origin origin) {

  public Model {
    dimensions = List.copyOf(dimensions);
    measures = List.copyOf(measures);
    joins = List.copyOf(joins);
    segments = List.copyOf(segments);
    metrics = List.copyOf(metrics);
    rollups = rollups == null ? List.of() : List.copyOf(rollups);
  }

  /** A model without rollups (the form before rollups existed). */
  public Model(String name, String description, String dataSource, String table, String sql,
      String primaryKey, List<Dimension> dimensions, List<Measure> measures, List<Join> joins,
      List<Segment> segments, List<Metric> metrics, Refresh refresh, Origin origin) {
    this(name, description, dataSource, table, sql, primaryKey, dimensions, measures, joins,
        segments, metrics, refresh, List.of(), origin);
  }

  public Optional<Dimension> dimension(String name) {
    return dimensions.stream().filter(d -> d.name().equals(name)).findFirst();
  }

  public Optional<Measure> measure(String name) {
    return measures.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  public Optional<Segment> segment(String name) {
    return segments.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public Optional<Rollup> rollup(String name) {
    return rollups.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  public Optional<Metric> metric(String name) {
    return metrics.stream().filter(m -> m.name().equals(name)).findFirst();
  }
}
