package io.strata.acceleration.rollup;

import io.strata.semantic.model.DimensionType;
import io.strata.semantic.model.Granularity;
import io.strata.semantic.model.Member;
import io.strata.semantic.query.DateRange;
import io.strata.semantic.query.Filter;
import io.strata.semantic.query.FilterOperator;
import io.strata.semantic.query.SemanticQuery;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Enumerates queries a rollup can answer, for tests that compare rollup answers with raw
 * answers: subsets of its measures (the members it lists, metrics included) crossed with
 * subsets of its dimensions at each grain from the rollup's to the coarsest; then, at full
 * shape, date ranges on grain boundaries, filters of every operator on each dimension and on
 * the time dimension, nested and/or filters, measure filters and ordering. Deterministic, so a
 * failure names a reproducible query. Each query keeps to the rules of
 * {@link Rollups#match}: distinct counts only at the rollup's exact grain, dimensions reached
 * through one-to-many joins kept, the measures' rows from the rollup's models.
 */
public final class RollupCorpus {
  /** Beyond this many measures or dimensions, subsets are singletons, pairs and all. */
  private static final int ALL_SUBSETS_UP_TO = 4;

  private RollupCorpus() {}

  /**
   * The corpus for one rollup of {@code rollups}. {@code span} is the built span the date
   * ranges stay in (both ends set, on the rollup's grain); {@code sampleValues} gives, per
   * dimension member, a value present in the data for equality, comparison and pattern filters
   * (members without one get set/notSet filters only).
   */
  public static List<SemanticQuery> queries(Rollups rollups, RollupLayout layout, TimeSpan span,
      Map<String, String> sampleValues) {
    RollupPlan p = rollups.plan(layout.id());
    if (p == null) {
      throw new IllegalArgumentException("rollup " + layout.id() + " cannot be built: "
          + rollups.problems().get(layout.id()));
    }
    return new Generator(rollups, p, span, sampleValues).all();
  }

  private static final class Generator {
    final Rollups rollups;
    final RollupPlan p;
    final TimeSpan span;
    final Map<String, String> samples;
    final String zone;
    final List<String> additive = new ArrayList<>();
    final List<String> cumulative = new ArrayList<>();
    final List<String> distinct = new ArrayList<>();
    final List<String> dims;
    final Set<String> required = new LinkedHashSet<>();
    final List<Granularity> grains = new ArrayList<>();
    final Set<SemanticQuery> out = new LinkedHashSet<>();

    Generator(Rollups rollups, RollupPlan p, TimeSpan span, Map<String, String> samples) {
      this.rollups = rollups;
      this.p = p;
      this.span = span;
      this.samples = samples;
      this.zone = p.rollup.timezone();
      for (String ref : p.rollup.measures()) {
        Member m = Members.reference(rollups.catalog(), p.model, ref).orElseThrow();
        if (Members.bases(rollups.catalog(), m).values().stream()
            .anyMatch(b -> !RollupPlan.combinable(b))) {
          distinct.add(m.path());
        } else if (!Members.cumulatives(rollups.catalog(), m).isEmpty()) {
          cumulative.add(m.path());
        } else {
          additive.add(m.path());
        }
      }
      dims = List.copyOf(p.dimensions.keySet());
      for (String f : p.fanOutDimensions) {
        if (p.dimensions.containsKey(f)) {
          required.add(f);
        }
      }
      if (p.grain != null) {
        for (Granularity g : Granularity.values()) {
          if (p.grain.rollsUpTo(g)) {
            grains.add(g);
          }
        }
      }
    }

    List<SemanticQuery> all() {
      boolean timeFansOut = p.time != null && p.fanOutDimensions.contains(p.time.path());
      List<List<String>> measureSets = leafSafe(subsets(additive));
      List<List<String>> dimSets = subsets(dims).stream()
          .filter(d -> d.containsAll(required)).toList();
      List<Granularity> grainChoices = new ArrayList<>();
      if (p.time != null) {
        grainChoices.add(null); // only a date range on the time dimension
        grainChoices.addAll(timeFansOut ? List.of(p.grain) : grains);
      } else {
        grainChoices.add(null);
      }
      // Shapes: every measure set with every dimension set, grains in rotation.
      int i = 0;
      for (List<String> ms : measureSets) {
        for (List<String> ds : dimSets) {
          Granularity g = grainChoices.get(i++ % grainChoices.size());
          add(ms, ds, g, whole(), List.of(), List.of());
        }
      }
      List<String> allAdditive = measureSets.isEmpty() ? List.of()
          : measureSets.get(measureSets.size() - 1);
      if (!allAdditive.isEmpty()) {
        for (Granularity g : grainChoices) {
          add(allAdditive, dims, g, whole(), List.of(), List.of());
        }
      }
      // Distinct counts: exactly the rollup's shape.
      if (!distinct.isEmpty()) {
        List<String> ms = new ArrayList<>(distinct);
        add(ms, dims, p.grain, whole(), List.of(), List.of());
        List<String> withOthers = new ArrayList<>(ms);
        withOthers.addAll(allAdditive);
        add(withOthers, dims, p.grain, whole(), List.of(), List.of());
        add(ms, dims, p.grain, firstPeriods(), dimensionFilters().stream().limit(1).toList(),
            List.of());
      }
      // Cumulative metrics: over the time dimension at each grain, with and without a range.
      for (String c : cumulative) {
        for (Granularity g : timeFansOut ? List.of(p.grain) : grains) {
          add(List.of(c), required.stream().toList(), g, whole(), List.of(), List.of());
          add(List.of(c), dims, g, laterPart(g), List.of(), List.of());
        }
      }
      if (allAdditive.isEmpty()) {
        return List.copyOf(out);
      }
      Granularity full = p.grain;
      // Date ranges on boundaries.
      if (p.time != null) {
        add(allAdditive, dims, full, firstPeriods(), List.of(), List.of());
        add(allAdditive, dims, null, laterPart(full), List.of(), List.of());
        for (Granularity g : grainChoices) {
          if (g != null) {
            add(allAdditive, required.stream().toList(), g, laterPart(g), List.of(), List.of());
          }
        }
      }
      // Filters on dimensions and on the time dimension, one at a time, then combined.
      List<Filter> filters = new ArrayList<>(dimensionFilters());
      filters.addAll(timeFilters());
      Granularity coarse = grainChoices.get(grainChoices.size() - 1);
      for (Filter f : filters) {
        add(allAdditive, dims, full, whole(), List.of(f), List.of());
        add(allAdditive, required.stream().toList(), coarse, whole(), List.of(f), List.of());
        if (required.isEmpty()) {
          // No grouping columns: one row even when no row passes the filter.
          add(allAdditive, List.of(), null, whole(), List.of(f), List.of());
        }
      }
      if (filters.size() >= 2) {
        add(allAdditive, dims, full, whole(),
            List.of(new Filter.Or(List.of(filters.get(0), filters.get(1)))), List.of());
        add(allAdditive, dims, coarse, whole(),
            List.of(new Filter.And(List.of(filters.get(0),
                new Filter.Or(List.of(filters.get(1), filters.get(filters.size() - 1)))))),
            List.of());
      }
      // A filter on a measure, and an explicit order.
      Filter onMeasure = new Filter.Condition(allAdditive.get(0), FilterOperator.GT,
          List.of("0"));
      add(allAdditive, dims, coarse, whole(), List.of(onMeasure), List.of());
      add(allAdditive, dims, coarse, whole(), List.of(),
          List.of(new SemanticQuery.Order(allAdditive.get(0), true)));
      return List.copyOf(out);
    }

    /** Measure sets whose rows come from exactly the rollup's models. */
    private List<List<String>> leafSafe(List<List<String>> sets) {
      List<List<String>> ok = new ArrayList<>();
      for (List<String> s : sets) {
        Set<String> leaves = new TreeSet<>();
        for (String m : s) {
          Members.bases(rollups.catalog(), rollups.catalog().resolve(m).orElseThrow()).values()
              .forEach(b -> leaves.add(b.model().name()));
        }
        if (leaves.equals(new TreeSet<>(p.leafModels))) {
          ok.add(s);
        }
      }
      return ok;
    }

    private void add(List<String> measures, List<String> ds, Granularity g, DateRange range,
        List<Filter> filters, List<SemanticQuery.Order> order) {
      List<SemanticQuery.TimeDimension> times = new ArrayList<>();
      if (p.time != null) {
        times.add(new SemanticQuery.TimeDimension(p.time.path(),
            g == null ? null : g.lowerName(), range));
      }
      if (measures.isEmpty() && ds.isEmpty() && g == null) {
        return;
      }
      out.add(new SemanticQuery(measures, ds, times, filters, List.copyOf(p.segments.keySet()),
          order, null, null, zone));
    }

    private DateRange range(LocalDateTime from, LocalDateTime until) {
      return DateRange.of(Grains.text(from), Grains.inclusiveEnd(until));
    }

    private DateRange whole() {
      return p.time == null ? null : range(span.from(), span.until());
    }

    /** The first few periods of the rollup's grain. */
    private DateRange firstPeriods() {
      LocalDateTime t = span.from();
      for (int i = 0; i < 3; i++) {
        t = Grains.next(t, p.grain);
      }
      return range(span.from(), t.isAfter(span.until()) ? span.until() : t);
    }

    /** The second half of the span, on boundaries of {@code g}. */
    private DateRange laterPart(Granularity g) {
      LocalDateTime mid = span.from().plusSeconds(
          java.time.Duration.between(span.from(), span.until()).getSeconds() / 2);
      LocalDateTime from = Grains.truncate(mid, g);
      if (!from.isAfter(span.from())) {
        from = span.from();
      }
      return range(from, span.until());
    }

    private List<Filter> dimensionFilters() {
      List<Filter> out = new ArrayList<>();
      for (Member d : p.dimensions.values()) {
        String path = d.path();
        String v = samples.get(path);
        out.add(cond(path, FilterOperator.SET));
        out.add(cond(path, FilterOperator.NOT_SET));
        if (v == null) {
          continue;
        }
        DimensionType type = d.dimension().type();
        switch (type) {
          case STRING -> {
            String part = v.length() > 2 ? v.substring(1, v.length() - 1) : v;
            out.add(cond(path, FilterOperator.EQUALS, v));
            out.add(cond(path, FilterOperator.EQUALS, v, "no such value"));
            out.add(cond(path, FilterOperator.EQUALS, "no such value"));
            out.add(cond(path, FilterOperator.NOT_EQUALS, v));
            out.add(cond(path, FilterOperator.CONTAINS, part));
            out.add(cond(path, FilterOperator.NOT_CONTAINS, part));
            out.add(cond(path, FilterOperator.STARTS_WITH, v.substring(0, 1)));
            out.add(cond(path, FilterOperator.ENDS_WITH, v.substring(v.length() - 1)));
          }
          case NUMBER -> {
            out.add(cond(path, FilterOperator.EQUALS, v));
            out.add(cond(path, FilterOperator.NOT_EQUALS, v));
            out.add(cond(path, FilterOperator.GT, v));
            out.add(cond(path, FilterOperator.GTE, v));
            out.add(cond(path, FilterOperator.LT, v));
            out.add(cond(path, FilterOperator.LTE, v));
          }
          case BOOLEAN -> {
            out.add(cond(path, FilterOperator.EQUALS, v));
            out.add(cond(path, FilterOperator.NOT_EQUALS, v));
          }
          case TIME -> {
            out.add(cond(path, FilterOperator.BEFORE_DATE, v));
            out.add(cond(path, FilterOperator.AFTER_DATE, v));
            out.add(cond(path, FilterOperator.GT, v));
            out.add(cond(path, FilterOperator.LTE, v));
            out.add(cond(path, FilterOperator.IN_DATE_RANGE, v, Grains.text(span.until()
                .minusSeconds(1))));
          }
        }
      }
      return out;
    }

    /** Filters on the time dimension that stored periods can answer. */
    private List<Filter> timeFilters() {
      if (p.time == null) {
        return List.of();
      }
      String t = p.time.path();
      LocalDateTime mid = Grains.truncate(span.from().plusSeconds(
          java.time.Duration.between(span.from(), span.until()).getSeconds() / 2), p.grain);
      List<Filter> out = new ArrayList<>();
      out.add(cond(t, FilterOperator.SET));
      out.add(cond(t, FilterOperator.GTE, Grains.text(mid)));
      out.add(cond(t, FilterOperator.LT, Grains.text(mid)));
      out.add(cond(t, FilterOperator.BEFORE_DATE, Grains.text(mid)));
      out.add(cond(t, FilterOperator.IN_DATE_RANGE, Grains.text(span.from()),
          Grains.inclusiveEnd(mid)));
      out.add(cond(t, FilterOperator.NOT_IN_DATE_RANGE, Grains.text(span.from()),
          Grains.inclusiveEnd(mid)));
      if (p.grain == Granularity.DAY) {
        out.add(cond(t, FilterOperator.AFTER_DATE, mid.toLocalDate().minusDays(1).toString()));
      }
      return out;
    }

    private static Filter cond(String member, FilterOperator op, String... values) {
      return new Filter.Condition(member, op, List.of(values));
    }
  }

  /** Every non-empty subset in a fixed order, or for long lists singletons, pairs and all. */
  static List<List<String>> subsets(List<String> items) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    out.put("", List.of());
    if (items.size() <= ALL_SUBSETS_UP_TO) {
      for (int mask = 1; mask < (1 << items.size()); mask++) {
        List<String> s = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
          if ((mask & (1 << i)) != 0) {
            s.add(items.get(i));
          }
        }
        out.put(String.join(",", s), s);
      }
    } else {
      for (int i = 0; i < items.size(); i++) {
        out.put(items.get(i), List.of(items.get(i)));
        if (i + 1 < items.size()) {
          List<String> pair = List.of(items.get(i), items.get(i + 1));
          out.put(String.join(",", pair), pair);
        }
      }
      out.put(String.join(",", items), List.copyOf(items));
    }
    return List.copyOf(out.values());
  }
}
