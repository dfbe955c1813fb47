package io.strata.server.query;

import io.strata.acceleration.cache.CacheTier;
import java.time.Instant;

/**
 * Where a result came from, as clients are told.
 *
 * @param tier {@code l1}, {@code l2}, {@code miss} (the warehouse answered and the result was
 *     offered to the cache) or {@code bypass}
 * @param stale the result is past its expiry (served while it is refreshed, because the client
 *     accepts stale results, or because the warehouse failed)
 * @param staleReason why a stale result was served instead of the warehouse's answer (the
 *     warehouse's error), or null
 * @param createdAt when the warehouse computed it
 * @param expiresAt until when it is fresh; null when it was not stored
 */
public record CacheInfo(CacheTier tier, boolean stale, String staleReason, Instant createdAt,
    Instant expiresAt) {

  /** Milliseconds since the warehouse computed it, at {@code now}. */
  public long ageMillis(Instant now) {
    return createdAt == null ? 0 : Math.max(0, now.toEpochMilli() - createdAt.toEpochMilli());
  }
}
