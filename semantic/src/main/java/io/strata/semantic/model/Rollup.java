package io.strata.semantic.model;

import java.util.List;

/**
 * A rollup (pre-aggregation) declared by a model: the listed measures grouped by the listed
 * dimensions and, optionally, by {@code timeDimension} truncated to {@code granularity}, over
 * the rows the {@code segments} keep, in {@code timezone}. Stored in {@code store} and built in
 * partitions of {@code partitionBy} (null: one partition) over {@code buildRange} (null: all
 * data), refreshed as {@code refresh} says.
 *
 * <p>Members are written as in a query ({@code customers.country}) or, for the model's own
 * members, by bare name ({@code status}); {@code measures} may also name {@code number}
 * measures and ratio, derived or cumulative metrics, which are stored as their additive bases.
 * {@code timezone} is an IANA zone name or null for UTC. {@link ModelValidator} checks that a
 * rollup can answer its queries exactly.
 */
public record Rollup(
    String name,
    List<String> measures,
    List<String> dimensions,
    String timeDimension,
    Granularity granularity,
    List<String> segments,
    Granularity partitionBy,
    BuildRange buildRange,
    RollupRefresh refresh,
    RollupStore store,
    String timezone,
    Origin origin) {

  public Rollup {
    measures = List.copyOf(measures);
    dimensions = List.copyOf(dimensions);
    segments = List.copyOf(segments);
    store = store == null ? RollupStore.LOCAL : store;
  }

  /**
   * Which dates a rollup holds: {@code start}/{@code end} absolute dates ({@code end}
   * inclusive; either may be absent for an open end), a {@code relative} range in the grammar
   * of query date ranges ({@code last 24 months}), resolved against the clock when partitions
   * are planned, or a {@code sql} query returning one row (start, end) that the build system
   * runs on the source. Exactly one form is set.
   */
  public record BuildRange(String start, String end, String relative, String sql, Origin origin) {}

  /**
   * When a rollup is rebuilt: after {@code every}, or when the value of the {@code sql} refresh
   * key changes (at most one of the two); {@code updateWindow} (nullable) limits a refresh to
   * the partitions that overlap that trailing duration, so older partitions are built once.
   */
  public record RollupRefresh(java.time.Duration every, String sql,
      java.time.Duration updateWindow, Origin origin) {}
}
