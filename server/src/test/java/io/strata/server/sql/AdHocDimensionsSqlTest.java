package io.strata.server.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.demo.DemoData;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Response;
import io.strata.testkit.Answers;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.math.BigDecimal;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Expressions over dimensions in a semantic SELECT (EXTRACT, CAST, DATE_TRUNC at every grain,
 * CASE, arithmetic, string functions; in SELECT, WHERE, GROUP BY and ORDER BY) are pushed down as
 * ad-hoc dimensions: through the stock Avatica and Flight SQL JDBC drivers and REST
 * {@code /api/v1/sql}, each answer equals the same question written by hand in the warehouse's
 * own SQL over the raw tables, with data source {@code demo} on DuckDB, then Postgres, then
 * MariaDB. What cannot be pushed down is refused with its position.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdHocDimensionsSqlTest {
  static final double SCALE = 0.02; // the test server's demo scale
  static final String PG_DATABASE = "strata_adhoc_sql";

  /** A semantic statement and the same question in Postgres/DuckDB SQL and in MariaDB SQL. */
  record Case(String name, String semantic, String postgres, String mariadb) {
    boolean ordered() {
      return semantic.contains("ORDER BY");
    }
  }

  static final String JUNE = " ordered_at >= TIMESTAMP '2024-05-30 00:00:00'"
      + " AND ordered_at < TIMESTAMP '2024-06-04 00:00:00'";

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    cases.add(new Case("extract year (the issue's example)",
        "SELECT EXTRACT(YEAR FROM ordered_at), MEASURE(count) FROM semantic.orders GROUP BY 1"
            + " ORDER BY 1",
        "SELECT EXTRACT(YEAR FROM ordered_at), COUNT(*) FROM retail.orders GROUP BY 1 ORDER BY 1",
        "SELECT YEAR(ordered_at), COUNT(*) FROM retail.orders GROUP BY 1 ORDER BY 1"));
    cases.add(new Case("epoch seconds in buckets (Grafana's $__timeGroup)",
        "SELECT FLOOR(EXTRACT(EPOCH FROM ordered_at) / 86400) * 86400 AS t, MEASURE(count)"
            + " FROM semantic.orders WHERE" + JUNE + " GROUP BY 1 ORDER BY 1",
        "SELECT FLOOR(EXTRACT(EPOCH FROM ordered_at) / 86400) * 86400, COUNT(*)"
            + " FROM retail.orders WHERE" + JUNE + " GROUP BY 1 ORDER BY 1",
        "SELECT FLOOR(TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', ordered_at) / 86400) * 86400,"
            + " COUNT(*) FROM retail.orders WHERE" + JUNE.replace("TIMESTAMP ", "")
            + " GROUP BY 1 ORDER BY 1"));
    cases.add(new Case("trunc of a number (Tableau)",
        "SELECT TRUNC(EXTRACT(MONTH FROM ordered_at) / 4) AS t, MEASURE(count)"
            + " FROM semantic.orders WHERE" + JUNE + " GROUP BY 1 ORDER BY 1",
        "SELECT TRUNC(EXTRACT(MONTH FROM ordered_at) / 4), COUNT(*)"
            + " FROM retail.orders WHERE" + JUNE + " GROUP BY 1 ORDER BY 1",
        "SELECT TRUNCATE(MONTH(ordered_at) / 4, 0), COUNT(*) FROM retail.orders WHERE"
            + JUNE.replace("TIMESTAMP ", "") + " GROUP BY 1 ORDER BY 1"));
    cases.add(new Case("weeks from Sunday: a time plus and minus an interval (Metabase)",
        "SELECT CAST(DATE_TRUNC('week', ordered_at + INTERVAL '1' DAY) - INTERVAL '1' DAY AS DATE)"
            + " AS w, MEASURE(count) FROM semantic.orders WHERE" + JUNE + " GROUP BY 1 ORDER BY 1",
        "SELECT CAST(DATE_TRUNC('week', ordered_at + INTERVAL '1' DAY) - INTERVAL '1' DAY AS DATE),"
            + " COUNT(*) FROM retail.orders WHERE" + JUNE + " GROUP BY 1 ORDER BY 1",
        "SELECT DATE(ordered_at + INTERVAL 1 DAY) - INTERVAL WEEKDAY(ordered_at + INTERVAL 1 DAY)"
            + " DAY - INTERVAL 1 DAY, COUNT(*) FROM retail.orders WHERE"
            + JUNE.replace("TIMESTAMP ", "") + " GROUP BY 1 ORDER BY 1"));
    cases.add(new Case("month and dow grouped by expression, filtered by year",
        "SELECT EXTRACT(MONTH FROM ordered_at) AS m, EXTRACT(DOW FROM ordered_at) AS d,"
            + " COUNT(*) FROM semantic.orders WHERE EXTRACT(YEAR FROM ordered_at) = 2024"
            + " GROUP BY EXTRACT(MONTH FROM ordered_at), EXTRACT(DOW FROM ordered_at)"
            + " ORDER BY m, d",
        "SELECT EXTRACT(MONTH FROM ordered_at), EXTRACT(DOW FROM ordered_at), COUNT(*)"
            + " FROM retail.orders WHERE EXTRACT(YEAR FROM ordered_at) = 2024"
            + " GROUP BY 1, 2 ORDER BY 1, 2",
        "SELECT MONTH(ordered_at), DAYOFWEEK(ordered_at) - 1, COUNT(*) FROM retail.orders"
            + " WHERE YEAR(ordered_at) = 2024 GROUP BY 1, 2 ORDER BY 1, 2"));
    cases.add(new Case("cast as date in select and where",
        "SELECT CAST(ordered_at AS DATE) AS dt, MEASURE(count) FROM semantic.orders"
            + " WHERE CAST(ordered_at AS DATE) BETWEEN DATE '2024-02-01' AND DATE '2024-02-10'"
            + " GROUP BY 1 ORDER BY dt",
        "SELECT CAST(ordered_at AS DATE), COUNT(*) FROM retail.orders"
            + " WHERE CAST(ordered_at AS DATE) BETWEEN DATE '2024-02-01' AND DATE '2024-02-10'"
            + " GROUP BY 1 ORDER BY 1",
        "SELECT DATE(ordered_at), COUNT(*) FROM retail.orders"
            + " WHERE DATE(ordered_at) BETWEEN '2024-02-01' AND '2024-02-10' GROUP BY 1 ORDER BY 1"));
    Map<String, String> mariaTrunc = new LinkedHashMap<>();
    mariaTrunc.put("second", "TIMESTAMP(DATE_FORMAT(ordered_at, '%Y-%m-%d %H:%i:%s'))");
    mariaTrunc.put("minute", "TIMESTAMP(DATE_FORMAT(ordered_at, '%Y-%m-%d %H:%i:00'))");
    mariaTrunc.put("hour", "TIMESTAMP(DATE_FORMAT(ordered_at, '%Y-%m-%d %H:00:00'))");
    mariaTrunc.put("day", "TIMESTAMP(DATE(ordered_at))");
    mariaTrunc.put("week", "TIMESTAMP(DATE_SUB(DATE(ordered_at), INTERVAL WEEKDAY(ordered_at) DAY))");
    mariaTrunc.put("month", "TIMESTAMP(DATE_FORMAT(ordered_at, '%Y-%m-01'))");
    mariaTrunc.put("quarter", "TIMESTAMP(MAKEDATE(YEAR(ordered_at), 1)"
        + " + INTERVAL (QUARTER(ordered_at) - 1) QUARTER)");
    mariaTrunc.put("year", "TIMESTAMP(MAKEDATE(YEAR(ordered_at), 1))");
    mariaTrunc.forEach((grain, maria) -> cases.add(new Case("date_trunc " + grain
        + " inside an expression",
        "SELECT CAST(DATE_TRUNC('" + grain + "', ordered_at) AS TIMESTAMP) AS t, MEASURE(count)"
            + " FROM semantic.orders WHERE" + JUNE + " GROUP BY 1 ORDER BY t",
        "SELECT DATE_TRUNC('" + grain + "', ordered_at), COUNT(*) FROM retail.orders WHERE"
            + JUNE + " GROUP BY 1 ORDER BY 1",
        "SELECT " + maria + ", COUNT(*) FROM retail.orders WHERE" + JUNE.replace("TIMESTAMP ", "")
            + " GROUP BY 1 ORDER BY 1")));
    String revenue = "SUM(i.quantity * i.unit_price * (1 - i.discount))";
    String sales = " FROM retail.order_items i JOIN retail.orders o ON o.order_id = i.order_id"
        + " LEFT JOIN retail.customers c ON c.customer_id = o.customer_id"
        + " LEFT JOIN retail.products p ON p.product_id = i.product_id";
    cases.add(new Case("case when on a view",
        "SELECT CASE WHEN region = 'Europe' THEN 'EU' WHEN region IN ('North America',"
            + " 'Latin America') THEN 'Americas' ELSE 'Rest' END AS area, MEASURE(revenue)"
            + " FROM semantic.sales GROUP BY 1 ORDER BY area",
        "SELECT CASE WHEN c.region = 'Europe' THEN 'EU' WHEN c.region IN ('North America',"
            + " 'Latin America') THEN 'Americas' ELSE 'Rest' END, " + revenue + sales
            + " GROUP BY 1 ORDER BY 1",
        null));
    cases.add(new Case("string functions and coalesce",
        "SELECT UPPER(country) || '/' || LOWER(SUBSTRING(segment FROM 1 FOR 4)) AS k,"
            + " COALESCE(segment, 'none') AS s, TRIM(LOWER(region)) AS r, MEASURE(count)"
            + " FROM semantic.customers GROUP BY 1, 2, 3",
        "SELECT UPPER(country) || '/' || LOWER(SUBSTRING(segment FROM 1 FOR 4)),"
            + " COALESCE(segment, 'none'), TRIM(LOWER(region)), COUNT(*) FROM retail.customers"
            + " GROUP BY 1, 2, 3",
        "SELECT CONCAT(UPPER(country), '/', LOWER(SUBSTRING(segment, 1, 4))),"
            + " COALESCE(segment, 'none'), TRIM(LOWER(region)), COUNT(*) FROM retail.customers"
            + " GROUP BY 1, 2, 3"));
    cases.add(new Case("arithmetic in select, where and group by",
        "SELECT quantity * 10 + line_no AS k, ROUND(discount * 100) AS pct, MEASURE(revenue)"
            + " FROM semantic.order_items WHERE quantity * 10 + line_no < 25"
            + " GROUP BY quantity * 10 + line_no, ROUND(discount * 100) ORDER BY k, pct",
        "SELECT i.quantity * 10 + i.line_no, ROUND(i.discount * 100), " + revenue
            + " FROM retail.order_items i WHERE i.quantity * 10 + i.line_no < 25"
            + " GROUP BY 1, 2 ORDER BY 1, 2",
        null));
    cases.add(new Case("expressions only in where: IN, LIKE and two expressions compared",
        "SELECT status, MEASURE(count) FROM semantic.orders WHERE EXTRACT(DOW FROM ordered_at)"
            + " IN (0, 6) AND UPPER(channel) LIKE 'W%' AND EXTRACT(MONTH FROM ordered_at)"
            + " > EXTRACT(DAY FROM ordered_at) GROUP BY status ORDER BY status",
        "SELECT status, COUNT(*) FROM retail.orders WHERE EXTRACT(DOW FROM ordered_at) IN (0, 6)"
            + " AND UPPER(channel) LIKE 'W%' AND EXTRACT(MONTH FROM ordered_at)"
            + " > EXTRACT(DAY FROM ordered_at) GROUP BY status ORDER BY status",
        "SELECT status, COUNT(*) FROM retail.orders WHERE DAYOFWEEK(ordered_at) - 1 IN (0, 6)"
            + " AND UPPER(channel) LIKE 'W%' AND MONTH(ordered_at) > DAY(ordered_at)"
            + " GROUP BY status ORDER BY status"));
    cases.add(new Case("order by an expression that is not selected",
        "SELECT status, MEASURE(count) FROM semantic.orders GROUP BY status, CHAR_LENGTH(status)"
            + " ORDER BY CHAR_LENGTH(status) DESC, status",
        "SELECT status, COUNT(*) FROM retail.orders GROUP BY status"
            + " ORDER BY CHAR_LENGTH(status) DESC, status",
        null));
    cases.add(new Case("isodow, week and quarter of a one-side dimension with a many-side measure",
        "SELECT EXTRACT(QUARTER FROM ordered_at) AS q, EXTRACT(WEEK FROM ordered_at) AS w,"
            + " EXTRACT(ISODOW FROM ordered_at) AS d, MEASURE(revenue) FROM semantic.sales"
            + " WHERE EXTRACT(YEAR FROM ordered_at) = 2023 AND EXTRACT(WEEK FROM ordered_at) < 3"
            + " GROUP BY 1, 2, 3 ORDER BY q, w, d",
        "SELECT EXTRACT(QUARTER FROM o.ordered_at), EXTRACT(WEEK FROM o.ordered_at),"
            + " EXTRACT(ISODOW FROM o.ordered_at), " + revenue + sales
            + " WHERE EXTRACT(YEAR FROM o.ordered_at) = 2023 AND EXTRACT(WEEK FROM o.ordered_at)"
            + " < 3 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        "SELECT QUARTER(o.ordered_at), WEEK(o.ordered_at, 3), WEEKDAY(o.ordered_at) + 1, "
            + revenue + sales + " WHERE YEAR(o.ordered_at) = 2023 AND WEEK(o.ordered_at, 3) < 3"
            + " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"));
    return cases;
  }

  TestServer server;
  SqlEndpoints endpoints;

  @BeforeAll
  void start() {
    server = TestServer.start(Map.of());
    endpoints = new SqlEndpoints(server);
  }

  @AfterAll
  void stop() throws Exception {
    endpoints.close();
    server.close();
  }

  @Test
  void answersEqualHandWrittenSqlOnDuckDbPostgresAndMariaDb() throws Exception {
    List<String> failures = new ArrayList<>();
    try (Connection duck = Warehouses.duckdb(null).connect()) {
      DemoData.loadDuckDb(duck, SCALE); // the same generated data as the server's demo
      failures.addAll(check("duckdb", duck, false));
    }

    Warehouse pg = Warehouses.postgresDatabase(PG_DATABASE, false);
    try (Connection c = pg.connect()) {
      DemoData.ensureLoaded(c, SCALE);
      moveDemo("postgres", pg.jdbcUrl(), pg.user(), pg.password());
      failures.addAll(check("postgres", c, false));
    }

    Warehouse maria = Warehouses.mariadb();
    try (Connection c = maria.connect()) {
      DemoData.ensureLoaded(c, SCALE);
      moveDemo("mysql", maria.jdbcUrl(), maria.user(), maria.password());
      failures.addAll(check("mariadb", c, true));
    }
    assertThat(failures).as(String.join("\n", failures)).isEmpty();
  }

  private void moveDemo(String kind, String url, String user, String password) {
    Map<String, Object> spec = new LinkedHashMap<>(Map.of("kind", kind, "url", url));
    if (user != null) {
      spec.put("username", user);
    }
    if (password != null && !password.isEmpty()) {
      spec.put("password", password);
    }
    Response moved = server.admin().put("/api/v1/datasources/demo", spec);
    assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
  }

  /** Every case on the Avatica driver, the Flight SQL JDBC driver and REST, against {@code ref}. */
  private List<String> check(String warehouse, Connection ref, boolean mariadb) throws Exception {
    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (Case c : cases()) {
      String refSql = mariadb && c.mariadb() != null ? c.mariadb() : c.postgres();
      List<List<String>> expected = SqlEndpoints.run(ref, refSql);
      if (expected.isEmpty()) {
        failures.add(warehouse + " / " + c.name() + ": the reference has no rows, so proves"
            + " nothing");
      }
      for (SqlEndpoints.Outcome o : List.of(endpoints.jdbc(c.semantic()),
          endpoints.flightJdbc(c.semantic()), endpoints.rest(c.semantic()))) {
        checked++;
        if (o.failed()) {
          failures.add(warehouse + " / " + c.name() + " / " + o.endpoint() + ": " + o.code()
              + " " + o.error());
          continue;
        }
        String problem = Answers.compare(expected, o.rows(), Set.of(), c.ordered());
        if (problem != null) {
          failures.add(warehouse + " / " + c.name() + " / " + o.endpoint() + ": " + problem
              + "\n  reference:\n" + Answers.show(expected) + "  " + o.endpoint() + ":\n"
              + Answers.show(o.rows()));
        }
      }
    }
    assertThat(checked).isEqualTo(cases().size() * 3);
    return failures;
  }

  /**
   * No fan-out (on whichever warehouse {@code demo} is on): an expression over a dimension on the one side of a join, with a measure from
   * the many side (or one that the join multiplies), gives the totals of the plain dimension.
   */
  @Test
  void adHocDimensionsAreFanOutSafeLikeModelDimensions() {
    // revenue (order_items) by an expression of customers.region, and by region itself
    List<List<String>> plain = endpoints.jdbc("SELECT region, MEASURE(revenue)"
        + " FROM semantic.sales GROUP BY region ORDER BY region").rows();
    List<List<String>> lowered = endpoints.jdbc("SELECT LOWER(region) AS r, MEASURE(revenue)"
        + " FROM semantic.sales GROUP BY 1 ORDER BY r").rows();
    assertThat(lowered).hasSize(plain.size()).isNotEmpty();
    for (int i = 0; i < plain.size(); i++) {
      assertThat(lowered.get(i)).containsExactly(
          plain.get(i).get(0).toLowerCase(Locale.ROOT), plain.get(i).get(1));
    }
    // orders.count by an expression of products.category: the join to order lines fans out,
    // and each order still counts once per category, exactly as by the category itself
    List<List<String>> byCategory = endpoints.flightJdbc("SELECT category, MEASURE(order_count)"
        + " FROM semantic.sales GROUP BY 1 ORDER BY 1").rows();
    List<List<String>> byUpper = endpoints.flightJdbc("SELECT UPPER(category) AS c,"
        + " MEASURE(order_count) FROM semantic.sales GROUP BY 1 ORDER BY c").rows();
    assertThat(byUpper).hasSize(byCategory.size()).isNotEmpty();
    for (int i = 0; i < byCategory.size(); i++) {
      assertThat(byUpper.get(i)).containsExactly(
          byCategory.get(i).get(0).toUpperCase(Locale.ROOT), byCategory.get(i).get(1));
    }
    // and by year: revenue by EXTRACT(YEAR ...) equals revenue by the year granularity, and
    // the years add up to the total
    List<List<String>> byGrain = endpoints.jdbc("SELECT DATE_TRUNC('year', ordered_at),"
        + " MEASURE(revenue) FROM semantic.sales GROUP BY 1 ORDER BY 1").rows();
    List<List<String>> byExtract = endpoints.jdbc("SELECT EXTRACT(YEAR FROM ordered_at),"
        + " MEASURE(revenue) FROM semantic.sales GROUP BY 1 ORDER BY 1").rows();
    assertThat(byExtract).hasSize(byGrain.size()).hasSizeGreaterThan(1);
    BigDecimal sum = BigDecimal.ZERO;
    for (int i = 0; i < byGrain.size(); i++) {
      assertThat(byExtract.get(i).get(0)).isEqualTo(new BigDecimal(
          byGrain.get(i).get(0).substring(0, 4)).setScale(6).toPlainString());
      assertThat(byExtract.get(i).get(1)).isEqualTo(byGrain.get(i).get(1));
      sum = sum.add(new BigDecimal(byExtract.get(i).get(1)));
    }
    BigDecimal total = new BigDecimal(endpoints.jdbc("SELECT MEASURE(revenue)"
        + " FROM semantic.sales").rows().get(0).get(0));
    assertThat(sum.subtract(total).abs()).isLessThan(new BigDecimal("0.01"));
  }

  /** What cannot be pushed down is refused, naming the problem and where it is. */
  @Test
  void whatCannotBePushedDownIsRefusedWithItsPosition() {
    Map<String, String[]> bad = new LinkedHashMap<>();
    bad.put("SELECT quantity, MEASURE(revenue) * quantity FROM semantic.order_items"
        + " GROUP BY quantity", new String[] {"MEASURE(...) inside an expression",
            "line 1, column 18"});
    bad.put("SELECT status, SUM(order_id) + 1 FROM semantic.orders GROUP BY status",
        new String[] {"SUM(...) inside an expression", "line 1, column 16"});
    bad.put("SELECT RANK() OVER (ORDER BY status), MEASURE(count) FROM semantic.orders"
        + " GROUP BY 1", new String[] {"window functions", "line 1, column 8"});
    bad.put("SELECT order_id + (SELECT 1), MEASURE(count) FROM semantic.orders GROUP BY 1",
        new String[] {"a subquery cannot be part of an expression", "line 1, column 19"});
    bad.put("SELECT REVERSE(status), MEASURE(count) FROM semantic.orders GROUP BY 1",
        new String[] {"REVERSE is not supported", "line 1, column 8"});
    bad.put("SELECT EXTRACT(YEAR FROM status), MEASURE(count) FROM semantic.orders GROUP BY 1",
        new String[] {"EXTRACT applies to time values", "line 1, column 26"});
    bad.put("SELECT UPPER(status), MEASURE(count) FROM semantic.orders GROUP BY status",
        new String[] {"not in GROUP BY", "line 1, column 8"});
    bad.put("SELECT status, MEASURE(count) FROM semantic.orders WHERE UPPER(online) = 'X'"
        + " GROUP BY 1", new String[] {"online is a segment", "line 1, column 64"});
    bad.put("SELECT status, MEASURE(count) FROM semantic.orders WHERE LOWER(status)"
        + " GROUP BY 1", new String[] {"is not a condition", "line 1, column 58"});
    bad.put("SELECT status, MEASURE(count) FROM semantic.orders GROUP BY 1"
        + " HAVING UPPER(status) = 'X'", new String[] {"HAVING filters measures",
            "line 1, column 70"});
    for (Map.Entry<String, String[]> e : bad.entrySet()) {
      for (SqlEndpoints.Outcome o : List.of(endpoints.rest(e.getKey()),
          endpoints.jdbc(e.getKey()))) {
        assertThat(o.failed()).as(e.getKey() + " on " + o.endpoint() + ": " + o).isTrue();
        assertThat(o.error()).as(e.getKey() + " on " + o.endpoint())
            .contains(e.getValue()[0]).contains(e.getValue()[1]);
      }
    }
    // the server answers on
    assertThat(endpoints.jdbc("SELECT EXTRACT(YEAR FROM ordered_at), MEASURE(count)"
        + " FROM semantic.orders GROUP BY 1").rows()).hasSizeGreaterThan(1);
  }

  /**
   * The expression is part of the query, so of the results-cache key: the same statement again
   * is a cache hit, the statement with another expression is a miss with other rows.
   */
  @Test
  void theExpressionIsPartOfTheCacheKey() {
    String unique = java.util.UUID.randomUUID().toString();
    String year = "SELECT EXTRACT(YEAR FROM ordered_at), MEASURE(count) FROM semantic.orders"
        + " WHERE status <> '" + unique + "' GROUP BY 1";
    String month = year.replace("YEAR", "MONTH");
    List<List<String>> first = endpoints.rest(year).rows();
    List<List<String>> again = endpoints.rest(year).rows();
    List<List<String>> other = endpoints.rest(month).rows();
    assertThat(again).isEqualTo(first);
    assertThat(other).hasSize(12).isNotEqualTo(first);
    List<String> tiers = new ArrayList<>();
    for (com.fasterxml.jackson.databind.JsonNode e
        : server.admin().get("/api/v1/queries?limit=200").json()) {
      if (e.path("queryText").asText().contains(unique)) {
        tiers.add(e.path("queryText").asText().contains("MONTH") + ":"
            + e.path("cacheTier").asText());
      }
    }
    // newest first
    assertThat(tiers).containsExactly("true:miss", "false:l1", "false:miss");
  }
}
