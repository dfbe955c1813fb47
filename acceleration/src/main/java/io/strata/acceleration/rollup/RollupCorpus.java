package io.strata.acceleration.rollup;

import io.strata.semantic.query.SemanticQuery;
import java.util.List;
import java.util.Map;

/**
 * Enumerates queries a rollup can answer, for tests that compare rollup answers with raw
 * answers: every subset of its measures (as requested members, including metrics it can
 * rebuild) crossed with subsets of its dimensions, each grain from the rollup's to the
 * coarsest, date ranges on grain boundaries within {@code span}, and filters of each operator
 * on its dimensions. Deterministic, so a failure names a reproducible query.
 */
public final class RollupCorpus {
  private RollupCorpus() {}

  /**
   * The corpus for one rollup. {@code span} is the built span the date ranges stay in (its ends
   * must be set); {@code sampleValues} gives, per dimension member, a value present in the data
   * for equality and pattern filters (members without one get set/notSet filters only).
   */
  public static List<SemanticQuery> queries(RollupLayout layout, TimeSpan span,
      Map<String, String> sampleValues) {
    throw new UnsupportedOperationException("not yet");
  }
}
