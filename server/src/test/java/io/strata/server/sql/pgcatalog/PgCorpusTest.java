package io.strata.server.sql.pgcatalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.acceleration.cache.CacheMode;
import io.strata.server.TestServer;
import io.strata.server.security.SecurityContext;
import io.strata.server.sql.PreparedSql;
import io.strata.server.sql.SqlCursor;
import io.strata.server.sql.SqlService;
import io.strata.server.sql.SqlSession;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The SQL real Postgres clients send to introspect a database, run through {@link SqlService}
 * as a Postgres session would, each compared with the answer written by hand from the demo
 * catalog ({@code demo/src/main/resources/io/strata/demo/models}).
 *
 * <p>Each file of {@code pgcatalog/corpus} is one client's conversation: statements as the
 * client sent them (copied from a real Postgres server's statement log while the client ran:
 * pgjdbc 42.7, SQLAlchemy 1.4 with psycopg2, psql 15), each followed by its expected rows. A
 * statement may bind a value an earlier one answered ({@code ${name}}: the OID SQLAlchemy looks
 * a table up by), as the client does.
 *
 * <pre>
 * -- statement: name          (name it, to use its first value later as ${name})
 * -- params: a | b            (values of $1, $2: pgjdbc's extended-protocol parameters)
 * SELECT ...
 * -- expect:                  (rows in order, columns separated by " | ", NULL for null)
 * a | b                       ("-- expect (any order):" when the statement has no ORDER BY)
 * </pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgCorpusTest {
  static final List<String> FILES = List.of("pgjdbc.sql", "sqlalchemy.sql", "psql.sql",
      "information_schema.sql", "syntax.sql");
  TestServer server;
  SqlService sql;
  final SqlSession session = new SqlSession(SecurityContext.internal("admin"), "postgres", null,
      SqlSession.Options.postgres(CacheMode.ON));

  @BeforeAll
  void start() {
    server = TestServer.start(Map.of());
    sql = server.context().getBean(SqlService.class);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  /** Rows of a Postgres session's statement, normalised as testkit's Answers normalises. */
  List<List<String>> answers(String text) {
    PreparedSql p = sql.prepare(text, session);
    List<List<String>> out = new ArrayList<>();
    try (SqlCursor c = sql.execute(p, List.of(), session)) {
      while (c.next()) {
        VectorSchemaRoot b = c.batch();
        for (int r = 0; r < b.getRowCount(); r++) {
          List<String> row = new ArrayList<>();
          for (FieldVector v : b.getFieldVectors()) {
            Object o = v.getObject(r);
            row.add(io.strata.testkit.Answers.normalise(
                o instanceof org.apache.arrow.vector.util.Text t ? t.toString() : o, null));
          }
          out.add(row);
        }
      }
    }
    return out;
  }

  @org.junit.jupiter.api.Test
  void semanticQueriesInPostgresSyntaxAnswerAsRest() {
    // pandas.read_sql's query, as SQLAlchemy sends it
    List<List<String>> byStatus = answers(
        "select status, count(*) from semantic.orders group by status order by status");
    assertThat(byStatus).isNotEmpty().isEqualTo(server.answer("{\"measures\":[\"orders.count\"],"
        + "\"dimensions\":[\"orders.status\"],\"order\":{\"orders.status\":\"asc\"}}"));
    // quoted names, a :: cast in a filter, and the data source's table by its catalog schema
    assertThat(answers("SELECT \"status\", MEASURE(\"count\") FROM \"semantic\".\"orders\""
        + " WHERE \"channel\" = 'web'::text GROUP BY 1 ORDER BY 1")).isNotEmpty().isEqualTo(
        server.answer("{\"measures\":[\"orders.count\"],\"dimensions\":[\"orders.status\"],"
            + "\"filters\":[{\"member\":\"orders.channel\",\"operator\":\"equals\","
            + "\"values\":[\"web\"]}],\"order\":{\"orders.status\":\"asc\"}}"));
    assertThat(answers("SELECT status, count(*)::int8 FROM \"demo.retail\".orders"
        + " GROUP BY 1 ORDER BY 1")).isEqualTo(byStatus);
  }

  @org.junit.jupiter.api.Test
  void aUserSeesOnlyWhatTheyMayQuery() {
    assertThat(server.admin().post("/api/v1/users", Map.of("username", "pgviewer", "password",
        "pg-viewer-secret-1", "role", "viewer")).status()).isEqualTo(201);
    assertThat(server.admin().post("/api/v1/security/grants", Map.of("kind", "member",
        "target", "customers.name", "description", "personal data")).status()).isEqualTo(201);
    assertThat(server.admin().post("/api/v1/security/grants", Map.of("kind", "model",
        "target", "products", "users", List.of("admin"))).status()).isEqualTo(201);
    TestServer.Client viewer = server.as("pgviewer", "pg-viewer-secret-1");
    // through REST /api/v1/sql: the catalog is there on every SQL endpoint (standard syntax)
    assertThat(sqlRows(viewer, "SELECT c.relname FROM pg_catalog.pg_class c JOIN"
        + " pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'semantic'"
        + " AND c.relkind IN ('r', 'v') ORDER BY 1"))
        .containsExactly("customers", "order_items", "orders", "sales");
    assertThat(sqlRows(viewer, "SELECT column_name FROM information_schema.columns"
        + " WHERE table_schema = 'semantic' AND table_name = 'customers'"
        + " ORDER BY ordinal_position"))
        .containsExactly("customer_id", "region", "country", "segment", "signup_date", "count",
            "corporate");
    // no raw data-source grant: no data-source schema
    assertThat(sqlRows(viewer, "SELECT nspname FROM pg_catalog.pg_namespace ORDER BY 1"))
        .containsExactly("information_schema", "pg_catalog", "semantic");
    // the admin still sees all of it
    assertThat(answers("SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
        + " ON n.oid = c.relnamespace WHERE n.nspname = 'semantic' AND c.relkind IN ('r', 'v')"))
        .containsExactly(List.of("5.000000"));
  }

  static List<String> sqlRows(TestServer.Client c, String text) {
    TestServer.Response r = c.post("/api/v1/sql", Map.of("sql", text));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    List<String> out = new ArrayList<>();
    for (com.fasterxml.jackson.databind.JsonNode row : r.json().path("data")) {
      List<String> values = new ArrayList<>();
      if (row.isArray()) {
        row.forEach(v -> values.add(v.asText()));
      } else {
        row.fields().forEachRemaining(e -> values.add(e.getValue().asText()));
      }
      out.add(String.join("|", values));
    }
    return out;
  }

  record Statement(String name, String sql, List<String> params, List<String> expected,
      boolean ordered) {}

  @TestFactory
  Stream<DynamicTest> corpus() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String file : FILES) {
      tests.add(DynamicTest.dynamicTest(file, () -> conversation(file)));
    }
    return tests.stream();
  }

  void conversation(String file) throws IOException {
    Map<String, String> answers = new HashMap<>();
    List<String> problems = new ArrayList<>();
    int n = 0;
    for (Statement s : read(file)) {
      n++;
      String where = file + " statement " + n + (s.name() == null ? "" : " (" + s.name() + ")");
      String text;
      List<Object> params = new ArrayList<>();
      try {
        text = substitute(s.sql(), answers);
        for (String p : s.params()) {
          params.add(substitute(p, answers));
        }
      } catch (AssertionError e) {
        problems.add(where + ": " + e.getMessage());
        continue;
      }
      // the wire endpoint hands $1 placeholders to SqlService as JDBC's ?
      text = text.replaceAll("\\$\\d+", "?");
      List<String> rows;
      try {
        rows = run(text, params);
      } catch (RuntimeException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
          root = root.getCause();
        }
        problems.add(where + " failed: " + e.getMessage() + " (" + root + ")\n" + text);
        continue;
      }
      if (s.name() != null && !rows.isEmpty()) {
        answers.put(s.name(), rows.get(0).split(" \\| ")[0]);
      }
      if (!matches(s.expected(), rows, s.ordered())) {
        problems.add(where + ":\n" + text + "\nexpected:\n  " + String.join("\n  ",
            s.expected()) + "\nactual:\n  " + String.join("\n  ", rows));
      }
    }
    assertThat(problems).as(file).isEmpty();
  }

  /**
   * Whether the rows are the expected ones ({@code <oid>} stands for any OID: they are hashes
   * of the object's name, not written by hand).
   */
  static boolean matches(List<String> expected, List<String> actual, boolean ordered) {
    List<String> e = new ArrayList<>(expected);
    List<String> a = new ArrayList<>(actual);
    if (!ordered) {
      java.util.Collections.sort(e);
      java.util.Collections.sort(a);
    }
    if (e.size() != a.size()) {
      return false;
    }
    for (int i = 0; i < e.size(); i++) {
      String pattern = String.join("\\d+", java.util.Arrays.stream(e.get(i).split("<oid>", -1))
          .map(Pattern::quote).toList());
      if (!a.get(i).matches(pattern)) {
        return false;
      }
    }
    return true;
  }

  List<String> run(String text, List<Object> params) {
    PreparedSql p = sql.prepare(text, session);
    List<String> out = new ArrayList<>();
    try (SqlCursor c = sql.execute(p, params, session)) {
      while (c.next()) {
        VectorSchemaRoot b = c.batch();
        for (int r = 0; r < b.getRowCount(); r++) {
          List<String> row = new ArrayList<>();
          for (FieldVector v : b.getFieldVectors()) {
            row.add(text(v.getObject(r)));
          }
          out.add(String.join(" | ", row).strip());
        }
      }
    }
    return out;
  }

  static String text(Object o) {
    if (o == null) {
      return "NULL";
    }
    if (o instanceof Number n && !(o instanceof BigDecimal)) {
      o = new BigDecimal(n.toString());
    }
    if (o instanceof BigDecimal d) {
      return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }
    return o.toString();
  }

  private static final Pattern VAR = Pattern.compile("\\$\\{(\\w+)}");

  static String substitute(String text, Map<String, String> answers) {
    Matcher m = VAR.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = answers.get(m.group(1));
      if (v == null) {
        throw new AssertionError("no answer named " + m.group(1) + " before: " + text);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }

  static List<Statement> read(String file) throws IOException {
    String text;
    try (InputStream in = PgCorpusTest.class.getResourceAsStream("/pgcatalog/corpus/" + file)) {
      assertThat(in).as(file).isNotNull();
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<Statement> out = new ArrayList<>();
    String name = null;
    List<String> params = List.of();
    StringBuilder sqlText = new StringBuilder();
    List<String> expected = null;
    boolean ordered = true;
    for (String line : (text + "\n-- statement:\n").split("\n", -1)) {
      if (line.startsWith("-- statement:") || line.startsWith("-- source:")) {
        if (expected != null) {
          out.add(new Statement(name, sqlText.toString().strip(), params, expected, ordered));
        }
        if (line.startsWith("-- statement:")) {
          String n = line.substring("-- statement:".length()).strip();
          name = n.isEmpty() ? null : n;
        } else {
          name = null;
        }
        params = List.of();
        sqlText.setLength(0);
        expected = null;
      } else if (line.startsWith("-- params:")) {
        params = List.of(line.substring("-- params:".length()).strip().split(" \\| ", -1));
      } else if (line.startsWith("-- expect")) {
        expected = new ArrayList<>();
        ordered = !line.startsWith("-- expect (any order):");
      } else if (expected != null) {
        if (!line.isBlank() && !line.startsWith("--")) {
          expected.add(line.strip());
        }
      } else if (!line.startsWith("--") || sqlText.length() > 0) {
        sqlText.append(line).append('\n');
      }
    }
    return out;
  }
}
