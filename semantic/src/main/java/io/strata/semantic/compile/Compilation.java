package io.strata.semantic.compile;

import io.strata.semantic.dialect.Dialect;
import io.strata.semantic.dialect.StrataOperators;
import io.strata.semantic.dialect.WarehouseDialect;
import io.strata.semantic.expression.AdHocExpression;
import io.strata.semantic.model.Aggregation;
import io.strata.semantic.model.DimensionType;
import io.strata.semantic.model.Granularity;
import io.strata.semantic.model.JoinGraph;
import io.strata.semantic.model.Measure;
import io.strata.semantic.model.Member;
import io.strata.semantic.model.MemberKind;
import io.strata.semantic.model.Metric;
import io.strata.semantic.model.MetricType;
import io.strata.semantic.model.Model;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.DateRange;
import io.strata.semantic.query.Filter;
import io.strata.semantic.query.FilterOperator;
import io.strata.semantic.query.QueryException;
import io.strata.semantic.query.QueryException.Code;
import io.strata.semantic.query.SemanticQuery;
import io.strata.semantic.sql.SqlExpressions;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.calcite.sql.JoinConditionType;
import org.apache.calcite.sql.JoinType;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlSelectKeyword;
import org.apache.calcite.sql.SqlWith;
import org.apache.calcite.sql.SqlWithItem;
import org.apache.calcite.sql.fun.SqlCase;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.util.SqlShuttle;

/**
 * One compilation of one semantic query: resolves its members against the catalog, then builds
 * the SQL tree. Not thread-safe; {@link SemanticCompiler} makes one per call.
 *
 * <p>Shape of the SQL. Base measures are grouped by the model they belong to; each group is
 * aggregated on its own ("leaf") query over a join tree rooted at its model, so no measure is
 * ever multiplied by a one-to-many join: when the tree does fan out from the group's model, the
 * leaf first selects the distinct (dimensions, primary key) pairs and aggregates the model's
 * rows joined to those keys. Several groups are stacked with UNION ALL and collapsed with
 * GROUP BY on the dimensions. A final query on top computes derived, ratio and cumulative
 * metrics, measure filters, order, limit and offset.
 */
final class Compilation {
  private static final SqlParserPos POS = SqlParserPos.ZERO;
  private static final String KEY_ALIAS = "strata_pk";
  /** The aggregated rows, as a common table expression when cumulative metrics read them. */
  private static final String AGG = "strata_agg";
  /** The same rows again, inside a cumulative metric's correlated sum. */
  private static final String INNER = "strata_window";

  private final SemanticCatalog catalog;
  /** Chosen after resolution, once the data source the query reads is known. */
  private Dialect dialect;
  private WarehouseDialect warehouse;
  private final LocalDate today;
  private final ZoneId zone;
  private final boolean utc;

  /**
   * A requested dimension (or time dimension at a granularity) and its output alias; or an
   * ad-hoc dimension, an expression over dimensions, whose member is null.
   */
  private record Dim(String requested, Member member, Granularity granularity, String alias,
      AdHocExpression adHoc) {
    /** The dimensions its value reads. */
    List<Member> reads() {
      return adHoc != null ? adHoc.members() : List.of(member);
    }
  }

  /** A requested measure or metric and its output alias. */
  private record Out(String requested, Member member, String alias) {}

  /** A condition on a dimension (WHERE) or on a measure (after aggregation). */
  private record Cond(Filter filter, String location) {}

  /** A date range on a time dimension, from {@code timeDimensions}. */
  private record Range(Member member, DateRanges.Interval interval, String location) {}

  private final List<Dim> dims = new ArrayList<>();
  private final List<Out> outs = new ArrayList<>();
  private final List<Cond> dimensionFilters = new ArrayList<>();
  private final List<Cond> measureFilters = new ArrayList<>();
  private final List<Range> ranges = new ArrayList<>();
  private final List<Member> segments = new ArrayList<>();
  private final Map<String, String> memberAliases = new LinkedHashMap<>();
  /** Ad-hoc dimensions by their text, each parsed once. */
  private final Map<String, AdHocExpression> adHocs = new LinkedHashMap<>();
  private final Set<String> usedAliases = new LinkedHashSet<>();
  /** Base measures by path, and their aliases. */
  private final Map<String, Member> baseMeasures = new LinkedHashMap<>();
  /** Base measures read by cumulative metrics, which get their own leaf. */
  private final Map<String, Member> cumulativeBases = new LinkedHashMap<>();
  /** The models whose tables the SQL reads. */
  private final Set<String> readModels = new java.util.TreeSet<>();

  /**
   * @param today the current date in the query's zone, for relative date ranges; the caller
   *     computes it with {@link #zone(SemanticQuery)} so its plan cache keys on the same date
   */
  Compilation(SemanticCatalog catalog, ZoneId zone, LocalDate today) {
    this.catalog = catalog;
    this.zone = zone;
    this.utc = zone.normalized().equals(ZoneOffset.UTC);
    this.today = today;
  }

  /** The query's time zone: its {@code timezone}, or UTC. */
  static ZoneId zone(SemanticQuery query) {
    if (query.timezone() == null || query.timezone().isBlank()) {
      return ZoneOffset.UTC;
    }
    try {
      return ZoneId.of(query.timezone().trim());
    } catch (DateTimeException e) {
      throw new QueryException(Code.INVALID_QUERY, "timezone",
          "unknown time zone '" + query.timezone() + "' (use an IANA name such as Europe/Paris)");
    }
  }

  // =============================================================== resolution

  /**
   * Resolves the query and compiles it for the dialect {@code dialectOf} gives for the data
   * source its models read.
   */
  CompiledQuery compile(SemanticQuery q, Function<String, Dialect> dialectOf) {
    resolve(q);
    String dataSource = dataSource();
    this.dialect = dialectOf.apply(dataSource);
    this.warehouse = dialect.sqlDialect();
    SqlNode tree = build(q);
    String sql = tree.toSqlString(c -> c.withDialect(warehouse.calcite())
        .withQuoteAllIdentifiers(false)
        .withIndentation(2)
        .withClauseStartsLine(true)
        .withClauseEndsLine(false)
        .withSelectListItemsOnSeparateLines(false)
        .withLineLength(0)).getSql();
    List<OutputColumn> columns = new ArrayList<>();
    for (Dim d : dims) {
      if (d.adHoc() != null) {
        columns.add(new OutputColumn(d.requested(), null, d.alias(), MemberKind.DIMENSION,
            d.adHoc().type().lowerName(), d.requested(), null));
        continue;
      }
      var dim = d.member().dimension();
      columns.add(new OutputColumn(d.requested(),
          d.granularity() == null ? null : d.granularity().lowerName(), d.alias(),
          MemberKind.DIMENSION, dim.type().name().toLowerCase(Locale.ROOT),
          d.member().title(), dim.format()));
    }
    for (Out o : outs) {
      String format = o.member().kind() == MemberKind.MEASURE
          ? o.member().measure().format() : o.member().metric().format();
      columns.add(new OutputColumn(o.requested(), null, o.alias(), o.member().kind(), "number",
          o.member().title(), format));
    }
    return new CompiledQuery(dialect, dataSource, sql, columns, List.copyOf(readModels));
  }

  /**
   * The one data source every model the query reads lives in. A query cannot join across
   * warehouses: that is refused here, naming both.
   */
  private String dataSource() {
    Map<String, String> modelBySource = new LinkedHashMap<>();
    List<Member> read = new ArrayList<>(baseMeasures.values());
    read.addAll(cumulativeBases.values());
    dims.forEach(d -> read.addAll(d.reads()));
    adHocs.values().forEach(a -> read.addAll(a.members()));
    ranges.forEach(r -> read.add(r.member()));
    segments.forEach(read::add);
    for (Member m : read) {
      modelBySource.putIfAbsent(m.model().dataSource(), m.model().name());
    }
    if (modelBySource.size() > 1) {
      List<String> parts = new ArrayList<>();
      modelBySource.forEach((ds, model) -> parts.add("'" + model + "' reads data source '" + ds + "'"));
      throw new QueryException(Code.INVALID_QUERY, null, "a query reads one data source, but "
          + String.join(" and ", parts));
    }
    return modelBySource.keySet().iterator().next();
  }

