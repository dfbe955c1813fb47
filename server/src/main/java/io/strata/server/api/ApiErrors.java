package io.strata.server.api;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.strata.semantic.model.ModelValidationException;
import io.strata.semantic.query.QueryException;
import io.strata.server.auth.ForbiddenException;
import io.strata.server.dashboard.InvalidDashboardException;
import io.strata.server.datasource.DataSourceException;
import io.strata.server.metadata.ConflictException;
import io.strata.server.metadata.NotFoundException;
import io.strata.server.query.QueryExecutionException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one mapping from Strata's exceptions to HTTP: 4xx for whatever the request got wrong,
 * 503/504/502 when the warehouse behind a data source is down, slow or refuses the SQL (retryable
 * conditions outside Strata, which a client or load balancer should see as such), and 500 only
 * for faults of the server itself, logged with an id that the response carries.
 */
public final class ApiErrors {
  private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

  private ApiErrors() {}

  public static MutableHttpResponse<ApiError> response(Throwable t) {
    if (t instanceof QueryException q) {
      HttpStatus status = q.code() == QueryException.Code.UNSUPPORTED
          ? HttpStatus.NOT_IMPLEMENTED : HttpStatus.BAD_REQUEST;
      return HttpResponse.<ApiError>status(status)
          .body(ApiError.at(q.code().name(), q.getMessage(), q.location()));
    }
    if (t instanceof io.strata.server.sql.SqlQueryException s) {
      String code = switch (s.code()) {
        case PARSE_ERROR -> "SQL_SYNTAX_ERROR";
        case VALIDATION_ERROR -> "INVALID_SQL";
        case READ_ONLY -> "READ_ONLY";
        case PARAMETER_ERROR -> "INVALID_PARAMETER";
        case TOO_COMPLEX -> "SQL_TOO_COMPLEX";
      };
      return HttpResponse.<ApiError>status(HttpStatus.BAD_REQUEST)
          .body(ApiError.at(code, s.getMessage(), s.position().isEmpty() ? null : s.position()));
    }
    if (t instanceof ModelValidationException m) {
      return HttpResponse.<ApiError>status(HttpStatus.UNPROCESSABLE_ENTITY).body(new ApiError(
          new ApiError.Body("INVALID_MODEL", m.errors().size() + " problem"
              + (m.errors().size() == 1 ? "" : "s") + " in the models; nothing was saved", null,
              m.errors().stream().map(ApiError.Problem::of).toList(), null)));
    }
    if (t instanceof DataSourceException d) {
      HttpStatus status = switch (d.code()) {
        case UNKNOWN_DATA_SOURCE -> HttpStatus.NOT_FOUND;
        case INVALID_CONFIG -> HttpStatus.BAD_REQUEST;
        case DRIVER_MISSING, UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
      };
      return HttpResponse.<ApiError>status(status).body(ApiError.of(d.code().name(), d.getMessage()));
    }
    if (t instanceof QueryExecutionException e) {
      HttpStatus status = switch (e.code()) {
        case ROW_LIMIT_EXCEEDED -> HttpStatus.BAD_REQUEST;
        case TIMEOUT -> HttpStatus.GATEWAY_TIMEOUT;
        case CANCELLED -> HttpStatus.CONFLICT;
        case WAREHOUSE_ERROR -> HttpStatus.BAD_GATEWAY;
        case EXTERNAL_ACCESS_DENIED -> HttpStatus.BAD_REQUEST;
        case SHUTTING_DOWN -> HttpStatus.SERVICE_UNAVAILABLE;
      };
      return HttpResponse.<ApiError>status(status).body(new ApiError(new ApiError.Body(
          e.code().name(), e.getMessage(), null, null, e.queryId())));
    }
    if (t instanceof NotFoundException) {
      return HttpResponse.<ApiError>status(HttpStatus.NOT_FOUND)
          .body(ApiError.of("NOT_FOUND", t.getMessage()));
    }
    if (t instanceof ConflictException) {
      return HttpResponse.<ApiError>status(HttpStatus.CONFLICT)
          .body(ApiError.of("CONFLICT", t.getMessage()));
    }
    if (t instanceof ForbiddenException) {
      return HttpResponse.<ApiError>status(HttpStatus.FORBIDDEN)
          .body(ApiError.of("FORBIDDEN", t.getMessage()));
    }
    if (t instanceof io.strata.server.auth.throttle.LoginRefusedException r) {
      return io.strata.server.auth.AuthFilter.tooManyAttempts(r);
    }
    if (t instanceof BadRequestException b) {
      return HttpResponse.<ApiError>status(HttpStatus.BAD_REQUEST)
          .body(ApiError.at(b.code(), b.getMessage(), b.location()));
    }
    if (t instanceof InvalidDashboardException d) {
      return HttpResponse.<ApiError>status(HttpStatus.BAD_REQUEST)
          .body(ApiError.at("INVALID_DASHBOARD", d.getMessage(), d.location()));
    }
    if (t instanceof AnswerTooLargeException) {
      return HttpResponse.<ApiError>status(HttpStatus.REQUEST_ENTITY_TOO_LARGE)
          .body(ApiError.of("ANSWER_TOO_LARGE", t.getMessage()));
    }
    if (t instanceof IllegalArgumentException) {
      return HttpResponse.<ApiError>status(HttpStatus.BAD_REQUEST)
          .body(ApiError.of("BAD_REQUEST", t.getMessage()));
    }
    String id = UUID.randomUUID().toString();
    LOG.error("internal error {}", id, t);
    return HttpResponse.<ApiError>status(HttpStatus.INTERNAL_SERVER_ERROR).body(ApiError.of(
        "INTERNAL", "internal server error " + id + " (the server log has the details)"));
  }
}
