package io.strata.server.rollup;

import java.time.Instant;

/**
 * One built partition of a rollup version: its time range (ISO dates/times, null for an
 * unpartitioned rollup) and the relation holding its rows.
 */
record PartitionRecord(String key, String start, String end, String relation, long rows,
    long bytes, Instant builtAt, long buildMillis) {}