  private Member resolve(String path, String location) {
    if (path == null || path.isBlank()) {
      throw new QueryException(Code.INVALID_QUERY, location, "member name is missing");
    }
    Optional<Member> m = catalog.resolve(path.trim());
    if (m.isPresent()) {
      return m.get();
    }
    int dot = path.indexOf('.');
    String owner = dot < 0 ? path : path.substring(0, dot);
    if (dot < 0) {
      throw new QueryException(Code.UNKNOWN_MEMBER, location, "'" + path
          + "' is not a member: address members as model.member, for example orders.count");
    }
    if (catalog.model(owner).isEmpty() && catalog.view(owner).isEmpty()) {
      throw new QueryException(Code.UNKNOWN_MEMBER, location, "unknown member '" + path
          + "': there is no model or view named '" + owner + "'");
    }
    throw new QueryException(Code.UNKNOWN_MEMBER, location, "unknown member '" + path
        + "': '" + owner + "' has no member '" + path.substring(dot + 1) + "'");
  }

  private String alias(String path, Granularity g) {
    String base = path.toLowerCase(Locale.ROOT).replace(".", "__");
    if (g != null) {
      base = base + "_" + g.lowerName();
    }
    String a = base;
    for (int i = 2; !usedAliases.add(a); i++) {
      a = base + "_" + i;
    }
    return a;
  }

  private void resolve(SemanticQuery q) {
    for (int i = 0; i < q.dimensions().size(); i++) {
      String loc = "dimensions[" + i + "]";
      String path = q.dimensions().get(i);
      if (AdHocExpression.isExpression(path)) {
        addAdHocDim(path, loc);
        continue;
      }
      Granularity g = null;
      Optional<Member> direct = catalog.resolve(path == null ? "" : path.trim());
      if (direct.isEmpty() && path != null && path.chars().filter(c -> c == '.').count() == 2) {
        // Cube's shorthand: orders.ordered_at.month
        String head = path.substring(0, path.lastIndexOf('.'));
        Granularity tail = Granularity.parse(path.substring(path.lastIndexOf('.') + 1));
        if (tail != null && catalog.resolve(head).isPresent()) {
          path = head;
          g = tail;
        }
      }
      Member m = resolve(path, loc);
      if (m.kind() != MemberKind.DIMENSION) {
        throw new QueryException(Code.INVALID_QUERY, loc, "'" + path + "' is a "
            + m.kind().name().toLowerCase(Locale.ROOT) + ", not a dimension; "
            + (m.aggregated() ? "put it under measures" : "put it under segments"));
      }
      addDim(path, m, g, loc);
    }
    for (int i = 0; i < q.timeDimensions().size(); i++) {
      SemanticQuery.TimeDimension td = q.timeDimensions().get(i);
      String loc = "timeDimensions[" + i + "]";
      Member m = resolve(td.dimension(), loc + ".dimension");
      if (m.kind() != MemberKind.DIMENSION) {
        throw new QueryException(Code.INVALID_QUERY, loc + ".dimension", "'" + td.dimension()
            + "' is not a dimension");
      }
      Granularity g = null;
      if (td.granularity() != null) {
        g = Granularity.parse(td.granularity());
        if (g == null) {
          throw new QueryException(Code.INVALID_QUERY, loc + ".granularity", "unknown granularity '"
              + td.granularity() + "' (expected second, minute, hour, day, week, month, quarter or year)");
        }
      }
      if (m.dimension().type() != DimensionType.TIME && (g != null || td.dateRange() != null)) {
        throw new QueryException(Code.INVALID_QUERY, loc, "'" + td.dimension() + "' is a "
            + m.dimension().type().name().toLowerCase(Locale.ROOT)
            + " dimension: a granularity or date range needs a time dimension");
      }
      if (td.dateRange() != null) {
        try {
          ranges.add(new Range(m, DateRanges.interval(td.dateRange(), today), loc + ".dateRange"));
        } catch (IllegalArgumentException e) {
          throw new QueryException(Code.INVALID_QUERY, loc + ".dateRange", e.getMessage());
        }
      }
      if (g != null) {
        addDim(td.dimension(), m, g, loc);
      }
    }
    for (int i = 0; i < q.measures().size(); i++) {
      String loc = "measures[" + i + "]";
      String path = q.measures().get(i);
      Member m = resolve(path, loc);
      if (!m.aggregated()) {
        throw new QueryException(Code.INVALID_QUERY, loc, "'" + path + "' is a "
            + m.kind().name().toLowerCase(Locale.ROOT) + ", not a measure; put it under "
            + (m.kind() == MemberKind.DIMENSION ? "dimensions" : "segments"));
      }
      if (!memberAliases.containsKey(path)) {
        String a = alias(path, null);
        memberAliases.put(path, a);
        outs.add(new Out(path, m, a));
      }
      collectBases(m, loc, new LinkedHashSet<>(), false);
    }
    for (int i = 0; i < q.segments().size(); i++) {
      String loc = "segments[" + i + "]";
      Member m = resolve(q.segments().get(i), loc);
      if (m.kind() != MemberKind.SEGMENT) {
        throw new QueryException(Code.INVALID_QUERY, loc, "'" + q.segments().get(i)
            + "' is not a segment");
      }
      segments.add(m);
    }
    for (int i = 0; i < q.filters().size(); i++) {
      String loc = "filters[" + i + "]";
      Filter f = q.filters().get(i);
      boolean onMeasures = classify(f, loc);
      if (onMeasures) {
        measureFilters.add(new Cond(f, loc));
      } else {
        dimensionFilters.add(new Cond(f, loc));
      }
    }
    if (q.limit() != null && q.limit() < 0) {
      throw new QueryException(Code.INVALID_QUERY, "limit", "limit must be 0 or more, not "
          + q.limit());
    }
    if (q.offset() != null && q.offset() < 0) {
      throw new QueryException(Code.INVALID_QUERY, "offset", "offset must be 0 or more, not "
          + q.offset());
    }
    if (dims.isEmpty() && outs.isEmpty()) {
      throw new QueryException(Code.INVALID_QUERY, null,
          "the query selects nothing: give at least one measure, dimension or time dimension with a granularity");
    }
  }

  private void addDim(String path, Member m, Granularity g, String loc) {
    String key = g == null ? path : path + "." + g.lowerName();
    if (memberAliases.containsKey(key)) {
      return;
    }
    if (g != null && m.dimension().type() != DimensionType.TIME) {
      throw new QueryException(Code.INVALID_QUERY, loc, "'" + path + "' is a "
          + m.dimension().type().name().toLowerCase(Locale.ROOT)
          + " dimension: granularity " + g.lowerName() + " needs a time dimension");
    }
    String a = alias(path, g);
    memberAliases.put(key, a);
    dims.add(new Dim(path, m, g, a, null));
  }

  private void addAdHocDim(String text, String loc) {
    AdHocExpression e = adHoc(text, loc);
    if (memberAliases.containsKey(text)) {
      return;
    }
    String a = alias("expr", null);
    memberAliases.put(text, a);
    dims.add(new Dim(text, null, null, a, e));
  }

