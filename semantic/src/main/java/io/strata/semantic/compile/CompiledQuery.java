package io.strata.semantic.compile;

import io.strata.semantic.dialect.Dialect;
import java.util.List;

/**
 * The outcome of compiling a semantic query: the SQL for one warehouse and, by position, what
 * each result column is. The same query and catalog always compile to the same SQL, so the SQL
 * can serve as (part of) a cache key.
 *
 * <p>{@code models} are the models whose tables the SQL reads, in name order: what a cached
 * result depends on.
 */
public record CompiledQuery(Dialect dialect, String dataSource, String sql,
    List<OutputColumn> columns, List<String> models) {
  public CompiledQuery {
    columns = List.copyOf(columns);
    models = models == null ? List.of() : List.copyOf(models);
  }
}
