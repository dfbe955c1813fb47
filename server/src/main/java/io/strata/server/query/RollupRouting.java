package io.strata.server.query;

import io.strata.semantic.compile.CompiledQuery;
import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.query.SemanticQuery;
import java.util.List;

/**
 * Step 4 of the query path: decides whether a rollup answers a semantic query (after access
 * control added its row filters, before it is compiled). Implemented by the rollup service;
 * the query service only asks. Called on request threads: answers from memory.
 */
@FunctionalInterface
public interface RollupRouting {
  /** Never reads a rollup. */
  RollupRouting NONE = (compiler, query) -> Route.NONE;

  /**
   * The rollup route of {@code query}: compiled over a rollup, or {@code compiled} null with
   * each candidate's first reason for not matching.
   */
  Route route(SemanticCompiler compiler, SemanticQuery query);

  /**
   * @param compiled the query compiled over the rollup (its SQL names the versioned relation,
   *     so cache keys differ per version); null when no rollup answers
   * @param rollup {@code model.rollup@version} of the rollup used, or null
   * @param rejections {@code model.rollup: reason} for each candidate that cannot answer
   */
  record Route(CompiledQuery compiled, String rollup, List<String> rejections) {
    public static final Route NONE = new Route(null, null, List.of());

    public Route {
      rejections = rejections == null ? List.of() : List.copyOf(rejections);
    }
  }
}
