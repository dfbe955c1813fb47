package io.strata.semantic.compile;

import io.strata.semantic.dialect.Dialect;
import java.util.List;

/**
 * The outcome of compiling a semantic query: the SQL for one warehouse and, by position, what
 * each result column is. The same query and catalog always compile to the same SQL, so the SQL
 * can serve as (part of) a cache key.
 */
public record CompiledQuery(Dialect dialect, String dataSource, String sql,
    List<OutputColumn> columns) {
  public CompiledQuery {
    columns = List.copyOf(columns);
  }
}
