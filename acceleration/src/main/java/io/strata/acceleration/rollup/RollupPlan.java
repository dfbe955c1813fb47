package io.strata.acceleration.rollup;

import io.strata.acceleration.rollup.RollupColumn.Reaggregation;
import io.strata.acceleration.rollup.RollupColumn.Role;
import io.strata.semantic.compile.CompiledQuery;
import io.strata.semantic.compile.OutputColumn;
import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.dialect.Dialect;
import io.strata.semantic.model.Aggregation;
import io.strata.semantic.model.Granularity;
import io.strata.semantic.model.JoinGraph;
import io.strata.semantic.model.Measure;
import io.strata.semantic.model.Member;
import io.strata.semantic.model.Model;
import io.strata.semantic.model.ModelValidationException;
import io.strata.semantic.model.Rollup;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.QueryException;
import io.strata.semantic.query.SemanticQuery;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One rollup resolved against its catalog: the members it stores and the column holding each,
 * what the matcher needs to decide whether a query can be answered from it, and its public
 * {@link RollupLayout}. Immutable once built.
 */
final class RollupPlan {
  /** Suffixes of the synthetic part measures an avg is stored as. */
  static final String SUM = "sum";
  static final String COUNT = "count";

  final Model model;
  final Rollup rollup;
  /** The time dimension and its grain; null when the rollup has none. */
  final Member time;
  final Granularity grain;
  /** Plain dimensions by path (time-typed ones hold raw local times). */
  final Map<String, Member> dimensions = new LinkedHashMap<>();
  final Map<String, Member> segments = new LinkedHashMap<>();
  /** Base measures stored, by path. */
  final Map<String, Member> bases = new LinkedHashMap<>();
  /** The column of each dimension, the time dimension and each base measure (path#part for an avg). */
  final Map<String, String> columns = new LinkedHashMap<>();
  /** Models whose rows the stored measures aggregate (each a leaf of the build query). */
  final Set<String> leafModels = new LinkedHashSet<>();
  /** Dimensions reached from a leaf model through a one-to-many join (and so not droppable). */
  final Set<String> fanOutDimensions = new LinkedHashSet<>();
  final RollupLayout layout;

