package io.strata.benchmarks.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.demo.DemoModels;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo dashboard's query set (the nine charts of {@code retail-overview.json}) and the demo
 * models, for either warehouse.
 *
 * <p>Both warehouses are served by one Strata at once: the DuckDB copy under the demo models'
 * own names (data source {@code demo}), the Postgres copy under the same models renamed with a
 * {@code pg_} prefix (data source {@code demo_pg}). One server process keeps the runs comparable
 * (same JIT-warm server, same cache) and halves start-up time; distinct names keep the two
 * catalogs, and their cache entries, apart without any re-pointing between passes.
 *
 * <p>SQL clients (Avatica, Flight SQL) ask the same questions in SQL over the {@code sales}
 * view, written here chart by chart; the harness checks they return as many rows as REST.
 */
final class QuerySet {
  static final String DASHBOARD = "/io/strata/demo/dashboards/retail-overview.json";
  static final String PG_PREFIX = "pg_";
  private static final List<String> MODEL_NAMES =
      List.of("order_items", "customers", "products", "orders", "sales");
  private static final String IN_2024 =
      " WHERE ordered_at >= TIMESTAMP '2024-01-01 00:00:00' AND ordered_at < TIMESTAMP '2025-01-01 00:00:00'";

  /** Chart title to the same question in SQL over {@code semantic.%s} (the sales view). */
  static final Map<String, String> SQL = new LinkedHashMap<>();

  static {
    SQL.put("Revenue", "SELECT MEASURE(revenue) AS revenue FROM semantic.%s" + IN_2024);
    SQL.put("Orders", "SELECT MEASURE(order_count) AS orders FROM semantic.%s" + IN_2024);
    SQL.put("Average order value",
        "SELECT MEASURE(avg_order_value) AS avg_order_value FROM semantic.%s" + IN_2024);
    SQL.put("Revenue by month", "SELECT DATE_TRUNC('month', ordered_at) AS order_month,"
        + " MEASURE(revenue) AS revenue FROM semantic.%s" + IN_2024 + " GROUP BY 1 ORDER BY 1");
    SQL.put("Orders by channel", "SELECT channel, MEASURE(order_count) AS orders FROM semantic.%s"
        + IN_2024 + " GROUP BY channel");
    SQL.put("Revenue by region", "SELECT region, MEASURE(revenue) AS revenue FROM semantic.%s"
        + IN_2024 + " GROUP BY region ORDER BY 2 DESC");
    SQL.put("Units by category and month", "SELECT DATE_TRUNC('month', ordered_at) AS order_month,"
        + " category, MEASURE(units) AS units FROM semantic.%s" + IN_2024 + " GROUP BY 1, 2 ORDER BY 1");
    SQL.put("Top products", "SELECT product_name, category, MEASURE(revenue) AS revenue,"
        + " MEASURE(units) AS units FROM semantic.%s" + IN_2024
        + " GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 20");
    SQL.put("Revenue by region and channel", "SELECT region, channel, MEASURE(revenue) AS revenue"
        + " FROM semantic.%s" + IN_2024 + " GROUP BY 1, 2");
  }

  private QuerySet() {}

  /** The dashboard's queries for the models named with {@code prefix} ("" or "pg_"). */
  static List<BenchQuery> dashboard(String prefix) throws IOException {
    JsonNode dash;
    try (InputStream in = QuerySet.class.getResourceAsStream(DASHBOARD)) {
      if (in == null) {
        throw new IllegalStateException(DASHBOARD + " is missing from the classpath");
      }
      dash = StrataApi.JSON.readTree(in);
    }
    List<BenchQuery> out = new ArrayList<>();
    for (JsonNode chart : dash.get("charts")) {
      String title = chart.get("title").asText();
      String sql = SQL.get(title);
      if (sql == null) {
        throw new IllegalStateException("the dashboard has a chart the harness has no SQL for: '"
            + title + "'; add it to QuerySet.SQL");
      }
      String json = StrataApi.JSON.writeValueAsString(chart.get("query"));
      out.add(new BenchQuery(title, renameMembers(json, prefix),
          String.format(sql, prefix + "sales"), null));
    }
    return out;
  }

  /** {@code "orders.count"} to {@code "pg_orders.count"} in a query's JSON. */
  static String renameMembers(String json, String prefix) {
    if (prefix.isEmpty()) {
      return json;
    }
    Pattern p = Pattern.compile("\"(" + String.join("|", MODEL_NAMES) + ")\\.");
    return p.matcher(json).replaceAll(m -> Matcher.quoteReplacement("\"" + prefix + m.group(1) + "."));
  }

  /** The demo model files, renamed with {@code prefix} and reading {@code dataSource}. */
  static Map<String, String> models(String prefix, String dataSource) {
    Map<String, String> out = new LinkedHashMap<>();
    DemoModels.files().forEach((file, yaml) -> out.put(prefix + file, renameModel(yaml, prefix, dataSource)));
    return out;
  }

  /**
   * Renames the demo models in one YAML file: model names ({@code name:} at the top,
   * {@code model:} in joins), {@code {model}} and {@code model.member} references; leaves table
   * names ({@code retail.orders}) and descriptions alone. The server validates the result.
   */
  static String renameModel(String yaml, String prefix, String dataSource) {
    String names = String.join("|", MODEL_NAMES);
    String s = yaml.replaceAll("(?m)^data_source: .*$", "data_source: " + dataSource);
    if (prefix.isEmpty()) {
      return s;
    }
    s = s.replaceAll("(?m)^name: (" + names + ")\\s*$", "name: " + prefix + "$1");
    s = s.replaceAll("model: (" + names + ")\\b", "model: " + prefix + "$1");
    s = s.replaceAll("(?<![\\w.])(" + names + ")(?=\\.[\\w*]|\\})", prefix + "$1");
    return s;
  }
}
