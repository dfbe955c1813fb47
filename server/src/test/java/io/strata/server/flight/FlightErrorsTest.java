package io.strata.server.flight;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.semantic.query.QueryException;
import io.strata.server.datasource.DataSourceException;
import io.strata.server.query.QueryExecutionException;
import io.strata.server.sql.SqlQueryException;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.Test;

/** Strata's exceptions as the Flight statuses clients see: the message, never a stack trace. */
class FlightErrorsTest {
  static FlightRuntimeException status(Throwable e) {
    return FlightErrors.status(e);
  }

  @Test
  void eachKindOfFailureHasItsStatus() {
    assertThat(status(new SqlQueryException(SqlQueryException.Code.PARSE_ERROR,
        "Encountered \"FROM\" (line 1, column 8)", 1, 8)))
        .satisfies(s -> assertThat(s.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT))
        .hasMessageContaining("line 1, column 8");
    assertThat(status(new SqlQueryException(SqlQueryException.Code.READ_ONLY,
        "Strata is read-only", 1, 1)).status().code())
        .isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
    for (Object[] c : new Object[][] {
        {QueryExecutionException.Code.TIMEOUT, FlightStatusCode.TIMED_OUT},
        {QueryExecutionException.Code.CANCELLED, FlightStatusCode.CANCELLED},
        {QueryExecutionException.Code.ROW_LIMIT_EXCEEDED, FlightStatusCode.INVALID_ARGUMENT},
        {QueryExecutionException.Code.SHUTTING_DOWN, FlightStatusCode.UNAVAILABLE},
        {QueryExecutionException.Code.WAREHOUSE_ERROR, FlightStatusCode.INTERNAL}}) {
      FlightRuntimeException s = status(new QueryExecutionException(
          (QueryExecutionException.Code) c[0], "q1", "query q1: " + c[0]));
      assertThat(s.status().code()).as(c[0].toString()).isEqualTo(c[1]);
      assertThat(s).hasMessageContaining("query q1: " + c[0]);
    }
    for (Object[] c : new Object[][] {
        {DataSourceException.Code.UNKNOWN_DATA_SOURCE, FlightStatusCode.NOT_FOUND},
        {DataSourceException.Code.UNAVAILABLE, FlightStatusCode.UNAVAILABLE},
        {DataSourceException.Code.DRIVER_MISSING, FlightStatusCode.UNAVAILABLE},
        {DataSourceException.Code.INVALID_CONFIG, FlightStatusCode.INTERNAL}}) {
      assertThat(status(new DataSourceException((DataSourceException.Code) c[0], "dw",
          "data source dw: " + c[0])).status().code()).as(c[0].toString()).isEqualTo(c[1]);
    }
    assertThat(status(new QueryException(QueryException.Code.UNKNOWN_MEMBER, "measures[0]",
        "no member orders.nope")).status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
  }

  @Test
  void unexpectedFailuresAreInternalWithAnIdForTheLog() {
    FlightRuntimeException s = status(new IllegalStateException("boom"));
    assertThat(s.status().code()).isEqualTo(FlightStatusCode.INTERNAL);
    assertThat(s.getMessage()).matches("(?s).*internal error [0-9a-f-]{36}: boom.*");
    assertThat(s.status().cause()).isNull();
  }
}
