package io.strata.server.pgwire;

/**
 * An error as a Postgres client reads it: severity, SQLSTATE, message, and where useful the
 * 1-based character position in the statement, a detail and a hint ({@code ErrorResponse}
 * fields S, C, M, P, D, H). FATAL closes the connection after it is sent.
 */
final class PgException extends RuntimeException {
  enum Severity { ERROR, FATAL }

  private final Severity severity;
  private final String sqlState;
  private final int position;
  private final String detail;
  private final String hint;

  PgException(Severity severity, String sqlState, String message, int position) {
    this(severity, sqlState, message, position, null, null, null);
  }

  PgException(Severity severity, String sqlState, String message, int position, String detail,
      String hint, Throwable cause) {
    super(message, cause, false, false);
    this.severity = severity;
    this.sqlState = sqlState;
    this.position = position;
    this.detail = detail;
    this.hint = hint;
  }

  static PgException error(String sqlState, String message) {
    return new PgException(Severity.ERROR, sqlState, message, 0);
  }

  static PgException fatal(String sqlState, String message) {
    return new PgException(Severity.FATAL, sqlState, message, 0);
  }

  Severity severity() {
    return severity;
  }

  String sqlState() {
    return sqlState;
  }

  int position() {
    return position;
  }

  String detail() {
    return detail;
  }

  String hint() {
    return hint;
  }

  /** The same error at {@code offset} characters further into the client's text. */
  PgException shifted(int offset) {
    return position <= 0 || offset == 0 ? this : new PgException(severity, sqlState,
        getMessage(), position + offset, detail, hint, getCause());
  }
}
