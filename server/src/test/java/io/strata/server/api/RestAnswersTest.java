package io.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.demo.DemoData;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Response;
import io.strata.testkit.Answers;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The foundation's query corpus through {@code POST /api/v1/query} of a running server, first on
 * the embedded DuckDB demo, then with data source {@code demo} re-pointed (over the API) at the
 * local Postgres: every answer equals the hand-written reference SQL run on the same data.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestAnswersTest {
  static final double SCALE = 0.02;
  /** Relative date ranges depend on today; approximate counts are not exact. */
  static final Set<String> SKIPPED = Set.of("q39-relative-last-7-days", "q34-count-distinct-and-approx");

  TestServer server;

  @BeforeAll
  void start() {
    server = TestServer.start(Map.of());
  }

  @AfterAll
  void stop() {
    server.close();
  }

  static Path queries() {
    return Path.of(System.getProperty("basedir", "server")).toAbsolutePath().getParent()
        .resolve("semantic/src/test/resources/queries");
  }

  /** Query names and their reference SQL for one database ({@code postgres} or null for DuckDB). */
  static List<String[]> corpus(String dialect) throws IOException {
    List<String[]> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(queries())) {
      for (Path json : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        String name = json.getFileName().toString().replace(".json", "");
        Path specific = queries().resolve(name + "." + dialect + ".sql");
        Path generic = queries().resolve(name + ".ref.sql");
        Path ref = dialect != null && Files.exists(specific) ? specific : generic;
        if (!SKIPPED.contains(name) && Files.exists(ref)) {
          out.add(new String[] {name, Files.readString(json), Files.readString(ref)});
        }
      }
    }
    return out;
  }

  @Test
  void answersOnDuckDbAndOnPostgresEqualTheReferenceSql() throws Exception {
    Warehouse duck = Warehouses.duckdb(null);
    try (Connection c = duck.connect()) {
      DemoData.loadDuckDb(c, SCALE);
      int checked = check(corpus(null), c);
      assertThat(checked).isGreaterThanOrEqualTo(20);
    }

    Warehouse pg = Warehouses.postgresDatabase("strata_rest_answers", false);
    try (Connection c = pg.connect()) {
      DemoData.ensureLoaded(c, SCALE);
      Response moved = server.admin().put("/api/v1/datasources/demo", Map.of("kind", "postgres",
          "url", pg.jdbcUrl(), "username", pg.user()));
      assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
      assertThat(moved.json().path("dialect").asText()).isEqualTo("postgres");
      int checked = check(corpus("postgres"), c);
      assertThat(checked).isGreaterThanOrEqualTo(35);
    }
  }

  private int check(List<String[]> corpus, Connection reference) throws SQLException {
    List<String> failures = new ArrayList<>();
    for (String[] q : corpus) {
      Response r = server.admin().post("/api/v1/query", q[1]);
      if (r.status() != 200) {
        failures.add(q[0] + ": " + r);
        continue;
      }
      List<List<String>> actual = TestServer.rows(r);
      List<List<String>> expected = Answers.run(reference, q[2], List.of());
      String problem = Answers.compare(expected, actual, Set.of(), false);
      if (problem != null) {
        failures.add(q[0] + ": " + problem + "\n  reference:\n" + Answers.show(expected)
            + "  REST:\n" + Answers.show(actual));
      }
    }
    assertThat(failures).as(String.join("\n", failures)).isEmpty();
    return corpus.size();
  }

}
