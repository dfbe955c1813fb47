package io.strata.server.avatica;

import io.strata.semantic.query.QueryException;
import io.strata.server.datasource.DataSourceException;
import io.strata.server.query.QueryExecutionException;
import io.strata.server.sql.SqlQueryException;
import java.util.UUID;
import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.NoSuchConnectionException;
import org.apache.calcite.avatica.remote.AvaticaRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An error as a JDBC client receives it: a message, a vendor code and an SQLState. Avatica sends
 * the exception's printed stack trace along with the message; this one has none, so clients see
 * the message and nothing of the server's insides.
 *
 * <p>{@link #of(Throwable)} is the one mapping from Strata's exceptions to JDBC errors:
 * 42000 for SQL that does not parse or validate, 0A000 for what is not supported, 25006 for
 * writes, 07001/22023 for parameters, 57014 cancelled, HYT00 timeout, 54000 row limit, 08001 a
 * data source that cannot be reached, 08006 the server shutting down, 28000 another user's
 * connection, XX000 anything else (logged here with an id the message carries).
 */
final class JdbcException extends AvaticaRuntimeException {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcException.class);
  private static final long serialVersionUID = 1L;

  static final int PARSE = 1001;
  static final int VALIDATION = 1002;
  static final int READ_ONLY = 1003;
  static final int PARAMETER = 1004;
  static final int UNSUPPORTED = 1005;
  static final int TIMEOUT = 2001;
  static final int CANCELLED = 2002;
  static final int ROW_LIMIT = 2003;
  static final int WAREHOUSE = 2004;
  static final int SHUTTING_DOWN = 2005;
  static final int DATA_SOURCE = 3001;
  static final int NOT_YOURS = 4001;
  static final int THROTTLED = 4002;
  static final int STATE = 5001;
  static final int INTERNAL = 9999;

  private JdbcException(String message, int code, String sqlState) {
    super(message, code, sqlState, AvaticaSeverity.ERROR);
  }

  static JdbcException of(int code, String sqlState, String message) {
    return new JdbcException(message, code, sqlState);
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this; // sent to the client: no server frames
  }

  @Override
  public String getMessage() {
    return getErrorMessage();
  }

  /**
   * What Avatica sends as this exception's "stack trace": the message alone. The stock driver
   * puts it in {@code AvaticaSqlException.getStackTraces()}, and where it replaces the server's
   * message with its own ({@code prepareStatement}: "while preparing SQL: ...") that is the only
   * place the client sees it.
   */
  @Override
  public String toString() {
    return getErrorMessage();
  }

  /** A connection Avatica's client may reopen (it retries on this code), without stack trace. */
  static NoSuchConnectionException noSuchConnection(String id) {
    return new NoSuchConnectionException(id) {
      private static final long serialVersionUID = 1L;

      @Override
      public String getMessage() {
        return "connection " + id + " is not open (closed, expired after being idle, or opened"
            + " on another server)";
      }

      @Override
      public synchronized Throwable fillInStackTrace() {
        return this;
      }
    };
  }

  /** Maps any exception thrown while serving a JDBC request to what the client receives. */
  static RuntimeException of(Throwable t) {
    if (t instanceof JdbcException j) {
      return j;
    }
    if (t instanceof NoSuchConnectionException n) {
      return n;
    }
    if (t instanceof SqlQueryException q) {
      String message = q.getMessage();
      String position = q.position();
      if (!position.isEmpty() && !message.contains(position)) {
        message = message + " (" + position + ")";
      }
      return switch (q.code()) {
        case PARSE_ERROR -> of(PARSE, "42000", message);
        case VALIDATION_ERROR -> of(VALIDATION, "42000", message);
        case READ_ONLY -> of(READ_ONLY, "25006", message);
        case PARAMETER_ERROR -> of(PARAMETER, "22023", message);
        // 54001: PostgreSQL's statement_too_complex
        case TOO_COMPLEX -> of(VALIDATION, "54001", message);
      };
    }
    if (t instanceof QueryException q) {
      return q.code() == QueryException.Code.UNSUPPORTED
          ? of(UNSUPPORTED, "0A000", q.getMessage()) : of(VALIDATION, "42000", q.getMessage());
    }
    if (t instanceof QueryExecutionException e) {
      return switch (e.code()) {
        case TIMEOUT -> of(TIMEOUT, "HYT00", e.getMessage());
        case CANCELLED -> of(CANCELLED, "57014", e.getMessage());
        case ROW_LIMIT_EXCEEDED -> of(ROW_LIMIT, "54000", e.getMessage());
        case WAREHOUSE_ERROR -> of(WAREHOUSE, "XX000", e.getMessage());
        case EXTERNAL_ACCESS_DENIED -> of(VALIDATION, "42501", e.getMessage());
        case SHUTTING_DOWN -> of(SHUTTING_DOWN, "08006", e.getMessage());
      };
    }
    if (t instanceof DataSourceException d) {
      return switch (d.code()) {
        case UNAVAILABLE, DRIVER_MISSING -> of(DATA_SOURCE, "08001", d.getMessage());
        case UNKNOWN_DATA_SOURCE -> of(VALIDATION, "42000", d.getMessage());
        case INVALID_CONFIG -> of(DATA_SOURCE, "XX000", d.getMessage());
      };
    }
    String id = UUID.randomUUID().toString();
    LOG.error("internal error {} serving a JDBC request", id, t);
    return of(INTERNAL, "XX000",
        "internal server error " + id + " (the server log has the details)");
  }
}
