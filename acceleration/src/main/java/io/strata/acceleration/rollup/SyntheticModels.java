package io.strata.acceleration.rollup;

import io.strata.semantic.model.Aggregation;
import io.strata.semantic.model.Dimension;
import io.strata.semantic.model.Measure;
import io.strata.semantic.model.Member;
import io.strata.semantic.model.MemberKind;
import io.strata.semantic.model.Metric;
import io.strata.semantic.model.MetricType;
import io.strata.semantic.model.Model;
import io.strata.semantic.model.Origin;
import io.strata.semantic.model.SemanticCatalog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The synthetic model of a built rollup: one model over the rollup's table, named like the
 * rollup's model, whose dimensions read the stored columns and whose measures re-aggregate the
 * stored parts (a sum of sums and of counts, a min of mins, a max of maxes, an avg as the sum
 * of its sums over the sum of its counts, a distinct count read as is). Number measures and
 * metrics of any model whose bases are all stored are carried over with their references
 * renamed, so the one compiler computes them over the rollup exactly as over the source.
 *
 * <p>A query without grouping columns reads the {@code ungrouped} variant: SQL counts over no
 * rows are 0 where a sum of stored counts over no rows is NULL, so there each count (and
 * distinct count) is the sum of its stored counts or 0. With grouping columns there is no
 * group without rows, and a NULL count (a group only another model's rows made) is kept, as
 * the source query keeps it.
 *
 * <p>Members of the rollup's own model keep their names; a member of another model is named
 * {@code model__member} ({@code customers.country} becomes {@code orders.customers__country}).
 */
final class SyntheticModels {
  private static final Pattern BRACE =
      Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)?)}");

  private SyntheticModels() {}

  /** The name a member of the source catalog has in the rollup's synthetic model. */
  static String local(RollupPlan plan, Member m) {
    return m.model().name().equals(plan.model.name()) ? m.name()
        : m.model().name() + "__" + m.name();
  }

  static String path(RollupPlan plan, Member m) {
    return plan.model.name() + "." + local(plan, m);
  }

  static SemanticCatalog build(SemanticCatalog catalog, RollupPlan plan, String relation,
      String dataSource, boolean ungrouped) {
    List<Dimension> dims = new ArrayList<>();
    List<Member> grouped = new ArrayList<>(plan.dimensions.values());
    if (plan.time != null) {
      grouped.add(plan.time);
    }
    for (Member d : grouped) {
      Dimension src = d.dimension();
      dims.add(new Dimension(local(plan, d), src.type(), plan.columns.get(d.path()),
          src.description(), d.title(), src.format(), src.origin()));
    }
    List<Measure> measures = new ArrayList<>();
    // A cumulative metric adds up an additive measure: the stored sum when the count is wrapped.
    Map<String, String> additive = new LinkedHashMap<>();
    for (Member b : plan.bases.values()) {
      Measure src = b.measure();
      String name = local(plan, b);
      String title = b.title();
      switch (src.agg()) {
        case AVG -> {
          String sum = name + "__" + RollupPlan.SUM;
          String count = name + "__" + RollupPlan.COUNT;
          measures.add(new Measure(sum, Aggregation.SUM,
              plan.columns.get(b.path() + "#" + RollupPlan.SUM), null, null, null, null,
              src.origin()));
          measures.add(new Measure(count, Aggregation.SUM,
              plan.columns.get(b.path() + "#" + RollupPlan.COUNT), null, null, null, null,
              src.origin()));
          // As ratio metrics divide: exact in every warehouse, never integer division.
          measures.add(new Measure(name, Aggregation.NUMBER,
              "1.0 * {" + sum + "} / NULLIF({" + count + "}, 0)", null, src.description(),
              title, src.format(), src.origin()));
        }
        case COUNT, COUNT_DISTINCT, COUNT_DISTINCT_APPROX -> {
          // A count stays a BIGINT (a SUM of stored counts is a DECIMAL/HUGEINT in DuckDB, a
          // NUMERIC in Postgres), and a count over no rows is 0 when nothing groups it.
          String stored = name + "__" + RollupPlan.SUM;
          measures.add(new Measure(stored, reaggregate(src.agg()), plan.columns.get(b.path()),
              null, null, null, null, src.origin()));
          String value = ungrouped ? "COALESCE({" + stored + "}, 0)" : "{" + stored + "}";
          measures.add(new Measure(name, Aggregation.NUMBER, "CAST(" + value + " AS BIGINT)",
              null, src.description(), title, src.format(), src.origin()));
          additive.put(name, stored);
        }
        default -> measures.add(new Measure(name, reaggregate(src.agg()),
            plan.columns.get(b.path()), null, src.description(), title, src.format(),
            src.origin()));
      }
    }
    List<Metric> metrics = new ArrayList<>();
    Map<String, Boolean> rebuildable = new LinkedHashMap<>();
    for (Model model : catalog.models()) {
      for (Member m : SemanticCatalog.members(model)) {
        if (!m.aggregated() || Members.isBase(m) || !rebuildable(catalog, plan, m, rebuildable)) {
          continue;
        }
        if (m.kind() == MemberKind.MEASURE) {
          Measure src = m.measure();
          measures.add(new Measure(local(plan, m), Aggregation.NUMBER,
              rename(catalog, plan, m.model(), src.expr()), null, src.description(), m.title(),
              src.format(), src.origin()));
        } else {
          Metric src = m.metric();
          metrics.add(new Metric(local(plan, m), src.type(),
              src.expr() == null ? null : rename(catalog, plan, m.model(), src.expr()),
              renameRef(catalog, plan, m.model(), src.numerator()),
              renameRef(catalog, plan, m.model(), src.denominator()),
              cumulativeMeasure(catalog, plan, m.model(), src.measure(), additive),
              renameRef(catalog, plan, m.model(), src.timeDimension()), src.window(),
              src.description(), m.title(), src.format(), src.origin()));
        }
      }
    }
    Model model = new Model(plan.model.name(), plan.model.description(), dataSource, relation,
        null, null, dims, measures, List.of(), List.of(), metrics, null, List.of(),
        Origin.UNKNOWN);
    return SemanticCatalog.of(List.of(model), List.of());
  }

  /** True when every base of {@code m} is stored and every cumulative runs over a stored time. */
  static boolean rebuildable(SemanticCatalog catalog, RollupPlan plan, Member m,
      Map<String, Boolean> memo) {
    Boolean known = memo.get(m.path());
    if (known != null) {
      return known;
    }
    memo.put(m.path(), false); // a cycle is not rebuildable
    boolean ok;
    if (Members.isBase(m)) {
      ok = plan.bases.containsKey(m.path());
    } else {
      ok = true;
      if (m.kind() == MemberKind.METRIC && m.metric().type() == MetricType.CUMULATIVE) {
        Member t = Members.reference(catalog, m.model(), m.metric().timeDimension()).orElse(null);
        ok = t != null && (plan.time != null && plan.time.path().equals(t.path())
            || plan.dimensions.containsKey(t.path()));
      }
      try {
        for (Member r : Members.references(catalog, m)) {
          ok &= rebuildable(catalog, plan, r, memo);
        }
      } catch (IllegalArgumentException e) {
        ok = false;
      }
    }
    memo.put(m.path(), ok);
    return ok;
  }

  private static String cumulativeMeasure(SemanticCatalog catalog, RollupPlan plan, Model owner,
      String ref, Map<String, String> additive) {
    String local = renameRef(catalog, plan, owner, ref);
    return local == null ? null : additive.getOrDefault(local, local);
  }

  private static Aggregation reaggregate(Aggregation agg) {
    return switch (agg) {
      case SUM, COUNT -> Aggregation.SUM;
      case MIN -> Aggregation.MIN;
      // Read only at the rollup's own grain, where each result row is one stored row.
      case MAX, COUNT_DISTINCT, COUNT_DISTINCT_APPROX -> Aggregation.MAX;
      case AVG, NUMBER -> throw new IllegalArgumentException(agg + " is not stored as is");
    };
  }

  private static String rename(SemanticCatalog catalog, RollupPlan plan, Model owner,
      String expr) {
    Matcher m = BRACE.matcher(expr);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = renameRef(catalog, plan, owner, m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement("{" + name + "}"));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String renameRef(SemanticCatalog catalog, RollupPlan plan, Model owner,
      String ref) {
    if (ref == null) {
      return null;
    }
    return Members.reference(catalog, owner, ref).map(x -> local(plan, x)).orElse(ref);
  }
}
