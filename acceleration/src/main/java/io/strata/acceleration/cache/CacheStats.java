package io.strata.acceleration.cache;

/**
 * A snapshot of the results cache's counters since the server started.
 *
 * @param l1Hits results served from this server's memory (including single-flight joins)
 * @param l2Hits results served from Redis
 * @param misses results the warehouse computed for the cache (stored when they fitted)
 * @param bypassed results the warehouse computed with the cache not used
 * @param joins requests that waited for an identical query already running (here or on another
 *     server) instead of running it again
 * @param staleServed stale entries served (stale-while-revalidate, stale-ok)
 * @param staleOnError stale entries served because the warehouse failed
 * @param tooLarge results not stored because they passed the maximum entry size
 * @param l1Entries entries in L1 now
 * @param l1Bytes bytes of entries in L1 now
 * @param l1Evictions entries L1 dropped to stay within its size or because they expired
 * @param l2Errors Redis commands that failed or timed out
 * @param warehouseMicrosSaved warehouse time the hits did not spend (each hit counts what its
 *     entry cost to compute)
 * @param redis {@code off}, {@code up} or {@code down: <why>}
 */
public record CacheStats(long l1Hits, long l2Hits, long misses, long bypassed, long joins,
    long staleServed, long staleOnError, long tooLarge, long l1Entries, long l1Bytes,
    long l1Evictions, long l2Errors, long warehouseMicrosSaved, String redis) {

  /** Hits over hits and misses (bypassed requests left out); 0 when there were none. */
  public double hitRatio() {
    long hits = l1Hits + l2Hits;
    return hits + misses == 0 ? 0 : (double) hits / (hits + misses);
  }
}
