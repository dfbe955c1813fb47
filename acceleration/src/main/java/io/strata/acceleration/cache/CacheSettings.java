package io.strata.acceleration.cache;

import java.time.Duration;
import java.util.Locale;

/**
 * The results cache's configuration.
 *
 * @param l1MaxBytes bound of the in-process tier in bytes of stored entries; 0 turns L1 off
 * @param redisUri the shared tier ({@code redis://host:port[/db]}); null or blank: no L2
 * @param redisPrefix prefix of every Redis key Strata writes (several deployments can share a
 *     Redis)
 * @param maxEntryBytes a result whose Arrow size (uncompressed) passes this is streamed to the
 *     client and not stored
 * @param defaultTtl how long an entry is fresh when none of the models it reads says
 *     ({@code refresh.every})
 * @param staleWhileRevalidate after expiry, how long an entry is still served while one background
 *     query refreshes it
 * @param staleIfError after expiry, how long an entry is kept to be served when the warehouse
 *     fails
 * @param refreshKeyInterval how often a model's {@code refresh.sql} is run, at most
 * @param redisTimeout longest wait for one Redis command before Redis is treated as down
 * @param lockTimeout how long a cross-server single-flight lock lives without being renewed (the
 *     holder renews it while its query runs; when the holder dies another server takes over)
 */
public record CacheSettings(boolean enabled, long l1MaxBytes, String redisUri, String redisPrefix,
    long maxEntryBytes, Duration defaultTtl, Duration staleWhileRevalidate, Duration staleIfError,
    Duration refreshKeyInterval, Compression compression, Duration redisTimeout,
    Duration lockTimeout) {

  /** How entries' Arrow buffers are compressed. */
  public enum Compression {
    NONE, LZ4, ZSTD;

    public static Compression parse(String value) {
      String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
      return switch (v) {
        case "none", "" -> NONE;
        case "lz4", "lz4_frame" -> LZ4;
        case "zstd" -> ZSTD;
        default -> throw new IllegalArgumentException("strata.cache.compression '" + value
            + "' is not a compression; use lz4, zstd or none");
      };
    }
  }

  public CacheSettings {
    redisPrefix = redisPrefix == null ? "strata:" : redisPrefix;
    // not LZ4: Arrow's LZ4 codec is commons-compress's pure-Java one, which measured ~25 s to
    // encode a 10k-row, 450 KB result (CacheBenchmark); ZSTD (zstd-jni) takes milliseconds
    compression = compression == null ? Compression.ZSTD : compression;
    if (l1MaxBytes < 0 || maxEntryBytes <= 0) {
      throw new IllegalArgumentException("cache sizes must be positive (l1 " + l1MaxBytes
          + ", max entry " + maxEntryBytes + ")");
    }
  }

  /** The embedded default: L1 only, 256 MB, ZSTD. */
  public static CacheSettings defaults() {
    return new CacheSettings(true, 256L << 20, null, "strata:", 32L << 20,
        Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofHours(1),
        Duration.ofSeconds(10), Compression.ZSTD, Duration.ofMillis(250),
        Duration.ofSeconds(30));
  }

  public boolean hasRedis() {
    return enabled && redisUri != null && !redisUri.isBlank();
  }

  public boolean hasL1() {
    return enabled && l1MaxBytes > 0;
  }

  /** How long after expiry an entry is kept (for stale-while-revalidate and stale-if-error). */
  public Duration retention() {
    return staleWhileRevalidate.compareTo(staleIfError) > 0 ? staleWhileRevalidate : staleIfError;
  }

  public CacheSettings withRedis(String uri, String prefix) {
    return new CacheSettings(enabled, l1MaxBytes, uri, prefix, maxEntryBytes, defaultTtl,
        staleWhileRevalidate, staleIfError, refreshKeyInterval, compression, redisTimeout,
        lockTimeout);
  }

  public CacheSettings withL1MaxBytes(long bytes) {
    return new CacheSettings(enabled, bytes, redisUri, redisPrefix, maxEntryBytes, defaultTtl,
        staleWhileRevalidate, staleIfError, refreshKeyInterval, compression, redisTimeout,
        lockTimeout);
  }

  public CacheSettings withMaxEntryBytes(long bytes) {
    return new CacheSettings(enabled, l1MaxBytes, redisUri, redisPrefix, bytes, defaultTtl,
        staleWhileRevalidate, staleIfError, refreshKeyInterval, compression, redisTimeout,
        lockTimeout);
  }
}
