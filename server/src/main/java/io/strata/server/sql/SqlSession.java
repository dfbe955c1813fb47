package io.strata.server.sql;

import io.strata.acceleration.cache.CacheMode;

/**
 * Who runs a SQL statement, through which endpoint, and how to cancel it.
 *
 * @param user the authenticated user's name
 * @param endpoint {@code jdbc}, {@code flight} or {@code rest}
 * @param cancel cancels this execution from another thread
 * @param options the connection's settings ({@code SET strata_cache = ...} changes them); an
 *     endpoint keeps one per connection
 */
public record SqlSession(String user, String endpoint, SqlCancel cancel, Options options) {
  public SqlSession {
    cancel = cancel == null ? new SqlCancel() : cancel;
    options = options == null ? new Options() : options;
  }

  public SqlSession(String user, String endpoint, SqlCancel cancel) {
    this(user, endpoint, cancel, null);
  }

  public SqlSession(String user, String endpoint) {
    this(user, endpoint, null, null);
  }

  /** A connection's settings. Thread-safe. */
  public static final class Options {
    private volatile CacheMode cache;

    public Options() {
      this(CacheMode.ON);
    }

    public Options(CacheMode cache) {
      this.cache = cache == null ? CacheMode.ON : cache;
    }

    /**
     * Options from a connection property's value ({@code strata_cache}), null meaning the default.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public static Options of(String cacheProperty) {
      return new Options(CacheMode.parse(cacheProperty, "the strata_cache connection property"));
    }

    /** How this connection's queries use the results cache. */
    public CacheMode cache() {
      return cache;
    }

    public void cache(CacheMode mode) {
      this.cache = mode == null ? CacheMode.ON : mode;
    }
  }
}