  /** Parses (once) an ad-hoc dimension; its problems are the query's, at {@code loc}. */
  private AdHocExpression adHoc(String text, String loc) {
    AdHocExpression known = adHocs.get(text);
    if (known != null) {
      return known;
    }
    AdHocExpression e;
    try {
      e = AdHocExpression.parse(text, path -> resolve(path, loc));
    } catch (SqlExpressions.ParseError p) {
      throw new QueryException(Code.INVALID_QUERY, loc, "the expression '" + text
          + "' does not parse at column " + p.column() + ": " + p.getMessage());
    } catch (AdHocExpression.Unsupported u) {
      throw new QueryException(Code.INVALID_QUERY, loc, u.getMessage() + (u.pos() == null
          || u.pos().getColumnNum() <= 0 ? "" : " (column " + u.pos().getColumnNum()
          + " of '" + text + "')"));
    }
    adHocs.put(text, e);
    return e;
  }

  /** True when the filter is on measures, false when on dimensions; mixing is an error. */
  private boolean classify(Filter f, String loc) {
    if (f instanceof Filter.Condition c && AdHocExpression.isExpression(c.member())) {
      AdHocExpression e = adHoc(c.member(), loc + ".member");
      checkValues(c, null, e.type(), loc);
      return false;
    }
    if (f instanceof Filter.Condition c) {
      Member m = resolve(c.member(), loc + ".member");
      if (m.kind() == MemberKind.SEGMENT) {
        throw new QueryException(Code.INVALID_QUERY, loc + ".member", "'" + c.member()
            + "' is a segment: put it under segments, not filters");
      }
      if (m.aggregated()) {
        collectBases(m, loc, new LinkedHashSet<>(), false);
      }
      checkValues(c, m, null, loc);
      return m.aggregated();
    }
    List<Filter> parts = f instanceof Filter.And a ? a.filters() : ((Filter.Or) f).filters();
    if (parts.isEmpty()) {
      throw new QueryException(Code.INVALID_QUERY, loc, "an empty and/or filter");
    }
    Boolean kind = null;
    for (int i = 0; i < parts.size(); i++) {
      String key = f instanceof Filter.And ? ".and[" : ".or[";
      Boolean k = classify(parts.get(i), loc + key + i + "]");
      if (kind != null && !kind.equals(k)) {
        throw new QueryException(Code.INVALID_QUERY, loc, "this filter mixes conditions on"
            + " measures and on dimensions; put them in separate top-level filters");
      }
      kind = k;
    }
    return kind;
  }

  /** Checks a condition's values against its member {@code m} or ad-hoc dimension of type {@code t}. */
  private void checkValues(Filter.Condition c, Member m, AdHocExpression.Type t, String loc) {
    boolean isTime = m == null ? t == AdHocExpression.Type.TIME || t == AdHocExpression.Type.DATE
        : m.kind() == MemberKind.DIMENSION && m.dimension().type() == DimensionType.TIME;
    FilterOperator op = c.operator();
    int n = c.values().size();
    String where = loc + ".values";
    switch (op) {
      case SET, NOT_SET -> {
        if (n != 0) {
          throw new QueryException(Code.INVALID_QUERY, where, op.jsonName() + " takes no values");
        }
      }
      case IN_DATE_RANGE, NOT_IN_DATE_RANGE -> {
        requireTime(c, isTime, loc);
        if (n != 2) {
          throw new QueryException(Code.INVALID_QUERY, where, op.jsonName()
              + " takes two values, [from, to]; got " + n);
        }
      }
      case BEFORE_DATE, AFTER_DATE -> {
        requireTime(c, isTime, loc);
        if (n != 1) {
          throw new QueryException(Code.INVALID_QUERY, where, op.jsonName()
              + " takes one date; got " + n);
        }
      }
      case GT, GTE, LT, LTE -> {
        if (n != 1) {
          throw new QueryException(Code.INVALID_QUERY, where, op.jsonName()
              + " takes one value; got " + n);
        }
      }
      default -> {
        if (n == 0) {
          throw new QueryException(Code.INVALID_QUERY, where, op.jsonName()
              + " needs at least one value");
        }
      }
    }
    for (int i = 0; i < n; i++) {
      String v = c.values().get(i);
      if (v == null) {
        throw new QueryException(Code.INVALID_QUERY, where,
            "null is not a filter value; use the set or notSet operator");
      }
      String bad = io.strata.semantic.query.TextValues.unstorable(v);
      if (bad != null) {
        throw new QueryException(Code.INVALID_QUERY, where + "[" + i + "]", "the value holds "
            + bad + ", which no warehouse can store or compare");
      }
    }
    boolean timeCompare = isTime;
    boolean numeric = m == null ? t == AdHocExpression.Type.NUMBER
        : m.aggregated() || m.dimension().type() == DimensionType.NUMBER;
    boolean bool = m == null ? t == AdHocExpression.Type.BOOLEAN
        : m.kind() == MemberKind.DIMENSION && m.dimension().type() == DimensionType.BOOLEAN;
    for (String v : c.values()) {
      if (timeCompare) {
        try {
          DateRanges.parse(v, false);
        } catch (IllegalArgumentException e) {
          throw new QueryException(Code.INVALID_QUERY, where, e.getMessage());
        }
      } else if (numeric && op != FilterOperator.CONTAINS && op != FilterOperator.NOT_CONTAINS
          && op != FilterOperator.STARTS_WITH && op != FilterOperator.ENDS_WITH) {
        try {
          new BigDecimal(v.trim());
        } catch (NumberFormatException e) {
          throw new QueryException(Code.INVALID_QUERY, where, "'" + v + "' is not a number, and "
              + c.member() + " is numeric");
        }
      } else if (bool && !v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
        throw new QueryException(Code.INVALID_QUERY, where, "'" + v + "' is not true or false");
      }
    }
  }

  private static void requireTime(Filter.Condition c, boolean isTime, String loc) {
    if (!isTime) {
      throw new QueryException(Code.INVALID_QUERY, loc, c.operator().jsonName()
          + " needs a time dimension, and '" + c.member() + "' is not one");
    }
  }

  /** Walks measures and metrics down to the base measures they aggregate. */
  private void collectBases(Member m, String loc, Set<String> visiting, boolean cumulative) {
    if (!visiting.add(m.path())) {
      throw new QueryException(Code.INVALID_QUERY, loc, "cycle among derived measures at "
          + m.path());
    }
    if (m.kind() == MemberKind.MEASURE && m.measure().agg() != Aggregation.NUMBER) {
      (cumulative ? cumulativeBases : baseMeasures).putIfAbsent(m.path(), m);
    } else {
      for (Reference r : references(m)) {
        collectBases(r.member, loc, visiting, cumulative || r.cumulative);
      }
    }
    visiting.remove(m.path());
  }

  private record Reference(Member member, boolean cumulative) {}

  private List<Reference> references(Member m) {
    List<Reference> refs = new ArrayList<>();
    if (m.kind() == MemberKind.MEASURE) {
      for (String r : SqlExpressions.braceReferences(m.measure().expr())) {
        refs.add(new Reference(reference(m.model(), r), false));
      }
      return refs;
    }
    Metric metric = m.metric();
    switch (metric.type()) {
      case DERIVED -> {
        for (String r : SqlExpressions.braceReferences(metric.expr())) {
          refs.add(new Reference(reference(m.model(), r), false));
        }
      }
      case RATIO -> {
        refs.add(new Reference(reference(m.model(), metric.numerator()), false));
        refs.add(new Reference(reference(m.model(), metric.denominator()), false));
      }
      case CUMULATIVE -> refs.add(new Reference(reference(m.model(), metric.measure()), true));
    }
    return refs;
  }

