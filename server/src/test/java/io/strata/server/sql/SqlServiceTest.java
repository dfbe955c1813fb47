package io.strata.server.sql;

import io.strata.server.security.SecurityContext;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.server.TestServer;
import io.strata.server.TestServer.Response;
import io.strata.server.query.QueryExecutionException;
import io.strata.testkit.Answers;
import java.sql.Types;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * SQL over the semantic layer against a running server's {@link SqlService}: semantic SELECTs
 * give the REST API's answers and the answers of the same question asked in raw SQL of the
 * warehouse; larger queries are planned by Calcite over semantic leaves; bad SQL is refused
 * with its position.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqlServiceTest {
  TestServer server;
  SqlService sql;
  final SqlSession session = new SqlSession(SecurityContext.internal("admin"), "test");

  @BeforeAll
  void start() {
    server = TestServer.start(Map.of());
    sql = server.context().getBean(SqlService.class);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  List<List<String>> rows(String text, Object... params) {
    PreparedSql p = sql.prepare(text, session.security());
    try (SqlCursor c = sql.execute(p, List.of(params), session)) {
      return read(c);
    }
  }

  static List<List<String>> read(SqlCursor c) {
    List<List<String>> out = new ArrayList<>();
    while (c.next()) {
      VectorSchemaRoot b = c.batch();
      for (int r = 0; r < b.getRowCount(); r++) {
        List<String> row = new ArrayList<>();
        for (FieldVector v : b.getFieldVectors()) {
          Object o = v.getObject(r);
          row.add(Answers.normalise(o instanceof org.apache.arrow.vector.util.Text t
              ? t.toString() : o, null));
        }
        out.add(row);
      }
    }
    return out;
  }

  List<List<String>> rest(String query) {
    return server.answer(query);
  }

  static void same(List<List<String>> expected, List<List<String>> actual, boolean ordered) {
    String problem = Answers.compare(expected, actual, Set.of(), ordered);
    assertThat(problem).as("expected:\n" + Answers.show(expected) + "actual:\n"
        + Answers.show(actual)).isNull();
    assertThat(actual).isNotEmpty();
  }

  @Test
  void semanticSelectEqualsRestAndRawSql() {
    List<List<String>> semantic = rows(
        "SELECT status, MEASURE(count) FROM semantic.orders GROUP BY status ORDER BY status");
    same(rest("{\"measures\":[\"orders.count\"],\"dimensions\":[\"orders.status\"],"
        + "\"order\":{\"orders.status\":\"asc\"}}"), semantic, true);
    same(rows("SELECT status, COUNT(*) FROM demo.retail.orders GROUP BY status ORDER BY status"),
        semantic, true);
    // the same through every spelling of the measure
    same(semantic, rows("select STATUS, count(*) from ORDERS group by 1 order by 1"), true);
    same(semantic, rows("SELECT o.status, SUM(o.count) AS n FROM semantic.orders o"
        + " GROUP BY o.status ORDER BY o.status"), true);
    same(semantic, rows("SELECT status, AGGREGATE(\"count\") FROM strata.semantic.orders"
        + " GROUP BY status ORDER BY 1"), true);
  }

  @Test
  void viewQueryWithFiltersOrderAndLimitEqualsRest() {
    List<List<String>> semantic = rows("SELECT region, category, MEASURE(revenue) FROM"
        + " semantic.sales WHERE ordered_at >= DATE '2024-01-01' GROUP BY 1, 2 ORDER BY 3 DESC"
        + " LIMIT 10");
    assertThat(semantic).hasSize(10);
    same(rest("{\"measures\":[\"sales.revenue\"],\"dimensions\":[\"sales.region\","
        + "\"sales.category\"],\"filters\":[{\"member\":\"sales.ordered_at\",\"operator\":"
        + "\"gte\",\"values\":[\"2024-01-01\"]}],\"order\":[[\"sales.revenue\",\"desc\"]],"
        + "\"limit\":10}"), semantic, true);
  }

  @Test
  void timeGranularityFiltersSegmentsAndHaving() {
    List<List<String>> byMonth = rows("SELECT DATE_TRUNC('month', ordered_at) AS m,"
        + " MEASURE(count) FROM semantic.orders WHERE channel IN ('web', 'mobile')"
        + " AND status <> 'cancelled' GROUP BY 1 HAVING MEASURE(count) > 5 ORDER BY 1");
    same(rest("{\"measures\":[\"orders.count\"],\"timeDimensions\":[{\"dimension\":"
        + "\"orders.ordered_at\",\"granularity\":\"month\"}],\"filters\":["
        + "{\"member\":\"orders.channel\",\"operator\":\"equals\",\"values\":[\"web\",\"mobile\"]},"
        + "{\"member\":\"orders.status\",\"operator\":\"notEquals\",\"values\":[\"cancelled\"]},"
        + "{\"member\":\"orders.count\",\"operator\":\"gt\",\"values\":[\"5\"]}],"
        + "\"order\":{\"orders.ordered_at\":\"asc\"}}"), byMonth, true);
    same(byMonth, rows("SELECT FLOOR(ordered_at TO MONTH), COUNT(*) FROM semantic.orders"
        + " WHERE online AND status != 'cancelled' GROUP BY FLOOR(ordered_at TO MONTH)"
        + " HAVING COUNT(*) > 5 ORDER BY 1"), true);
  }

  @Test
  void parametersBindFilterValues() {
    String text = "SELECT status, MEASURE(count) FROM semantic.orders WHERE channel = ?"
        + " AND ordered_at >= ? GROUP BY status ORDER BY status";
    PreparedSql p = sql.prepare(text, session.security());
    assertThat(p.parameterCount()).isEqualTo(2);
    List<List<String>> web = rows(text, "web", LocalDate.of(2024, 1, 1));
    List<List<String>> store = rows(text, "store", java.sql.Date.valueOf("2024-01-01"));
    assertThat(web).isNotEqualTo(store);
    same(rows("SELECT status, COUNT(*) FROM demo.retail.orders WHERE channel = 'web'"
        + " AND ordered_at >= TIMESTAMP '2024-01-01 00:00:00' GROUP BY status ORDER BY status"),
        web, true);
    assertThatThrownBy(() -> rows(text, "web"))
        .isInstanceOf(SqlQueryException.class)
        .hasMessageContaining("2 parameters (?) but 1 value was given");
  }

  @Test
  void queriesBeyondOneSemanticSelectArePlannedOverLeaves() {
    List<List<String>> byStatus = rows(
        "SELECT status, MEASURE(count) FROM semantic.orders GROUP BY status ORDER BY status");
    // a CTE, a window function and arithmetic over a semantic leaf
    List<List<String>> shares = rows("WITH s AS (SELECT status, MEASURE(count) AS n FROM"
        + " semantic.orders GROUP BY status) SELECT status, n, n * 1.0 / SUM(n) OVER () AS share"
        + " FROM s ORDER BY status");
    assertThat(shares).hasSameSizeAs(byStatus);
    for (int i = 0; i < shares.size(); i++) {
      assertThat(shares.get(i).subList(0, 2)).isEqualTo(byStatus.get(i));
    }
    // a join of two semantic leaves
    List<List<String>> joined = rows("SELECT a.channel, a.n, b.c FROM"
        + " (SELECT channel, MEASURE(count) n FROM semantic.orders GROUP BY channel) a JOIN"
        + " (SELECT channel, MEASURE(customer_count) c FROM semantic.orders GROUP BY channel) b"
        + " ON a.channel = b.channel ORDER BY a.channel");
    same(rows("SELECT channel, MEASURE(count), MEASURE(customer_count) FROM semantic.orders"
        + " GROUP BY channel ORDER BY channel"), joined, true);
    // UNION ALL of two semantic leaves
    List<List<String>> union = rows("SELECT MEASURE(count) FROM semantic.orders"
        + " WHERE channel = 'web' UNION ALL SELECT MEASURE(count)"
        + " FROM semantic.orders WHERE channel = 'store'");
    assertThat(union).hasSize(2);
    // a semantic table scanned by Calcite: grouped by the columns used
    same(rows("SELECT status, MEASURE(count) FROM semantic.orders GROUP BY status"),
        rows("SELECT o.status, SUM(o.\"count\") FROM semantic.orders o JOIN"
            + " (VALUES ('x')) v(x) ON TRUE GROUP BY o.status"), false);
  }

  @Test
  void aSemanticTableJoinedWithARawTableTakesAStringFilter() {
    // A semantic leaf joined with the warehouse's own table, filtered on a string of each side.
    List<List<String>> joined = rows("SELECT o.status, o.n FROM"
        + " (SELECT status, channel, MEASURE(count) n FROM semantic.orders GROUP BY status, channel) o"
        + " JOIN demo.retail.orders r ON o.status = r.status AND o.channel = r.channel"
        + " WHERE r.channel = 'web' AND o.status = 'completed' GROUP BY o.status, o.n");
    assertThat(joined).containsExactlyElementsOf(rows("SELECT status, MEASURE(count) FROM"
        + " semantic.orders WHERE channel = 'web' AND status = 'completed' GROUP BY status"));
    // the raw table's string column in the filter only, a semantic table scanned whole
    assertThat(rows("SELECT COUNT(*) FROM semantic.orders o"
        + " JOIN demo.retail.orders r ON o.order_id = r.order_id WHERE r.status = 'completed'"))
        .isEqualTo(rows("SELECT MEASURE(count) FROM semantic.orders WHERE status = 'completed'"));
    // a literal outside Latin-1 (Calcite types it in another charset)
    assertThat(rows("SELECT COUNT(*) FROM semantic.orders o"
        + " JOIN demo.retail.orders r ON o.order_id = r.order_id WHERE r.status = 'Москва'"))
        .isEqualTo(rows("SELECT MEASURE(count) FROM semantic.orders WHERE status = 'Москва'"));
  }

  @Test
  void selectStarAndBareMeasuresWork() {
    List<List<String>> star = rows("SELECT * FROM semantic.orders ORDER BY order_id LIMIT 5");
    assertThat(star).hasSize(5);
    assertThat(star.get(0)).hasSize(sql.prepare("SELECT * FROM semantic.orders", session.security()).columns().size());
    same(rows("SELECT status, MEASURE(count) FROM semantic.orders GROUP BY status"),
        rows("SELECT status, count FROM semantic.orders"), false);
    assertThat(rows("SELECT * FROM semantic.sales LIMIT 3")).hasSize(3);
  }

  @Test
  void queriesWithoutTablesAreComputedInStrata() {
    assertThat(rows("SELECT 1 AS x, 'a' || 'b' AS ab")).containsExactly(List.of("1.000000", "ab"));
  }

  @Test
  void rawTablesArePushedDownAndJoinsAcrossDataSourcesAreFederated() {
    List<List<String>> raw = rows("SELECT channel, COUNT(*) AS n FROM demo.retail.orders"
        + " GROUP BY channel ORDER BY channel");
    same(rows("SELECT channel, MEASURE(count) FROM semantic.orders GROUP BY channel"
        + " ORDER BY channel"), raw, true);
    // statements Calcite computes are in the query log too, with the SQL pushed down
    Response log = server.admin().get("/api/v1/queries?limit=50");
    assertThat(log.text()).contains("SELECT channel, COUNT(*) AS n FROM demo.retail.orders")
        .containsIgnoringCase("GROUP BY \\\"channel\\\"");

    // a second data source on Postgres, joined with the DuckDB demo and with a semantic leaf
    io.strata.testkit.Warehouse pg = io.strata.testkit.Warehouses.postgresDatabase(
        "strata_sql_federation", true);
    try (java.sql.Connection c = pg.connect(); java.sql.Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA targets");
      st.execute("CREATE TABLE targets.channel_goals (channel VARCHAR(20), goal INT)");
      st.execute("INSERT INTO targets.channel_goals VALUES ('web', 100), ('store', 200),"
          + " ('mobile', 300)");
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
    Response added = server.admin().post("/api/v1/datasources", Map.of("name", "goals",
        "kind", "postgres", "url", pg.jdbcUrl(), "username", pg.user()));
    assertThat(added.status()).as(added.toString()).isIn(200, 201);
    List<List<String>> federated = rows("SELECT o.channel, COUNT(*) AS n, MAX(g.goal) AS goal"
        + " FROM demo.retail.orders o JOIN goals.targets.channel_goals g"
        + " ON o.channel = g.channel GROUP BY o.channel ORDER BY o.channel");
    assertThat(federated).hasSameSizeAs(raw);
    for (int i = 0; i < raw.size(); i++) {
      assertThat(federated.get(i).subList(0, 2)).isEqualTo(raw.get(i));
    }
    assertThat(federated.stream().map(r -> r.get(2)).toList())
        .containsExactlyInAnyOrder("100.000000", "200.000000", "300.000000");
    List<List<String>> withLeaf = rows("SELECT s.channel, s.n, g.goal FROM (SELECT channel,"
        + " MEASURE(count) AS n FROM semantic.orders GROUP BY channel) s"
        + " JOIN goals.targets.channel_goals g ON s.channel = g.channel ORDER BY s.channel");
    for (int i = 0; i < raw.size(); i++) {
      assertThat(withLeaf.get(i).subList(0, 2)).isEqualTo(raw.get(i));
    }
  }

  @Test
  void explainShowsTheWarehouseSql() {
    // a distinct count: no demo rollup answers it, the warehouse does
    String plan = String.join("\n", rows("EXPLAIN PLAN FOR SELECT status,"
        + " MEASURE(customer_count) FROM semantic.orders GROUP BY status").stream()
        .map(r -> r.get(0)).toList());
    assertThat(plan).contains("semantic.orders").containsIgnoringCase("GROUP BY")
        .contains("no rollup answers it").contains("data source demo (duckdb)");
    String federated = String.join("\n", rows("EXPLAIN PLAN FOR SELECT o.status, t.n FROM"
        + " (SELECT status, MEASURE(count) n FROM semantic.orders GROUP BY status) t JOIN"
        + " demo.retail.orders o ON o.status = t.status").stream().map(r -> r.get(0)).toList());
    assertThat(federated).contains("Calcite").contains("leaf0").contains("Pushed down");
  }

  @Test
  void metadataListsSemanticAndRawTablesWithWarehouseTypes() {
    List<SqlTable> tables = sql.tables(session.security());
    SqlTable orders = tables.stream().filter(t -> t.schema().equals("semantic")
        && t.name().equals("orders")).findFirst().orElseThrow();
    assertThat(orders.catalog()).isEqualTo("strata");
    assertThat(orders.type()).isEqualTo("TABLE");
    SqlColumn status = orders.columns().stream().filter(c -> c.name().equals("status"))
        .findFirst().orElseThrow();
    assertThat(status.jdbcType()).isEqualTo(Types.VARCHAR);
    SqlColumn count = orders.columns().stream().filter(c -> c.name().equals("count"))
        .findFirst().orElseThrow();
    assertThat(count.jdbcType()).isEqualTo(Types.BIGINT);
    SqlColumn channel = orders.columns().stream().filter(c -> c.name().equals("channel"))
        .findFirst().orElseThrow();
    assertThat(channel.remarks()).isEqualTo("web, store or mobile");
    SqlColumn online = orders.columns().stream().filter(c -> c.name().equals("online"))
        .findFirst().orElseThrow();
    assertThat(online.jdbcType()).isEqualTo(Types.BOOLEAN);
    assertThat(tables).anySatisfy(t -> {
      assertThat(t.schema()).isEqualTo("semantic");
      assertThat(t.name()).isEqualTo("sales");
      assertThat(t.type()).isEqualTo("VIEW");
    });
    assertThat(tables).anySatisfy(t -> {
      assertThat(t.catalog()).isEqualTo("demo");
      assertThat(t.schema()).isEqualTo("retail");
      assertThat(t.name()).isEqualTo("orders");
    });
  }

  @Test
  void badSqlIsRefusedWithItsPosition() {
    assertThatThrownBy(() -> rows("SELECT status, SUM(customer_count) FROM semantic.orders"
        + " GROUP BY status"))
        .isInstanceOf(SqlQueryException.class)
        .hasMessageContaining("COUNT(DISTINCT customer_count)")
        .hasMessageContaining("line 1, column 16");
    assertThatThrownBy(() -> rows("SELECT nope FROM semantic.orders"))
        .isInstanceOf(SqlQueryException.class)
        .hasMessageContaining("no column 'nope'").hasMessageContaining("line 1, column 8");
    assertThatThrownBy(() -> rows("SELECT status FROM semantic.orders WHERE count > 3"))
        .isInstanceOf(SqlQueryException.class).hasMessageContaining("HAVING");
    assertThatThrownBy(() -> rows("SELECT status, MEASURE(count) FROM semantic.orders"
        + " GROUP BY channel"))
        .isInstanceOf(SqlQueryException.class).hasMessageContaining("GROUP BY");
    assertThatThrownBy(() -> rows("SELECT FROM WHERE"))
        .isInstanceOf(SqlQueryException.class)
        .satisfies(e -> assertThat(((SqlQueryException) e).code())
            .isEqualTo(SqlQueryException.Code.PARSE_ERROR))
        .hasMessageContaining("line 1, column");
    assertThatThrownBy(() -> rows("SELECT x FROM demo.retail.nope"))
        .isInstanceOf(SqlQueryException.class).hasMessageContaining("line 1, column 15");
    assertThatThrownBy(() -> rows("SELECT t.status FROM semantic.orders t JOIN semantic.orders u"
        + " ON t.status = u.status WHERE t.completed IS NULL"))
        .isInstanceOf(SqlQueryException.class).hasMessageContaining("segment completed");
    // the service still answers
    assertThat(rows("SELECT MEASURE(count) FROM semantic.orders")).hasSize(1);
  }

  @Test
  void writesAndMultipleStatementsAreRefused() {
    for (String text : List.of("CREATE TABLE t (x INT)", "DROP TABLE demo.retail.orders",
        "INSERT INTO demo.retail.orders VALUES (1)", "DELETE FROM demo.retail.orders",
        "UPDATE demo.retail.orders SET status = 'x'", "  -- comment\n truncate table x")) {
      assertThatThrownBy(() -> rows(text)).as(text)
          .isInstanceOf(SqlQueryException.class)
          .satisfies(e -> assertThat(((SqlQueryException) e).code())
              .isEqualTo(SqlQueryException.Code.READ_ONLY))
          .hasMessageContaining("read-only");
    }
    assertThatThrownBy(() -> rows("SELECT 1; SELECT 2"))
        .isInstanceOf(SqlQueryException.class).hasMessageContaining("one statement");
  }

  @Test
  void resultsAreNeverSilentlyCut() {
    long max = server.context().getBean(io.strata.server.query.QueryService.class).limits()
        .maxRows();
    assertThatThrownBy(() -> rows("SELECT * FROM demo.retail.order_items CROSS JOIN"
        + " (SELECT * FROM demo.retail.customers LIMIT 200) c"))
        .isInstanceOf(QueryExecutionException.class)
        .hasMessageContaining(String.valueOf(max));
  }
}
