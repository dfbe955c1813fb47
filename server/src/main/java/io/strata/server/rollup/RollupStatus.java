package io.strata.server.rollup;

import java.time.Instant;
import java.util.List;

/**
 * A rollup as {@code GET /api/v1/rollups} shows it.
 *
 * @param store the declared store ({@code local} or {@code source})
 * @param location where the served version lives ({@code local@host:dir} or
 *     {@code source:dataSource.schema}); null before the first build
 * @param state {@code not_built}, {@code built}, {@code outdated} (the model or rollup changed
 *     since: queries go to the source until the rebuild) or {@code failed} (never built: see
 *     {@code lastError})
 * @param lastError the last build's error; null when it succeeded
 * @param copies a {@code local} rollup: the copy of each server sharing the metadata database
 *     (each builds and serves its own), {@code here} marking the answering server's; empty for
 *     {@code source}
 */
public record RollupStatus(String model, String rollup, String store, String location,
    String state, Long version, String relation, long rows, long bytes, Instant builtAt,
    long buildMillis, long builds, long failures, String lastError, Instant lastErrorAt,
    String lastJobId, List<PartitionStatus> partitions, List<CopyStatus> copies) {

  /** One served partition: its key and time span, and what its build wrote. */
  public record PartitionStatus(String key, String start, String end, long rows, long bytes,
      Instant builtAt, long buildMillis) {}

  /** One server's copy of a local rollup: where, its state and version there, its last error. */
  public record CopyStatus(String location, boolean here, String state, Long version, long rows,
      Instant builtAt, String lastError, Instant lastErrorAt) {}
}
