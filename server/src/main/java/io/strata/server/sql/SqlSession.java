package io.strata.server.sql;

import io.strata.acceleration.cache.CacheMode;
import io.strata.server.query.QueryRequest;
import io.strata.server.security.SecurityContext;

/**
 * Who runs a SQL statement, through which endpoint, and how to cancel it.
 *
 * @param security who runs it: the semantic tables and data sources they may see, and the
 *     row-level security their queries run under
 * @param endpoint {@code jdbc}, {@code flight} or {@code rest}
 * @param cancel cancels this execution from another thread
 * @param options the connection's settings ({@code SET strata_cache = ...} changes them); an
 *     endpoint keeps one per connection
 */
public record SqlSession(SecurityContext security, String endpoint, SqlCancel cancel,
    Options options) {
  public SqlSession {
    if (security == null) {
      throw new IllegalArgumentException("a SQL session needs the security context of its user");
    }
    cancel = cancel == null ? new SqlCancel() : cancel;
    options = options == null ? new Options() : options;
  }

  public SqlSession(SecurityContext security, String endpoint, SqlCancel cancel) {
    this(security, endpoint, cancel, null);
  }

  public SqlSession(SecurityContext security, String endpoint) {
    this(security, endpoint, null, null);
  }

  /** The user's name, for the query log. */
  public String user() {
    return security.username();
  }

  /** A connection's settings. Thread-safe. */
  public static final class Options {
    private volatile CacheMode cache;
    private final boolean postgres;
    private final QueryRequest.Limits limits;

    public Options() {
      this(CacheMode.ON);
    }

    public Options(CacheMode cache) {
      this(cache, false, null);
    }

    /**
     * @param postgres whether statements are read as Postgres SQL (the Postgres wire endpoint's
     *     sessions): {@code ::} casts, {@code E''} strings, {@code OPERATOR(pg_catalog.~)},
     *     {@code INTERVAL '1 day'}, Postgres type and function names; see {@code PgCatalog}
     */
    public Options(CacheMode cache, boolean postgres) {
      this(cache, postgres, null);
    }

    /** With {@code limits}: the statement's own row cap and timeout (an export's). */
    public Options(CacheMode cache, QueryRequest.Limits limits) {
      this(cache, false, limits);
    }

    private Options(CacheMode cache, boolean postgres, QueryRequest.Limits limits) {
      this.cache = cache == null ? CacheMode.ON : cache;
      this.postgres = postgres;
      this.limits = limits;
    }

    /** Options of a Postgres-wire session: Postgres SQL, the cache mode given. */
    public static Options postgres(CacheMode cache) {
      return new Options(cache, true);
    }

    /** Whether this connection's statements are read as Postgres SQL. */
    public boolean postgres() {
      return postgres;
    }

    /** This session's own limits, or null for the server's ({@code strata.query.*}). */
    public QueryRequest.Limits limits() {
      return limits;
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
