package io.strata.acceleration.rollup;

import io.strata.demo.DemoModels;
import io.strata.semantic.model.ModelLoader;
import io.strata.semantic.model.SemanticCatalog;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The demo models with rollups of each kind the matcher distinguishes. */
final class RollupFixtures {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2024-07-15T12:00:00Z"), ZoneOffset.UTC);

  static final String ORDERS = """
      rollups:
        - name: daily
          measures: [count, completed_count, first_ordered_at, last_ordered_at, completion_rate]
          dimensions: [status, channel, customers.region]
          time_dimension: ordered_at
          granularity: day
          partition_by: month
          refresh: { every: 1h, update_window: 10d }
        - name: monthly_online
          measures: [count]
          dimensions: [channel]
          time_dimension: ordered_at
          granularity: month
          segments: [online]
        - name: distinct_monthly
          measures: [customer_count, count]
          dimensions: [channel]
          time_dimension: ordered_at
          granularity: month
          build_range: { start: 2022-01-01, end: 2024-12-31 }
        - name: paris
          measures: [count, completion_rate]
          dimensions: [is_closed]
          time_dimension: ordered_at
          granularity: day
          partition_by: month
          timezone: Europe/Paris
        - name: weekly
          measures: [count]
          time_dimension: ordered_at
          granularity: week
          build_range: last 6 months
        - name: aov
          measures: [avg_order_value]
          dimensions: [channel]
          time_dimension: ordered_at
          granularity: month
      """;

  static final String ORDER_ITEMS = """
      rollups:
        - name: daily
          measures: [revenue, units, line_count, avg_unit_price, discounted_revenue,
                     revenue_per_unit, cumulative_revenue, revenue_trailing_3_months]
          dimensions: [products.category, orders.status, customers.country, discount]
          time_dimension: orders.ordered_at
          granularity: day
          partition_by: month
      """;

  static final String CUSTOMERS = """
      rollups:
        - name: by_status
          measures: [count]
          dimensions: [orders.status, region, signup_date]
      """;

  private RollupFixtures() {}

  static SemanticCatalog catalog() {
    Map<String, String> files = new LinkedHashMap<>(DemoModels.files());
    // the demo declares rollups of its own (last in its files); these fixtures replace them
    files.replaceAll((name, yaml) -> withoutRollups(yaml));
    files.merge("orders.yml", ORDERS, (a, b) -> a + "\n" + b);
    files.merge("order_items.yml", ORDER_ITEMS, (a, b) -> a + "\n" + b);
    files.merge("customers.yml", CUSTOMERS, (a, b) -> a + "\n" + b);
    return SemanticCatalog.fromLoad(ModelLoader.loadTexts(files));
  }

  private static String withoutRollups(String yaml) {
    int at = yaml.indexOf("\nrollups:");
    return at < 0 ? yaml : yaml.substring(0, at + 1);
  }

  static Rollups rollups() {
    return new Rollups(catalog(), CLOCK);
  }

  /** Every rollup built over {@code span}, read from {@code rollups.<model>__<rollup>}. */
  static RollupAvailability builtOver(TimeSpan span) {
    return (model, rollup) -> Optional.of(new RollupAvailability.Built("v1",
        "rollups." + model + "__" + rollup, "rollup_store", span));
  }
}