  /** A reference written in a model: {@code member} of the same model or {@code model.member}. */
  private Member reference(Model owner, String ref) {
    Optional<Member> m = ref.contains(".") ? catalog.resolve(ref)
        : SemanticCatalog.member(owner, ref);
    return m.orElseThrow(() -> new QueryException(Code.UNKNOWN_MEMBER, null,
        "model '" + owner.name() + "' refers to unknown member '" + ref + "'"));
  }

  private Set<Model> baseModels() {
    Set<Model> models = new LinkedHashSet<>();
    baseMeasures.values().forEach(m -> models.add(m.model()));
    cumulativeBases.values().forEach(m -> models.add(m.model()));
    return models;
  }

  // =============================================================== SQL building

  private SqlNode build(SemanticQuery q) {
    // Aliases for every base measure, shared by leaves and the layers above.
    Map<String, String> baseAlias = new LinkedHashMap<>();
    for (String path : baseMeasures.keySet()) {
      // A base measure that is also an output column keeps that column's alias.
      String a = outs.stream().filter(o -> o.member().path().equals(path)).map(Out::alias)
          .findFirst().orElse(null);
      baseAlias.put(path, a != null ? a : alias(path, null));
    }
    Map<String, String> cumulativeAlias = new LinkedHashMap<>();
    for (String path : cumulativeBases.keySet()) {
      cumulativeAlias.put(path, alias(path + "_cumulative", null));
    }
    Cumulative cumulative = cumulativeSpec();

    // Leaves: one per (model, cumulative?) group of base measures.
    List<Leaf> leaves = new ArrayList<>();
    Map<String, List<Member>> groups = new TreeMap<>();
    baseMeasures.values().forEach(m -> groups.computeIfAbsent(m.model().name(), k -> new ArrayList<>()).add(m));
    for (Map.Entry<String, List<Member>> g : groups.entrySet()) {
      leaves.add(new Leaf(catalog.model(g.getKey()).orElseThrow(), g.getValue(), baseAlias, false));
    }
    Map<String, List<Member>> cgroups = new TreeMap<>();
    cumulativeBases.values().forEach(m -> cgroups.computeIfAbsent(m.model().name(), k -> new ArrayList<>()).add(m));
    for (Map.Entry<String, List<Member>> g : cgroups.entrySet()) {
      leaves.add(new Leaf(catalog.model(g.getKey()).orElseThrow(), g.getValue(), cumulativeAlias,
          true));
    }
    if (leaves.isEmpty()) {
      // Dimensions only: distinct combinations, rooted at the first dimension's model.
      leaves.add(new Leaf(dims.get(0).reads().get(0).model(), List.of(), baseAlias, false));
    }

    List<String> allBaseAliases = new ArrayList<>(baseAlias.values());
    allBaseAliases.addAll(cumulativeAlias.values());
    // When every output column is an aggregated column as is, no layer goes on top.
    boolean outputsAreAggregates = measureFilters.isEmpty() && cumulative == null
        && outs.size() == allBaseAliases.size()
        && outs.stream().allMatch(o -> o.alias().equals(baseAlias.get(o.member().path())));

    SqlNode agg;
    if (leaves.size() == 1) {
      agg = leaves.get(0).sql(cumulative, allBaseAliases);
      if (outputsAreAggregates) {
        applyOrderLimit((SqlSelect) agg, q);
        return agg;
      }
    } else {
      if (warehouse.unionNeedsTypedNulls() && leaves.size() > 2) {
        leaves.get(0).typeNullsAbsentFrom(leaves.get(1), leaves.subList(2, leaves.size()));
      }
      List<SqlNode> parts = new ArrayList<>();
      for (Leaf l : leaves) {
        parts.add(l.sql(cumulative, allBaseAliases));
      }
      SqlNode union = parts.get(0);
      for (int i = 1; i < parts.size(); i++) {
        union = SqlStdOperatorTable.UNION_ALL.createCall(POS, union, parts.get(i));
      }
      SqlNodeList select = new SqlNodeList(POS);
      for (Dim d : dims) {
        select.add(as(id(d.alias()), d.alias()));
      }
      for (String a : allBaseAliases) {
        select.add(as(SqlStdOperatorTable.MAX.createCall(POS, id(a)), a));
      }
      agg = select(select, as(union, "strata_union"), null, groupByOrdinals(dims.size()));
      if (outputsAreAggregates) {
        applyOrderLimit((SqlSelect) agg, q);
        return agg;
      }
    }

    // Final layer: every output column computed from the aggregated columns.
    SqlNodeList select = new SqlNodeList(POS);
    for (Dim d : dims) {
      select.add(id(d.alias()));
    }
    for (Out o : outs) {
      select.add(as(post(o.member(), baseAlias, cumulativeAlias, cumulative), o.alias()));
    }
    SqlNode where = and(measureFilterConditions(baseAlias, cumulativeAlias, null));
    if (cumulative != null) {
      // The aggregated rows are read twice: once per output row, once per correlated sum.
      SqlNode from = as(id(AGG), AGG);
      List<SqlNode> conds = new ArrayList<>();
      if (cumulative.visibleFrom != null) {
        // Cumulative sums saw the widened range; show only the periods asked for.
        conds.add(SqlStdOperatorTable.GREATER_THAN_OR_EQUAL.createCall(POS,
            id(AGG, cumulative.timeAlias), StrataOperators.timestamp(cumulative.visibleFrom)));
      }
      SqlSelect body = select(select, from, and(conds), null);
      List<SqlNode> filters = measureFilterConditions(baseAlias, cumulativeAlias, outputAliases());
      if (!filters.isEmpty()) {
        SqlNodeList cols = new SqlNodeList(POS);
        dims.forEach(d -> cols.add(id(d.alias())));
        outs.forEach(o -> cols.add(id(o.alias())));
        body = select(cols, as(body, "strata_filtered"), and(filters), null);
      }
      applyOrderLimit(body, q);
      SqlWithItem item = new SqlWithItem(POS, new SqlIdentifier(AGG, POS), null, agg,
          SqlLiteral.createBoolean(false, POS));
      return new SqlWith(POS, new SqlNodeList(List.of(item), POS), body);
    }
    SqlSelect fin = select(select, as(agg, AGG), where, null);
    applyOrderLimit(fin, q);
    return fin;
  }

  private Map<String, String> outputAliases() {
    Map<String, String> m = new LinkedHashMap<>();
    outs.forEach(o -> m.put(o.member().path(), o.alias()));
    return m;
  }

  /** What a cumulative metric in the query needs: its time column and the widened range. */
  private record Cumulative(Dim time, String timeAlias, List<String> partitionAliases,
      DateRanges.Interval widened, String visibleFrom) {}

  private Cumulative cumulativeSpec() {
    if (cumulativeBases.isEmpty()) {
      return null;
    }
    List<Member> metrics = new ArrayList<>();
    for (Out o : outs) {
      findCumulative(o.member(), new LinkedHashSet<>(), metrics);
    }
    if (metrics.isEmpty()) {
      throw new QueryException(Code.UNSUPPORTED, "filters",
          "a cumulative metric can be filtered on only when it is also selected as a measure");
    }
    Member owner = metrics.get(0);
    Member timeMember = reference(owner.model(), owner.metric().timeDimension());
    for (Member m : metrics) {
      Member t = reference(m.model(), m.metric().timeDimension());
      if (!t.path().equals(timeMember.path())) {
        throw new QueryException(Code.UNSUPPORTED, "measures", "cumulative metrics "
            + owner.path() + " and " + m.path() + " run over different time dimensions ("
            + timeMember.path() + ", " + t.path() + "); query them separately");
      }
    }
    Dim time = null;
    for (Dim d : dims) {
      if (d.member() != null && d.member().path().equals(timeMember.path())
          && d.granularity() != null) {
        time = d;
        break;
      }
    }
    if (time == null) {
      throw new QueryException(Code.INVALID_QUERY, "timeDimensions", "cumulative metric "
          + owner.path() + " needs its time dimension " + timeMember.path()
          + " in timeDimensions with a granularity");
    }
    List<String> partition = new ArrayList<>();
    for (Dim d : dims) {
      if (d != time) {
        partition.add(d.alias());
      }
    }
    DateRanges.Interval widened = null;
    String visibleFrom = null;
    for (Range r : ranges) {
      if (r.member().path().equals(timeMember.path())) {
        LocalDateTime from = truncate(r.interval().from(), time.granularity());
        visibleFrom = DateRanges.LITERAL.format(from);
        // A running total needs all history; trailing windows need their longest window.
        LocalDateTime widenedFrom = from;
        for (Member m : metrics) {
          if (m.metric().window() == null) {
            widenedFrom = null;
            break;
          }
          LocalDateTime f = minus(from, m.metric().window());
          widenedFrom = f.isBefore(widenedFrom) ? f : widenedFrom;
        }
        widened = new DateRanges.Interval(widenedFrom, r.interval().until());
      }
    }
    return new Cumulative(time, time.alias(), partition, widened, visibleFrom);
  }

