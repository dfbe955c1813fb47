package io.strata.acceleration.rollup;

import io.strata.semantic.model.Aggregation;
import io.strata.semantic.model.Member;
import io.strata.semantic.model.MemberKind;
import io.strata.semantic.model.Metric;
import io.strata.semantic.model.Model;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.sql.SqlExpressions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** How measures and metrics refer to each other, read the way the compiler reads them. */
final class Members {
  private Members() {}

  /** A plain (aggregated in SQL) measure, as opposed to a number measure or a metric. */
  static boolean isBase(Member m) {
    return m.kind() == MemberKind.MEASURE && m.measure().agg() != Aggregation.NUMBER;
  }

  /** A reference written in {@code owner}: {@code member} of it or {@code model.member}. */
  static Optional<Member> reference(SemanticCatalog catalog, Model owner, String ref) {
    if (ref == null) {
      return Optional.empty();
    }
    String r = ref.trim();
    return r.contains(".") ? catalog.resolve(r) : SemanticCatalog.member(owner, r);
  }

  /** The members a number measure or metric is computed from (empty for a base measure). */
  static List<Member> references(SemanticCatalog catalog, Member m) {
    List<String> refs = new ArrayList<>();
    if (m.kind() == MemberKind.MEASURE) {
      if (m.measure().agg() == Aggregation.NUMBER && m.measure().expr() != null) {
        refs.addAll(SqlExpressions.braceReferences(m.measure().expr()));
      }
    } else if (m.kind() == MemberKind.METRIC) {
      Metric metric = m.metric();
      switch (metric.type()) {
        case DERIVED -> refs.addAll(SqlExpressions.braceReferences(
            metric.expr() == null ? "" : metric.expr()));
        case RATIO -> {
          refs.add(metric.numerator());
          refs.add(metric.denominator());
        }
        case CUMULATIVE -> refs.add(metric.measure());
      }
    }
    List<Member> out = new ArrayList<>();
    for (String r : refs) {
      out.add(reference(catalog, m.model(), r).orElseThrow(() -> new IllegalArgumentException(
          "model '" + m.model().name() + "' refers to unknown member '" + r + "'")));
    }
    return out;
  }

  /** Every base measure {@code m} is computed from, by path, in first-use order. */
  static Map<String, Member> bases(SemanticCatalog catalog, Member m) {
    Map<String, Member> out = new LinkedHashMap<>();
    collect(catalog, m, out, new ArrayList<>());
    return out;
  }

  private static void collect(SemanticCatalog catalog, Member m, Map<String, Member> out,
      List<String> visiting) {
    if (isBase(m)) {
      out.putIfAbsent(m.path(), m);
      return;
    }
    if (visiting.contains(m.path())) {
      return; // a cycle; the validator refuses such models
    }
    visiting.add(m.path());
    for (Member r : references(catalog, m)) {
      collect(catalog, r, out, visiting);
    }
    visiting.remove(visiting.size() - 1);
  }

  /** The cumulative metrics {@code m} is or uses. */
  static List<Member> cumulatives(SemanticCatalog catalog, Member m) {
    List<Member> out = new ArrayList<>();
    findCumulatives(catalog, m, out, new ArrayList<>());
    return out;
  }

  private static void findCumulatives(SemanticCatalog catalog, Member m, List<Member> out,
      List<String> seen) {
    if (isBase(m) || seen.contains(m.path())) {
      return;
    }
    seen.add(m.path());
    if (m.kind() == MemberKind.METRIC
        && m.metric().type() == io.strata.semantic.model.MetricType.CUMULATIVE) {
      out.add(m);
      return;
    }
    for (Member r : references(catalog, m)) {
      findCumulatives(catalog, r, out, seen);
    }
  }
}
