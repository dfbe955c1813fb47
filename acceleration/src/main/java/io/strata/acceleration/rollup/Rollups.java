package io.strata.acceleration.rollup;

import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.SemanticQuery;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Rollups of one catalog: their physical layout, their partitions and build queries, and the
 * matching of semantic queries to them. Pure (no I/O) and thread-safe; the build system and the
 * query service each hold one per catalog. The clock resolves relative build ranges, update
 * windows and relative date ranges of queries.
 */
public final class Rollups {
  private final SemanticCatalog catalog;
  private final Clock clock;

  public Rollups(SemanticCatalog catalog, Clock clock) {
    this.catalog = catalog;
    this.clock = clock;
  }

  public SemanticCatalog catalog() {
    return catalog;
  }

  /** Every rollup of the catalog, in model then declaration order. */
  public List<RollupLayout> layouts() {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * The layout of rollup {@code rollup} of model {@code model}. Throws
   * {@link IllegalArgumentException} when there is no such rollup.
   */
  public RollupLayout layout(String model, String rollup) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * The span a rollup's {@code build_range} names, resolved with the clock: absolute dates,
   * a relative range, or {@link TimeSpan#ALL} when the rollup declares none. Throws
   * {@link IllegalStateException} for a {@code sql} build range, which only the build system
   * can resolve (it then calls {@link #partitions(RollupLayout, TimeSpan)} with the result).
   */
  public TimeSpan buildSpan(RollupLayout layout) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * The partitions covering {@code span} by the rollup's {@code partition_by}, oldest first;
   * the first and last are whole periods even when {@code span} starts or ends inside them.
   * An unpartitioned rollup, or one whose span is open at either end, has one partition over
   * the whole span: the build system resolves an open span (with the data's extent) first.
   */
  public List<Partition> partitions(RollupLayout layout, TimeSpan span) {
    throw new UnsupportedOperationException("not yet");
  }

  /** {@link #partitions(RollupLayout, TimeSpan)} over the dates {@code [start, end)}. */
  public List<Partition> partitions(RollupLayout layout, LocalDate start, LocalDate end) {
    return partitions(layout, new TimeSpan(start.atStartOfDay(), end.atStartOfDay()));
  }

  /**
   * Of {@code partitions}, those a refresh rebuilds: the ones overlapping the rollup's
   * {@code update_window} before now, or all of them when it declares none.
   */
  public List<Partition> toRefresh(RollupLayout layout, List<Partition> partitions) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * The query whose result is one partition's rows: the layout's base query with the
   * partition's span as the time dimension's date range. Compile it against
   * {@link RollupLayout#catalog()}.
   */
  public SemanticQuery buildQuery(RollupLayout layout, Partition partition) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Matches a query (after access control put its row filters in) against every built rollup
   * of the models it reads and, among those that can answer it, picks the smallest (fewest
   * dimensions, then coarsest grain, then declaration order). A query the compiler would refuse
   * is not matched; compiling it against the model catalog then reports its error.
   */
  public MatchResult match(SemanticQuery query, RollupAvailability availability) {
    throw new UnsupportedOperationException("not yet");
  }

  /** A rollup's zone: the named IANA zone, or UTC when none is named. */
  static ZoneId zone(String timezone) {
    return timezone == null || timezone.isBlank() ? ZoneOffset.UTC : ZoneId.of(timezone.trim());
  }
}
