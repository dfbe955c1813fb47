package io.strata.server.rollup;

import java.time.Instant;

/**
 * A rollup's row in {@code strata_rollups}: where it is stored, the definition it was declared
 * with, and the version queries read ({@code servingVersion} null: none yet).
 *
 * @param definition hash of the rollup's current layout; a served version whose
 *     {@code servingDefinition} differs is never read (the model changed since)
 */
record RollupRecord(String model, String rollup, String store, String definition,
    Long servingVersion, String servingRelation, String servingDefinition,
    String servingDataSource, String rangeStart, String rangeEnd, String refreshValue, long rows,
    long bytes, Instant builtAt, long buildMillis, long builds, long failures, String lastError,
    Instant lastErrorAt, Instant requestedAt, String lastJobId) {}
