package io.strata.acceleration.rollup;

import io.strata.semantic.compile.DateRanges;
import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.dialect.Dialect;
import io.strata.semantic.model.Granularity;
import io.strata.semantic.model.Model;
import io.strata.semantic.model.Rollup;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.Filter;
import io.strata.semantic.query.FilterOperator;
import io.strata.semantic.query.QueryException;
import io.strata.semantic.query.SemanticQuery;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rollups of one catalog: their physical layout, their partitions and build queries, and the
 * matching of semantic queries to them. Pure (no I/O) and thread-safe; the build system and the
 * query service each hold one per catalog. The clock resolves relative build ranges, update
 * windows and relative date ranges of queries.
 */
public final class Rollups {
  private static final int SYNTHETIC_LIMIT = 1_000;
  private final SemanticCatalog catalog;
  private final Clock clock;
  /** Every rollup by id, in model then declaration order: its plan, or why it has none. */
  private final Map<String, RollupPlan> plans = new LinkedHashMap<>();
  private final Map<String, String> problems = new LinkedHashMap<>();
  private final List<RollupPlan> planList;
  private final SemanticCompiler compiler;
  private final RollupMatcher matcher;
  private final Map<List<String>, SemanticCatalog> synthetic = new ConcurrentHashMap<>();

  public Rollups(SemanticCatalog catalog, Clock clock) {
    this.catalog = catalog;
    this.clock = clock;
    for (Model m : catalog.models()) {
      for (Rollup r : m.rollups()) {
        String id = m.name() + "." + r.name();
        try {
          plans.put(id, new RollupPlan(catalog, m, r));
        } catch (IllegalArgumentException e) {
          problems.put(id, e.getMessage());
        }
      }
    }
    this.planList = List.copyOf(plans.values());
    this.compiler = new SemanticCompiler(catalog, clock);
    this.matcher = new RollupMatcher(catalog, this::syntheticCatalog);
  }

  public SemanticCatalog catalog() {
    return catalog;
  }

  /** Every rollup of the catalog that can be built, in model then declaration order. */
  public List<RollupLayout> layouts() {
    return planList.stream().map(p -> p.layout).toList();
  }

  /**
   * Rollups declared but impossible to build, by id, with the reason (for example a joined
   * model without the primary key a one-to-many join needs). They are never matched.
   */
  public Map<String, String> problems() {
    return Collections.unmodifiableMap(problems);
  }

  /**
   * The layout of rollup {@code rollup} of model {@code model}. Throws
   * {@link IllegalArgumentException} when there is no such rollup or it cannot be built.
   */
  public RollupLayout layout(String model, String rollup) {
    String id = model + "." + rollup;
    RollupPlan p = plans.get(id);
    if (p != null) {
      return p.layout;
    }
    if (problems.containsKey(id)) {
      throw new IllegalArgumentException(problems.get(id));
    }
    throw new IllegalArgumentException("no rollup '" + rollup + "' in model '" + model + "'");
  }

  /**
   * The span a rollup's {@code build_range} names, resolved with the clock: absolute dates,
   * a relative range, or {@link TimeSpan#ALL} when the rollup declares none. Throws
   * {@link IllegalStateException} for a {@code sql} build range, which only the build system
   * can resolve (it then calls {@link #partitions(RollupLayout, TimeSpan)} with the result).
   */
  public TimeSpan buildSpan(RollupLayout layout) {
    Rollup.BuildRange b = layout.rollup().buildRange();
    if (b == null) {
      return TimeSpan.ALL;
    }
    if (b.sql() != null) {
      throw new IllegalStateException("rollup " + layout.id() + " takes its build range from"
          + " SQL, which the build system runs on the source");
    }
    if (b.relative() != null) {
      LocalDate today = LocalDate.now(clock.withZone(layout.zone()));
      DateRanges.Interval i = DateRanges.relative(b.relative(), today);
      return new TimeSpan(i.from(), i.until());
    }
    return new TimeSpan(b.start() == null ? null : LocalDate.parse(b.start()).atStartOfDay(),
        b.end() == null ? null : LocalDate.parse(b.end()).plusDays(1).atStartOfDay());
  }

  /**
   * The partitions covering {@code span} by the rollup's {@code partition_by}, oldest first;
   * the first and last are whole periods even when {@code span} starts or ends inside them.
   * An unpartitioned rollup, or one whose span is open at either end, has one partition over
   * the whole span: the build system resolves an open span (with the data's extent) first.
   */
  public List<Partition> partitions(RollupLayout layout, TimeSpan span) {
    Granularity by = layout.rollup().partitionBy();
    if (by == null || span.from() == null || span.until() == null) {
      return List.of(new Partition(Partition.ALL, span));
    }
    List<Partition> out = new ArrayList<>();
    for (LocalDateTime t = Grains.truncate(span.from(), by); t.isBefore(span.until());
        t = Grains.next(t, by)) {
      out.add(new Partition(Grains.key(t, by), new TimeSpan(t, Grains.next(t, by))));
    }
    return out;
  }

  /** {@link #partitions(RollupLayout, TimeSpan)} over the dates {@code [start, end)}. */
  public List<Partition> partitions(RollupLayout layout, LocalDate start, LocalDate end) {
    return partitions(layout, new TimeSpan(start.atStartOfDay(), end.atStartOfDay()));
  }

