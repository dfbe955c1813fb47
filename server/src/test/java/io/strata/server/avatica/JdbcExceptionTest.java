package io.strata.server.avatica;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.semantic.query.QueryException;
import io.strata.server.datasource.DataSourceException;
import io.strata.server.query.QueryExecutionException;
import io.strata.server.sql.SearchPattern;
import io.strata.server.sql.SqlQueryException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.apache.calcite.avatica.remote.AvaticaRuntimeException;
import org.junit.jupiter.api.Test;

/** Strata's exceptions as JDBC clients receive them, and JDBC search patterns. */
class JdbcExceptionTest {
  static AvaticaRuntimeException map(Throwable t) {
    return (AvaticaRuntimeException) JdbcException.of(t);
  }

  @Test
  void sqlStatesAndPositions() {
    AvaticaRuntimeException parse = map(new SqlQueryException(SqlQueryException.Code.PARSE_ERROR,
        "Encountered \"FROM\"", 1, 8));
    assertThat(parse.getSqlState()).isEqualTo("42000");
    assertThat(parse.getErrorMessage()).isEqualTo("Encountered \"FROM\" (line 1, column 8)");
    AvaticaRuntimeException already = map(new SqlQueryException(
        SqlQueryException.Code.VALIDATION_ERROR, "no column x (line 2, column 3)", 2, 3));
    assertThat(already.getErrorMessage()).isEqualTo("no column x (line 2, column 3)");
    assertThat(map(new SqlQueryException(SqlQueryException.Code.READ_ONLY, "read-only", 0, 0))
        .getSqlState()).isEqualTo("25006");
    assertThat(map(new QueryException(QueryException.Code.UNKNOWN_MEMBER, "measures[0]", "x"))
        .getSqlState()).isEqualTo("42000");
    assertThat(map(new QueryExecutionException(QueryExecutionException.Code.CANCELLED, "q", "c"))
        .getSqlState()).isEqualTo("57014");
    assertThat(map(new QueryExecutionException(QueryExecutionException.Code.TIMEOUT, "q", "t"))
        .getSqlState()).isEqualTo("HYT00");
    assertThat(map(new QueryExecutionException(
        QueryExecutionException.Code.ROW_LIMIT_EXCEEDED, "q", "r")).getSqlState())
        .isEqualTo("54000");
    assertThat(map(new DataSourceException(DataSourceException.Code.UNAVAILABLE, "demo", "down"))
        .getSqlState()).isEqualTo("08001");
    AvaticaRuntimeException internal = map(new NullPointerException("secret detail"));
    assertThat(internal.getSqlState()).isEqualTo("XX000");
    assertThat(internal.getErrorMessage()).startsWith("internal server error ")
        .doesNotContain("secret detail");
  }

  @Test
  void whatIsSentAsTheStackTraceIsTheMessageAlone() {
    StringWriter w = new StringWriter();
    map(new SqlQueryException(SqlQueryException.Code.PARSE_ERROR, "bad", 1, 1))
        .printStackTrace(new PrintWriter(w));
    assertThat(w.toString().trim()).isEqualTo("bad (line 1, column 1)");
  }

  @Test
  void searchPatterns() {
    assertThat(SearchPattern.of("ord%").test("orders")).isTrue();
    assertThat(SearchPattern.of("o_ders").test("orders")).isTrue();
    assertThat(SearchPattern.of("o_ders").test("oorders")).isFalse();
    assertThat(SearchPattern.of("order\\_items").test("order_items")).isTrue();
    assertThat(SearchPattern.of("order\\_items").test("orderXitems")).isFalse();
    assertThat(SearchPattern.of("a.b").test("axb")).isFalse();
    assertThat(SearchPattern.of(null).test("anything")).isTrue();
    assertThat(StrataMeta.versionParts("0.1.0-SNAPSHOT")).containsExactly(0, 1);
  }
}