  private void findCumulative(Member m, Set<String> seen, List<Member> found) {
    if (!seen.add(m.path())) {
      return;
    }
    if (m.kind() == MemberKind.METRIC && m.metric().type() == MetricType.CUMULATIVE) {
      if (found.stream().noneMatch(f -> f.path().equals(m.path()))) {
        found.add(m);
      }
      return;
    }
    if (m.kind() == MemberKind.MEASURE && m.measure().agg() != Aggregation.NUMBER) {
      return;
    }
    for (Reference r : references(m)) {
      findCumulative(r.member, seen, found);
    }
  }

  private static LocalDateTime truncate(LocalDateTime t, Granularity g) {
    return switch (g) {
      case SECOND -> t.withNano(0);
      case MINUTE -> t.withNano(0).withSecond(0);
      case HOUR -> t.withNano(0).withSecond(0).withMinute(0);
      case DAY -> t.toLocalDate().atStartOfDay();
      case WEEK -> t.toLocalDate().with(java.time.temporal.TemporalAdjusters.previousOrSame(
          java.time.DayOfWeek.MONDAY)).atStartOfDay();
      case MONTH -> t.toLocalDate().withDayOfMonth(1).atStartOfDay();
      case QUARTER -> t.toLocalDate().withDayOfMonth(1)
          .withMonth(((t.getMonthValue() - 1) / 3) * 3 + 1).atStartOfDay();
      case YEAR -> t.toLocalDate().withDayOfYear(1).atStartOfDay();
    };
  }

  private static LocalDateTime minus(LocalDateTime t, io.strata.semantic.model.Window w) {
    return switch (w.unit()) {
      case DAY -> t.minusDays(w.count());
      case WEEK -> t.minusWeeks(w.count());
      case MONTH -> t.minusMonths(w.count());
      case QUARTER -> t.minusMonths(3L * w.count());
      case YEAR -> t.minusYears(w.count());
      default -> t;
    };
  }

  /** The expression of a measure or metric over the aggregated columns. */
  private SqlNode post(Member m, Map<String, String> baseAlias,
      Map<String, String> cumulativeAlias, Cumulative cumulative) {
    if (m.kind() == MemberKind.MEASURE && m.measure().agg() != Aggregation.NUMBER) {
      return id(baseAlias.get(m.path()));
    }
    if (m.kind() == MemberKind.MEASURE) {
      return substitute(m.model(), m.measure().expr(), baseAlias, cumulativeAlias, cumulative);
    }
    Metric metric = m.metric();
    return switch (metric.type()) {
      case DERIVED -> substitute(m.model(), metric.expr(), baseAlias, cumulativeAlias, cumulative);
      case RATIO -> {
        SqlNode num = post(reference(m.model(), metric.numerator()), baseAlias, cumulativeAlias,
            cumulative);
        SqlNode den = post(reference(m.model(), metric.denominator()), baseAlias,
            cumulativeAlias, cumulative);
        yield SqlStdOperatorTable.DIVIDE.createCall(POS,
            SqlStdOperatorTable.MULTIPLY.createCall(POS, SqlLiteral.createExactNumeric("1.0", POS), num),
            SqlStdOperatorTable.NULLIF.createCall(POS, den, SqlLiteral.createExactNumeric("0", POS)));
      }
      case CUMULATIVE -> {
        // SUM over the periods of the same partition within the window, by time value rather
        // than by row count, so periods without data do not stretch the window.
        Member base = reference(m.model(), metric.measure());
        String value = cumulativeAlias.get(base.path());
        String t = cumulative.timeAlias();
        List<SqlNode> conds = new ArrayList<>();
        conds.add(SqlStdOperatorTable.LESS_THAN_OR_EQUAL.createCall(POS, id(INNER, t),
            id(AGG, t)));
        if (metric.window() != null) {
          conds.add(SqlStdOperatorTable.GREATER_THAN.createCall(POS, id(INNER, t),
              StrataOperators.minusInterval(id(AGG, t), metric.window().count(),
                  metric.window().unit())));
        }
        for (String p : cumulative.partitionAliases()) {
          conds.add(or(List.of(
              SqlStdOperatorTable.EQUALS.createCall(POS, id(INNER, p), id(AGG, p)),
              SqlStdOperatorTable.AND.createCall(POS,
                  SqlStdOperatorTable.IS_NULL.createCall(POS, id(INNER, p)),
                  SqlStdOperatorTable.IS_NULL.createCall(POS, id(AGG, p))))));
        }
        SqlNodeList sum = new SqlNodeList(POS);
        sum.add(SqlStdOperatorTable.SUM.createCall(POS, id(INNER, value)));
        yield select(sum, as(id(AGG), INNER), and(conds), null);
      }
    };
  }

  /** Replaces {@code {member}} references in a derived expression by their expressions. */
  private SqlNode substitute(Model owner, String expr, Map<String, String> baseAlias,
      Map<String, String> cumulativeAlias, Cumulative cumulative) {
    SqlNode parsed = parse(expr, owner.name());
    return parsed.accept(new SqlShuttle() {
      @Override
      public SqlNode visit(SqlIdentifier id) {
        String ref = String.join(".", id.names);
        Member m = reference(owner, ref);
        SqlNode e = post(m, baseAlias, cumulativeAlias, cumulative);
        return e;
      }
    });
  }

  private List<SqlNode> measureFilterConditions(Map<String, String> baseAlias,
      Map<String, String> cumulativeAlias, Map<String, String> outputAliases) {
    List<SqlNode> conds = new ArrayList<>();
    for (Cond c : measureFilters) {
      conds.add(condition(c.filter(), c.location(), member -> {
        if (outputAliases != null && outputAliases.containsKey(member.path())) {
          return id(outputAliases.get(member.path()));
        }
        return post(member, baseAlias, cumulativeAlias, null);
      }));
    }
    return conds;
  }

  // --------------------------------------------------------------- leaves

  /** One group of base measures from one model, aggregated over its own join tree. */
  private final class Leaf {
    final Model model;
    final List<Member> measures;
    final Map<String, String> aliases;
    final boolean cumulative;
    /** Stacked columns of later leaves that this leaf fills with a typed NULL, by alias. */
    final Map<String, Member> typedNulls = new LinkedHashMap<>();

    Leaf(Model model, List<Member> measures, Map<String, String> aliases, boolean cumulative) {
      this.model = model;
      this.measures = measures;
      this.aliases = aliases;
      this.cumulative = cumulative;
    }

    Map<String, Member> columns() {
      Map<String, Member> out = new LinkedHashMap<>();
      measures.forEach(m -> out.put(aliases.get(m.path()), m));
      return out;
    }

