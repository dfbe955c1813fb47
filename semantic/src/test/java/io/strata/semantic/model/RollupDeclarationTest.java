package io.strata.semantic.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Loading rollups: every field, its position, and a valid declaration validating cleanly. */
class RollupDeclarationTest {
  static final String MODELS = """
      models:
        - name: customers
          data_source: demo
          table: retail.customers
          primary_key: customer_id
          dimensions:
            - { name: customer_id, type: number }
            - { name: country, type: string }
        - name: orders
          data_source: demo
          table: retail.orders
          dimensions:
            - { name: status, type: string }
            - { name: ordered_at, type: time }
          measures:
            - { name: count, agg: count }
            - { name: revenue, agg: sum, expr: amount }
            - { name: avg_amount, agg: avg, expr: amount }
            - { name: buyers, agg: count_distinct, expr: customer_id }
            - { name: aov, agg: number, expr: "{revenue} / NULLIF({count}, 0)" }
          joins:
            - { model: customers, relationship: many_to_one, on: "{orders}.customer_id = {customers}.customer_id" }
          segments:
            - { name: online, filter: "channel = 'web'" }
          metrics:
            - { name: running, type: cumulative, measure: revenue, time_dimension: ordered_at, window: 7 days }
            - { name: share, type: ratio, numerator: revenue, denominator: count }
          rollups:
            - name: daily
              measures: [count, revenue, avg_amount, buyers, aov, running, share]
              dimensions: [status, customers.country]
              time_dimension: ordered_at
              granularity: day
              segments: [online]
              partition_by: month
              build_range: { start: 2023-01-01, end: "2024-12-31" }
              refresh: { every: 1h, update_window: 7d }
              store: source
              timezone: Europe/Paris
            - name: totals
              measures: [count]
              time_dimension: ordered_at
              granularity: year
              build_range: { sql: "SELECT min(ordered_at), max(ordered_at) FROM retail.orders" }
              refresh: { sql: "SELECT max(ordered_at) FROM retail.orders" }
            - name: recent
              measures: [revenue]
              time_dimension: orders.ordered_at
              granularity: month
              build_range: last 24 months
      """;

  @Test
  void everyFieldIsLoadedWithItsPosition() {
    ModelLoader.Result r = ModelLoader.loadText("m.yml", MODELS);
    assertThat(r.errors()).isEmpty();
    assertThat(ModelValidator.validate(r.models(), r.views())).isEmpty();
    Model orders = r.models().get(1);
    Rollup daily = orders.rollup("daily").orElseThrow();
    assertThat(daily.measures())
        .containsExactly("count", "revenue", "avg_amount", "buyers", "aov", "running", "share");
    assertThat(daily.dimensions()).containsExactly("status", "customers.country");
    assertThat(daily.timeDimension()).isEqualTo("ordered_at");
    assertThat(daily.granularity()).isEqualTo(Granularity.DAY);
    assertThat(daily.segments()).containsExactly("online");
    assertThat(daily.partitionBy()).isEqualTo(Granularity.MONTH);
    assertThat(daily.buildRange().start()).isEqualTo("2023-01-01");
    assertThat(daily.buildRange().end()).isEqualTo("2024-12-31");
    assertThat(daily.refresh().every()).isEqualTo(Duration.ofHours(1));
    assertThat(daily.refresh().updateWindow()).isEqualTo(Duration.ofDays(7));
    assertThat(daily.store()).isEqualTo(RollupStore.SOURCE);
    assertThat(daily.timezone()).isEqualTo("Europe/Paris");
    // Each listed member keeps its own position, for errors about one of them.
    assertThat(daily.origin().of("dimensions[1]")).isEqualTo(new SourcePosition("m.yml", 31, 30));
    assertThat(daily.origin().of("measures[6]")).isEqualTo(new SourcePosition("m.yml", 30, 70));

    Rollup totals = orders.rollup("totals").orElseThrow();
    assertThat(totals.store()).as("local is the default store").isEqualTo(RollupStore.LOCAL);
    assertThat(totals.partitionBy()).isNull();
    assertThat(totals.buildRange().sql()).startsWith("SELECT min(ordered_at)");
    assertThat(totals.refresh().sql()).startsWith("SELECT max(ordered_at)");
    assertThat(orders.rollup("recent").orElseThrow().buildRange().relative())
        .isEqualTo("last 24 months");
    assertThat(r.models().get(0).rollups()).isEmpty();
  }

  @Test
  void buildRangeAndRefreshFormsAreCheckedWhenLoaded() {
    ModelLoader.Result r = ModelLoader.loadText("m.yml", """
        name: orders
        data_source: demo
        table: retail.orders
        dimensions:
          - { name: ordered_at, type: time }
        measures:
          - { name: count, agg: count }
        rollups:
          - name: a
            measures: [count]
            time_dimension: ordered_at
            granularity: day
            build_range: { start: 2024-01-01, relative: last 2 months }
            refresh: { every: 1 hour, sql: "SELECT 1" }
          - name: b
            measures: [{ name: count }]
            time_dimension: ordered_at
            granularity: day
            build_range: {}
            refresh: { update_window: 2x }
            colour: blue
        """);
    assertThat(r.errors().stream().sorted().map(ModelError::toString).toList()).containsExactly(
        "m.yml:13:18: rollup 'a': build_range gives more than one of start/end, relative and"
            + " sql; give one",
        "m.yml:14:23: rollup 'a': refresh every '1 hour' is not a duration such as 30s, 10m,"
            + " 1h, 1d or 1w",
        "m.yml:14:31: rollup 'a': refresh has both 'every' and 'sql'; give one",
        "m.yml:16:16: 'measures' must list member names such as status or customers.country",
        "m.yml:19:18: rollup 'b': build_range needs start and/or end, relative, or sql",
        "m.yml:20:14: rollup 'b': refresh needs 'every' or 'sql'",
        "m.yml:20:31: rollup 'b': refresh update_window '2x' is not a duration such as 30s,"
            + " 10m, 1h, 1d or 1w",
        "m.yml:21:5: unknown key 'colour' in rollup (expected one of build_range, dimensions,"
            + " granularity, measures, name, partition_by, refresh, segments, store,"
            + " time_dimension, timezone)");
  }

  @Test
  void modelsWithoutRollupsKeepTheOldConstructor() {
    Model m = new Model("m", null, "demo", "t", null, null, List.of(), List.of(), List.of(),
        List.of(), List.of(), null, Origin.UNKNOWN);
    assertThat(m.rollups()).isEmpty();
  }
}