  /**
   * Of {@code partitions}, those a refresh rebuilds: the ones overlapping the rollup's
   * {@code update_window} before now, or all of them when it declares none.
   */
  public List<Partition> toRefresh(RollupLayout layout, List<Partition> partitions) {
    Rollup.RollupRefresh r = layout.rollup().refresh();
    if (r == null || r.updateWindow() == null) {
      return List.copyOf(partitions);
    }
    LocalDateTime since = LocalDateTime.now(clock.withZone(layout.zone()))
        .minus(r.updateWindow());
    return partitions.stream()
        .filter(p -> p.span().until() == null || p.span().until().isAfter(since))
        .toList();
  }

  /**
   * The query whose result is one partition's rows: the layout's base query with the
   * partition's span as the time dimension's bounds ({@code gte} its start, {@code lt} its
   * end). Compile it against {@link RollupLayout#catalog()}.
   */
  public SemanticQuery buildQuery(RollupLayout layout, Partition partition) {
    SemanticQuery base = layout.baseQuery();
    TimeSpan span = partition.span();
    if (layout.rollup().timeDimension() == null || span == null
        || (span.from() == null && span.until() == null)) {
      return base;
    }
    String time = base.timeDimensions().get(0).dimension();
    List<Filter> filters = new ArrayList<>(base.filters());
    if (span.from() != null) {
      filters.add(new Filter.Condition(time, FilterOperator.GTE,
          List.of(Grains.text(span.from()))));
    }
    if (span.until() != null) {
      filters.add(new Filter.Condition(time, FilterOperator.LT,
          List.of(Grains.text(span.until()))));
    }
    return new SemanticQuery(base.measures(), base.dimensions(), base.timeDimensions(), filters,
        base.segments(), base.order(), base.limit(), base.offset(), base.timezone());
  }

  /**
   * Matches a query (after access control put its row filters in) against the built rollups
   * of the models it reads and, among those that can answer it, picks the smallest (fewest
   * dimensions, then coarsest grain, then declaration order).
   *
   * <p>A rollup answers when: every measure (and measure filter) is stored or rebuilt from
   * stored parts; its rows come from the same models as the query's measures; every dimension,
   * filter member and date-ranged time dimension is stored; the query's grain equals or rolls
   * up from the rollup's; its segments are exactly the rollup's; a distinct count is read only
   * at exactly the rollup's dimensions and grain; no dimension reached through a one-to-many
   * join is dropped from a sum or count; the time zone is the rollup's; date ranges and time
   * filters fall on the rollup's period boundaries; and the partitions the query reads are
   * built. Otherwise {@link MatchResult.NotMatched} gives, per candidate, the first failed
   * rule in that order. A query the compiler would refuse is not matched and gets no
   * rejections: compiling it against the model catalog reports its error.
   */
  public MatchResult match(SemanticQuery query, RollupAvailability availability) {
    return match(query, availability, null);
  }

  /**
   * {@link #match(SemanticQuery, RollupAvailability)}, refusing also what would not be exact
   * (after the rules above, before duplicate names): a DuckDB model's {@code avg}, and any
   * division (an avg, a ratio, a {@code /} in a number measure or derived metric) over a
   * rollup stored in another engine than the model's warehouse (the {@code local} store of a
   * Postgres or MySQL model). EXPLAIN says "cannot average exactly as duckdb does" or "cannot
   * divide exactly as postgres does", and the source answers.
   *
   * @param dialects the dialect of a data source by name (the model's and the store's); null
   *     for a name it does not know, which skips the check
   */
  public MatchResult match(SemanticQuery query, RollupAvailability availability,
      java.util.function.Function<String, Dialect> dialects) {
    if (planList.isEmpty()) {
      return new MatchResult.NotMatched(List.of());
    }
    ZoneId zone;
    try {
      compiler.compile(query, Dialect.DUCKDB); // any dialect: only its validity matters here
      zone = zone(query.timezone());
    } catch (QueryException | DateTimeException e) {
      return new MatchResult.NotMatched(List.of());
    }
    RollupMatcher.Resolved resolved = matcher.resolve(query, zone,
        LocalDate.now(clock.withZone(zone)));
    if (resolved == null) {
      return new MatchResult.NotMatched(List.of());
    }
    return matcher.match(query, resolved, planList, availability, dialects);
  }

  /** The plan of a rollup that can be built, or null. */
  RollupPlan plan(String id) {
    return plans.get(id);
  }

  private SemanticCatalog syntheticCatalog(RollupPlan plan, RollupAvailability.Built built,
      boolean ungrouped) {
    List<String> key = List.of(plan.id(), built.relation(), built.dataSource(),
        String.valueOf(ungrouped));
    SemanticCatalog c = synthetic.get(key);
    if (c == null) {
      if (synthetic.size() >= SYNTHETIC_LIMIT) {
        synthetic.clear(); // versions come and go; a rebuilt one costs one catalog
      }
      c = SyntheticModels.build(catalog, plan, built.relation(), built.dataSource(), ungrouped);
      synthetic.put(key, c);
    }
    return c;
  }

  /** A rollup's zone: the named IANA zone, or UTC when none is named. */
  static ZoneId zone(String timezone) {
    return timezone == null || timezone.isBlank() ? ZoneOffset.UTC : ZoneId.of(timezone.trim());
  }
}
