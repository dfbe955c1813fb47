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
 * does (each partition's compiled build query, loaded into one table; here in the source
 * database itself, as {@code store: source} does), then runs each rollup's whole
 * {@link RollupCorpus} twice: the raw query over the demo tables and the matched, rewritten
 * query over the rollup table. The rows must be the same. Exact values stay exact: an integer
 * or decimal from the raw query must come back as the same exact number (a sum of decimal sums
 * stays decimal, never a rounded double), and a double (DuckDB's ratios) as the very same
 * double; only DuckDB's {@code AVG} of decimals compares to six decimals (see
 * {@link #duckDbAverages}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RollupAnswersTest {
  static final double SCALE = 0.02;
  static final TimeSpan DATA = new TimeSpan(LocalDateTime.parse("2022-01-01T00:00"),
      LocalDateTime.parse("2025-01-01T00:00"));

  /** Postgres data lives in its own database, so suites loading other scales cannot race. */
  static final String PG_DATABASE = "strata_rollups";

  Rollups rollups;
  SemanticCatalog catalog;
  final Map<Dialect, Connection> connections = new java.util.EnumMap<>(Dialect.class);
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
      buildAll(e.getKey(), e.getValue());
    }
  }

  void buildAll(Dialect dialect, Connection c) throws SQLException {
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
        try (Statement st = c.createStatement()) {
          st.execute((first ? "CREATE TABLE " + table + " AS " : "INSERT INTO " + table + " ")
              + q.sql());
        }
        first = false;
      }
      built.put(layout.id(), layout.rollup().timeDimension() == null ? TimeSpan.ALL
          : new TimeSpan(declared.from(), declared.until()));
    }
  }

  @AfterAll
  void close() throws SQLException {
    for (Connection c : connections.values()) {
      c.close();
    }
  }

  static String relation(RollupLayout layout) {
    return "rollups." + layout.model() + "__" + layout.rollup().name();
  }

  List<org.junit.jupiter.params.provider.Arguments> cases() {
    List<org.junit.jupiter.params.provider.Arguments> out = new ArrayList<>();
    for (Dialect d : List.of(Dialect.DUCKDB, Dialect.POSTGRES)) {
      for (RollupLayout l : RollupFixtures.rollups().layouts()) {
        out.add(org.junit.jupiter.params.provider.Arguments.of(l.id(), d));
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("cases")
  void everyCorpusQueryGivesTheRawRowsFromTheRollup(String id, Dialect dialect)
      throws SQLException {
    Connection c = connections.get(dialect);
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
    for (SemanticQuery q : corpus) {
      String json = q.toString();
      MatchResult r = rollups.match(q, only);
      if (!(r instanceof Matched m)) {
        failures.add("not matched: " + r + "\n  " + json);
        continue;
      }
      CompiledQuery expectedSql = raw.compile(q, dialect);
      CompiledQuery actualSql = m.restore(new SemanticCompiler(m.rollupCatalog(),
          RollupFixtures.CLOCK).compile(m.rewritten(), dialect));
      assertThat(actualSql.columns()).extracting(OutputColumn::name)
          .containsExactlyElementsOf(expectedSql.columns().stream().map(OutputColumn::name)
              .toList());
      List<String> types = expectedSql.columns().stream().map(OutputColumn::type).toList();
      List<List<String>> expected = run(c, expectedSql.sql(), types);
      List<List<String>> actual;
      try {
        actual = run(c, actualSql.sql(), types);
      } catch (SQLException e) {
        failures.add("rollup SQL failed: " + e.getMessage() + "\n  " + json + "\n"
            + actualSql.sql());
        continue;
      }
      if (dialect == Dialect.DUCKDB) {
        expected = duckDbAverages(expected, expectedSql.columns());
        actual = duckDbAverages(actual, expectedSql.columns());
      }
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
    System.out.println("RollupAnswersTest " + id + " on " + dialect + ": " + corpus.size() + " queries, " + nonEmpty
        + " with rows, " + failures.size() + " failures");
    assertThat(failures).as("%s of %s corpus queries of %s", failures.size(), corpus.size(), id)
        .isEmpty();
    assertThat(nonEmpty).as("queries with rows").isGreaterThan(corpus.size() / 2);
  }

  /**
   * The one inexact case: DuckDB's {@code AVG} of a decimal divides in 80-bit extended precision
   * before rounding to a double, which no SQL over the stored sum and count can repeat (its
   * division is in double), so its last bit may differ (and so may its 15th digit, rounded);
   * those columns compare to six decimals. Every other value compares exactly (every digit of a
   * double too).
   */
  List<List<String>> duckDbAverages(List<List<String>> rows, List<OutputColumn> columns) {
    List<Integer> averages = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      String member = columns.get(i).member();
      int dot = member == null ? -1 : member.indexOf('.');
      if (dot > 0 && catalog.model(member.substring(0, dot))
          .flatMap(m -> m.measure(member.substring(dot + 1)))
          .filter(m -> m.agg() == io.strata.semantic.model.Aggregation.AVG).isPresent()) {
        averages.add(i);
      }
    }
    if (averages.isEmpty()) {
      return rows;
    }
    List<List<String>> out = new ArrayList<>();
    for (List<String> row : rows) {
      List<String> copy = new ArrayList<>(row);
      for (int i : averages) {
        String v = copy.get(i);
        if (v != null && v.startsWith("float ")) {
          copy.set(i, "float ~" + new BigDecimal(v.substring(6))
              .setScale(6, RoundingMode.HALF_UP).toPlainString());
        }
      }
      out.add(copy);
    }
    return out;
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
