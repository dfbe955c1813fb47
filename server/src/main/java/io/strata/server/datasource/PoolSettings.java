package io.strata.server.datasource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Connection pool settings of one data source (HikariCP underneath).
 *
 * @param maxSize the most connections the pool opens (1..200); connections are opened on demand
 *     and closed again after {@code idleTimeout}
 * @param connectionTimeout how long a query waits for a connection, including opening one,
 *     before the data source is reported unavailable (at least 250 ms)
 * @param idleTimeout how long an unused connection stays open (at least 10 s, HikariCP's floor)
 * @param maxLifetime the age at which a connection is replaced (at least 30 s, HikariCP's floor)
 */
public record PoolSettings(int maxSize, Duration connectionTimeout, Duration idleTimeout,
    Duration maxLifetime) {
  public static final int MAX_SIZE_LIMIT = 200;
  static final Duration MIN_CONNECTION_TIMEOUT = Duration.ofMillis(250);
  static final Duration MIN_IDLE_TIMEOUT = Duration.ofSeconds(10);
  static final Duration MIN_MAX_LIFETIME = Duration.ofSeconds(30);

  /** 10 connections, 10 s to get one, idle for 10 minutes, replaced after 30 minutes. */
  public static PoolSettings defaults() {
    return new PoolSettings(10, Duration.ofSeconds(10), Duration.ofMinutes(10),
        Duration.ofMinutes(30));
  }

  /** The same settings with another connection timeout. */
  public PoolSettings withConnectionTimeout(Duration timeout) {
    return new PoolSettings(maxSize, timeout, idleTimeout, maxLifetime);
  }

  /** The same settings with another maximum size. */
  public PoolSettings withMaxSize(int size) {
    return new PoolSettings(size, connectionTimeout, idleTimeout, maxLifetime);
  }

  /** Every problem with these settings, as configuration-facing sentences; empty when valid. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    if (maxSize < 1 || maxSize > MAX_SIZE_LIMIT) {
      out.add("pool max size must be between 1 and " + MAX_SIZE_LIMIT + ", got " + maxSize);
    }
    atLeast(out, "pool connection timeout", connectionTimeout, MIN_CONNECTION_TIMEOUT);
    atLeast(out, "pool idle timeout", idleTimeout, MIN_IDLE_TIMEOUT);
    atLeast(out, "pool max lifetime", maxLifetime, MIN_MAX_LIFETIME);
    return out;
  }

  private static void atLeast(List<String> out, String what, Duration d, Duration min) {
    if (d == null) {
      out.add(what + " is missing");
    } else if (d.compareTo(min) < 0) {
      out.add(what + " must be at least " + format(min) + ", got " + format(d));
    }
  }

  /** {@code 250ms}, {@code 10s}, {@code 1.5s}: how durations appear in messages. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 == 0) {
      return (ms / 1000) + "s";
    }
    if (ms > 1000) {
      return java.math.BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + "s";
    }
    return ms + "ms";
  }
}
