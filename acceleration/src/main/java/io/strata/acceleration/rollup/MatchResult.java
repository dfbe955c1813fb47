package io.strata.acceleration.rollup;

import io.strata.semantic.compile.CompiledQuery;
import io.strata.semantic.compile.OutputColumn;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.SemanticQuery;
import java.util.List;
import java.util.Map;

/** What {@link Rollups#match} decided for one query. */
public sealed interface MatchResult {

  /**
   * What EXPLAIN shows: the rollup used, or one line per candidate with the first reason it
   * was passed over.
   */
  String explain();

  /**
   * The query can be answered from rollup {@code model.rollup}, version {@code version}.
   * {@code rewritten} is a query over a synthetic model of the rollup's table in
   * {@code rollupCatalog}; compile it with a {@code SemanticCompiler} over that catalog in the
   * dialect of {@code dataSource}, then pass the result through {@link #restore} so its columns
   * carry the members the original query asked for. {@code members} maps each member of the
   * rewritten query to the original query's member.
   */
  record Matched(String model, String rollup, String version, SemanticQuery rewritten,
      SemanticCatalog rollupCatalog, String dataSource, Map<String, String> members)
      implements MatchResult {

    public Matched {
      members = Map.copyOf(members);
    }

    public String rollupId() {
      return model + "." + rollup;
    }

    @Override
    public String explain() {
      return "rollup " + rollupId() + " (version " + version + ")";
    }

    /** The compiled rewritten query with its columns renamed to the original members. */
    public CompiledQuery restore(CompiledQuery compiled) {
      List<OutputColumn> columns = compiled.columns().stream()
          .map(c -> new OutputColumn(members.getOrDefault(c.member(), c.member()),
              c.granularity(), c.alias(), c.kind(), c.type(), c.title(), c.format()))
          .toList();
      return new CompiledQuery(compiled.dialect(), compiled.dataSource(), compiled.sql(),
          columns, compiled.models());
    }
  }

  /**
   * No rollup can answer the query; for each candidate (rollups of the models the query
   * reads) the first reason it cannot, for EXPLAIN. Empty when the query's models declare no
   * rollups.
   */
  record NotMatched(List<Rejection> rejections) implements MatchResult {
    public NotMatched {
      rejections = List.copyOf(rejections);
    }

    @Override
    public String explain() {
      if (rejections.isEmpty()) {
        return "no rollup: none is declared for the query's models";
      }
      StringBuilder sb = new StringBuilder("no rollup:");
      rejections.forEach(r -> sb.append("\n  ").append(r));
      return sb.toString();
    }
  }

  /** Why rollup {@code rollupId} ({@code model.rollup}) cannot answer a query, for humans. */
  record Rejection(String rollupId, String reason) {
    @Override
    public String toString() {
      return rollupId + ": " + reason;
    }
  }
}