    /**
     * Makes this (first) leaf's NULLs for the columns of {@code later} leaves carry their
     * types, when neither it nor {@code second} has them: the first pair of a union fixes a
     * column's type in Postgres.
     */
    void typeNullsAbsentFrom(Leaf second, List<Leaf> later) {
      Map<String, Member> mine = columns();
      Map<String, Member> theirs = second.columns();
      for (Leaf l : later) {
        l.columns().forEach((alias, m) -> {
          if (!mine.containsKey(alias) && !theirs.containsKey(alias)) {
            typedNulls.put(alias, m);
          }
        });
      }
    }

    SqlSelect sql(Cumulative spec, List<String> allBaseAliases) {
      // Which models the leaf needs, and the path from the leaf's model to each.
      Map<String, String> needed = new TreeMap<>();
      dims.forEach(d -> d.reads().forEach(m -> needed.putIfAbsent(m.model().name(),
          d.requested())));
      segments.forEach(s -> needed.putIfAbsent(s.model().name(), s.path()));
      for (Cond c : dimensionFilters) {
        for (Member m : filterMembers(c.filter())) {
          needed.putIfAbsent(m.model().name(), m.path());
        }
      }
      for (Range r : ranges) {
        needed.putIfAbsent(r.member().model().name(), r.member().path());
      }
      needed.remove(model.name());
      List<JoinGraph.Edge> edges = new ArrayList<>();
      Set<String> joined = new LinkedHashSet<>();
      joined.add(model.name());
      boolean fansOut = false;
      for (Map.Entry<String, String> n : needed.entrySet()) {
        JoinGraph.PathResult path = catalog.joinGraph().path(model.name(), n.getKey());
        if (!path.found()) {
          throw new QueryException(Code.NO_JOIN_PATH, null, "cannot combine "
              + (measures.isEmpty() ? "'" + dims.get(0).requested() + "'"
                  : "measures of '" + model.name() + "'")
              + " with '" + n.getValue() + "': " + path.problem());
        }
        for (JoinGraph.Edge e : path.path()) {
          if (joined.add(e.to())) {
            edges.add(e);
            fansOut |= e.relationship().fansOut();
          }
        }
      }
      SqlNode from = table(model);
      for (JoinGraph.Edge e : edges) {
        from = new SqlJoin(POS, from, SqlLiteral.createBoolean(false, POS),
            JoinType.LEFT.symbol(POS), table(catalog.model(e.to()).orElseThrow()),
            JoinConditionType.ON.symbol(POS), parseJoinCondition(e));
      }
      List<SqlNode> where = new ArrayList<>();
      for (Member s : segments) {
        where.add(expression(s.model(), s.segment().filter()));
      }
      for (Cond c : dimensionFilters) {
        where.add(condition(c.filter(), c.location(), Compilation.this::dimensionValue));
      }
      for (Range r : ranges) {
        DateRanges.Interval interval = r.interval();
        if (cumulative && spec != null && r.member().path().equals(spec.time().member().path())) {
          interval = spec.widened() == null ? null : spec.widened();
          if (interval != null && interval.from() == null) {
            where.add(SqlStdOperatorTable.LESS_THAN.createCall(POS, dimensionValue(r.member()),
                utcLiteral(interval.until())));
            continue;
          }
        }
        if (interval != null) {
          where.add(between(dimensionValue(r.member()), interval));
        }
      }
      SqlNode whereNode = and(where);

      if (!fansOut || measures.isEmpty()) {
        SqlNodeList select = new SqlNodeList(POS);
        for (Dim d : dims) {
          select.add(as(dimensionValue(d), d.alias()));
        }
        addMeasureColumns(select, allBaseAliases);
        SqlNodeList groupBy = dims.isEmpty() ? null : groupByOrdinals(dims.size());
        if (measures.isEmpty() && allBaseAliases.isEmpty()) {
          groupBy = groupByOrdinals(dims.size());
        }
        return select(select, from, whereNode, groupBy);
      }
      // Fan-out: aggregate the model's own rows, once each, joined to the distinct keys.
      if (model.primaryKey() == null) {
        throw new QueryException(Code.INVALID_QUERY, null, "measures of '" + model.name()
            + "' would be repeated by the one-to-many join to '" + edges.stream()
            .filter(e -> e.relationship().fansOut()).findFirst().orElseThrow().to()
            + "'; declare primary_key on model '" + model.name() + "' so Strata can count each row once");
      }
      SqlNodeList keys = new SqlNodeList(POS);
      for (Dim d : dims) {
        keys.add(as(dimensionValue(d), d.alias()));
      }
      keys.add(as(expression(model, model.primaryKey()), KEY_ALIAS));
      SqlSelect keySelect = select(keys, from, whereNode, null);
      keySelect.setOperand(0, new SqlNodeList(List.of(SqlSelectKeyword.DISTINCT.symbol(POS)), POS));
      SqlNode keyed = new SqlJoin(POS, as(keySelect, "strata_keys"),
          SqlLiteral.createBoolean(false, POS), JoinType.INNER.symbol(POS), table(model),
          JoinConditionType.ON.symbol(POS),
          SqlStdOperatorTable.EQUALS.createCall(POS, id("strata_keys", KEY_ALIAS),
              expression(model, model.primaryKey())));
      SqlNodeList select = new SqlNodeList(POS);
      for (Dim d : dims) {
        select.add(as(id("strata_keys", d.alias()), d.alias()));
      }
      addMeasureColumns(select, allBaseAliases);
      return select(select, keyed, null, dims.isEmpty() ? null : groupByOrdinals(dims.size()));
    }

    private void addMeasureColumns(SqlNodeList select, List<String> allBaseAliases) {
      Map<String, SqlNode> mine = new LinkedHashMap<>();
      for (Member m : measures) {
        mine.put(aliases.get(m.path()), aggregate(m));
      }
      boolean stacked = allBaseAliases.size() > mine.size();
      for (String a : allBaseAliases) {
        SqlNode e = mine.get(a);
        if (e != null) {
          select.add(as(e, a));
        } else if (stacked && typedNulls.containsKey(a)) {
          // A scalar subquery of no row is NULL, typed as the measure is (HAVING keeps a
          // COUNT from answering 0).
          Member m = typedNulls.get(a);
          SqlNode never = SqlStdOperatorTable.EQUALS.createCall(POS,
              SqlLiteral.createExactNumeric("1", POS), SqlLiteral.createExactNumeric("0", POS));
          SqlSelect none = select(new SqlNodeList(List.of(aggregate(m)), POS), table(m.model()),
              never, null);
          none.setHaving(never);
          select.add(as(none, a));
        } else if (stacked) {
          select.add(as(SqlLiteral.createNull(POS), a));
        }
      }
    }
  }

  private Set<Member> filterMembers(Filter f) {
    Set<Member> out = new LinkedHashSet<>();
    if (f instanceof Filter.Condition c && AdHocExpression.isExpression(c.member())) {
      out.addAll(adHoc(c.member(), null).members());
    } else if (f instanceof Filter.Condition c) {
      out.add(resolve(c.member(), null));
    } else {
      List<Filter> parts = f instanceof Filter.And a ? a.filters() : ((Filter.Or) f).filters();
      parts.forEach(p -> out.addAll(filterMembers(p)));
    }
    return out;
  }

