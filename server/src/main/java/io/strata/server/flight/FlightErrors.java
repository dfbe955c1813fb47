package io.strata.server.flight;

import io.strata.semantic.query.QueryException;
import io.strata.server.datasource.DataSourceException;
import io.strata.server.query.QueryExecutionException;
import io.strata.server.sql.SqlQueryException;
import java.util.UUID;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Strata's exceptions as Flight statuses. Clients see the message (for SQL it names the problem
 * and its {@code line N, column M}), never a stack trace; unexpected failures are logged with an
 * id that the client's message repeats.
 */
final class FlightErrors {
  private static final Logger LOG = LoggerFactory.getLogger(FlightErrors.class);

  private FlightErrors() {}

  /** The status a client should see for {@code e}. */
  static FlightRuntimeException status(Throwable e) {
    if (e instanceof FlightRuntimeException f) {
      return f;
    }
    if (e instanceof SqlQueryException s) {
      // parse, validation and parameter errors name their position; READ_ONLY says read-only
      return CallStatus.INVALID_ARGUMENT.withDescription(s.getMessage()).toRuntimeException();
    }
    if (e instanceof QueryExecutionException q) {
      CallStatus status = switch (q.code()) {
        case TIMEOUT -> CallStatus.TIMED_OUT;
        case CANCELLED -> CallStatus.CANCELLED;
        case ROW_LIMIT_EXCEEDED -> CallStatus.INVALID_ARGUMENT;
        case SHUTTING_DOWN -> CallStatus.UNAVAILABLE;
        case WAREHOUSE_ERROR -> CallStatus.INTERNAL;
        case EXTERNAL_ACCESS_DENIED -> CallStatus.INVALID_ARGUMENT;
      };
      return status.withDescription(q.getMessage()).toRuntimeException();
    }
    if (e instanceof DataSourceException d) {
      CallStatus status = switch (d.code()) {
        case UNKNOWN_DATA_SOURCE -> CallStatus.NOT_FOUND;
        case DRIVER_MISSING, UNAVAILABLE -> CallStatus.UNAVAILABLE;
        case INVALID_CONFIG -> CallStatus.INTERNAL;
      };
      return status.withDescription(d.getMessage()).toRuntimeException();
    }
    if (e instanceof QueryException q) {
      return CallStatus.INVALID_ARGUMENT.withDescription(q.getMessage()).toRuntimeException();
    }
    String id = UUID.randomUUID().toString();
    LOG.error("Flight SQL request failed (error {})", id, e);
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return CallStatus.INTERNAL.withDescription("internal error " + id + ": " + message)
        .toRuntimeException();
  }

  static FlightRuntimeException notFound(String what) {
    return CallStatus.NOT_FOUND.withDescription(what).toRuntimeException();
  }

  static FlightRuntimeException invalid(String what) {
    return CallStatus.INVALID_ARGUMENT.withDescription(what).toRuntimeException();
  }

  /** For writes, transactions, Substrait and everything else a read-only server does not do. */
  static FlightRuntimeException readOnly(String what) {
    return CallStatus.UNIMPLEMENTED.withDescription(what + " is not supported: Strata is"
        + " read-only (SELECT, WITH, VALUES and EXPLAIN run; DDL, DML and transactions do not)")
        .toRuntimeException();
  }
}
