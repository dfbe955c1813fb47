package io.strata.server.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.demo.DemoData;
import io.strata.server.TestServer;
import io.strata.testkit.Answers;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The SQL BI tools send (issue 17), each statement run through the stock pgjdbc driver against
 * the Postgres-wire endpoint over the demo data, and checked against an answer Strata did not
 * compute.
 *
 * <p>Each file of {@code pgwire/tools} is one tool's session (one connection): statements in
 * the shape and syntax the tool generates, rewritten against the demo schema, each with a
 * comment naming the tool and where the shape comes from, and then one of:
 *
 * <pre>
 * -- source: Superset 4 chart query (...)
 * -- params: int:5 | ts:2024-01-01 00:00:00 | web   (optional: extended-protocol parameters)
 * SELECT ...
 * -- expect postgres:          the same text run on a real Postgres loaded with the same demo
 *                              data (schema "semantic" read as "retail"); or, on the lines
 *                              after, another statement for Postgres
 * -- expect rest: {...}        the rows POST /api/v1/query answers for this semantic query
 * -- expect:                   rows written by hand (" | " between values, NULL, {@code <oid>}
 *                              for any OID); "-- expect (any order):" when unordered
 * -- expect error: 25006       the SQLSTATE the statement is refused with
 * </pre>
 *
 * "(any order)" after {@code postgres} or {@code rest} compares the rows as multisets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgToolCorpusTest {
  static final List<String> FILES = List.of("superset.sql", "metabase.sql", "tableau.sql",
      "powerbi.sql", "grafana.sql", "dbeaver.sql");
  static final double SCALE = 0.02; // the test server's demo scale
  static final String PG_DATABASE = "strata_pgcorpus";

  TestServer server;
  Warehouse postgres;

  @BeforeAll
  void start() throws SQLException {
    // the catalog statements are planned by Calcite; on a loaded machine the planning of a
    // five-way catalog join can pass the default 60 s: correctness is tested here, not speed
    server = TestServer.start(Map.of("strata.query.timeout", "300s"));
    postgres = Warehouses.postgresDatabase(PG_DATABASE, false);
    try (Connection c = postgres.connect()) {
      DemoData.ensureLoaded(c, SCALE); // the same generated rows as the server's DuckDB demo
    }
  }

  @AfterAll
  void stop() {
    server.close();
  }

  /** How a statement's answer is checked. */
  enum Kind { ROWS, POSTGRES, REST, ERROR }

  record Entry(int line, String source, String sql, List<String> params, Kind kind,
      boolean ordered, String reference, List<String> expected) {}

  @TestFactory
  Stream<DynamicTest> corpus() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String file : FILES) {
      tests.add(DynamicTest.dynamicTest(file, () -> session(file)));
    }
    return tests.stream();
  }

  void session(String file) throws Exception {
    List<Entry> entries = read(file);
    assertThat(entries).as(file).isNotEmpty();
    List<String> problems = new ArrayList<>();
    try (Connection c = PgWire.admin(server)) {
      for (Entry e : entries) {
        String where = file + ":" + e.line() + " (" + e.source() + ")";
        try {
          String problem = check(c, e);
          if (problem != null) {
            problems.add(where + ": " + problem + "\n" + e.sql());
          }
        } catch (SQLException | RuntimeException | AssertionError ex) {
          problems.add(where + " failed: " + ex.getMessage() + "\n" + e.sql());
        }
      }
    }
    assertThat(problems).as(file + ": " + problems.size() + " of " + entries.size()
        + " statements fail:\n" + String.join("\n\n", problems)).isEmpty();
  }

  /** Null when the statement answers as expected, else what differs. */
  String check(Connection c, Entry e) throws SQLException {
    if (e.kind() == Kind.ERROR) {
      try {
        run(c, e.sql(), e.params());
      } catch (SQLException ex) {
        return e.reference().equals(ex.getSQLState()) ? null
            : "expected SQLSTATE " + e.reference() + " but got " + ex.getSQLState() + ": "
                + ex.getMessage();
      }
      return "expected SQLSTATE " + e.reference() + " but the statement succeeded";
    }
    List<List<String>> actual = run(c, e.sql(), e.params());
    return switch (e.kind()) {
      case ROWS -> {
        List<String> lines = actual.stream().map(PgToolCorpusTest::line).toList();
        yield matches(e.expected(), lines, e.ordered()) ? null
            : "expected:\n  " + String.join("\n  ", e.expected()) + "\nactual:\n  "
                + String.join("\n  ", lines);
      }
      case POSTGRES -> {
        List<List<String>> expected;
        try (Connection pg = postgres.connect()) {
          expected = run(pg, e.reference(), e.params());
        }
        yield compare(expected, actual, e.ordered(), "postgres");
      }
      case REST -> compare(server.answer(e.reference()), actual, e.ordered(), "REST");
      default -> throw new IllegalStateException(e.kind().toString());
    };
  }

  static String compare(List<List<String>> expected, List<List<String>> actual,
      boolean ordered, String reference) {
    if (expected.isEmpty()) {
      return "the " + reference + " answer has no rows, so proves nothing";
    }
    String problem = Answers.compare(expected, actual, Set.of(), ordered);
    return problem == null ? null : problem + "\n " + reference + ":\n" + Answers.show(expected)
        + " strata:\n" + Answers.show(actual);
  }

  /**
   * The rows of the last result of {@code sql} (a tool may send several statements in one
   * query), each value normalised as {@link Answers#normalise} does.
   */
  static List<List<String>> run(Connection c, String sql, List<String> params)
      throws SQLException {
    if (params.isEmpty()) {
      try (Statement st = c.createStatement()) {
        boolean results = st.execute(sql);
        List<List<String>> rows = List.of();
        while (true) {
          if (results) {
            try (ResultSet rs = st.getResultSet()) {
              rows = PgWire.rows(rs);
            }
          } else if (st.getUpdateCount() == -1) {
            return rows;
          }
          results = st.getMoreResults();
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        String p = params.get(i);
        if (p.startsWith("int:")) {
          ps.setLong(i + 1, Long.parseLong(p.substring(4)));
        } else if (p.startsWith("ts:")) {
          ps.setObject(i + 1, LocalDateTime.parse(p.substring(3).replace(' ', 'T')));
        } else if (p.startsWith("date:")) {
          ps.setObject(i + 1, LocalDate.parse(p.substring(5)));
        } else {
          ps.setString(i + 1, p);
        }
      }
      if (!ps.execute()) {
        return List.of();
      }
      try (ResultSet rs = ps.getResultSet()) {
        return PgWire.rows(rs);
      }
    }
  }

  /** A row as the hand-written answers spell it: numbers without trailing zeros, NULL. */
  static String line(List<String> row) {
    List<String> values = new ArrayList<>();
    for (String v : row) {
      if (v == null) {
        values.add("NULL");
      } else if (v.matches("-?\\d+\\.\\d{6}")) {
        BigDecimal d = new BigDecimal(v);
        values.add(d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString());
      } else {
        values.add(v);
      }
    }
    return String.join(" | ", values).strip();
  }

  /** Whether the rows are the expected ones ({@code <oid>} stands for any OID). */
  static boolean matches(List<String> expected, List<String> actual, boolean ordered) {
    List<String> e = new ArrayList<>(expected);
    List<String> a = new ArrayList<>(actual);
    if (!ordered) {
      Collections.sort(e);
      Collections.sort(a);
    }
    if (e.size() != a.size()) {
      return false;
    }
    for (int i = 0; i < e.size(); i++) {
      String pattern = String.join("\\d+", Arrays.stream(e.get(i).split("<oid>", -1))
          .map(Pattern::quote).toList());
      if (!a.get(i).matches(pattern)) {
        return false;
      }
    }
    return true;
  }

  /** The statement as real Postgres reads it over the demo data: schema retail. */
  static String onPostgres(String sql) {
    return sql.replaceAll("\"semantic\"\\.", "\"retail\".")
        .replaceAll("\\bsemantic\\.", "retail.")
        .replace("'semantic'", "'retail'");
  }

  static List<Entry> read(String file) throws IOException {
    String text;
    try (InputStream in = PgToolCorpusTest.class.getResourceAsStream("/pgwire/tools/" + file)) {
      assertThat(in).as(file).isNotNull();
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<Entry> out = new ArrayList<>();
    String[] lines = (text + "\n-- source: end").split("\n", -1);
    int start = -1;
    String source = null;
    List<String> params = List.of();
    StringBuilder sql = new StringBuilder();
    String expectLine = null;
    List<String> after = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.startsWith("-- source:")) {
        if (source != null) {
          if (expectLine == null) {
            throw new AssertionError(file + ":" + start + ": no -- expect line");
          }
          out.add(entry(file, start, source, sql.toString().strip(), params, expectLine,
              after));
        }
        source = line.substring("-- source:".length()).strip();
        start = i + 1;
        params = List.of();
        sql.setLength(0);
        expectLine = null;
        after = new ArrayList<>();
      } else if (source == null) {
        continue; // the file's header
      } else if (expectLine == null && line.startsWith("-- params:")) {
        params = List.of(line.substring("-- params:".length()).strip().split(" \\| ", -1));
      } else if (expectLine == null && line.startsWith("-- expect")) {
        expectLine = line;
      } else if (expectLine != null) {
        if (!line.isBlank() && !line.startsWith("--")) {
          after.add(line);
        }
      } else if (!line.startsWith("--") || sql.length() > 0) {
        sql.append(line).append('\n');
      }
    }
    return out;
  }

  private static Entry entry(String file, int line, String source, String sql,
      List<String> params, String expect, List<String> after) {
    boolean ordered = !expect.contains("(any order)");
    String rest = expect.substring(expect.indexOf(':') + 1).strip();
    if (expect.startsWith("-- expect postgres")) {
      String reference = after.isEmpty() ? onPostgres(sql) : String.join("\n", after);
      return new Entry(line, source, sql, params, Kind.POSTGRES, ordered, reference, List.of());
    }
    if (expect.startsWith("-- expect rest")) {
      String json = (rest + " " + String.join(" ", after)).strip();
      return new Entry(line, source, sql, params, Kind.REST, ordered, json, List.of());
    }
    if (expect.startsWith("-- expect error")) {
      return new Entry(line, source, sql, params, Kind.ERROR, true, rest, List.of());
    }
    if (expect.startsWith("-- expect:") || expect.startsWith("-- expect (any order):")) {
      List<String> rows = after.stream().map(String::strip).toList();
      return new Entry(line, source, sql, params, Kind.ROWS, ordered, null, rows);
    }
    throw new AssertionError(file + ":" + line + ": unknown expectation " + expect);
  }
}
