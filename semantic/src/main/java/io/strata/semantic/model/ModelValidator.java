package io.strata.semantic.model;

import io.strata.semantic.sql.SqlExpressions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cross-model checks run after loading: every problem is reported with its position; nothing
 * stops at the first error.
 *
 * <p>Checks: unique model and view names (and no view named like a model); unique member names
 * within a model; {@code primary_key} names a dimension; joins name another, existing model and
 * their {@code on} parses and refers only to the two joined models; every SQL fragment
 * ({@code expr}, {@code filter}, {@code sql}, {@code refresh.sql}) parses; references of
 * {@code number} measures and of metrics name existing measures or metrics reachable over an
 * unambiguous join path; cumulative metrics use an additive measure and a time dimension; no
 * cycles among derived measures and metrics; view members exist, columns are unique and every
 * model of a view is joined to the view's first model. Rollups: see {@link #checkRollups}.
 */
public final class ModelValidator {
  /** Same shape as {@link SqlExpressions}' brace references, with their offsets. */
  private static final Pattern BRACE =
      Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)?)}");

  private final List<ModelError> errors = new ArrayList<>();
  /** The first definition of each model name; later duplicates are reported. */
  private final Map<String, Model> models = new LinkedHashMap<>();
  private final JoinGraph graph;
  private final Set<String> reportedCycles = new HashSet<>();

  private ModelValidator(List<Model> all) {
    for (Model m : all) {
      models.putIfAbsent(m.name(), m);
    }
    graph = new JoinGraph(models.values());
  }

  public static List<ModelError> validate(List<Model> models, List<View> views) {
    ModelValidator v = new ModelValidator(models);
    v.checkNames(models, views);
    for (Model m : models) {
      v.checkModel(m);
    }
    v.checkCycles();
    for (View view : views) {
      v.checkView(view);
    }
    List<ModelError> sorted = new ArrayList<>(v.errors);
    sorted.sort(null);
    return sorted;
  }

  private void error(SourcePosition at, String message) {
    errors.add(new ModelError(at, message));
  }

  // ---------------------------------------------------------------- names

  private void checkNames(List<Model> allModels, List<View> views) {
    Map<String, Model> firstModel = new HashMap<>();
    for (Model m : allModels) {
      Model first = firstModel.putIfAbsent(m.name(), m);
      if (first != null) {
        error(m.origin().of("name"), "duplicate model '" + m.name() + "': already defined at "
            + first.origin().of("name") + "; model names must be unique");
      }
    }
    Map<String, View> firstView = new HashMap<>();
    for (View v : views) {
      View first = firstView.putIfAbsent(v.name(), v);
      if (first != null) {
        error(v.origin().of("name"), "duplicate view '" + v.name() + "': already defined at "
            + first.origin().of("name") + "; view names must be unique");
      }
      Model model = models.get(v.name());
      if (model != null) {
        error(v.origin().of("name"), "view '" + v.name() + "' has the same name as model '"
            + model.name() + "' (" + model.origin().of("name")
            + "); views and models share one namespace, rename one of them");
      }
    }
  }

  // ---------------------------------------------------------------- one model

  private void checkModel(Model model) {
    String where = "model '" + model.name() + "'";
    checkMemberNames(model);
    if (model.primaryKey() != null && model.dimension(model.primaryKey()).isEmpty()) {
      List<String> dims = model.dimensions().stream().map(Dimension::name).toList();
      error(model.origin().of("primary_key"), where + ": primary_key '" + model.primaryKey()
          + "' is not a dimension of the model" + suggestion(model.primaryKey(), dims,
              "dimensions"));
    }
    if (model.sql() != null) {
      parseQuery(model.sql(), model.origin().of("sql"), where + ": sql");
    }
    if (model.refresh() != null && model.refresh().sql() != null) {
      parseQuery(model.refresh().sql(), model.refresh().origin().of("sql"),
          where + ": refresh sql");
    }
    checkJoins(model, where);
    for (Dimension d : model.dimensions()) {
      if (d.expr() != null) {
        parseExpression(d.expr(), d.origin().of("expr"),
            "dimension '" + path(model, d.name()) + "': expr");
      }
    }
    for (Segment s : model.segments()) {
      if (s.filter() != null) {
        parseExpression(s.filter(), s.origin().of("filter"),
            "segment '" + path(model, s.name()) + "': filter");
      }
    }
    for (Measure m : model.measures()) {
      checkMeasure(model, m);
    }
    for (Metric m : model.metrics()) {
      checkMetric(model, m);
    }
    checkRollups(model, where);
  }

  private void checkMemberNames(Model model) {
    record Declared(String kind, String name, Origin origin) {}
    List<Declared> all = new ArrayList<>();
    model.dimensions().forEach(d -> all.add(new Declared("dimension", d.name(), d.origin())));
    model.measures().forEach(m -> all.add(new Declared("measure", m.name(), m.origin())));
    model.segments().forEach(s -> all.add(new Declared("segment", s.name(), s.origin())));
    model.metrics().forEach(m -> all.add(new Declared("metric", m.name(), m.origin())));
    Map<String, Declared> seen = new HashMap<>();
    for (Declared d : all) {
      Declared first = seen.putIfAbsent(d.name(), d);
      if (first != null) {
        error(d.origin().of("name"), "duplicate member '" + d.name() + "' in model '"
            + model.name() + "': this " + d.kind() + " has the same name as the " + first.kind()
            + " at " + first.origin().of("name")
            + "; dimensions, measures, segments and metrics share one namespace");
      }
    }
  }

  private void checkJoins(Model model, String where) {
    Set<String> targets = new HashSet<>();
    for (Join j : model.joins()) {
      SourcePosition at = j.origin().of("model");
      if (j.model().equals(model.name())) {
        error(at, where + ": joins itself; a join must name another model");
      } else if (!models.containsKey(j.model())) {
        error(at, where + ": join to unknown model '" + j.model() + "'"
            + suggestion(j.model(), models.keySet(), "models"));
      } else if (!targets.add(j.model())) {
        error(at, where + ": a second join to '" + j.model()
            + "'; declare at most one join between two models");
      }
      if (j.on() == null) {
        continue;
      }
      SourcePosition onAt = j.origin().of("on");
      parseExpression(j.on(), onAt, where + ": join to '" + j.model() + "': on");
      Matcher m = BRACE.matcher(j.on());
      while (m.find()) {
        String ref = m.group(1);
        String refModel = ref.contains(".") ? ref.substring(0, ref.indexOf('.')) : ref;
        if (!refModel.equals(model.name()) && !refModel.equals(j.model())) {
          error(offset(onAt, j.on(), m.start()), where + ": join to '" + j.model()
              + "': on refers to {" + ref + "}; the condition may only refer to {" + model.name()
              + "} and {" + j.model() + "}");
        }
      }
    }
  }

  private void checkMeasure(Model model, Measure m) {
    String what = "measure '" + path(model, m.name()) + "'";
    if (m.expr() != null) {
      parseExpression(m.expr(), m.origin().of("expr"), what + ": expr");
    }
    if (m.filter() != null) {
      if (m.agg() == Aggregation.NUMBER) {
        error(m.origin().of("filter"), what + ": a filter cannot apply to a measure with agg"
            + " number, which is computed after aggregation; put the filter on the measures"
            + " it refers to");
      } else {
        parseExpression(m.filter(), m.origin().of("filter"), what + ": filter");
      }
    }
    if (m.agg() == Aggregation.NUMBER && m.expr() != null) {
      SourcePosition at = m.origin().of("expr");
      Matcher r = BRACE.matcher(m.expr());
      boolean any = false;
      while (r.find()) {
        any = true;
        resolveAggregate(model, what + ":", "{" + r.group(1) + "}", r.group(1),
            offset(at, m.expr(), r.start()));
      }
      if (!any) {
        error(at, what + ": agg number needs an expr over other measures written in braces,"
            + " such as {count} or {model.measure}; for a plain column use agg sum, min or max");
      }
    }
  }

  private void checkMetric(Model model, Metric m) {
    String what = "metric '" + path(model, m.name()) + "'";
    switch (m.type()) {
      case DERIVED -> {
        if (m.expr() == null) {
          return;
        }
        SourcePosition at = m.origin().of("expr");
        if (!parseExpression(m.expr(), at, what + ": expr")) {
          return;
        }
        Matcher r = BRACE.matcher(m.expr());
        boolean any = false;
        while (r.find()) {
          any = true;
          resolveAggregate(model, what + ":", "{" + r.group(1) + "}", r.group(1),
              offset(at, m.expr(), r.start()));
        }
        if (!any) {
          error(at, what + ": a derived metric's expr must refer to measures or metrics in"
              + " braces, such as {orders.count}");
        }
      }
      case RATIO -> {
        if (m.numerator() != null) {
          resolveAggregate(model, what + ": numerator", "'" + m.numerator() + "'",
              m.numerator(), m.origin().of("numerator"));
        }
        if (m.denominator() != null) {
          resolveAggregate(model, what + ": denominator", "'" + m.denominator() + "'",
              m.denominator(), m.origin().of("denominator"));
        }
      }
      case CUMULATIVE -> checkCumulative(model, m, what);
    }
  }

  private void checkCumulative(Model model, Metric m, String what) {
    Member measure = null;
    if (m.measure() != null) {
      SourcePosition at = m.origin().of("measure");
      measure = resolve(model, what + ": measure", "'" + m.measure() + "'", m.measure(), at);
      if (measure != null && measure.kind() != MemberKind.MEASURE) {
        error(at, what + ": measure '" + measure.path() + "' is a " + kindName(measure)
            + "; a cumulative metric needs a measure with agg sum or count");
        measure = null;
      } else if (measure != null && !measure.measure().agg().additive()) {
        error(at, what + ": measure '" + measure.path() + "' has agg "
            + measure.measure().agg().name().toLowerCase(java.util.Locale.ROOT)
            + "; a cumulative metric can only add up a measure with agg sum or count");
        measure = null;
      }
    }
    if (m.timeDimension() != null) {
      SourcePosition at = m.origin().of("time_dimension");
      Member time = resolve(model, what + ": time_dimension", "'" + m.timeDimension() + "'",
          m.timeDimension(), at);
      if (time == null) {
        return;
      }
      if (time.kind() != MemberKind.DIMENSION) {
        error(at, what + ": time_dimension '" + time.path() + "' is a " + kindName(time)
            + ", not a dimension; a cumulative metric needs a dimension of type time");
      } else if (time.dimension().type() != DimensionType.TIME) {
        error(at, what + ": time_dimension '" + time.path() + "' is a dimension of type "
            + time.dimension().type().name().toLowerCase(java.util.Locale.ROOT)
            + ", not time; a cumulative metric needs a dimension of type time");
      } else if (measure != null) {
        JoinGraph.PathResult p = graph.path(measure.model().name(), time.model().name());
        if (!p.found()) {
          error(at, what + ": time_dimension '" + time.path() + "' cannot be joined to measure '"
              + measure.path() + "': " + p.problem() + "; " + pathHint(p));
        }
      }
    }
  }

  // ---------------------------------------------------------------- rollups

  /**
   * A rollup must be able to answer its queries exactly: its members exist and are reachable
   * from the model; its measures are stored as parts that re-aggregate exactly (sums and
   * counts add up, mins and maxes combine, an avg is kept as a sum and a count, a
   * {@code number} measure or ratio/derived metric as its bases; a distinct count cannot be
   * combined, which the matcher enforces by serving it only at the rollup's own grain); a
   * cumulative metric runs over the rollup's time dimension; partitions hold whole periods of
   * the granularity; ranges, refresh and time zone are well-formed.
   */
  private void checkRollups(Model model, String where) {
    Map<String, Rollup> seen = new HashMap<>();
    for (Rollup r : model.rollups()) {
      Rollup first = seen.putIfAbsent(r.name(), r);
      if (first != null) {
        error(r.origin().of("name"), "duplicate rollup '" + r.name() + "' in " + where
            + ": already defined at " + first.origin().of("name")
            + "; rollup names must be unique within a model");
        continue;
      }
      checkRollup(model, r);
    }
  }

  private void checkRollup(Model model, Rollup r) {
    String what = "rollup '" + path(model, r.name()) + "'";
    Origin o = r.origin();
    Member time = null;
    if (r.timeDimension() != null) {
      SourcePosition at = o.of("time_dimension");
      time = rollupMember(model, what + ": time_dimension", r.timeDimension(), at);
      if (time != null && (time.kind() != MemberKind.DIMENSION
          || time.dimension().type() != DimensionType.TIME)) {
        error(at, what + ": time_dimension '" + time.path() + "' is "
            + (time.kind() == MemberKind.DIMENSION ? "a dimension of type "
                + time.dimension().type().name().toLowerCase(java.util.Locale.ROOT)
                : "a " + kindName(time)) + ", not a dimension of type time");
        time = null;
      }
      if (r.granularity() == null && !o.fields().containsKey("granularity")) {
        error(at, what + ": time_dimension needs a granularity (day, week, month...) to group"
            + " it by");
      }
    } else {
      for (String field : List.of("granularity", "partition_by", "build_range")) {
        if (o.fields().containsKey(field)) {
          error(o.of(field), what + ": " + field + " needs a time_dimension");
        }
      }
    }
    if (r.partitionBy() != null && r.granularity() != null
        && !r.granularity().rollsUpTo(r.partitionBy())) {
      error(o.of("partition_by"), what + ": partition_by " + r.partitionBy().lowerName()
          + (r.partitionBy().ordinal() < r.granularity().ordinal()
              ? " is finer than granularity " + r.granularity().lowerName()
                  + "; a partition must hold whole " + r.granularity().lowerName() + "s"
              : " does not hold whole weeks (granularity week): weeks cross "
                  + r.partitionBy().lowerName() + " boundaries"));
    }
    Set<String> dims = new HashSet<>();
    if (time != null) {
      dims.add(time.path());
    }
    for (int i = 0; i < r.dimensions().size(); i++) {
      SourcePosition at = o.of("dimensions[" + i + "]");
      Member d = rollupMember(model, what + ": dimension", r.dimensions().get(i), at);
      if (d == null) {
        continue;
      }
      if (d.kind() != MemberKind.DIMENSION) {
        error(at, what + ": '" + d.path() + "' is a " + kindName(d) + ", not a dimension; "
            + (d.aggregated() ? "list it under measures" : "list it under segments"));
      } else if (!dims.add(d.path())) {
        error(at, what + ": dimension '" + d.path() + "' is listed twice"
            + (time != null && d.path().equals(time.path()) ? " (it is the time_dimension)" : ""));
      }
    }
    Set<String> measures = new HashSet<>();
    for (int i = 0; i < r.measures().size(); i++) {
      SourcePosition at = o.of("measures[" + i + "]");
      Member m = rollupMember(model, what + ": measure", r.measures().get(i), at);
      if (m == null) {
        continue;
      }
      if (!m.aggregated()) {
        error(at, what + ": '" + m.path() + "' is a " + kindName(m) + ", not a measure; list it"
            + " under " + (m.kind() == MemberKind.DIMENSION ? "dimensions" : "segments"));
      } else if (!measures.add(m.path())) {
        error(at, what + ": measure '" + m.path() + "' is listed twice");
      } else {
        String problem = rebuildProblem(m, r, time, dims, new HashSet<>());
        if (problem != null) {
          error(at, what + ": " + problem);
        }
      }
    }
    if (r.measures().isEmpty() && o.fields().containsKey("measures")) {
      error(o.of("measures"), what + ": measures is empty; a rollup stores at least one measure");
    }
    Set<String> segments = new HashSet<>();
    for (int i = 0; i < r.segments().size(); i++) {
      SourcePosition at = o.of("segments[" + i + "]");
      Member s = rollupMember(model, what + ": segment", r.segments().get(i), at);
      if (s == null) {
        continue;
      }
      if (s.kind() != MemberKind.SEGMENT) {
        error(at, what + ": '" + s.path() + "' is a " + kindName(s) + ", not a segment");
      } else if (!segments.add(s.path())) {
        error(at, what + ": segment '" + s.path() + "' is listed twice");
      }
    }
    if (r.timezone() != null) {
      try {
        java.time.ZoneId.of(r.timezone().trim());
      } catch (java.time.DateTimeException e) {
        error(o.of("timezone"), what + ": unknown time zone '" + r.timezone()
            + "' (use an IANA name such as Europe/Paris)");
      }
    }
    if (r.buildRange() != null) {
      checkBuildRange(r.buildRange(), what);
    }
    if (r.refresh() != null) {
      Rollup.RollupRefresh f = r.refresh();
      if (f.sql() != null) {
        parseQuery(f.sql(), f.origin().of("sql"), what + ": refresh sql");
      }
      if (f.updateWindow() != null && r.partitionBy() == null) {
        error(f.origin().of("update_window"), what + ": update_window needs partition_by; an"
            + " unpartitioned rollup is always rebuilt whole");
      }
    }
  }

  private void checkBuildRange(Rollup.BuildRange b, String what) {
    Origin o = b.origin();
    java.time.LocalDate start = date(b.start(), o.of("start"), what + ": build_range start");
    java.time.LocalDate end = date(b.end(), o.of("end"), what + ": build_range end");
    if (start != null && end != null && end.isBefore(start)) {
      error(o.of("end"), what + ": build_range ends (" + b.end() + ") before it starts ("
          + b.start() + ")");
    }
    if (b.relative() != null) {
      try {
        io.strata.semantic.compile.DateRanges.relative(b.relative(), java.time.LocalDate.now());
      } catch (IllegalArgumentException e) {
        error(o.of("relative"), what + ": build_range " + e.getMessage());
      }
    }
    if (b.sql() != null) {
      parseQuery(b.sql(), o.of("sql"), what + ": build_range sql");
    }
  }

  private java.time.LocalDate date(String text, SourcePosition at, String what) {
    if (text == null) {
      return null;
    }
    try {
      return java.time.LocalDate.parse(text.trim());
    } catch (java.time.format.DateTimeParseException e) {
      error(at, what + " '" + text + "' is not a date (YYYY-MM-DD)");
      return null;
    }
  }

  /** A member a rollup names, reachable from its model; reported and null when not. */
  private Member rollupMember(Model model, String what, String ref, SourcePosition at) {
    Member m = resolve(model, what, "'" + ref + "'", ref, at);
    if (m != null) {
      JoinGraph.PathResult p = model.name().equals(m.model().name()) ? null
          : graph.path(model.name(), m.model().name());
      if (p != null && !p.found()) {
        error(at, what + " '" + ref + "' is out of reach: " + p.problem() + "; " + pathHint(p));
        return null;
      }
    }
    return m;
  }

  /**
   * Why a measure or metric cannot be kept in a rollup, or null when it can: every base it
   * needs is a plain measure (avg and distinct counts included, see the class comment), and a
   * cumulative metric's time dimension is the rollup's time dimension or one of its dimensions.
   */
  private String rebuildProblem(Member m, Rollup r, Member time, Set<String> dims,
      Set<String> visiting) {
    if (!visiting.add(m.path())) {
      return null; // a cycle, reported elsewhere
    }
    if (m.kind() == MemberKind.MEASURE && m.measure().agg() != Aggregation.NUMBER) {
      return null;
    }
    List<String> refs = new ArrayList<>();
    if (m.kind() == MemberKind.MEASURE) {
      refs.addAll(SqlExpressions.braceReferences(m.measure().expr() == null ? ""
          : m.measure().expr()));
    } else {
      Metric metric = m.metric();
      switch (metric.type()) {
        case DERIVED -> refs.addAll(SqlExpressions.braceReferences(
            metric.expr() == null ? "" : metric.expr()));
        case RATIO -> {
          refs.add(metric.numerator());
          refs.add(metric.denominator());
        }
        case CUMULATIVE -> {
          refs.add(metric.measure());
          Member t = metric.timeDimension() == null ? null
              : reference(m.model(), metric.timeDimension());
          if (t != null && !dims.contains(t.path())) {
            return "cumulative metric '" + m.path() + "' runs over " + t.path()
                + ", which is not the rollup's time_dimension"
                + (time == null ? " (it has none)" : " (" + time.path() + ")")
                + "; a rollup can only rebuild it over its own time column";
          }
          Member base = metric.measure() == null ? null : reference(m.model(), metric.measure());
          if (base != null && (base.kind() != MemberKind.MEASURE
              || !base.measure().agg().additive())) {
            return "cumulative metric '" + m.path() + "' adds up " + base.path()
                + ", which is not a measure with agg sum or count";
          }
        }
      }
    }
    for (String ref : refs) {
      Member base = ref == null ? null : reference(m.model(), ref);
      if (base == null) {
        continue; // unknown references are reported with the member itself
      }
      String problem = rebuildProblem(base, r, time, dims, visiting);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  /** A reference written in {@code owner}, resolved quietly (null when unknown). */
  private Member reference(Model owner, String ref) {
    String name = ref.trim();
    Model target = owner;
    int dot = name.indexOf('.');
    if (dot >= 0) {
      target = models.get(name.substring(0, dot));
      name = name.substring(dot + 1);
    }
    return target == null ? null : SemanticCatalog.member(target, name).orElse(null);
  }

  // ---------------------------------------------------------------- references

  /**
   * Resolves a reference to a member: {@code model.member}, or {@code member} of {@code model}.
   * Reports and returns null when there is no such member.
   */
  private Member resolve(Model model, String what, String shown, String ref, SourcePosition at) {
    String owner = model.name();
    String name = ref.trim();
    int dot = name.indexOf('.');
    if (dot >= 0) {
      owner = name.substring(0, dot);
      name = name.substring(dot + 1);
    }
    Model target = models.get(owner);
    if (target == null) {
      error(at, what + " " + shown + " refers to unknown model '" + owner + "'"
          + suggestion(owner, models.keySet(), "models"));
      return null;
    }
    var member = SemanticCatalog.member(target, name);
    if (member.isEmpty()) {
      List<String> names = SemanticCatalog.members(target).stream().map(Member::name).toList();
      error(at, what + " " + shown + " is not a member of model '" + owner + "'"
          + suggestion(name, names, null));
      return null;
    }
    return member.get();
  }

  /** Resolves a reference that must be a measure or metric reachable from {@code model}. */
  private Member resolveAggregate(Model model, String what, String shown, String ref,
      SourcePosition at) {
    Member member = resolve(model, what, shown, ref, at);
    if (member == null) {
      return null;
    }
    if (!member.aggregated()) {
      error(at, what + " " + shown + " is a " + kindName(member)
          + "; only measures and metrics can be used here");
      return null;
    }
    checkPath(model.name(), member.model().name(), at, what + " " + shown);
    return member;
  }

  private void checkPath(String from, String to, SourcePosition at, String what) {
    if (from.equals(to)) {
      return;
    }
    JoinGraph.PathResult p = graph.path(from, to);
    if (!p.found()) {
      error(at, what + " is out of reach: " + p.problem() + "; " + pathHint(p));
    }
  }

  private static String pathHint(JoinGraph.PathResult p) {
    return p.problem().startsWith("ambiguous")
        ? "declare a direct join or remove one of the joins so that one path remains"
        : "declare a join between the models";
  }

  private static String kindName(Member m) {
    return m.kind().name().toLowerCase(java.util.Locale.ROOT);
  }

  // ---------------------------------------------------------------- cycles

  /** A derived node: a number measure, or a derived or ratio metric. */
  private record Ref(String target, SourcePosition at) {}

  private void checkCycles() {
    Map<String, List<Ref>> edges = new LinkedHashMap<>();
    Map<String, Boolean> isMeasure = new HashMap<>();
    for (Model model : models.values()) {
      Set<String> seen = new HashSet<>();
      for (Measure m : model.measures()) {
        if (m.agg() == Aggregation.NUMBER && m.expr() != null && seen.add(m.name())) {
          edges.put(path(model, m.name()), braceRefs(model, m.expr(), m.origin().of("expr")));
          isMeasure.put(path(model, m.name()), true);
        } else {
          seen.add(m.name());
        }
      }
      for (Metric m : model.metrics()) {
        if (!seen.add(m.name())) {
          continue;
        }
        List<Ref> refs = new ArrayList<>();
        if (m.type() == MetricType.DERIVED && m.expr() != null) {
          refs = braceRefs(model, m.expr(), m.origin().of("expr"));
        } else if (m.type() == MetricType.RATIO) {
          if (m.numerator() != null) {
            refs.add(new Ref(qualify(model, m.numerator()), m.origin().of("numerator")));
          }
          if (m.denominator() != null) {
            refs.add(new Ref(qualify(model, m.denominator()), m.origin().of("denominator")));
          }
        } else {
          continue;
        }
        edges.put(path(model, m.name()), refs);
        isMeasure.put(path(model, m.name()), false);
      }
    }
    Map<String, Integer> state = new HashMap<>(); // 1 on stack, 2 done
    List<String> stack = new ArrayList<>();
    for (String node : edges.keySet()) {
      visit(node, edges, isMeasure, state, stack);
    }
  }

  private void visit(String node, Map<String, List<Ref>> edges, Map<String, Boolean> isMeasure,
      Map<String, Integer> state, List<String> stack) {
    if (state.containsKey(node)) {
      return;
    }
    state.put(node, 1);
    stack.add(node);
    for (Ref r : edges.get(node)) {
      if (!edges.containsKey(r.target())) {
        continue; // a plain measure, or an unknown member reported elsewhere
      }
      Integer s = state.get(r.target());
      if (s == null) {
        visit(r.target(), edges, isMeasure, state, stack);
      } else if (s == 1) {
        List<String> cycle = new ArrayList<>(stack.subList(stack.indexOf(r.target()),
            stack.size()));
        cycle.add(r.target());
        boolean measures = cycle.stream().allMatch(isMeasure::get);
        // Report at the reference that closes the cycle, in the member that starts it.
        String start = cycle.get(0);
        String next = cycle.get(1);
        SourcePosition at = edges.get(start).stream().filter(x -> x.target().equals(next))
            .findFirst().map(Ref::at).orElse(r.at());
        if (!reportedCycles.add(String.join(" -> ", cycle))) {
          continue; // the same cycle through a second reference
        }
        error(at, "cycle among derived " + (measures ? "measures" : "measures and metrics")
            + ": " + String.join(" -> ", cycle) + "; a measure cannot depend on itself");
      }
    }
    stack.remove(stack.size() - 1);
    state.put(node, 2);
  }

  private List<Ref> braceRefs(Model model, String text, SourcePosition at) {
    List<Ref> refs = new ArrayList<>();
    Matcher r = BRACE.matcher(text);
    while (r.find()) {
      refs.add(new Ref(qualify(model, r.group(1)), offset(at, text, r.start())));
    }
    return refs;
  }

  private static String qualify(Model model, String ref) {
    String t = ref.trim();
    return t.contains(".") ? t : model.name() + "." + t;
  }

  // ---------------------------------------------------------------- views

  private void checkView(View view) {
    String where = "view '" + view.name() + "'";
    record Column(String name, ViewMember entry) {}
    Map<String, Column> columns = new LinkedHashMap<>();
    String first = null;
    Set<String> pathChecked = new HashSet<>();
    for (ViewMember vm : view.members()) {
      SourcePosition at = vm.origin().of("member");
      String member = vm.member().trim();
      int dot = member.indexOf('.');
      if (dot <= 0 || dot == member.length() - 1 || member.indexOf('.', dot + 1) >= 0) {
        error(at, where + ": member '" + member + "' must be written 'model.member' or 'model.*'");
        continue;
      }
      String modelName = member.substring(0, dot);
      String memberName = member.substring(dot + 1);
      boolean wildcard = memberName.equals("*");
      if (vm.alias() != null && vm.prefix() != null) {
        error(vm.origin().of("prefix"), where + ": '" + member
            + "' has both alias and prefix; give one");
      }
      if (vm.alias() != null && wildcard) {
        error(vm.origin().of("alias"), where + ": alias '" + vm.alias() + "' cannot be used with '"
            + member + "', which yields several columns; use prefix instead");
      }
      Model model = models.get(modelName);
      if (model == null) {
        error(at, where + ": unknown model '" + modelName + "' in '" + member + "'"
            + suggestion(modelName, models.keySet(), "models"));
        continue;
      }
      List<Member> yielded = new ArrayList<>();
      if (wildcard) {
        yielded.addAll(SemanticCatalog.members(model));
      } else {
        var m = SemanticCatalog.member(model, memberName);
        if (m.isEmpty()) {
          List<String> names = SemanticCatalog.members(model).stream().map(Member::name).toList();
          error(at, where + ": model '" + modelName + "' has no member '" + memberName + "'"
              + suggestion(memberName, names, null));
          continue;
        }
        yielded.add(m.get());
      }
      // Join paths from the view's first model.
      if (first == null) {
        first = modelName;
      } else if (pathChecked.add(modelName) && !modelName.equals(first)) {
        JoinGraph.PathResult p = graph.path(first, modelName);
        if (!p.found()) {
          error(at, where + ": model '" + modelName + "' cannot be joined to the view's first"
              + " model '" + first + "': " + p.problem() + "; " + pathHint(p));
        }
      }
      // Column names.
      String prefix = vm.prefix() == null ? "" : vm.prefix();
      Map<ViewMember, List<String>> clashes = new LinkedHashMap<>();
      Set<String> seenHere = new HashSet<>();
      for (Member m : yielded) {
        String column = !wildcard && vm.alias() != null ? vm.alias() : prefix + m.name();
        if (!seenHere.add(column)) {
          continue;
        }
        Column earlier = columns.putIfAbsent(column, new Column(column, vm));
        if (earlier != null) {
          clashes.computeIfAbsent(earlier.entry(), k -> new ArrayList<>()).add(column);
        }
      }
      clashes.forEach((earlier, names) -> error(at, where + ": "
          + (names.size() == 1 ? "column '" + names.get(0) + "' from '" + member
              + "' clashes with the column of the same name"
              : "columns " + quoted(names) + " from '" + member
                  + "' clash with the columns of the same names")
          + " from '" + earlier.member() + "' (" + earlier.origin().of("member")
          + "); rename with prefix or alias"));
    }
  }

  private static String quoted(Collection<String> names) {
    return String.join(", ", names.stream().map(n -> "'" + n + "'").toList());
  }

  // ---------------------------------------------------------------- SQL

  private boolean parseExpression(String text, SourcePosition at, String what) {
    try {
      SqlExpressions.parseExpression(text);
      return true;
    } catch (SqlExpressions.ParseError e) {
      error(e.in(at), what + " is not a valid SQL expression: " + e.getMessage());
      return false;
    }
  }

  private void parseQuery(String text, SourcePosition at, String what) {
    try {
      String forbidden = SqlExpressions.forbiddenCall(SqlExpressions.parseQuery(text));
      if (forbidden != null) {
        error(at, what + " calls " + forbidden + "(), which changes the warehouse's own state or"
            + " files rather than reading data; a model's SQL may only read data");
      }
    } catch (SqlExpressions.ParseError e) {
      error(e.in(at), what + " is not a valid SQL query: " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- helpers

  private static String path(Model model, String member) {
    return model.name() + "." + member;
  }

  /** The position of {@code index} within {@code text}, which starts at {@code start}. */
  private static SourcePosition offset(SourcePosition start, String text, int index) {
    int line = 0;
    int lineStart = 0;
    for (int i = 0; i < index; i++) {
      if (text.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    if (line == 0) {
      return start.plusColumns(index);
    }
    // Later lines come from a block scalar, whose lines share the first line's indentation.
    return new SourcePosition(start.file(), start.line() + line,
        start.column() + index - lineStart);
  }

  /**
   * " (did you mean 'x'?)" for a close name, else " (known <what>: a, b, c)" when {@code what}
   * is given and there are few names, else "".
   */
  private static String suggestion(String wrong, Collection<String> names, String what) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String n : names) {
      int d = distance(wrong.toLowerCase(java.util.Locale.ROOT),
          n.toLowerCase(java.util.Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = n;
      }
    }
    if (best != null && bestDistance <= Math.max(1, Math.min(2, (wrong.length() + 1) / 3))) {
      return " (did you mean '" + best + "'?)";
    }
    if (what != null && !names.isEmpty() && names.size() <= 12) {
      return " (" + what + ": " + String.join(", ", names) + ")";
    }
    return "";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