  private SqlNode aggregate(Member m) {
    Measure measure = m.measure();
    SqlNode value = measure.expr() == null ? null : expression(m.model(), measure.expr());
    if (measure.filter() != null) {
      SqlNode cond = expression(m.model(), measure.filter());
      SqlNode then = value != null ? value : SqlLiteral.createExactNumeric("1", POS);
      value = new SqlCase(POS, null, new SqlNodeList(List.of(cond), POS),
          new SqlNodeList(List.of(then), POS), SqlLiteral.createNull(POS));
    }
    return switch (measure.agg()) {
      case COUNT -> value == null ? SqlStdOperatorTable.COUNT.createCall(POS, SqlIdentifier.star(POS))
          : SqlStdOperatorTable.COUNT.createCall(POS, value);
      case COUNT_DISTINCT -> SqlStdOperatorTable.COUNT.createCall(
          SqlSelectKeyword.DISTINCT.symbol(POS), POS, value);
      case COUNT_DISTINCT_APPROX -> StrataOperators.approxCountDistinct(value);
      case SUM -> SqlStdOperatorTable.SUM.createCall(POS, value);
      case AVG -> SqlStdOperatorTable.AVG.createCall(POS, value);
      case MIN -> SqlStdOperatorTable.MIN.createCall(POS, value);
      case MAX -> SqlStdOperatorTable.MAX.createCall(POS, value);
      case NUMBER -> throw new IllegalStateException("number measures are not aggregated");
    };
  }

  /** A dimension's value as output: shifted to the query's zone and truncated for time. */
  private SqlNode dimensionValue(Dim d) {
    if (d.adHoc() != null) {
      return d.adHoc().toSql(this::localValue);
    }
    SqlNode e = expression(d.member().model(), d.member().dimension().sql());
    if (d.member().dimension().type() == DimensionType.TIME) {
      if (!utc || warehouse.truncatesLocalTimeOnly()) {
        e = StrataOperators.toLocalTime(e, zone.getId());
      }
      if (d.granularity() != null) {
        e = StrataOperators.timeTrunc(d.granularity(), e);
      }
    }
    return e;
  }

  /**
   * A dimension's value inside an ad-hoc dimension: time in the query's zone, as a time
   * dimension is output, so EXTRACT and DATE_TRUNC see local time.
   */
  private SqlNode localValue(Member m) {
    SqlNode e = expression(m.model(), m.dimension().sql());
    if (m.dimension().type() == DimensionType.TIME
        && (!utc || warehouse.truncatesLocalTimeOnly())) {
      e = StrataOperators.toLocalTime(e, zone.getId());
    }
    return e;
  }

  /**
   * A dimension's value as stored, for filters: time stays in UTC, to be compared with UTC
   * literals (and so with any index on the column).
   */
  private SqlNode dimensionValue(Member m) {
    return expression(m.model(), m.dimension().sql());
  }

  private SqlNode utcLiteral(LocalDateTime local) {
    return StrataOperators.timestamp(DateRanges.utcLiteral(local, zone));
  }

  private SqlNode between(SqlNode x, DateRanges.Interval i) {
    return between(x, i, this::utcLiteral);
  }

  private static SqlNode between(SqlNode x, DateRanges.Interval i,
      Function<LocalDateTime, SqlNode> at) {
    return SqlStdOperatorTable.AND.createCall(POS,
        SqlStdOperatorTable.GREATER_THAN_OR_EQUAL.createCall(POS, x, at.apply(i.from())),
        SqlStdOperatorTable.LESS_THAN.createCall(POS, x, at.apply(i.until())));
  }

  /** Builds a filter's condition; {@code value} gives the SQL of a member. */
  private SqlNode condition(Filter f, String loc,
      java.util.function.Function<Member, SqlNode> value) {
    if (f instanceof Filter.And a) {
      List<SqlNode> parts = new ArrayList<>();
      a.filters().forEach(p -> parts.add(condition(p, loc, value)));
      return and(parts);
    }
    if (f instanceof Filter.Or o) {
      List<SqlNode> parts = new ArrayList<>();
      o.filters().forEach(p -> parts.add(condition(p, loc, value)));
      return or(parts);
    }
    Filter.Condition c = (Filter.Condition) f;
    SqlNode x;
    Function<String, SqlNode> lit;
    Function<LocalDateTime, SqlNode> at;
    if (AdHocExpression.isExpression(c.member())) {
      // computed in the query's zone, so compared with local times
      AdHocExpression e = adHoc(c.member(), loc);
      x = e.toSql(this::localValue);
      lit = v -> adHocLiteral(e.type(), v);
      at = e.type() == AdHocExpression.Type.DATE ? Compilation::dateLiteral
          : Compilation::localLiteral;
    } else {
      Member m = resolve(c.member(), loc);
      x = value.apply(m);
      lit = v -> literal(m, v);
      at = this::utcLiteral;
    }
    List<String> vs = c.values();
    return switch (c.operator()) {
      case EQUALS -> vs.size() == 1 ? SqlStdOperatorTable.EQUALS.createCall(POS, x, lit.apply(vs.get(0)))
          : SqlStdOperatorTable.IN.createCall(POS, x, literals(lit, vs));
      case NOT_EQUALS -> or(List.of(vs.size() == 1
              ? SqlStdOperatorTable.NOT_EQUALS.createCall(POS, x, lit.apply(vs.get(0)))
              : SqlStdOperatorTable.NOT_IN.createCall(POS, x, literals(lit, vs)),
          SqlStdOperatorTable.IS_NULL.createCall(POS, x)));
      case CONTAINS -> or(likes(x, vs, true, true, false));
      case STARTS_WITH -> or(likes(x, vs, false, true, false));
      case ENDS_WITH -> or(likes(x, vs, true, false, false));
      case NOT_CONTAINS -> or(List.of(and(likes(x, vs, true, true, true)),
          SqlStdOperatorTable.IS_NULL.createCall(POS, x)));
      case GT -> SqlStdOperatorTable.GREATER_THAN.createCall(POS, x, lit.apply(vs.get(0)));
      case GTE -> SqlStdOperatorTable.GREATER_THAN_OR_EQUAL.createCall(POS, x, lit.apply(vs.get(0)));
      case LT -> SqlStdOperatorTable.LESS_THAN.createCall(POS, x, lit.apply(vs.get(0)));
      case LTE -> SqlStdOperatorTable.LESS_THAN_OR_EQUAL.createCall(POS, x, lit.apply(vs.get(0)));
      case SET -> SqlStdOperatorTable.IS_NOT_NULL.createCall(POS, x);
      case NOT_SET -> SqlStdOperatorTable.IS_NULL.createCall(POS, x);
      case IN_DATE_RANGE -> between(x, interval(vs, loc), at);
      case NOT_IN_DATE_RANGE -> {
        DateRanges.Interval i = interval(vs, loc);
        yield or(List.of(SqlStdOperatorTable.LESS_THAN.createCall(POS, x, at.apply(i.from())),
            SqlStdOperatorTable.GREATER_THAN_OR_EQUAL.createCall(POS, x, at.apply(i.until()))));
      }
      case BEFORE_DATE -> SqlStdOperatorTable.LESS_THAN.createCall(POS, x,
          at.apply(DateRanges.parse(vs.get(0), false)));
      case AFTER_DATE -> DateRanges.isDate(vs.get(0))
          ? SqlStdOperatorTable.GREATER_THAN_OR_EQUAL.createCall(POS, x,
              at.apply(DateRanges.parse(vs.get(0), true)))
          : SqlStdOperatorTable.GREATER_THAN.createCall(POS, x,
              at.apply(DateRanges.parse(vs.get(0), false)));
    };
  }

  private DateRanges.Interval interval(List<String> vs, String loc) {
    try {
      return DateRanges.interval(DateRange.of(vs.get(0), vs.get(1)), today);
    } catch (IllegalArgumentException e) {
      throw new QueryException(Code.INVALID_QUERY, loc + ".values", e.getMessage());
    }
  }

  private List<SqlNode> likes(SqlNode x, List<String> vs, boolean before, boolean after,
      boolean negated) {
    List<SqlNode> out = new ArrayList<>();
    for (String v : vs) {
      out.add(StrataOperators.likeIgnoreCase(x, v, before, after, negated));
    }
    return out;
  }

