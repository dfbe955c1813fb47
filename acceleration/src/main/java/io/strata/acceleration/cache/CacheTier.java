package io.strata.acceleration.cache;

import java.util.Locale;

/** Where a result came from: as REST reports it and as the query log records it. */
public enum CacheTier {
  /** This server's memory (Caffeine), including a result another request of this server was
   * computing at the same time (a single-flight join). */
  L1,
  /** The shared Redis. */
  L2,
  /** The warehouse, and the result was stored (when it fitted). */
  MISS,
  /** The warehouse, with the cache not used (off, bypassed, or not cacheable). */
  BYPASS;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
