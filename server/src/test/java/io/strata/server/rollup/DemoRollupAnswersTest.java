package io.strata.server.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.demo.DemoData;
import io.strata.demo.DemoDashboards;
import io.strata.semantic.compile.CompiledQuery;
import io.strata.semantic.query.QueryJson;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Response;
import io.strata.server.catalog.CatalogService;
import io.strata.server.datasource.DataSourceRegistry;
import io.strata.server.metadata.QueryLogStore;
import io.strata.testkit.Answers;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The demo's rollups on a running server: built on first start, they answer the Retail overview
 * dashboard's queries (with each of its filters, at every grain) with exactly the rows the raw
 * tables give, first on the embedded DuckDB demo, then with data source {@code demo}
 * re-pointed at Postgres (which makes every rollup outdated until it is rebuilt from
 * Postgres). EXPLAIN over REST names the rollup, or each candidate's reason; the query log
 * records the rollup used.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoRollupAnswersTest {
  static final double SCALE = 0.02;
  TestServer server;

  @BeforeAll
  void start() {
    server = TestServer.start(Map.of("strata.rollups.check-interval", "300ms",
        "strata.workers.poll-interval", "100ms", "strata.rollups.drop-grace", "0s"));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  /**
   * The dashboard's chart queries, each alone and under each of its filters and grains: the
   * ones some demo rollup can answer are the answer corpus (a filter on products.category
   * cannot be answered by an orders rollup, nor a day grain by a monthly one; the source
   * answers those).
   */
  static List<String> corpus() throws Exception {
    JsonNode dash = TestServer.JSON.readTree(DemoDashboards.json(DemoDashboards.FILES.get(0)));
    List<String> out = new ArrayList<>();
    List<ObjectNode> filters = List.of(
        filter("customers.region", "equals", "Europe"),
        filter("orders.channel", "notEquals", "store"),
        filter("products.category", "equals", "Electronics"));
    for (JsonNode chart : dash.path("charts")) {
      ObjectNode q = (ObjectNode) chart.path("query");
      out.add(q.toString());
      for (ObjectNode f : filters) {
        ObjectNode copy = q.deepCopy();
        copy.putArray("filters").add(f);
        out.add(copy.toString());
      }
      for (String grain : List.of("day", "week", "month", "quarter", "year")) {
        ObjectNode copy = q.deepCopy();
        ((ObjectNode) copy.path("timeDimensions").get(0)).put("granularity", grain);
        out.add(copy.toString());
      }
      // the number charts' previous period
      ObjectNode prev = q.deepCopy();
      ArrayNode range = ((ObjectNode) prev.path("timeDimensions").get(0)).putArray("dateRange");
      range.add("2023-01-01").add("2023-12-31");
      out.add(prev.toString());
    }
    return out;
  }

  static ObjectNode filter(String member, String operator, String value) {
    ObjectNode f = TestServer.JSON.createObjectNode();
    f.put("member", member).put("operator", operator).putArray("values").add(value);
    return f;
  }

  @Test
  void rollupsAnswerTheDashboardAsTheRawTablesDoOnDuckDbThenPostgres() throws Exception {
    RollupTestSupport.awaitBuilt(server, 4, null);
    Checked duck = check("duckdb");
    assertThat(duck.matched()).as("queries answered by a rollup on DuckDB")
        .isGreaterThanOrEqualTo(40);
    assertThat(duck.ratios()).as("average order value from its rollup on DuckDB (one engine)")
        .isGreaterThanOrEqualTo(1);

    Warehouse pg = Warehouses.postgresDatabase("strata_rollup_answers", false);
    try (Connection c = pg.connect()) {
      DemoData.ensureLoaded(c, SCALE);
    }
    Response moved = server.admin().put("/api/v1/datasources/demo", Map.of("kind", "postgres",
        "url", pg.jdbcUrl(), "username", pg.user()));
    assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
    // outdated at once: the DuckDB-built versions are not read from Postgres queries
    Response sql = server.admin().post("/api/v1/query/sql",
        "{\"measures\":[\"orders.count\"],\"dimensions\":[\"orders.channel\"]}");
    assertThat(sql.json().path("rollup").isNull()).as(sql.toString()).isTrue();
    RollupTestSupport.awaitBuilt(server, 4, "demo");
    Checked pgChecked = check("postgres");
    assertThat(pgChecked.matched()).as("on Postgres, every query DuckDB's rollups answered but"
        + " the ratio's, which the local store cannot divide as Postgres does")
        .isEqualTo(duck.matched() - duck.ratios());
  }

  /** Every corpus query: the rollup's answer (cache bypassed) equals the raw SQL's rows. */
  private Checked check(String dialect) throws Exception {
    CatalogService catalog = server.context().getBean(CatalogService.class);
    DataSourceRegistry registry = server.context().getBean(DataSourceRegistry.class);
    List<String> failures = new ArrayList<>();
    JsonNode dash = TestServer.JSON.readTree(DemoDashboards.json(DemoDashboards.FILES.get(0)));
    Set<String> charts = new java.util.HashSet<>();
    dash.path("charts").forEach(c -> charts.add(c.path("query").toString()));
    int matched = 0;
    int refusedForExactness = 0;
    int divisionsMatched = 0;
    for (String q : corpus()) {
      Response plan = server.admin().post("/api/v1/query/sql", q);
      assertThat(plan.status()).as(plan.toString()).isEqualTo(200);
      String rollup = plan.json().path("rollup").asText(null);
      String reasons = plan.json().path("rollupRejections").toString();
      if (!dialect.equals("postgres") && reasons.contains("exactly as")) {
        failures.add(dialect + ": no dashboard member divides in a foreign engine here: " + plan);
      }
      if (dialect.equals("postgres") && q.contains("avg_order_value")) {
        // a ratio over the local (DuckDB) store of a Postgres model: DuckDB cannot divide as
        // Postgres does, so the source answers (exactly: it is the raw query)
        boolean exactness = reasons.contains("cannot divide exactly as postgres does:"
            + " orders.avg_order_value is a ratio");
        if (rollup != null || (charts.contains(q) && !exactness)) {
          failures.add(dialect + ": " + q + " should be refused for exactness: " + plan);
        }
        refusedForExactness += exactness ? 1 : 0;
        continue;
      }
      if (q.contains("avg_order_value") && rollup != null) {
        divisionsMatched++;
      }
      if (rollup == null) {
        if (charts.contains(q)) {
          failures.add(dialect + ": no rollup for the dashboard chart " + q + ": "
              + plan.json().path("rollupRejections"));
        }
        continue;
      }
      matched++;
      Response r = server.admin().post("/api/v1/query?cache=bypass", q);
      if (r.status() != 200) {
        failures.add(dialect + ": " + q + " -> " + r);
        continue;
      }
      List<List<String>> actual = TestServer.rows(r);
      CompiledQuery raw = catalog.compiler().compile(QueryJson.parse(q), registry::dialect);
      List<List<String>> expected;
      try (Connection c = registry.connect(raw.dataSource())) {
        expected = Answers.run(c, raw.sql(), List.of());
      }
      // as multisets: rows tied on the sort keys come in any order from either side
      String problem = Answers.compare(expected, actual, Set.of(), false);
      if (problem != null) {
        failures.add(dialect + " " + rollup + ": " + q + ": " + problem + "\n raw:\n"
            + Answers.show(expected) + " rollup:\n" + Answers.show(actual));
      }
    }
    assertThat(failures).as(String.join("\n", failures)).isEmpty();
    if (dialect.equals("postgres")) {
      assertThat(refusedForExactness).as("average order value queries refused for exactness")
          .isGreaterThanOrEqualTo(1);
    }
    QueryLogStore log = server.context().getBean(QueryLogStore.class);
    assertThat(log.recent(20)).as("the query log names the rollup used")
        .anySatisfy(e -> assertThat(e.rollup()).startsWith("order_items.").contains("@"));
    return new Checked(matched, divisionsMatched);
  }

  /** Corpus queries a rollup answered, and of them those of the ratio avg_order_value. */
  record Checked(int matched, int ratios) {}

  /** Row-level security is in the query before it is matched: a rollup never widens it. */
  @Test
  void rowLevelSecurityAppliesToAnswersFromRollups() {
    RollupTestSupport.awaitBuilt(server, 4, null);
    assertThat(server.admin().post("/api/v1/users", Map.of("username", "eu_viewer",
        "password", "eu-viewer-pass-1", "role", "viewer")).status()).isEqualTo(201);
    Response rule = server.admin().post("/api/v1/security/rules", Map.of("model", "customers",
        "filters", List.of(Map.of("member", "customers.region", "operator", "equals",
            "values", List.of("Europe"))), "users", List.of("eu_viewer")));
    assertThat(rule.status()).as(rule.toString()).isEqualTo(201);
    try {
      TestServer.Client eu = server.as("eu_viewer", "eu-viewer-pass-1");
      String q = "{\"measures\":[\"orders.count\"],\"dimensions\":[\"customers.region\"],"
          + "\"timeDimensions\":[{\"dimension\":\"orders.ordered_at\",\"granularity\":\"month\","
          + "\"dateRange\":[\"2024-01-01\",\"2024-12-31\"]}]}";
      Response plan = eu.post("/api/v1/query/sql", q);
      assertThat(plan.json().path("rollup").asText()).as(plan.toString())
          .startsWith("orders.daily@");
      Response r = eu.post("/api/v1/query?cache=bypass", q);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      List<List<String>> rows = TestServer.rows(r);
      assertThat(rows).isNotEmpty().allSatisfy(row -> assertThat(row).contains("Europe"));
      // with a filter on a member no rollup holds, the source answers, still filtered
      Response rule2 = server.admin().post("/api/v1/security/rules", Map.of("model", "customers",
          "filters", List.of(Map.of("member", "customers.name", "operator", "set",
              "values", List.of())), "users", List.of("eu_viewer")));
      assertThat(rule2.status()).as(rule2.toString()).isEqualTo(201);
      long deadline = System.currentTimeMillis() + 10_000;
      Response plan2 = eu.post("/api/v1/query/sql", q);
      while (!plan2.json().path("rollup").isNull() && System.currentTimeMillis() < deadline) {
        plan2 = eu.post("/api/v1/query/sql", q);
      }
      assertThat(plan2.json().path("rollup").isNull()).as(plan2.toString()).isTrue();
      assertThat(plan2.json().path("rollupRejections").toString()).contains("customers.name");
    } finally {
      for (JsonNode x : server.admin().get("/api/v1/security/rules").json()) {
        server.admin().delete("/api/v1/security/rules/" + x.path("id").asText());
      }
    }
  }

  @Test
  void explainNamesTheRollupOrEachCandidatesReason() {
    RollupTestSupport.awaitBuilt(server, 4, null);
    Response used = server.admin().post("/api/v1/query/sql",
        "{\"measures\":[\"orders.count\"],\"dimensions\":[\"orders.channel\"],"
            + "\"timeDimensions\":[{\"dimension\":\"orders.ordered_at\",\"granularity\":\"month\"}]}");
    assertThat(used.json().path("rollup").asText()).as(used.toString())
        .startsWith("orders.daily@");
    assertThat(used.json().path("dataSource").asText()).isIn("strata_rollups", "demo");

    // a dimension no rollup of orders holds
    Response notIn = server.admin().post("/api/v1/query/sql",
        "{\"measures\":[\"orders.count\"],\"dimensions\":[\"customers.name\"]}");
    assertThat(notIn.json().path("rollup").isNull()).isTrue();
    assertThat(notIn.json().path("rollupRejections").toString())
        .contains("orders.daily").contains("customers.name");

    // a measure no rollup holds
    Response measure = server.admin().post("/api/v1/query/sql",
        "{\"measures\":[\"orders.customer_count\"]}");
    assertThat(measure.json().path("rollupRejections").toString())
        .contains("orders.daily").contains("orders.customer_count");

    // a date range off the rollup's grain
    Response range = server.admin().post("/api/v1/query/sql",
        "{\"measures\":[\"order_items.revenue\"],\"timeDimensions\":[{\"dimension\":"
            + "\"orders.ordered_at\",\"dateRange\":[\"2024-01-01T06:00:00\",\"2024-02-01\"]}]}");
    assertThat(range.json().path("rollup").isNull()).as(range.toString()).isTrue();
    assertThat(range.json().path("rollupRejections").toString()).contains("order_items.daily");

    // SQL EXPLAIN says the same
    Response explain = server.admin().post("/api/v1/sql", Map.of("sql",
        "EXPLAIN PLAN FOR SELECT channel, MEASURE(count) FROM semantic.orders GROUP BY channel"));
    assertThat(explain.status()).as(explain.toString()).isEqualTo(200);
    assertThat(explain.text()).contains("answered by rollup orders.daily@");
  }
}
