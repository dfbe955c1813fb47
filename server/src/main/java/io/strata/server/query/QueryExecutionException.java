package io.strata.server.query;

/**
 * A query compiled but did not complete: it timed out, was cancelled, would return more rows
 * than allowed, the warehouse rejected it, or the server is shutting down. The message names
 * the query id and, for limits, the setting that governs them.
 */
public class QueryExecutionException extends RuntimeException {

  /** Machine-readable kinds of execution failure. */
  public enum Code {
    /** The query ran longer than {@code strata.query.timeout}. */
    TIMEOUT,
    /** Someone cancelled the query. */
    CANCELLED,
    /** The query asks for, or returns, more rows than {@code strata.query.max-rows}. */
    ROW_LIMIT_EXCEEDED,
    /** The warehouse failed the query, or returned a value Strata cannot represent. */
    WAREHOUSE_ERROR,
    /**
     * The SQL tried to reach the server's files, URLs or extensions, or to change a locked
     * setting, on a data source that does not allow it (DuckDB's lockdown).
     */
    EXTERNAL_ACCESS_DENIED,
    /** The server is shutting down: no new queries, and running ones past the grace period. */
    SHUTTING_DOWN
  }

  private final Code code;
  private final String queryId;

  public QueryExecutionException(Code code, String queryId, String message) {
    this(code, queryId, message, null);
  }

  public QueryExecutionException(Code code, String queryId, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.queryId = queryId;
  }

  public Code code() {
    return code;
  }

  public String queryId() {
    return queryId;
  }
}
