package io.strata.server.sql.pgcatalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Real Postgres clients introspecting Strata over the Postgres wire endpoint: psql's
 * meta-commands, pgjdbc's {@code DatabaseMetaData} as DBeaver browses, and SQLAlchemy 1.4's
 * inspector with psycopg2 then {@code pandas.read_sql} (Debian's packages, under
 * {@code /usr/bin/python3}). Expected values are the demo models' (descriptions, primary keys,
 * member lists) and REST's answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgCatalogClientsTest {
  TestServer server;

  @BeforeAll
  void start() {
    server = TestServer.start(Map.of());
  }

  @AfterAll
  void stop() {
    server.close();
  }

  record Run(int exit, String out, String err) {}

  Run run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    Path out = Files.createTempFile("pgcatalog-out", ".txt");
    Path err = Files.createTempFile("pgcatalog-err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    boolean done = p.waitFor(120, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    Run r = new Run(done ? p.exitValue() : -1, Files.readString(out), Files.readString(err));
    Files.deleteIfExists(out);
    Files.deleteIfExists(err);
    assertThat(done).as("timed out: " + command + " " + r).isTrue();
    assertThat(r.exit()).as(command + " " + r).isZero();
    return r;
  }

  Map<String, String> pgEnv() {
    return Map.of("PGPASSWORD", TestServer.ADMIN_PASSWORD, "PGHOST", "127.0.0.1", "PGPORT",
        Integer.toString(server.pgwirePort()), "PGUSER", "admin", "PGDATABASE", "strata",
        "PGCONNECT_TIMEOUT", "10");
  }

  static List<String> lines(String out) {
    return out.lines().filter(l -> !l.isBlank()).toList();
  }

  @Test
  void psqlListsTablesAndSchemas() throws Exception {
    Run dt = run(List.of("psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c",
        "\\dt semantic.*"), pgEnv());
    assertThat(lines(dt.out())).containsExactly("semantic|customers|table|strata",
        "semantic|order_items|table|strata", "semantic|orders|table|strata",
        "semantic|products|table|strata");
    Run dn = run(List.of("psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", "\\dn"),
        pgEnv());
    assertThat(lines(dn.out())).containsExactly("demo.retail|strata", "semantic|strata");
    // \d reads the relation, its columns, indexes, policies, statistics, publications and
    // inheritance: all of it must answer for psql to print the table
    Run d = run(List.of("psql", "-X", "-A", "-v", "ON_ERROR_STOP=1", "-c",
        "\\d semantic.orders"), pgEnv());
    assertThat(lines(d.out())).contains("Table \"semantic.orders\"", "order_id|bigint|||",
        "status|character varying|||", "ordered_at|timestamp without time zone|||",
        "Indexes:", "    \"orders_pkey\" PRIMARY KEY, btree (order_id)");
  }

  @Test
  void pgjdbcBrowsesAsDbeaverDoes() throws Exception {
    Properties p = new Properties();
    p.setProperty("user", "admin");
    p.setProperty("password", TestServer.ADMIN_PASSWORD);
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:"
        + server.pgwirePort() + "/strata", p)) {
      DatabaseMetaData md = c.getMetaData();
      assertThat(column(md.getCatalogs(), "TABLE_CAT")).containsExactly("strata");
      assertThat(column(md.getSchemas(), "TABLE_SCHEM")).containsExactly("demo.retail",
          "information_schema", "pg_catalog", "semantic");
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = md.getTables(null, "semantic", "%", new String[] {"TABLE", "VIEW"})) {
        while (rs.next()) {
          tables.add(rs.getString("TABLE_NAME") + "|" + rs.getString("TABLE_TYPE") + "|"
              + rs.getString("REMARKS"));
        }
      }
      assertThat(tables).containsExactly(
          "customers|TABLE|People and companies that have signed up, one row per customer.",
          "order_items|TABLE|Order lines, one row per product in an order.",
          "orders|TABLE|Orders placed by customers, one row per order.",
          "products|TABLE|The product catalogue.",
          "sales|VIEW|Order lines with their order, customer and product, for BI tools.");
      Map<String, String> columns = new LinkedHashMap<>();
      try (ResultSet rs = md.getColumns(null, "semantic", "customers", "%")) {
        while (rs.next()) {
          columns.put(rs.getString("COLUMN_NAME"), rs.getString("TYPE_NAME") + "|"
              + rs.getInt("DATA_TYPE") + "|" + rs.getString("REMARKS"));
        }
      }
      assertThat(columns).containsExactly(
          Map.entry("customer_id", "int8|" + java.sql.Types.BIGINT + "|null"),
          Map.entry("name", "varchar|" + java.sql.Types.VARCHAR + "|null"),
          Map.entry("region", "varchar|" + java.sql.Types.VARCHAR
              + "|Sales region of the customer's country"),
          Map.entry("country", "varchar|" + java.sql.Types.VARCHAR + "|null"),
          Map.entry("segment", "varchar|" + java.sql.Types.VARCHAR
              + "|Consumer, Corporate or Small Business; null when unknown"),
          Map.entry("signup_date", "timestamp|" + java.sql.Types.TIMESTAMP + "|null"),
          Map.entry("count", "int8|" + java.sql.Types.BIGINT + "|Number of customers"),
          Map.entry("corporate", "bool|" + java.sql.Types.BIT + "|null"));
      List<String> pk = new ArrayList<>();
      try (ResultSet rs = md.getPrimaryKeys(null, "semantic", "orders")) {
        while (rs.next()) {
          pk.add(rs.getString("COLUMN_NAME") + "|" + rs.getInt("KEY_SEQ") + "|"
              + rs.getString("PK_NAME"));
        }
      }
      assertThat(pk).containsExactly("order_id|1|orders_pkey");
      assertThat(column(md.getFunctions(null, "pg_catalog", "format_type"), "FUNCTION_NAME"))
          .containsExactly("format_type");
    }
  }

  static List<String> column(ResultSet rs, String name) throws Exception {
    List<String> out = new ArrayList<>();
    try (rs) {
      while (rs.next()) {
        out.add(rs.getString(name));
      }
    }
    return out;
  }

  @Test
  void sqlalchemyInspectorAndPandas() throws Exception {
    String script = """
        import sys, sqlalchemy as sa, pandas
        e = sa.create_engine('postgresql+psycopg2://admin:%s@127.0.0.1:%s/strata'
                             % (sys.argv[2], sys.argv[1]))
        i = sa.inspect(e)
        print('schemas', i.get_schema_names())
        print('tables', sorted(i.get_table_names(schema='semantic')))
        print('views', i.get_view_names(schema='semantic'))
        cols = i.get_columns('customers', schema='semantic')
        print('columns', [(c['name'], str(c['type']), c['comment']) for c in cols])
        print('pk', i.get_pk_constraint('orders', schema='semantic'))
        print('fks', i.get_foreign_keys('orders', schema='semantic'))
        print('indexes', i.get_indexes('orders', schema='semantic'))
        df = pandas.read_sql(
            'select status, count(*) as n from semantic.orders group by status order by status', e)
        for row in df.itertuples(index=False):
            print('row', '%s|%s' % (row.status, row.n))
        """;
    Path file = Files.createTempFile("pgcatalog", ".py");
    Files.writeString(file, script);
    Run r = run(List.of("/usr/bin/python3", file.toString(),
        Integer.toString(server.pgwirePort()), TestServer.ADMIN_PASSWORD), Map.of());
    Files.deleteIfExists(file);
    List<String> out = lines(r.out());
    assertThat(out).contains(
        "schemas ['demo.retail', 'information_schema', 'semantic']",
        "tables ['customers', 'order_items', 'orders', 'products']",
        "views ['sales']",
        "columns [('customer_id', 'BIGINT', None), ('name', 'VARCHAR', None),"
            + " ('region', 'VARCHAR', \"Sales region of the customer's country\"),"
            + " ('country', 'VARCHAR', None), ('segment', 'VARCHAR',"
            + " 'Consumer, Corporate or Small Business; null when unknown'),"
            + " ('signup_date', 'TIMESTAMP', None), ('count', 'BIGINT', 'Number of customers'),"
            + " ('corporate', 'BOOLEAN', None)]",
        "pk {'constrained_columns': ['order_id'], 'name': 'orders_pkey'}",
        "fks []",
        "indexes []");
    List<String> rows = out.stream().filter(l -> l.startsWith("row ")).map(l -> l.substring(4))
        .toList();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sql", "SELECT status, COUNT(*) AS n FROM semantic.orders GROUP BY status"
        + " ORDER BY status");
    TestServer.Response rest = server.admin().post("/api/v1/sql", body);
    assertThat(rest.status()).as(rest.toString()).isEqualTo(200);
    List<String> expected = new ArrayList<>();
    rest.json().path("data").forEach(row -> {
      List<String> values = new ArrayList<>();
      row.forEach(v -> values.add(v.asText()));
      expected.add(String.join("|", values));
    });
    assertThat(rows).isNotEmpty().isEqualTo(expected);
  }
}
