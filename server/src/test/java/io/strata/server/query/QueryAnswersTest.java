package io.strata.server.query;

import io.strata.server.security.SecurityContext;
import java.util.HashSet;
import io.strata.testkit.Answers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.strata.semantic.compile.OutputColumn;
import io.strata.semantic.query.QueryJson;
import io.strata.server.datasource.DataSourceRegistry;
import io.strata.server.datasource.DataSourceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every query of the semantic corpus, run through {@link QueryService} (compile, pool, execute,
 * Arrow conversion) on DuckDB, Postgres and MariaDB, must give the same answer as the
 * hand-written reference SQL run directly on the same database. Values are compared the way the
 * semantic module's AnswerTest compares them (numbers to 6 decimals, timestamps to the second),
 * so this pins down that the Arrow conversion loses nothing the reference answer has.
 *
 * <p>MariaDB runs every query that has a MariaDB or portable reference, except the two
 * named-time-zone queries when the server's time zone tables are not loaded (CONVERT_TZ to a
 * named zone returns NULL there); the excluded ones are printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryAnswersTest {
  /** HyperLogLog members: DuckDB's approximate count is 10-23% off at these cardinalities. */
  static final Set<String> APPROXIMATE_MEMBERS = Set.of("orders.approx_customer_count");

  enum Db { DUCKDB, POSTGRES, MARIADB }

  record Case(String name, String json, Db db) {
    @Override
    public String toString() {
      return name + " on " + db;
    }
  }

  final Map<Db, QueryService> services = new EnumMap<>(Db.class);
  final Map<Db, DataSourceRegistry> registries = new EnumMap<>(Db.class);
  final Map<Db, DataSourceSpec> specs = new EnumMap<>(Db.class);
  final List<QueryEvent> events = new CopyOnWriteArrayList<>();
  RootAllocator allocator;
  boolean mariadbTimeZones;

  @BeforeAll
  void setUp() throws SQLException {
    allocator = new RootAllocator();
    specs.put(Db.DUCKDB, TestSupport.duckdbSpec("demo"));
    specs.put(Db.POSTGRES, TestSupport.postgresSpec("demo"));
    specs.put(Db.MARIADB, TestSupport.mariadbSpec("demo"));
    mariadbTimeZones = TestSupport.mariadbTimeZones(specs.get(Db.MARIADB));
    for (Db db : Db.values()) {
      DataSourceRegistry registry = new DataSourceRegistry();
      registry.put(specs.get(db));
      registries.put(db, registry);
      var compiler = TestSupport.compiler();
      services.put(db, new QueryService(() -> compiler, registry, allocator,
          QueryLimits.defaults().withTimeout(Duration.ofSeconds(60)).withBatchRows(64),
          events::add, TestSupport.CLOCK));
    }
  }

  @AfterAll
  void tearDown() {
    services.values().forEach(QueryService::close);
    registries.values().forEach(DataSourceRegistry::close);
    assertThat(allocator.getAllocatedMemory()).as("Arrow memory left allocated").isZero();
    allocator.close();
  }

  Stream<Arguments> cases() throws IOException {
    List<Arguments> out = new ArrayList<>();
    List<String> excluded = new ArrayList<>();
    try (Stream<Path> files = Files.list(TestSupport.QUERIES)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        String name = p.getFileName().toString().replaceFirst("\\.json$", "");
        String json = Files.readString(p);
        for (Db db : Db.values()) {
          if (db == Db.MARIADB && json.contains("\"timezone\"") && !mariadbTimeZones) {
            excluded.add(name);
            continue;
          }
          out.add(Arguments.of(new Case(name, json, db)));
        }
      }
    }
    if (!excluded.isEmpty()) {
      System.out.println("QueryAnswersTest: MariaDB time zone tables are not loaded (CONVERT_TZ"
          + " to America/New_York is NULL), so these run on DuckDB and Postgres only: "
          + excluded);
    }
    return out.stream();
  }

  @Test
  void theCorpusIsThere() throws IOException {
    try (Stream<Path> files = Files.list(TestSupport.QUERIES)) {
      assertThat(files.filter(f -> f.toString().endsWith(".json")).count())
          .isGreaterThanOrEqualTo(41);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void answerMatchesReference(Case c) throws Exception {
    Db db = c.db();
    if (db == Db.MARIADB) {
      TestSupport.ensureMariadbDemo(specs.get(db)); // shared database: re-check the marker
    }
    Path ref = reference(c.name(), db);
    if (ref == null) {
      fail("no reference SQL for " + c.name() + " on " + db);
    }
    QueryService service = services.get(db);
    int before = events.size();
    List<List<String>> actual;
    List<OutputColumn> cols;
    try (QueryResult result = service.execute(
        new QueryRequest(QueryJson.parse(c.json()), c.json(), SecurityContext.internal("tester"), "rest"))) {
      cols = result.compiled().columns();
      assertThat(result.schema().getFields()).extracting(f -> f.getName())
          .containsExactlyElementsOf(cols.stream().map(OutputColumn::name).toList());
      actual = rows(result.batches(), cols);
      assertThat(result.rows()).isEqualTo(actual.size());
    }
    List<List<String>> expected;
    try (Connection conn = TestSupport.connect(specs.get(db))) {
      expected = run(conn, Files.readString(ref), cols);
    }
    boolean ordered = c.json().contains("\"order\"");
    String problem = compare(expected, actual, cols, ordered);
    if (problem != null) {
      fail(c.name() + " on " + db + ": " + problem + "\nreference (" + ref.getFileName() + "), "
          + expected.size() + " rows:\n" + Answers.show(expected) + "through QueryService, "
          + actual.size() + " rows:\n" + Answers.show(actual));
    }
    assertThat(events.subList(before, events.size()))
        .as("one query event, without error")
        .singleElement()
        .satisfies(e -> {
          assertThat(e.errorCode()).isNull();
          assertThat(e.rows()).isEqualTo(expected.size());
        });
  }

  static Path reference(String name, Db db) {
    List<String> candidates = new ArrayList<>();
    candidates.add(db.name().toLowerCase());
    if (db == Db.DUCKDB) {
      candidates.add("postgres");
    }
    candidates.add("ref");
    for (String c : candidates) {
      Path p = TestSupport.QUERIES.resolve(name + "." + c + ".sql");
      if (Files.exists(p)) {
        return p;
      }
    }
    return null;
  }

  /** The Arrow result, normalised as the reference answer is. */
  static List<List<String>> rows(List<VectorSchemaRoot> batches, List<OutputColumn> cols) {
    List<List<String>> out = new ArrayList<>();
    for (VectorSchemaRoot b : batches) {
      List<FieldVector> vectors = b.getFieldVectors();
      for (int r = 0; r < b.getRowCount(); r++) {
        List<String> row = new ArrayList<>();
        for (int c = 0; c < vectors.size(); c++) {
          row.add(Answers.normalise(RowWriters.value(vectors.get(c), r),
              c < cols.size() ? cols.get(c).type() : null));
        }
        out.add(row);
      }
    }
    return out;
  }

  // ---- the comparison of the semantic module's AnswerTest, copied -----------------------------

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
