package io.strata.semantic.answers;

import java.util.HashSet;
import static org.junit.jupiter.api.Assertions.fail;

import io.strata.demo.DemoData;
import io.strata.semantic.compile.CompiledQuery;
import io.strata.semantic.compile.OutputColumn;
import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.dialect.Dialect;
import io.strata.semantic.golden.QueryCorpus;
import io.strata.semantic.golden.QueryCorpus.QueryFile;
import io.strata.testkit.Answers;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every query's compiled SQL and an independently hand-written reference SQL on real
 * databases and compares the results as multisets of normalised rows (and in order when the
 * query has an explicit {@code order}).
 *
 * <p>Reference files live next to the query: {@code qNN-name.<db>.sql} (db = duckdb, postgres,
 * mariadb) or one portable {@code qNN-name.ref.sql}. DuckDB falls back to the Postgres file
 * (same syntax for what the references use). MariaDB runs only the queries that have a MariaDB or
 * portable reference, and no time-zone queries unless its time zone tables are loaded.
 *
 * <p>Postgres data is loaded into a private database {@value #PG_DATABASE} so that other test
 * suites reloading {@code strata_test} at other scales cannot race with this one. MariaDB's
 * {@code retail} database is shared; the load marker is re-checked before every query.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnswerTest {
  static final double SCALE = 0.02;
  static final String PG_DATABASE = "strata_golden";

  /**
   * Compiler bugs: query id (qNN) -> reason. A failing answer check for these is printed instead
   * of failing the build; remove the entry once the compiler is fixed. Keep this list short.
   */
  static final Map<String, String> KNOWN_COMPILER_BUGS = Map.of();

  /** Members computed approximately by some databases (HyperLogLog): compared within 25%: DuckDB's APPROX_COUNT_DISTINCT was measured 10-23% off the exact count at the demo's cardinalities (60-200). */
  static final Set<String> APPROXIMATE_MEMBERS = Set.of("orders.approx_customer_count");

  enum Db { DUCKDB, POSTGRES, MARIADB }

  final Map<Db, Connection> connections = new EnumMap<>(Db.class);
  final Map<Db, String> unavailable = new EnumMap<>(Db.class);
  boolean mariadbTimeZones;
  SemanticCompiler compiler;

  @BeforeAll
  void setUp() throws Exception {
    compiler = QueryCorpus.compiler();
    System.out.println("AnswerTest KNOWN_COMPILER_BUGS (" + KNOWN_COMPILER_BUGS.size() + "): "
        + new TreeMap<>(KNOWN_COMPILER_BUGS));
    Connection duck = Warehouses.duckdb(null).connect();
    DemoData.loadDuckDb(duck, SCALE);
    connections.put(Db.DUCKDB, duck);

    Warehouse pg = Warehouses.postgres();
    try (Connection admin = pg.connect(); Statement st = admin.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT 1 FROM pg_database WHERE datname = '" + PG_DATABASE + "'")) {
      if (!rs.next()) {
        try (Statement create = admin.createStatement()) {
          create.execute("CREATE DATABASE " + PG_DATABASE);
        } catch (SQLException e) {
          // created concurrently: fine
        }
      }
    }
    String url = pg.jdbcUrl().replaceFirst("/" + Warehouses.TEST_DATABASE + "(\\?|$)",
        "/" + PG_DATABASE + "$1");
    Connection pgc = new Warehouse(pg.kind(), url, pg.user(), pg.password()).connect();
    DemoData.ensureLoaded(pgc, SCALE);
    connections.put(Db.POSTGRES, pgc);

    Connection maria = Warehouses.mariadb().connect();
    DemoData.ensureLoaded(maria, SCALE);
    connections.put(Db.MARIADB, maria);
    try (Statement st = maria.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT CONVERT_TZ('2024-01-01 00:00:00','+00:00','America/New_York')")) {
      rs.next();
      mariadbTimeZones = rs.getString(1) != null;
    }
    if (!mariadbTimeZones) {
      System.out.println("AnswerTest: MariaDB time zone tables are not loaded (CONVERT_TZ to "
          + "America/New_York is NULL): time-zone queries are skipped on MariaDB");
    }
  }

  @AfterAll
  void tearDown() throws SQLException {
    for (Connection c : connections.values()) {
      c.close();
    }
  }

  Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (Db db : Db.values()) {
      for (QueryFile q : QueryCorpus.queries()) {
        out.add(Arguments.of(q, db));
      }
    }
    return out.stream();
  }

  static Path reference(QueryFile q, Db db) {
    Path dir = QueryCorpus.queriesDir();
    List<String> candidates = new ArrayList<>();
    candidates.add(db.name().toLowerCase());
    if (db == Db.DUCKDB) {
      candidates.add("postgres");
    }
    candidates.add("ref");
    for (String c : candidates) {
      Path p = dir.resolve(q.name() + "." + c + ".sql");
      if (Files.exists(p)) {
        return p;
      }
    }
    return null;
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("cases")
  void compiledAnswerMatchesReference(QueryFile q, Db db) throws Exception {
    Path ref = reference(q, db);
    if (db == Db.MARIADB) {
      Assumptions.assumeTrue(ref != null, "no MariaDB/portable reference for " + q.name());
      Assumptions.assumeTrue(mariadbTimeZones || !q.json().contains("\"timezone\""),
          "MariaDB time zone tables not loaded");
      DemoData.ensureLoaded(connections.get(db), SCALE); // shared database: re-check the marker
    } else if (ref == null) {
      fail("no reference SQL for " + q.name() + " on " + db);
    }
    Dialect dialect = switch (db) {
      case DUCKDB -> Dialect.DUCKDB;
      case POSTGRES -> Dialect.POSTGRES;
      case MARIADB -> Dialect.MYSQL;
    };
    String bug = KNOWN_COMPILER_BUGS.get(q.name().substring(0, q.name().indexOf('-')));
    try {
      check(q, db, dialect, ref);
    } catch (AssertionError | SQLException e) {
      if (bug != null) {
        System.out.println("known compiler bug " + q.name() + " on " + db + ": " + bug);
        return;
      }
      throw e;
    }
  }

  private void check(QueryFile q, Db db, Dialect dialect, Path ref) throws SQLException {
    CompiledQuery compiled = QueryCorpus.compile(compiler, q, dialect);
    List<OutputColumn> cols = compiled.columns();
    Connection c = connections.get(db);
    List<List<String>> actual;
    try {
      actual = run(c, compiled.sql(), cols);
    } catch (SQLException e) {
      throw new AssertionError(db + " rejected the compiled SQL for " + q.name() + ": "
          + e.getMessage() + "\n" + compiled.sql(), e);
    }
    String refSql = QueryCorpus.read(ref);
    List<List<String>> expected = run(c, refSql, cols);
    boolean ordered = q.json().contains("\"order\"");
    String problem = compare(expected, actual, cols, ordered);
    if (problem != null) {
      fail(q.name() + " on " + db + ": " + problem + "\nreference (" + ref.getFileName() + "), "
          + expected.size() + " rows:\n" + Answers.show(expected) + "compiled, " + actual.size()
          + " rows:\n" + Answers.show(actual) + "compiled SQL:\n" + compiled.sql());
    }
  }

  static List<List<String>> run(Connection c, String sql, List<OutputColumn> cols)
      throws SQLException {
    return Answers.run(c, sql, cols.stream().map(OutputColumn::type).toList());
  }

  static String compare(List<List<String>> expected, List<List<String>> actual,
      List<OutputColumn> cols, boolean ordered) {
    Set<Integer> approximate = new HashSet<>();
    for (int i = 0; i < cols.size(); i++) {
      if (APPROXIMATE_MEMBERS.contains(cols.get(i).member())) {
        approximate.add(i);
      }
    }
    return Answers.compare(expected, actual, approximate, ordered);
  }
}
