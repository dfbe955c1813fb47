package io.strata.server.sql;

/**
 * A SQL statement Strata will not run: it does not parse, names something unknown, asks for
 * something the semantic layer does not allow, or would write. The message names the problem;
 * {@link #line()} and {@link #column()} say where it is (1-based, 0 when unknown).
 */
public final class SqlQueryException extends RuntimeException {
  /** What kind of problem it is. */
  public enum Code {
    /** Not valid SQL. */
    PARSE_ERROR,
    /** Valid SQL naming an unknown table or column, or a semantic rule broken. */
    VALIDATION_ERROR,
    /** DDL, DML or more than one statement: Strata is read-only. */
    READ_ONLY,
    /** A parameter value is missing or of the wrong kind. */
    PARAMETER_ERROR,
    /** Longer, deeper or wider than {@link SqlLimits} allow, or too deep to plan. */
    TOO_COMPLEX
  }

  private final Code code;
  private final int line;
  private final int column;

  public SqlQueryException(Code code, String message, int line, int column) {
    this(code, message, line, column, null);
  }

  public SqlQueryException(Code code, String message, int line, int column, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.line = line;
    this.column = column;
  }

  public Code code() {
    return code;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  /** {@code line 1, column 8}, or empty when the position is unknown. */
  public String position() {
    return line <= 0 ? "" : "line " + line + ", column " + column;
  }
}
