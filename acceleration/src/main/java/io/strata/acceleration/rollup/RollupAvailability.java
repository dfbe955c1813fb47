package io.strata.acceleration.rollup;

import java.util.Optional;

/**
 * What is built, as the build system knows it: the matcher asks it for each candidate rollup
 * and matches only against built, servable data. Implementations answer from memory (called on
 * the query path) and must be thread-safe.
 */
@FunctionalInterface
public interface RollupAvailability {

  /**
   * The servable state of one rollup, or empty when nothing of it may be read (never built,
   * only a build in progress, or the last build failed before any version became visible).
   */
  Optional<Built> built(String model, String rollup);

  /** Nothing is built: every query goes to the source. */
  static RollupAvailability none() {
    return (model, rollup) -> Optional.empty();
  }

  /**
   * A servable version of a rollup.
   *
   * @param version changes whenever any served row may change (cache keys use it)
   * @param relation the table to read, as a dot-separated path of unquoted identifiers, such as
   *     {@code rollups.orders__daily__v17} (the form of a model's {@code table})
   * @param dataSource the data source that holds {@code relation}: the local store's registered
   *     name, or the model's own data source for {@code store: source}
   * @param span the contiguous span of complete partitions, in the rollup's local time;
   *     partitions outside it, or being built for the first time, are not in it. Its
   *     {@code from} is null when the partitions reach back to the first row of the source (the
   *     rollup has no build range start, so a running total may read it) and its {@code until}
   *     null when they reach the latest row (no build range end); {@link TimeSpan#ALL} for an
   *     unpartitioned rollup built over all data
   */
  record Built(String version, String relation, String dataSource, TimeSpan span) {}
}