  RollupPlan(SemanticCatalog catalog, Model model, Rollup rollup) {
    this.model = model;
    this.rollup = rollup;
    String id = model.name() + "." + rollup.name();
    if (rollup.timeDimension() != null) {
      time = member(catalog, model, rollup.timeDimension(), id);
      grain = rollup.granularity();
    } else {
      time = null;
      grain = null;
    }
    for (String d : rollup.dimensions()) {
      Member m = member(catalog, model, d, id);
      dimensions.put(m.path(), m);
    }
    for (String s : rollup.segments()) {
      Member m = member(catalog, model, s, id);
      segments.put(m.path(), m);
    }
    for (String ref : rollup.measures()) {
      bases.putAll(Members.bases(catalog, member(catalog, model, ref, id)));
    }
    bases.values().forEach(b -> leafModels.add(b.model().name()));
    List<Member> grouped = new ArrayList<>(dimensions.values());
    if (time != null) {
      grouped.add(time);
    }
    for (Member d : grouped) {
      for (String leaf : leafModels) {
        JoinGraph.PathResult p = catalog.joinGraph().path(leaf, d.model().name());
        if (p.found() && JoinGraph.fansOut(p.path())) {
          fanOutDimensions.add(d.path());
        }
      }
    }

    // An avg is stored as a sum and a count, synthetic measures of a derived catalog.
    Map<String, List<Measure>> extra = new LinkedHashMap<>();
    List<String> measurePaths = new ArrayList<>();
    Map<String, String> partOf = new LinkedHashMap<>(); // requested path -> base path#part
    for (Member b : bases.values()) {
      if (b.measure().agg() == Aggregation.AVG) {
        Measure m = b.measure();
        for (String part : List.of(SUM, COUNT)) {
          String name = m.name() + "__" + part;
          extra.computeIfAbsent(b.model().name(), k -> new ArrayList<>()).add(new Measure(name,
              part.equals(SUM) ? Aggregation.SUM : Aggregation.COUNT, m.expr(), m.filter(),
              null, null, null, m.origin()));
          String path = b.model().name() + "." + name;
          measurePaths.add(path);
          partOf.put(path, b.path() + "#" + part);
        }
      } else {
        measurePaths.add(b.path());
        partOf.put(b.path(), b.path());
      }
    }
    SemanticCatalog buildCatalog = extra.isEmpty() ? catalog : derive(catalog, extra, id);
    List<SemanticQuery.TimeDimension> times = time == null ? List.of()
        : List.of(new SemanticQuery.TimeDimension(time.path(), grain.lowerName(), null));
    SemanticQuery base = new SemanticQuery(measurePaths, List.copyOf(dimensions.keySet()),
        times, List.of(), List.copyOf(segments.keySet()), List.of(), null, null,
        rollup.timezone());
    CompiledQuery compiled;
    try {
      // Aliases do not depend on the dialect; any one tells the column names.
      compiled = new SemanticCompiler(buildCatalog).compileUncached(base, Dialect.DUCKDB);
    } catch (QueryException e) {
      throw new IllegalArgumentException("rollup " + id + " cannot be built: "
          + e.getMessage(), e);
    }
    List<RollupColumn> cols = new ArrayList<>();
    for (OutputColumn c : compiled.columns()) {
      if (c.granularity() != null) {
        cols.add(new RollupColumn(c.alias(), Role.TIME, time.path(), null, grain, c.type(),
            Reaggregation.GROUP));
        columns.put(time.path(), c.alias());
      } else if (dimensions.containsKey(c.member())) {
        cols.add(new RollupColumn(c.alias(), Role.DIMENSION, c.member(), null, null, c.type(),
            Reaggregation.GROUP));
        columns.put(c.member(), c.alias());
      } else {
        String stored = partOf.get(c.member());
        int hash = stored.indexOf('#');
        String basePath = hash < 0 ? stored : stored.substring(0, hash);
        String part = hash < 0 ? null : stored.substring(hash + 1);
        Member b = bases.get(basePath);
        cols.add(new RollupColumn(c.alias(), Role.MEASURE, basePath, part, null, c.type(),
            reaggregation(b.measure().agg())));
        columns.put(stored, c.alias());
      }
    }
    layout = new RollupLayout(model.name(), rollup, cols, base, buildCatalog);
  }

  String id() {
    return layout.id();
  }

  /** Only distinct counts cannot be combined from several stored rows. */
  static boolean combinable(Member base) {
    Aggregation a = base.measure().agg();
    return a != Aggregation.COUNT_DISTINCT && a != Aggregation.COUNT_DISTINCT_APPROX;
  }

  private static Reaggregation reaggregation(Aggregation agg) {
    return switch (agg) {
      case SUM, COUNT, AVG -> Reaggregation.SUM;
      case MIN -> Reaggregation.MIN;
      case MAX -> Reaggregation.MAX;
      case COUNT_DISTINCT, COUNT_DISTINCT_APPROX, NUMBER -> Reaggregation.NONE;
    };
  }

  private static Member member(SemanticCatalog catalog, Model model, String ref, String id) {
    return Members.reference(catalog, model, ref).orElseThrow(() ->
        new IllegalArgumentException("rollup " + id + " names unknown member '" + ref + "'"));
  }

  /** The catalog with extra measures added to some models. */
  private static SemanticCatalog derive(SemanticCatalog catalog,
      Map<String, List<Measure>> extra, String id) {
    List<Model> models = new ArrayList<>();
    for (Model m : catalog.models()) {
      List<Measure> more = extra.get(m.name());
      if (more == null) {
        models.add(m);
        continue;
      }
      List<Measure> measures = new ArrayList<>(m.measures());
      measures.addAll(more);
      models.add(new Model(m.name(), m.description(), m.dataSource(), m.table(), m.sql(),
          m.primaryKey(), m.dimensions(), measures, m.joins(), m.segments(), m.metrics(),
          m.refresh(), m.rollups(), m.origin()));
    }
    try {
      return SemanticCatalog.of(models, List.copyOf(catalog.views()));
    } catch (ModelValidationException e) {
      throw new IllegalArgumentException("rollup " + id + " cannot store its averages as sums"
          + " and counts: " + e.getMessage(), e);
    }
  }
}
