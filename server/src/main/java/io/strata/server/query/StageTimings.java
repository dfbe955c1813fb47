package io.strata.server.query;

/**
 * Where a query's time went, in microseconds.
 *
 * @param compileMicros compiling the semantic query to SQL
 * @param executeMicros from asking the pool for a connection until the first batch was read
 * @param fetchMicros reading the remaining batches (time spent inside {@code next()}, not the
 *     client's time between calls)
 * @param totalMicros from {@code open} until the cursor was closed (or until now while open)
 */
public record StageTimings(long compileMicros, long executeMicros, long fetchMicros,
    long totalMicros) {}
