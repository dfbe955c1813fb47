package io.strata.acceleration.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.acceleration.rollup.MatchResult.Matched;
import io.strata.demo.DemoData;
import io.strata.semantic.compile.CompiledQuery;
import io.strata.semantic.compile.OutputColumn;
import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.dialect.Dialect;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.SemanticQuery;
import io.strata.testkit.Answers;
import io.strata.testkit.Warehouses;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Builds every fixture rollup in real DuckDB and Postgres databases the way the build system
 * does (each partition's compiled build query, loaded into one table): in the source database
 * itself, as {@code store: source} does, and for Postgres also into a separate DuckDB database
 * as {@code store: local} does (the rows read from Postgres, numerics without precision as
 * Decimal(38,16), as the local store's Arrow load reads them). Then runs each rollup's whole
 * {@link RollupCorpus} twice: the raw query over the demo tables and the matched, rewritten
 * query over the rollup table. The rows must be the same, to the last digit: an integer or
 * decimal from the raw query must come back as the same exact number (a sum of decimal sums
 * stays decimal, never a rounded double), and a double (DuckDB's ratios) as the very same
 * double. What cannot be exact must be refused, with its reason, so that the source answers: a
 * DuckDB {@code avg}, and every division over the local store of a Postgres model.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RollupAnswersTest {
  static final double SCALE = 0.02;
  static final TimeSpan DATA = new TimeSpan(LocalDateTime.parse("2022-01-01T00:00"),
      LocalDateTime.parse("2025-01-01T00:00"));

  /** Postgres data lives in its own database, so suites loading other scales cannot race. */
  static final String PG_DATABASE = "strata_rollups";

  /** The members of the fixtures that divide: avgs, ratios, a {@code /} in an expression. */
  static final java.util.Set<String> DIVIDING = java.util.Set.of("order_items.avg_unit_price",
      "order_items.revenue_per_unit", "orders.completion_rate", "orders.avg_order_value");
  static final java.util.Set<String> AVERAGES = java.util.Set.of("order_items.avg_unit_price");

  /** Where the raw query runs and where the rollup is stored (and its query runs). */
  enum Setup {
    DUCKDB(Dialect.DUCKDB, Dialect.DUCKDB),
    POSTGRES(Dialect.POSTGRES, Dialect.POSTGRES),
    POSTGRES_INTO_LOCAL_DUCKDB(Dialect.POSTGRES, Dialect.DUCKDB);

    final Dialect source;
    final Dialect store;

    Setup(Dialect source, Dialect store) {
      this.source = source;
      this.store = store;
    }

    /** The dialect of a data source: the rollups' store, or the models' warehouse. */
    Dialect dialect(String dataSource) {
      return dataSource.equals("rollup_store") ? store : source;
    }
  }

  Rollups rollups;
  SemanticCatalog catalog;
  final Map<Dialect, Connection> connections = new java.util.EnumMap<>(Dialect.class);
  /** The local store of the Postgres rollups: a DuckDB database of its own. */
  Connection localStore;
  final Map<String, TimeSpan> built = new LinkedHashMap<>();

  @BeforeAll
  void build() throws SQLException {
    catalog = RollupFixtures.catalog();
    rollups = new Rollups(catalog, RollupFixtures.CLOCK);
    Connection duck = Warehouses.duckdb(null).connect();
    DemoData.loadDuckDb(duck, SCALE);
    connections.put(Dialect.DUCKDB, duck);
    Connection pg = Warehouses.postgresDatabase(PG_DATABASE, false).connect();
    DemoData.ensureLoaded(pg, SCALE);
    connections.put(Dialect.POSTGRES, pg);
    for (Map.Entry<Dialect, Connection> e : connections.entrySet()) {
      try (Statement st = e.getValue().createStatement()) {
        st.execute("DROP SCHEMA IF EXISTS rollups CASCADE");
        st.execute("CREATE SCHEMA rollups");
      }
      buildAll(e.getKey(), e.getValue(), null);
    }
    localStore = java.sql.DriverManager.getConnection("jdbc:duckdb:");
    try (Statement st = localStore.createStatement()) {
      st.execute("CREATE SCHEMA rollups");
    }
    buildAll(Dialect.POSTGRES, pg, localStore);
  }

  /**
   * Builds every rollup from the source {@code c}: into its own schema {@code rollups}, or,
   * given {@code local}, into that DuckDB database as the local store loads it.
   */
  void buildAll(Dialect dialect, Connection c, Connection local) throws SQLException {
    for (RollupLayout layout : rollups.layouts()) {
      TimeSpan declared = rollups.buildSpan(layout);
      // Partitions over the data where the rollup declares no range; an open start stays open
      // in what is reported, as the build system reports it (running totals may read it).
      TimeSpan planned = new TimeSpan(
          declared.from() == null ? DATA.from() : declared.from(),
          declared.until() == null ? DATA.until() : declared.until());
      List<Partition> partitions = layout.rollup().timeDimension() == null
          ? rollups.partitions(layout, TimeSpan.ALL) : rollups.partitions(layout, planned);
      String table = relation(layout);
      SemanticCompiler compiler = new SemanticCompiler(layout.catalog(), RollupFixtures.CLOCK);
      boolean first = true;
      for (Partition p : partitions) {
        CompiledQuery q = compiler.compile(rollups.buildQuery(layout, p), dialect);
        assertThat(q.columns()).extracting(OutputColumn::alias)
            .containsExactlyElementsOf(layout.columns().stream().map(RollupColumn::name).toList());
        if (local != null) {
          loadLocally(c, q.sql(), local, table, first);
        } else {
          try (Statement st = c.createStatement()) {
            st.execute((first ? "CREATE TABLE " + table + " AS " : "INSERT INTO " + table + " ")
                + q.sql());
          }
        }
        first = false;
      }
      built.put(layout.id(), layout.rollup().timeDimension() == null ? TimeSpan.ALL
          : new TimeSpan(declared.from(), declared.until()));
    }
  }

  /**
   * One partition into the local store: the build query's rows read at the source, the table
   * created from the first partition's column types as the local store types its Arrow columns
   * (a numeric without precision is Decimal(38,16), the exact sum of money-like values).
   */
  static void loadLocally(Connection source, String sql, Connection local, String table,
      boolean create) throws SQLException {
    try (Statement st = source.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      java.sql.ResultSetMetaData md = rs.getMetaData();
      int n = md.getColumnCount();
      if (create) {
        List<String> cols = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          cols.add("\"" + md.getColumnLabel(i) + "\" " + localType(md, i));
        }
        try (Statement ddl = local.createStatement()) {
          ddl.execute("CREATE TABLE " + table + " (" + String.join(", ", cols) + ")");
        }
      }
      String marks = String.join(", ", java.util.Collections.nCopies(n, "?"));
      try (java.sql.PreparedStatement ins = local.prepareStatement("INSERT INTO " + table
          + " VALUES (" + marks + ")")) {
        while (rs.next()) {
          for (int i = 1; i <= n; i++) {
            int type = md.getColumnType(i);
            Object v = type == java.sql.Types.TIMESTAMP
                ? rs.getObject(i, LocalDateTime.class) : rs.getObject(i);
            if (v instanceof BigDecimal d && localType(md, i).equals("DECIMAL(38,16)")) {
              v = d.setScale(16, RoundingMode.HALF_UP);
            }
            ins.setObject(i, v);
          }
          ins.addBatch();
        }
        ins.executeBatch();
      }
    }
  }

  private static String localType(java.sql.ResultSetMetaData md, int i) throws SQLException {
    return switch (md.getColumnType(i)) {
      case java.sql.Types.NUMERIC, java.sql.Types.DECIMAL -> {
        // as ArrowConversion reads it and LocalRollupStore types it
        int p = md.getPrecision(i);
        int sc = md.getScale(i);
        yield p <= 0 || sc < 0 || sc > p ? "DECIMAL(38,16)"
            : p > 38 ? "VARCHAR" : "DECIMAL(" + p + "," + sc + ")";
      }
      case java.sql.Types.BIGINT -> "BIGINT";
      case java.sql.Types.INTEGER -> "INTEGER";
      case java.sql.Types.SMALLINT -> "SMALLINT";
      case java.sql.Types.DOUBLE, java.sql.Types.FLOAT -> "DOUBLE";
      case java.sql.Types.REAL -> "REAL";
      case java.sql.Types.BOOLEAN, java.sql.Types.BIT -> "BOOLEAN";
      case java.sql.Types.DATE -> "DATE";
      case java.sql.Types.TIMESTAMP -> "TIMESTAMP";
      case java.sql.Types.TIMESTAMP_WITH_TIMEZONE -> "TIMESTAMPTZ";
      default -> "VARCHAR";
    };
  }

  @AfterAll
  void close() throws SQLException {
    for (Connection c : connections.values()) {
      c.close();
    }
    if (localStore != null) {
      localStore.close();
    }
  }

  static String relation(RollupLayout layout) {
    return "rollups." + layout.model() + "__" + layout.rollup().name();
  }

  List<org.junit.jupiter.params.provider.Arguments> cases() {
    List<org.junit.jupiter.params.provider.Arguments> out = new ArrayList<>();
    for (Setup d : Setup.values()) {
      for (RollupLayout l : RollupFixtures.rollups().layouts()) {
        out.add(org.junit.jupiter.params.provider.Arguments.of(l.id(), d));
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("cases")
  void everyCorpusQueryGivesTheRawRowsFromTheRollup(String id, Setup setup)
      throws SQLException {
    Dialect dialect = setup.source;
    Connection c = connections.get(dialect);
    Connection store = setup == Setup.POSTGRES_INTO_LOCAL_DUCKDB ? localStore : c;
    RollupLayout layout = rollups.layouts().stream().filter(l -> l.id().equals(id)).findFirst()
        .orElseThrow();
    TimeSpan span = built.get(id);
    TimeSpan corpusSpan = new TimeSpan(span.from() == null ? DATA.from() : span.from(),
        span.until() == null ? DATA.until() : span.until());
    // Only this rollup is built, so each query exercises it rather than a smaller one.
    RollupAvailability only = (model, rollup) -> (model + "." + rollup).equals(id)
        ? Optional.of(new RollupAvailability.Built("v1", relation(layout), "rollup_store", span))
        : Optional.empty();
    List<SemanticQuery> corpus = RollupCorpus.queries(rollups, layout, corpusSpan,
        samples(layout, c));
    assertThat(corpus).as("corpus of %s", id).hasSizeGreaterThan(10);
    SemanticCompiler raw = new SemanticCompiler(catalog, RollupFixtures.CLOCK);
    List<String> failures = new ArrayList<>();
    int nonEmpty = 0;
    int compared = 0;
    int refused = 0;
    for (SemanticQuery q : corpus) {
      String json = q.toString();
      MatchResult r = rollups.match(q, only, setup::dialect);
      String inexact = inexact(q, setup);
      if (inexact != null) {
        // the source answers: the only exact answer there is
        String reasons = r instanceof MatchResult.NotMatched n ? n.rejections().stream()
            .filter(x -> x.rollupId().equals(id)).map(MatchResult.Rejection::reason)
            .findFirst().orElse("") : "";
        if (!reasons.startsWith(inexact)) {
          failures.add("should be refused (" + inexact + "), got: " + r.explain() + "\n  "
              + json);
        }
        refused++;
        continue;
      }
      if (!(r instanceof Matched m)) {
        failures.add("not matched: " + r + "\n  " + json);
        continue;
      }
      CompiledQuery expectedSql = raw.compile(q, dialect);
      CompiledQuery actualSql = m.restore(new SemanticCompiler(m.rollupCatalog(),
          RollupFixtures.CLOCK).compile(m.rewritten(), setup.store));
      assertThat(actualSql.columns()).extracting(OutputColumn::name)
          .containsExactlyElementsOf(expectedSql.columns().stream().map(OutputColumn::name)
              .toList());
      List<String> types = expectedSql.columns().stream().map(OutputColumn::type).toList();
      List<List<String>> expected = run(c, expectedSql.sql(), types);
      List<List<String>> actual;
      try {
        actual = run(store, actualSql.sql(), types);
      } catch (SQLException e) {
        failures.add("rollup SQL failed: " + e.getMessage() + "\n  " + json + "\n"
            + actualSql.sql());
        continue;
      }
      compared++;
      String problem = Answers.compare(expected, actual, new HashSet<>(), false);
      if (problem != null) {
        failures.add(problem + "\n  " + json + "\nexpected " + expected.size() + " rows:\n"
            + Answers.show(expected) + "rollup gave " + actual.size() + " rows:\n"
            + Answers.show(actual) + actualSql.sql());
      }
      if (!expected.isEmpty()) {
        nonEmpty++;
      }
    }
    System.out.println("RollupAnswersTest " + id + " on " + setup + ": " + corpus.size()
        + " queries, " + compared + " compared, " + nonEmpty + " with rows, " + refused
        + " refused as inexact, " + failures.size() + " failures");
    assertThat(failures).as("%s of %s corpus queries of %s", failures.size(), corpus.size(), id)
        .isEmpty();
    assertThat(compared + refused).isEqualTo(corpus.size());
    if (compared > 0) {
      assertThat(nonEmpty).as("queries with rows").isGreaterThan(compared / 2);
    } else {
      // every query of this rollup divides (orders.aov over the local store of Postgres)
      assertThat(refused).as("refused as inexact").isEqualTo(corpus.size());
    }
  }

  /**
   * The start of the reason a query must be refused for in {@code setup}, or null when its
   * answer from the rollup must be exact: a DuckDB avg anywhere, and on another engine than
   * the source's every member that divides.
   */
  static String inexact(SemanticQuery q, Setup setup) {
    List<String> members = new ArrayList<>(q.measures());
    q.filters().forEach(f -> conditionMembers(f, members));
    for (String m : members) {
      if (setup.source == Dialect.DUCKDB && AVERAGES.contains(m)) {
        return "cannot average exactly as duckdb does: " + m;
      }
      if (setup.source != setup.store && DIVIDING.contains(m)) {
        return "cannot divide exactly as postgres does: " + m;
      }
    }
    return null;
  }

  private static void conditionMembers(io.strata.semantic.query.Filter f, List<String> out) {
    if (f instanceof io.strata.semantic.query.Filter.Condition c) {
      out.add(c.member());
    } else if (f instanceof io.strata.semantic.query.Filter.And a) {
      a.filters().forEach(x -> conditionMembers(x, out));
    } else if (f instanceof io.strata.semantic.query.Filter.Or o) {
      o.filters().forEach(x -> conditionMembers(x, out));
    }
  }

  /** A value present in the data for each dimension of the rollup. */
  Map<String, String> samples(RollupLayout layout, Connection conn) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    SemanticCompiler raw = new SemanticCompiler(catalog, RollupFixtures.CLOCK);
    for (RollupColumn c : layout.columns()) {
      if (c.role() != RollupColumn.Role.DIMENSION) {
        continue;
      }
      SemanticQuery q = new SemanticQuery(List.of(), List.of(c.member()), List.of(), List.of(),
          List.of(), List.of(new SemanticQuery.Order(c.member(), false)), 1, 1, null);
      List<List<String>> rows = run(conn, raw.compile(q, Dialect.DUCKDB).sql(),
          List.of(c.type()));
      if (!rows.isEmpty() && rows.get(0).get(0) != null) {
        out.put(c.member(), rows.get(0).get(0).replaceFirst("^(exact|float) ", ""));
      }
    }
    return out;
  }

  /**
   * Rows with each value in one text form that keeps exactness: integers and decimals as their
   * exact value (tagged, so an exact number never equals a rounded double), floating point with
   * every digit, everything else as {@link Answers#normalise} writes it.
   */
  static List<List<String>> run(Connection c, String sql, List<String> types)
      throws SQLException {
    List<List<String>> rows = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
          Object v = rs.getObject(i);
          String type = i <= types.size() ? types.get(i - 1) : null;
          row.add(exact(v, type));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  static String exact(Object v, String type) {
    if (v instanceof BigDecimal d) {
      // Postgres sums integers into numeric, where the source gave bigint: same exact value.
      return "exact " + d.stripTrailingZeros().toPlainString();
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof BigInteger) {
      return "boolean".equals(type) ? Answers.normalise(v, type) : "exact " + v;
    }
    if (v instanceof Double || v instanceof Float) {
      // every digit: the rollup's division must give the very double the raw query gives
      return "float " + v;
    }
    return Answers.normalise(v, type);
  }
}
