package io.strata.server.query;

import io.strata.acceleration.cache.CacheMode;
import io.strata.semantic.query.SemanticQuery;
import io.strata.server.security.SecurityContext;
import java.util.function.BooleanSupplier;

/**
 * One query to run.
 *
 * @param query the semantic query
 * @param queryText the query as the client sent it (JSON or SQL), for the query log
 * @param security who asked: row-level security and grants are applied for them, and their
 *     name goes to the query log and the list of running queries
 * @param endpoint where it came from: {@code rest}, {@code jdbc} or {@code flight}
 * @param queryId the id to run it under, or null for a new one; known before it starts, so
 *     that it can be cancelled while it starts
 * @param cancelled true once the caller has cancelled it (checked when it starts), or null
 * @param cache how the request uses the results cache ({@link CacheMode#ON} when null)
 * @param limits this query's own row cap and timeout instead of the server's
 *     ({@code strata.query.*}), or null for the server's: a CSV export has its own
 */
public record QueryRequest(SemanticQuery query, String queryText, SecurityContext security,
    String endpoint, String queryId, BooleanSupplier cancelled, CacheMode cache,
    Limits limits) {
  /**
   * A query's own limits, named by the settings they come from so that a refusal says which
   * setting to raise.
   *
   * @param maxRows the most rows the query may return; 0 for no cap
   */
  public record Limits(long maxRows, String maxRowsSetting, java.time.Duration timeout,
      String timeoutSetting) {
    public Limits {
      if (maxRows < 0 || timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("query limits need maxRows >= 0 and a positive"
            + " timeout, got " + maxRows + " and " + timeout);
      }
    }

    /** The cap as a count: no cap is {@link Long#MAX_VALUE}. */
    public long rows() {
      return maxRows == 0 ? Long.MAX_VALUE : maxRows;
    }
  }

  public QueryRequest {
    if (query == null) {
      throw new IllegalArgumentException("a query request needs a query");
    }
    if (security == null) {
      throw new IllegalArgumentException("a query request needs the security context of who"
          + " asks");
    }
    cache = cache == null ? CacheMode.ON : cache;
  }

  public QueryRequest(SemanticQuery query, String queryText, SecurityContext security,
      String endpoint, String queryId, BooleanSupplier cancelled, CacheMode cache) {
    this(query, queryText, security, endpoint, queryId, cancelled, cache, null);
  }

  public QueryRequest(SemanticQuery query, String queryText, SecurityContext security,
      String endpoint, String queryId, BooleanSupplier cancelled) {
    this(query, queryText, security, endpoint, queryId, cancelled, CacheMode.ON);
  }

  public QueryRequest(SemanticQuery query, String queryText, SecurityContext security,
      String endpoint) {
    this(query, queryText, security, endpoint, null, null, CacheMode.ON);
  }

  /** The name of who asked, for the query log. */
  public String user() {
    return security.username();
  }

  public QueryRequest withCache(CacheMode mode) {
    return new QueryRequest(query, queryText, security, endpoint, queryId, cancelled, mode,
        limits);
  }
}