  private static SqlNodeList literals(Function<String, SqlNode> lit, List<String> vs) {
    SqlNodeList list = new SqlNodeList(POS);
    vs.forEach(v -> list.add(lit.apply(v)));
    return list;
  }

  /** A filter value compared with an ad-hoc dimension of type {@code t}. */
  private static SqlNode adHocLiteral(AdHocExpression.Type t, String v) {
    return switch (t) {
      case NUMBER -> {
        BigDecimal d = new BigDecimal(v.trim());
        yield d.signum() < 0
            ? SqlStdOperatorTable.UNARY_MINUS.createCall(POS,
                SqlLiteral.createExactNumeric(d.negate().toPlainString(), POS))
            : SqlLiteral.createExactNumeric(d.toPlainString(), POS);
      }
      case BOOLEAN -> SqlLiteral.createBoolean(Boolean.parseBoolean(v.trim()), POS);
      case TIME -> localLiteral(DateRanges.parse(v, false));
      case DATE -> dateLiteral(DateRanges.parse(v, false));
      case STRING -> SqlLiteral.createCharString(v, POS);
    };
  }

  /** A local time as a literal, for values computed in the query's zone. */
  private static SqlNode localLiteral(LocalDateTime local) {
    return StrataOperators.localTimestamp(DateRanges.LITERAL.format(local));
  }

  /** A day as a DATE literal (a time of day other than midnight as a local time). */
  private static SqlNode dateLiteral(LocalDateTime t) {
    return t.toLocalTime().equals(java.time.LocalTime.MIDNIGHT)
        ? SqlLiteral.createDate(new org.apache.calcite.util.DateString(t.toLocalDate().toString()),
            POS)
        : localLiteral(t);
  }

  private SqlNode literal(Member m, String v) {
    if (m.aggregated()) {
      return SqlLiteral.createExactNumeric(new BigDecimal(v.trim()).toPlainString(), POS);
    }
    return switch (m.dimension().type()) {
      case NUMBER -> {
        BigDecimal d = new BigDecimal(v.trim());
        yield d.signum() < 0
            ? SqlStdOperatorTable.UNARY_MINUS.createCall(POS,
                SqlLiteral.createExactNumeric(d.negate().toPlainString(), POS))
            : SqlLiteral.createExactNumeric(d.toPlainString(), POS);
      }
      case BOOLEAN -> SqlLiteral.createBoolean(Boolean.parseBoolean(v.trim()), POS);
      case TIME -> utcLiteral(DateRanges.parse(v, false));
      case STRING -> SqlLiteral.createCharString(v, POS);
    };
  }

  // --------------------------------------------------------------- SQL helpers

  private void applyOrderLimit(SqlSelect s, SemanticQuery q) {
    SqlNodeList orderBy = new SqlNodeList(POS);
    List<String> columns = new ArrayList<>();
    dims.forEach(d -> columns.add(d.alias()));
    outs.forEach(o -> columns.add(o.alias()));
    if (!q.order().isEmpty()) {
      for (int i = 0; i < q.order().size(); i++) {
        SemanticQuery.Order o = q.order().get(i);
        String a = memberAliases.get(o.member());
        if (a == null) {
          // a time dimension ordered by its plain name
          for (Dim d : dims) {
            if (d.requested().equals(o.member())) {
              a = d.alias();
              break;
            }
          }
        }
        if (a == null) {
          throw new QueryException(Code.INVALID_QUERY, "order[" + i + "]", "cannot order by '"
              + o.member() + "': it is not among the query's measures or dimensions");
        }
        SqlNode key = SqlLiteral.createExactNumeric(String.valueOf(columns.indexOf(a) + 1), POS);
        orderBy.add(o.descending() ? SqlStdOperatorTable.DESC.createCall(POS, key) : key);
      }
    } else {
      // Cube's default: by the first time dimension, else the first measure descending,
      // else the first dimension.
      Optional<Dim> time = dims.stream().filter(d -> d.granularity() != null).findFirst();
      if (time.isPresent()) {
        orderBy.add(ordinal(columns.indexOf(time.get().alias()) + 1));
      } else if (!outs.isEmpty()) {
        orderBy.add(SqlStdOperatorTable.DESC.createCall(POS,
            ordinal(columns.indexOf(outs.get(0).alias()) + 1)));
      } else if (!dims.isEmpty()) {
        orderBy.add(ordinal(1));
      }
    }
    s.setOrderBy(orderBy.isEmpty() ? null : orderBy);
    if (q.limit() != null) {
      s.setFetch(SqlLiteral.createExactNumeric(String.valueOf(q.limit()), POS));
    }
    if (q.offset() != null && q.offset() > 0) {
      s.setOffset(SqlLiteral.createExactNumeric(String.valueOf(q.offset()), POS));
    }
  }

  private static SqlNode ordinal(int i) {
    return SqlLiteral.createExactNumeric(String.valueOf(i), POS);
  }

  private static SqlNodeList groupByOrdinals(int n) {
    SqlNodeList list = new SqlNodeList(POS);
    for (int i = 1; i <= n; i++) {
      list.add(ordinal(i));
    }
    return list.isEmpty() ? null : list;
  }

  private static SqlSelect select(SqlNodeList select, SqlNode from, SqlNode where,
      SqlNodeList groupBy) {
    return new SqlSelect(POS, null, select, from, where, groupBy, null, null, null, null, null,
        null, null);
  }

  private static SqlNode as(SqlNode e, String alias) {
    if (e instanceof SqlIdentifier id && id.isSimple() && id.getSimple().equals(alias)) {
      return e;
    }
    return SqlStdOperatorTable.AS.createCall(POS, e, new SqlIdentifier(alias, POS));
  }

  private static SqlIdentifier id(String... names) {
    return new SqlIdentifier(List.of(names), POS);
  }

  private static SqlNode and(List<SqlNode> parts) {
    return combine(parts, SqlStdOperatorTable.AND);
  }

  private static SqlNode or(List<SqlNode> parts) {
    return combine(parts, SqlStdOperatorTable.OR);
  }

  private static SqlNode combine(List<SqlNode> parts, SqlOperator op) {
    if (parts.isEmpty()) {
      return null;
    }
    SqlNode acc = parts.get(0);
    for (int i = 1; i < parts.size(); i++) {
      acc = op.createCall(POS, acc, parts.get(i));
    }
    return acc;
  }

  private SqlNode table(Model m) {
    readModels.add(m.name());
    SqlNode source = m.table() != null
        ? new SqlIdentifier(List.of(m.table().split("\\.")), POS)
        : StrataOperators.raw(m.sql());
    return as(source, m.name());
  }

  private SqlNode parse(String expr, String where) {
    try {
      return SqlExpressions.parseExpression(expr);
    } catch (SqlExpressions.ParseError e) {
      throw new QueryException(Code.INVALID_QUERY, null, "expression in model '" + where
          + "' does not parse: " + e.getMessage());
    }
  }

  /** A model's SQL fragment with its bare column names qualified by the model's alias. */
  private SqlNode expression(Model m, String expr) {
    return parse(expr, m.name()).accept(new SqlShuttle() {
      @Override
      public SqlNode visit(SqlIdentifier id) {
        if (id.isStar()) {
          return id;
        }
        if (id.names.size() == 1) {
          // a column quoted in the model (a reserved word: "order") stays quoted
          return new SqlIdentifier(List.of(m.name(), id.names.get(0)), null, POS,
              List.of(POS, id.isComponentQuoted(0) ? SqlParserPos.QUOTED_ZERO : POS));
        }
        return id;
      }

    });
  }

  private SqlNode parseJoinCondition(JoinGraph.Edge e) {
    return parse(e.join().on(), e.from());
  }

}
