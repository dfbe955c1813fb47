package io.strata.semantic.query;

/**
 * A query that cannot be answered as written: malformed JSON, an unknown member, a granularity
 * on a non-time dimension, no join path. The message names the problem; {@link #location()}
 * says where it is (a JSON path such as {@code filters[1].member}, or a line and column).
 * Endpoints map it to their protocol's "bad request" error.
 */
public class QueryException extends RuntimeException {

  /** Machine-readable kinds of query error. */
  public enum Code {
    MALFORMED_QUERY, UNKNOWN_MEMBER, INVALID_QUERY, NO_JOIN_PATH, UNSUPPORTED
  }

  private final Code code;
  private final String location;

  public QueryException(Code code, String location, String message) {
    super(location == null ? message : message + " (at " + location + ")");
    this.code = code;
    this.location = location;
  }

  public Code code() {
    return code;
  }

  public String location() {
    return location;
  }
}
