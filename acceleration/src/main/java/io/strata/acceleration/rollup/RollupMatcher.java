package io.strata.acceleration.rollup;

import io.strata.acceleration.rollup.MatchResult.Matched;
import io.strata.acceleration.rollup.MatchResult.Rejection;
import io.strata.semantic.compile.DateRanges;
import io.strata.semantic.dialect.Dialect;
import io.strata.semantic.model.Aggregation;
import io.strata.semantic.model.Granularity;
import io.strata.semantic.model.Member;
import io.strata.semantic.model.MemberKind;
import io.strata.semantic.model.MetricType;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.model.Window;
import io.strata.semantic.query.DateRange;
import io.strata.semantic.query.Filter;
import io.strata.semantic.query.FilterOperator;
import io.strata.semantic.query.SemanticQuery;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Decides, for one query, which rollup can answer it and rewrites it over that rollup's
 * synthetic model; or says, for each candidate, the first reason it cannot. A query is resolved
 * once ({@link Resolved}), then checked against each candidate in the order the reasons are
 * documented in {@link Rollups#match}.
 */
final class RollupMatcher {
  private final SemanticCatalog catalog;
  private final SyntheticCache synthetic;

  /** Synthetic catalogs by rollup and built relation, kept while the rollup version serves. */
  interface SyntheticCache {
    SemanticCatalog get(RollupPlan plan, RollupAvailability.Built built, boolean ungrouped);
  }

  RollupMatcher(SemanticCatalog catalog, SyntheticCache synthetic) {
    this.catalog = catalog;
    this.synthetic = synthetic;
  }

  // ------------------------------------------------------------------ the query, resolved

  record Dim(String requested, Member member, Granularity granularity) {}

  record Range(Member member, LocalDateTime from, LocalDateTime until) {}

  record Condition(Member member, FilterOperator operator, List<String> values) {}

  /** The query's members resolved against the model catalog. */
  static final class Resolved {
    final List<Member> measures = new ArrayList<>();
    final List<Member> measureFilterMembers = new ArrayList<>();
    final List<Dim> dims = new ArrayList<>();
    final List<Range> ranges = new ArrayList<>();
    final List<Condition> conditions = new ArrayList<>();
    /** Conditions every row must meet (top level, or in a top-level and). */
    final List<Condition> required = new ArrayList<>();
    final List<Member> segments = new ArrayList<>();
    /** Base measures the query aggregates, by path. */
    final Map<String, Member> bases = new LinkedHashMap<>();
    final List<Member> cumulatives = new ArrayList<>();
    ZoneId zone;
  }

  /** Null when some member does not resolve: then the compiler reports the query's error. */
  Resolved resolve(SemanticQuery q, ZoneId zone, LocalDate today) {
    Resolved r = new Resolved();
    r.zone = zone;
    try {
      for (String d : q.dimensions()) {
        Optional<Member> m = catalog.resolve(d);
        if (m.isEmpty() && d.chars().filter(c -> c == '.').count() == 2) {
          String head = d.substring(0, d.lastIndexOf('.'));
          Granularity g = Granularity.parse(d.substring(d.lastIndexOf('.') + 1));
          Optional<Member> h = catalog.resolve(head);
          if (g == null || h.isEmpty()) {
            return null;
          }
          r.dims.add(new Dim(head, h.get(), g));
          continue;
        }
        r.dims.add(new Dim(d, m.orElseThrow(), null));
      }
      for (SemanticQuery.TimeDimension td : q.timeDimensions()) {
        Member m = catalog.resolve(td.dimension()).orElseThrow();
        if (td.dateRange() != null) {
          DateRanges.Interval i = DateRanges.interval(td.dateRange(), today);
          r.ranges.add(new Range(m, i.from(), i.until()));
        }
        if (td.granularity() != null) {
          r.dims.add(new Dim(td.dimension(), m, Granularity.parse(td.granularity())));
        }
      }
      for (String s : q.measures()) {
        r.measures.add(catalog.resolve(s).orElseThrow());
      }
      for (String s : q.segments()) {
        r.segments.add(catalog.resolve(s).orElseThrow());
      }
      for (Filter f : q.filters()) {
        flatten(f, r);
        required(f, r);
      }
      List<Member> aggregated = new ArrayList<>(r.measures);
      aggregated.addAll(r.measureFilterMembers);
      for (Member m : aggregated) {
        r.bases.putAll(Members.bases(catalog, m));
        for (Member c : Members.cumulatives(catalog, m)) {
          if (r.cumulatives.stream().noneMatch(x -> x.path().equals(c.path()))) {
            r.cumulatives.add(c);
          }
        }
      }
    } catch (RuntimeException e) {
      return null; // NoSuchElement, a bad date range, an unknown reference: the compiler says
    }
    return r;
  }

  private void flatten(Filter f, Resolved r) {
    if (f instanceof Filter.Condition c) {
      Member m = catalog.resolve(c.member()).orElseThrow();
      if (m.aggregated()) {
        r.measureFilterMembers.add(m);
      } else {
        r.conditions.add(new Condition(m, c.operator(), c.values()));
      }
    } else if (f instanceof Filter.And a) {
      a.filters().forEach(x -> flatten(x, r));
    } else if (f instanceof Filter.Or o) {
      o.filters().forEach(x -> flatten(x, r));
    }
  }

  private void required(Filter f, Resolved r) {
    if (f instanceof Filter.Condition c) {
      Member m = catalog.resolve(c.member()).orElseThrow();
      if (!m.aggregated()) {
        r.required.add(new Condition(m, c.operator(), c.values()));
      }
    } else if (f instanceof Filter.And a) {
      a.filters().forEach(x -> required(x, r));
    }
  }

  // ------------------------------------------------------------------ matching

  /** A candidate that can answer: its plan, built state and the span the query reads. */
  private record Candidate(RollupPlan plan, RollupAvailability.Built built, int order) {}

  MatchResult match(SemanticQuery q, Resolved r, List<RollupPlan> plans,
      RollupAvailability availability, Function<String, Dialect> dialects) {
    Set<String> models = new LinkedHashSet<>();
    r.measures.forEach(m -> models.add(m.model().name()));
    r.dims.forEach(d -> models.add(d.member().model().name()));
    r.ranges.forEach(x -> models.add(x.member().model().name()));
    r.bases.values().forEach(b -> models.add(b.model().name()));
    List<Rejection> rejections = new ArrayList<>();
    List<Candidate> ok = new ArrayList<>();
    for (int i = 0; i < plans.size(); i++) {
      RollupPlan p = plans.get(i);
      // Candidates: rollups of the models the query reads, and rollups storing their measures.
      if (!models.contains(p.model.name()) && p.leafModels.stream().noneMatch(models::contains)) {
        continue;
      }
      String problem = structure(r, p);
      RollupAvailability.Built built = null;
      if (problem == null) {
        Optional<RollupAvailability.Built> b = availability.built(p.model.name(),
            p.rollup.name());
        if (b.isEmpty()) {
          problem = "rollup " + p.id() + " is not built yet";
        } else {
          built = b.get();
          problem = coverage(r, p, built);
        }
      }
      if (problem == null && dialects != null) {
        problem = exactness(r, p, built, dialects);
      }
      if (problem == null) {
        problem = duplicateNames(q, r, p);
      }
      if (problem != null) {
        rejections.add(new Rejection(p.id(), problem));
      } else {
        ok.add(new Candidate(p, built, i));
      }
    }
    if (ok.isEmpty()) {
      return new MatchResult.NotMatched(rejections);
    }
    Candidate best = ok.stream().min(Comparator
        .comparingInt((Candidate c) -> c.plan().dimensions.size() + (c.plan().time != null ? 1 : 0))
        .thenComparing(c -> c.plan().grain == null ? -1 : -c.plan().grain.ordinal())
        .thenComparingInt(Candidate::order)).orElseThrow();
    return rewrite(q, r, best.plan(), best.built());
  }

  /** The first structural reason rollup {@code p} cannot answer the query, or null. */
  private String structure(Resolved r, RollupPlan p) {
    String id = p.id();
    // Measures (and measure filters): every base stored.
    List<Member> aggregated = new ArrayList<>(r.measures);
    aggregated.addAll(r.measureFilterMembers);
    for (Member m : aggregated) {
      for (Member b : Members.bases(catalog, m).values()) {
        if (!p.bases.containsKey(b.path())) {
          return b.path().equals(m.path()) ? m.path() + " is not in rollup " + id
              : m.path() + " needs " + b.path() + ", which is not in rollup " + id;
        }
      }
    }
    for (Member c : r.cumulatives) {
      Member t = Members.reference(catalog, c.model(), c.metric().timeDimension()).orElseThrow();
      if (!isTime(p, t) && !p.dimensions.containsKey(t.path())) {
        return "cumulative metric " + c.path() + " runs over " + t.path()
            + ", which is not in rollup " + id;
      }
    }
    // The rows: the rollup's come from the models its measures aggregate.
    Set<String> leaves = new TreeSet<>();
    r.bases.values().forEach(b -> leaves.add(b.model().name()));
    if (r.bases.isEmpty() && !r.dims.isEmpty()) {
      leaves.add(r.dims.get(0).member().model().name());
    }
    if (!leaves.equals(new TreeSet<>(p.leafModels))) {
      return "rollup " + id + "'s rows are those of " + String.join(" and ", new TreeSet<>(p.leafModels))
          + (r.bases.isEmpty() ? ", and a query without measures lists those of "
              : ", and the query's measures aggregate those of ") + String.join(" and ", leaves);
    }
    // Dimensions and grain.
    for (Dim d : r.dims) {
      Member m = d.member();
      if (isTime(p, m)) {
        if (d.granularity() == null) {
          return m.path() + " without a granularity is finer than rollup " + id + "'s "
              + p.grain.lowerName();
        }
        if (!p.grain.rollsUpTo(d.granularity())) {
          return d.granularity().ordinal() < p.grain.ordinal()
              ? "granularity " + d.granularity().lowerName() + " is finer than rollup " + id
                  + "'s " + p.grain.lowerName()
              : "granularity " + d.granularity().lowerName() + " cannot be built from rollup "
                  + id + "'s weeks, which cross " + d.granularity().lowerName() + " boundaries";
        }
      } else if (!p.dimensions.containsKey(m.path())) {
        return m.path() + " is not in rollup " + id;
      }
    }
    for (Range x : r.ranges) {
      if (!isTime(p, x.member()) && !p.dimensions.containsKey(x.member().path())) {
        return "date range on " + x.member().path() + " needs it in rollup " + id;
      }
    }
    // Filters on dimensions.
    for (Condition c : r.conditions) {
      if (c.member().kind() != MemberKind.DIMENSION) {
        continue; // a segment in filters: the compiler refuses the query
      }
      if (isTime(p, c.member())) {
        String problem = timeFilter(c, p);
        if (problem != null) {
          return problem;
        }
      } else if (!p.dimensions.containsKey(c.member().path())) {
        return "filter on " + c.member().path() + " needs it as a dimension of rollup " + id;
      }
    }
    // Segments: the rollup's rows are those of exactly its segments.
    Set<String> querySegments = new LinkedHashSet<>();
    r.segments.forEach(s -> querySegments.add(s.path()));
    for (String s : querySegments) {
      if (!p.segments.containsKey(s)) {
        return "segment " + s + " is not in rollup " + id;
      }
    }
    for (String s : p.segments.keySet()) {
      if (!querySegments.contains(s)) {
        return "rollup " + id + " holds only the rows of segment " + s
            + ", which the query does not apply";
      }
    }
    // Distinct counts: one stored row per result row.
    for (Member b : r.bases.values()) {
      if (!RollupPlan.combinable(b) && !exactGrain(r, p)) {
        return "measure " + b.path() + " ("
            + b.measure().agg().name().toLowerCase(Locale.ROOT)
            + ") needs exactly the rollup's dimensions and grain: distinct counts cannot be"
            + " added up";
      }
    }
    // A row reached through a one-to-many join is in several stored groups.
    boolean adds = r.bases.values().stream().anyMatch(b -> switch (b.measure().agg()) {
      case MIN, MAX -> false;
      default -> true;
    });
    if (adds) {
      for (String f : p.fanOutDimensions) {
        boolean kept = p.time != null && p.time.path().equals(f)
            ? r.dims.stream().anyMatch(d -> d.member().path().equals(f)
                && d.granularity() == p.grain)
            : r.dims.stream().anyMatch(d -> d.member().path().equals(f)
                && d.granularity() == null);
        if (!kept) {
          return "the query must group by " + f + (p.time != null && p.time.path().equals(f)
              ? " at " + p.grain.lowerName() : "") + ": rollup " + id + " reaches it through a"
              + " one-to-many join, so its groups would count a row once per " + f + " value";
        }
      }
    }
    // Time zone: stored periods start at midnight of the rollup's zone.
    ZoneId rz = p.layout.zone();
    if (!rz.normalized().equals(r.zone.normalized())) {
      return "time zone " + zoneName(r.zone) + " differs from rollup " + id + "'s "
          + zoneName(rz);
    }
    // Date ranges on the rollup's time dimension: whole stored periods.
    for (Range x : r.ranges) {
      if (isTime(p, x.member()) && (!Grains.onBoundary(x.from(), p.grain)
          || !Grains.onBoundary(x.until(), p.grain))) {
        return "date range " + Grains.show(x.from()) + ".." + Grains.show(x.until())
            + " is not on rollup " + id + "'s " + p.grain.lowerName() + " boundaries";
      }
    }
    return null;
  }

  private static String zoneName(ZoneId z) {
    return z.normalized().equals(java.time.ZoneOffset.UTC) ? "UTC" : z.getId();
  }

  private static boolean isTime(RollupPlan p, Member m) {
    return p.time != null && p.time.path().equals(m.path());
  }

  /** The query groups by exactly the rollup's dimensions and its time at its grain. */
  private static boolean exactGrain(Resolved r, RollupPlan p) {
    Set<String> plain = new LinkedHashSet<>();
    Set<Granularity> grains = new LinkedHashSet<>();
    for (Dim d : r.dims) {
      if (isTime(p, d.member())) {
        grains.add(d.granularity());
      } else if (d.granularity() != null) {
        return false;
      } else {
        plain.add(d.member().path());
      }
    }
    boolean time = p.time == null ? grains.isEmpty()
        : grains.size() == 1 && grains.contains(p.grain);
    return time && plain.equals(p.dimensions.keySet());
  }

  /**
   * Which filters on the time dimension stored rows can answer: those whose bounds are period
   * starts, compared as {@code >=} or {@code <}; {@code gt}, {@code lte} and {@code equals}
   * split a period.
   */
  private static String timeFilter(Condition c, RollupPlan p) {
    String id = p.id();
    List<LocalDateTime> bounds = new ArrayList<>();
    try {
      switch (c.operator()) {
        case SET, NOT_SET -> {
          return null;
        }
        case IN_DATE_RANGE, NOT_IN_DATE_RANGE -> {
          DateRanges.Interval i = DateRanges.interval(
              DateRange.of(c.values().get(0), c.values().get(1)), LocalDate.now());
          bounds.add(i.from());
          bounds.add(i.until());
        }
        case BEFORE_DATE, GTE, LT -> bounds.add(DateRanges.parse(c.values().get(0), false));
        case AFTER_DATE -> {
          if (!DateRanges.isDate(c.values().get(0))) {
            return unsplittable(c, p);
          }
          bounds.add(DateRanges.parse(c.values().get(0), true));
        }
        default -> {
          return unsplittable(c, p);
        }
      }
    } catch (RuntimeException e) {
      return "filter on " + c.member().path() + " has values the compiler refuses";
    }
    for (LocalDateTime b : bounds) {
      if (!Grains.onBoundary(b, p.grain)) {
        return "filter " + c.member().path() + " " + c.operator().jsonName() + " "
            + String.join(", ", c.values()) + " is not on rollup " + id + "'s "
            + p.grain.lowerName() + " boundaries";
      }
    }
    return null;
  }

  private static String unsplittable(Condition c, RollupPlan p) {
    return "filter " + c.member().path() + " " + c.operator().jsonName() + " cannot be answered"
        + " from rollup " + p.id() + "'s " + p.grain.lowerName() + " rows: use gte, lt,"
        + " beforeDate or a date range on " + p.grain.lowerName() + " boundaries";
  }

  /** The span of the time dimension the query reads, or null (unbounded) at either end. */
  private TimeSpan needed(Resolved r, RollupPlan p) {
    if (p.time == null) {
      return TimeSpan.ALL;
    }
    LocalDateTime from = null;
    LocalDateTime until = null;
    for (Range x : r.ranges) {
      if (isTime(p, x.member())) {
        from = from == null || x.from().isAfter(from) ? x.from() : from;
        until = until == null || x.until().isBefore(until) ? x.until() : until;
      }
    }
    // Time filters every row must meet narrow it further (an or does not).
    for (Condition c : r.required) {
      if (!isTime(p, c.member())) {
        continue;
      }
      LocalDateTime lower = null;
      LocalDateTime upper = null;
      try {
        switch (c.operator()) {
          case GTE -> lower = DateRanges.parse(c.values().get(0), false);
          case AFTER_DATE -> lower = DateRanges.parse(c.values().get(0), true);
          case LT, BEFORE_DATE -> upper = DateRanges.parse(c.values().get(0), false);
          case IN_DATE_RANGE -> {
            DateRanges.Interval i = DateRanges.interval(
                DateRange.of(c.values().get(0), c.values().get(1)), LocalDate.now());
            lower = i.from();
            upper = i.until();
          }
          default -> { }
        }
      } catch (RuntimeException e) {
        continue; // refused by the compiler
      }
      if (lower != null && (from == null || lower.isAfter(from))) {
        from = lower;
      }
      if (upper != null && (until == null || upper.isBefore(until))) {
        until = upper;
      }
    }
    if (from != null && !r.cumulatives.isEmpty()) {
      // As the compiler widens the range: the periods a window reaches back to, or all history.
      Granularity g = null;
      for (Dim d : r.dims) {
        if (isTime(p, d.member()) && d.granularity() != null) {
          g = d.granularity();
          break;
        }
      }
      LocalDateTime visible = g == null ? from : Grains.truncate(from, g);
      LocalDateTime widened = visible;
      for (Member c : r.cumulatives) {
        Window w = c.metric().window();
        if (w == null) {
          widened = null;
          break;
        }
        LocalDateTime f = switch (w.unit()) {
          case DAY -> visible.minusDays(w.count());
          case WEEK -> visible.minusWeeks(w.count());
          case MONTH -> visible.minusMonths(w.count());
          case QUARTER -> visible.minusMonths(3L * w.count());
          case YEAR -> visible.minusYears(w.count());
          default -> visible;
        };
        widened = f.isBefore(widened) ? f : widened;
      }
      from = widened == null ? null : Grains.truncate(widened, p.grain);
    }
    if (from != null && until != null && !until.isAfter(from)) {
      return null; // an empty range: nothing to read, the source answers instantly
    }
    return new TimeSpan(from, until);
  }

  /** Why the built partitions do not cover what the query reads, or null. */
  private String coverage(Resolved r, RollupPlan p, RollupAvailability.Built built) {
    TimeSpan need = needed(r, p);
    if (need == null) {
      return "the query's date range is empty";
    }
    TimeSpan have = built.span() == null ? TimeSpan.ALL : built.span();
    if (have.covers(need)) {
      return null;
    }
    String id = p.id();
    String time = p.time.path();
    if (need.from() == null && have.from() != null) {
      return "the query reads " + time + " from the first row ("
          + (r.cumulatives.isEmpty() ? "it has no date range" : "for a running total")
          + ") and rollup " + id + " is built only from " + Grains.show(have.from());
    }
    if (need.until() == null && have.until() != null) {
      return "the query reads " + time + " up to the latest row (it has no end date) and rollup "
          + id + " is built only until " + Grains.show(have.until());
    }
    Granularity by = p.rollup.partitionBy();
    if (by == null || need.from() == null || need.until() == null) {
      return "the query reads " + need + " of " + time + " and rollup " + id
          + " is built for " + have;
    }
    List<String> missing = new ArrayList<>();
    for (LocalDateTime t = Grains.truncate(need.from(), by); t.isBefore(need.until());
        t = Grains.next(t, by)) {
      if (!have.covers(new TimeSpan(t, Grains.next(t, by)))) {
        missing.add(Grains.key(t, by));
      }
    }
    String shown = missing.size() <= 6 ? String.join(", ", missing)
        : String.join(", ", missing.subList(0, 5)) + " and " + (missing.size() - 5) + " more";
    return (missing.size() == 1 ? "partition " : "partitions ") + shown + " of rollup " + id
        + (missing.size() == 1 ? " is" : " are") + " not built";
  }

  /**
   * Why the rollup's answer would not be the source's to the last digit, or null. Sums, counts,
   * minimums and maximums are exact anywhere (a sum of stored decimal sums is the decimal sum);
   * a quotient is exact only where the source's own engine divides the same exact operands:
   *
   * <ul>
   *   <li>A DuckDB source's {@code avg} is never rebuilt: DuckDB rounds its quotient through the
   *       platform's {@code long double} (80 bits on x86-64) from the sum's integer and the
   *       count times the input's scale, so the last bit depends on the input's declared width
   *       and the machine; no SQL over a stored sum and count repeats it (in double precision
   *       94 of 363 corpus averages differed in the last bit).
   *   <li>A division over a rollup stored in another engine (the {@code local} DuckDB store of
   *       a Postgres or MySQL model): Postgres picks each quotient's scale from its operands'
   *       digits and declared scales, MySQL from the declared scale plus
   *       {@code div_precision_increment}, and the local store keeps neither (it holds
   *       Postgres numerics as Decimal(38,16) and divides decimals in double precision). The
   *       {@code source} store divides in the source, exactly as the raw query does.
   * </ul>
   */
  private String exactness(Resolved r, RollupPlan p, RollupAvailability.Built built,
      Function<String, Dialect> dialects) {
    Dialect source = dialects.apply(p.model.dataSource());
    Dialect store = dialects.apply(built.dataSource());
    if (source == null || store == null) {
      return null; // unknown here: the compiler reports an unknown data source
    }
    List<Member> aggregated = new ArrayList<>(r.measures);
    aggregated.addAll(r.measureFilterMembers);
    for (Member m : aggregated) {
      if (source == Dialect.DUCKDB) {
        Member avg = Members.bases(catalog, m).values().stream()
            .filter(b -> b.measure().agg() == Aggregation.AVG).findFirst().orElse(null);
        if (avg != null) {
          return "cannot average exactly as duckdb does: " + (avg.path().equals(m.path())
              ? m.path() + " is an avg" : m.path() + " uses " + avg.path() + ", an avg")
              + ", which duckdb divides in extended precision (long double), and rollup "
              + p.id() + " can only divide its stored sum and count in double precision";
        }
      }
      if (source != store) {
        String division = division(m);
        if (division != null) {
          return "cannot divide exactly as " + source.id() + " does: " + division
              + ", and rollup " + p.id() + " is in the " + (store == Dialect.DUCKDB
                  ? "local (duckdb)" : store.id()) + " store, which does not divide decimals at " + source.id()
              + "'s scale (store: source divides in " + source.id() + ")";
        }
      }
    }
    return null;
  }

  /** {@code m} as a division: how it or a member it is computed from divides, or null. */
  private String division(Member m) {
    Member d = dividing(m, new ArrayList<>());
    if (d == null) {
      return null;
    }
    String how = Members.isBase(d) ? "is an avg"
        : d.kind() == MemberKind.METRIC && d.metric().type() == MetricType.RATIO ? "is a ratio"
        : "divides (" + expression(d).trim() + ")";
    return d.path().equals(m.path()) ? m.path() + " " + how
        : m.path() + " uses " + d.path() + ", which " + how;
  }

  /** The first member {@code m} is or is computed from that divides, or null. */
  private Member dividing(Member m, List<String> visiting) {
    if (Members.isBase(m)) {
      return m.measure().agg() == Aggregation.AVG ? m : null;
    }
    if (visiting.contains(m.path())) {
      return null; // a cycle; the validator refuses such models
    }
    visiting.add(m.path());
    if (m.kind() == MemberKind.METRIC && m.metric().type() == MetricType.RATIO) {
      return m;
    }
    String expr = expression(m);
    if (expr != null && expr.contains("/")) {
      return m;
    }
    for (Member ref : Members.references(catalog, m)) {
      Member d = dividing(ref, visiting);
      if (d != null) {
        return d;
      }
    }
    return null;
  }

  private static String expression(Member m) {
    return m.kind() == MemberKind.MEASURE ? m.measure().expr()
        : m.kind() == MemberKind.METRIC ? m.metric().expr() : null;
  }

  /** Two requested names for one member would become one column of the rewritten query. */
  private static String duplicateNames(SemanticQuery q, Resolved r, RollupPlan p) {
    Map<String, String> seen = new LinkedHashMap<>();
    for (int i = 0; i < q.measures().size(); i++) {
      String local = SyntheticModels.path(p, r.measures.get(i));
      String prev = seen.putIfAbsent(local, q.measures().get(i));
      if (prev != null && !prev.equals(q.measures().get(i))) {
        return "the query names " + r.measures.get(i).path() + " twice (as " + prev + " and "
            + q.measures().get(i) + ")";
      }
    }
    for (Dim d : r.dims) {
      String local = SyntheticModels.path(p, d.member()) + (d.granularity() == null ? ""
          : "." + d.granularity().lowerName());
      String prev = seen.putIfAbsent(local, d.requested());
      if (prev != null && !prev.equals(d.requested())) {
        return "the query names " + d.member().path() + " twice (as " + prev + " and "
            + d.requested() + ")";
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ rewriting

  private MatchResult rewrite(SemanticQuery q, Resolved r, RollupPlan p,
      RollupAvailability.Built built) {
    Map<String, String> members = new LinkedHashMap<>();
    List<String> measures = new ArrayList<>();
    for (int i = 0; i < q.measures().size(); i++) {
      String local = SyntheticModels.path(p, r.measures.get(i));
      measures.add(local);
      members.putIfAbsent(local, q.measures().get(i));
    }
    List<String> dimensions = new ArrayList<>();
    int next = 0;
    for (String d : q.dimensions()) {
      Dim dim = r.dims.get(next++);
      String local = SyntheticModels.path(p, dim.member());
      members.putIfAbsent(local, dim.requested());
      dimensions.add(dim.granularity() == null ? local
          : local + "." + dim.granularity().lowerName());
    }
    List<SemanticQuery.TimeDimension> times = new ArrayList<>();
    int range = 0;
    for (SemanticQuery.TimeDimension td : q.timeDimensions()) {
      Member m = catalog.resolve(td.dimension()).orElseThrow();
      String local = SyntheticModels.path(p, m);
      members.putIfAbsent(local, td.dimension());
      DateRange dr = null;
      if (td.dateRange() != null) {
        Range x = r.ranges.get(range++);
        // Resolved here: the rewritten query runs in UTC over local times, where "today"
        // could be another day than in the query's zone.
        dr = DateRange.of(Grains.text(x.from()), Grains.inclusiveEnd(x.until()));
      }
      times.add(new SemanticQuery.TimeDimension(local, td.granularity(), dr));
    }
    List<Filter> filters = new ArrayList<>();
    for (Filter f : q.filters()) {
      filters.add(rename(f, p));
    }
    List<SemanticQuery.Order> order = new ArrayList<>();
    for (SemanticQuery.Order o : q.order()) {
      order.add(new SemanticQuery.Order(renameOrder(o.member(), p), o.descending()));
    }
    // Stored times are already local to the rollup's (and so the query's) zone.
    SemanticQuery rewritten = new SemanticQuery(measures, dimensions, times, filters, List.of(),
        order, q.limit(), q.offset(), null);
    // Without grouping columns, a count over no rows is 0 in SQL, but a sum of stored counts
    // over no rows is NULL: such queries read a variant whose counts say 0.
    boolean ungrouped = r.dims.isEmpty();
    SemanticCatalog rollupCatalog = synthetic.get(p, built, ungrouped);
    return new Matched(p.model.name(), p.rollup.name(), built.version(), rewritten,
        rollupCatalog, built.dataSource(), members);
  }

  private Filter rename(Filter f, RollupPlan p) {
    if (f instanceof Filter.Condition c) {
      Member m = catalog.resolve(c.member()).orElseThrow();
      return new Filter.Condition(SyntheticModels.path(p, m), c.operator(), c.values());
    }
    if (f instanceof Filter.And a) {
      return new Filter.And(a.filters().stream().map(x -> rename(x, p)).toList());
    }
    return new Filter.Or(((Filter.Or) f).filters().stream().map(x -> rename(x, p)).toList());
  }

  private String renameOrder(String member, RollupPlan p) {
    Optional<Member> m = catalog.resolve(member);
    if (m.isPresent()) {
      return SyntheticModels.path(p, m.get());
    }
    int dot = member.lastIndexOf('.');
    if (dot > 0 && Granularity.parse(member.substring(dot + 1)) != null) {
      Optional<Member> head = catalog.resolve(member.substring(0, dot));
      if (head.isPresent()) {
        return SyntheticModels.path(p, head.get()) + member.substring(dot);
      }
    }
    return member;
  }
}
