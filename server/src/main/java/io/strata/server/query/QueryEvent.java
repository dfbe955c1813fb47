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
 */
public record QueryEvent(String queryId, String user, String endpoint, String queryText,
    String sql, String dataSource, Instant startedAt, StageTimings timings, long rows, long bytes,
    String errorCode, String error) {

  public boolean failed() {
    return errorCode != null;
  }
}
