package io.strata.server.sql;

import java.util.List;

/**
 * A parsed and checked SQL statement, ready to run with parameter values. Each execution
 * parses the text again: Calcite's validator rewrites the tree it is given.
 *
 * @param sql the statement's text as the client sent it
 * @param parameterCount how many {@code ?} parameters it has
 * @param columns the result's columns when known before execution, else empty (the cursor
 *     always knows them)
 */
public record PreparedSql(String sql, int parameterCount, List<SqlColumn> columns) {
  public PreparedSql {
    columns = List.copyOf(columns);
  }
}
