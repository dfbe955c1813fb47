package io.strata.server.pgwire;

import io.strata.semantic.query.QueryException;
import io.strata.server.auth.ForbiddenException;
import io.strata.server.datasource.DataSourceException;
import io.strata.server.query.QueryExecutionException;
import io.strata.server.sql.SqlQueryException;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Strata's exceptions as Postgres errors, with the SQLSTATE a client or BI tool acts on (a
 * cancel is 57014 whether the user or the timeout cancelled, as in Postgres). Unexpected failures
 * are logged with an id that the client's message repeats, never a stack trace.
 */
final class PgErrors {
  private static final Logger LOG = LoggerFactory.getLogger(PgErrors.class);

  private PgErrors() {}

  /** The error for {@code e}, raised while running {@code text} (for its position). */
  static PgException of(Throwable e, String text) {
    if (e instanceof PgException p) {
      return p;
    }
    if (e instanceof SqlQueryException s) {
      int position = PgSql.position(text, s.line(), s.column());
      String state = switch (s.code()) {
        case PARSE_ERROR -> "42601";
        case READ_ONLY -> "25006";
        case PARAMETER_ERROR -> "22023";
        case TOO_COMPLEX -> "54000";
        case VALIDATION_ERROR -> validation(s.getMessage());
      };
      return new PgException(PgException.Severity.ERROR, state, s.getMessage(), position, null,
          null, s);
    }
    if (e instanceof QueryExecutionException q) {
      return switch (q.code()) {
        case CANCELLED -> new PgException(PgException.Severity.ERROR, "57014",
            "canceling statement due to user request", 0, q.getMessage(), null, q);
        case TIMEOUT -> new PgException(PgException.Severity.ERROR, "57014",
            "canceling statement due to statement timeout", 0, q.getMessage(), null, q);
        case ROW_LIMIT_EXCEEDED -> error("54000", q);
        case SHUTTING_DOWN -> error("57P01", q);
        case WAREHOUSE_ERROR -> error("58000", q);
        case EXTERNAL_ACCESS_DENIED -> error("42501", q);
      };
    }
    if (e instanceof DataSourceException d) {
      return switch (d.code()) {
        case UNKNOWN_DATA_SOURCE -> error("3F000", d);
        case DRIVER_MISSING, UNAVAILABLE -> error("08001", d);
        case INVALID_CONFIG -> error("58000", d);
      };
    }
    if (e instanceof QueryException q) {
      return error(switch (q.code()) {
        case UNKNOWN_MEMBER -> "42703";
        case MALFORMED_QUERY -> "42601";
        case UNSUPPORTED -> "0A000";
        default -> "42000";
      }, q);
    }
    if (e instanceof ForbiddenException f) {
      return error("42501", f);
    }
    String id = UUID.randomUUID().toString();
    LOG.error("Postgres wire request failed (error {})", id, e);
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new PgException(PgException.Severity.ERROR, "XX000", "internal error " + id + ": "
        + message, 0, null, null, e);
  }

  private static PgException error(String state, Throwable e) {
    return new PgException(PgException.Severity.ERROR, state, e.getMessage(), 0, null, null, e);
  }

  /** Which validation failure it is, as far as Calcite's and Strata's messages say. */
  private static String validation(String message) {
    String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
    if (m.contains("no column") || m.contains("unknown column")
        || m.contains("column") && m.contains("not found")) {
      return "42703";
    }
    if (m.contains("unknown table") || m.contains("no table") || m.contains("no schema")
        || (m.contains("object") || m.contains("table")
        || m.contains("schema")) && (m.contains("not found") || m.contains("does not exist"))) {
      return "42P01";
    }
    if (m.contains("no match found for function") || m.contains("no function")) {
      return "42883";
    }
    if (m.contains("not allowed") || m.contains("permission") || m.contains("may not")) {
      return "42501";
    }
    if (m.contains("cannot apply") || m.contains("cannot be cast") || m.contains("type")) {
      return "42804";
    }
    return "42000";
  }
}
