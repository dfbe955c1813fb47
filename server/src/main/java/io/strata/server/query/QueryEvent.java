package io.strata.server.query;

import java.time.Instant;

/**
 * The query-log entry of one query.
 *
 * @param sql the SQL sent to the warehouse; null when compilation failed
 * @param dataSource the data source the query read; null when compilation failed
 * @param rows rows returned to the client
 * @param bytes size of the Arrow buffers of those rows
 * @param errorCode null on success; otherwise the code of the error the client saw:
 *     a {@link QueryExecutionException.Code}, a {@code DataSourceException.Code}, a semantic
 *     {@code QueryException.Code}, or {@code INTERNAL}
 * @param error the error message; null on success
 * @param cacheTier where the result came from ({@code l1}, {@code l2}, {@code miss},
 *     {@code bypass}); null for work the cache does not see (SQL Strata computes itself)
 * @param rollup the rollup that answered ({@code model.rollup@version}); null when the source
 *     did
 */
public record QueryEvent(String queryId, String user, String endpoint, String queryText,
    String sql, String dataSource, Instant startedAt, StageTimings timings, long rows, long bytes,
    String errorCode, String error, String cacheTier, String rollup) {

  public QueryEvent(String queryId, String user, String endpoint, String queryText,
      String sql, String dataSource, Instant startedAt, StageTimings timings, long rows,
      long bytes, String errorCode, String error, String cacheTier) {
    this(queryId, user, endpoint, queryText, sql, dataSource, startedAt, timings, rows, bytes,
        errorCode, error, cacheTier, null);
  }

  public QueryEvent(String queryId, String user, String endpoint, String queryText,
      String sql, String dataSource, Instant startedAt, StageTimings timings, long rows,
      long bytes, String errorCode, String error) {
    this(queryId, user, endpoint, queryText, sql, dataSource, startedAt, timings, rows, bytes,
        errorCode, error, null);
  }

  public boolean failed() {
    return errorCode != null;
  }
}
