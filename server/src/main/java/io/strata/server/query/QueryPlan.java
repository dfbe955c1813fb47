package io.strata.server.query;

import io.strata.semantic.compile.CompiledQuery;
import java.util.List;

/**
 * How a query would run, for EXPLAIN: its SQL and data source, and the rollup that answers it
 * ({@code rollup} null: the source does, and {@code rejections} says why each candidate
 * cannot).
 */
public record QueryPlan(CompiledQuery compiled, String rollup, List<String> rejections) {
  public QueryPlan {
    rejections = rejections == null ? List.of() : List.copyOf(rejections);
  }
}
