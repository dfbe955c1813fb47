package io.strata.acceleration.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.strata.acceleration.rollup.RollupColumn.Reaggregation;
import io.strata.acceleration.rollup.RollupColumn.Role;
import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.dialect.Dialect;
import io.strata.semantic.model.Granularity;
import io.strata.semantic.model.ModelLoader;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.Filter;
import io.strata.semantic.query.FilterOperator;
import io.strata.semantic.query.QueryException;
import io.strata.semantic.query.SemanticQuery;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Layouts, partitions, build ranges, refresh windows and build queries. */
class RollupPlanningTest {
  static final Rollups ROLLUPS = RollupFixtures.rollups();

  static LocalDateTime t(String s) {
    return LocalDateTime.parse(s);
  }

  @Test
  void aLayoutStoresDimensionsTheTimeColumnAndAdditiveParts() {
    RollupLayout l = ROLLUPS.layout("order_items", "daily");
    assertThat(l.id()).isEqualTo("order_items.daily");
    assertThat(l.columns()).extracting(RollupColumn::name, RollupColumn::role,
        RollupColumn::member, RollupColumn::part, RollupColumn::reaggregation).containsExactly(
            tuple("products__category", Role.DIMENSION, "products.category", null, Reaggregation.GROUP),
            tuple("orders__status", Role.DIMENSION, "orders.status", null, Reaggregation.GROUP),
            tuple("customers__country", Role.DIMENSION, "customers.country", null, Reaggregation.GROUP),
            tuple("order_items__discount", Role.DIMENSION, "order_items.discount", null, Reaggregation.GROUP),
            tuple("orders__ordered_at_day", Role.TIME, "orders.ordered_at", null, Reaggregation.GROUP),
            tuple("order_items__revenue", Role.MEASURE, "order_items.revenue", null, Reaggregation.SUM),
            tuple("order_items__units", Role.MEASURE, "order_items.units", null, Reaggregation.SUM),
            tuple("order_items__line_count", Role.MEASURE, "order_items.line_count", null, Reaggregation.SUM),
            tuple("order_items__avg_unit_price__sum", Role.MEASURE, "order_items.avg_unit_price", "sum", Reaggregation.SUM),
            tuple("order_items__avg_unit_price__count", Role.MEASURE, "order_items.avg_unit_price", "count", Reaggregation.SUM),
            tuple("order_items__discounted_revenue", Role.MEASURE, "order_items.discounted_revenue", null, Reaggregation.SUM));
    assertThat(l.columns().get(4).granularity()).isEqualTo(Granularity.DAY);
    assertThat(l.columns().get(4).type()).isEqualTo("time");
    assertThat(l.columns().get(5).type()).isEqualTo("number");
    // The sum and count of an avg exist only in the layout's catalog.
    SemanticQuery base = l.baseQuery();
    assertThat(base.measures()).contains("order_items.avg_unit_price__sum",
        "order_items.avg_unit_price__count");
    assertThat(new SemanticCompiler(l.catalog()).compile(base, Dialect.POSTGRES).sql())
        .contains("SUM(order_items.unit_price) AS order_items__avg_unit_price__sum")
        .contains("COUNT(order_items.unit_price) AS order_items__avg_unit_price__count");
    assertThatThrownBy(() -> new SemanticCompiler(ROLLUPS.catalog()).compile(base,
        Dialect.POSTGRES)).isInstanceOf(QueryException.class);
  }

  @Test
  void minMaxAndDistinctCountsKeepTheirOwnReaggregation() {
    assertThat(ROLLUPS.layout("orders", "daily").columns())
        .filteredOn(c -> c.role() == Role.MEASURE)
        .extracting(RollupColumn::member, RollupColumn::reaggregation).containsExactly(
            tuple("orders.count", Reaggregation.SUM),
            tuple("orders.completed_count", Reaggregation.SUM),
            tuple("orders.first_ordered_at", Reaggregation.MIN),
            tuple("orders.last_ordered_at", Reaggregation.MAX));
    assertThat(ROLLUPS.layout("orders", "distinct_monthly").columns())
        .filteredOn(c -> c.role() == Role.MEASURE)
        .extracting(RollupColumn::member, RollupColumn::reaggregation).containsExactly(
            tuple("orders.customer_count", Reaggregation.NONE),
            tuple("orders.count", Reaggregation.SUM));
  }

  @Test
  void partitionsAreWholePeriodsOfPartitionBy() {
    RollupLayout daily = ROLLUPS.layout("orders", "daily");
    List<Partition> ps = ROLLUPS.partitions(daily, LocalDate.parse("2024-01-15"),
        LocalDate.parse("2024-03-10"));
    assertThat(ps).extracting(Partition::key).containsExactly("2024-01", "2024-02", "2024-03");
    assertThat(ps.get(1).span()).isEqualTo(new TimeSpan(t("2024-02-01T00:00"), t("2024-03-01T00:00")));
    assertThat(ps.get(2).span().until()).isEqualTo(t("2024-04-01T00:00"));
    // Unpartitioned, or an open span: one partition.
    RollupLayout monthly = ROLLUPS.layout("orders", "distinct_monthly");
    assertThat(ROLLUPS.partitions(monthly, LocalDate.parse("2022-01-01"),
        LocalDate.parse("2025-01-01"))).extracting(Partition::key).containsExactly("all");
    assertThat(ROLLUPS.partitions(daily, TimeSpan.ALL))
        .containsExactly(new Partition("all", TimeSpan.ALL));
  }

  @Test
  void partitionKeysNameEachGranularity() {
    LocalDateTime at = t("2024-03-05T10:00");
    assertThat(List.of(Granularity.values()).stream()
        .map(g -> Grains.key(Grains.truncate(at, g), g)).toList()).containsExactly(
            "2024-03-05T10:00:00", "2024-03-05T10:00", "2024-03-05T10", "2024-03-05",
            "2024-03-04", "2024-03", "2024-Q1", "2024");
  }

  @Test
  void buildRangesResolveWithTheClock() {
    assertThat(ROLLUPS.buildSpan(ROLLUPS.layout("orders", "distinct_monthly")))
        .isEqualTo(new TimeSpan(t("2022-01-01T00:00"), t("2025-01-01T00:00")));
    // last 6 months on 2024-07-15: the six whole months before July.
    assertThat(ROLLUPS.buildSpan(ROLLUPS.layout("orders", "weekly")))
        .isEqualTo(new TimeSpan(t("2024-01-01T00:00"), t("2024-07-01T00:00")));
    assertThat(ROLLUPS.buildSpan(ROLLUPS.layout("orders", "daily"))).isEqualTo(TimeSpan.ALL);
  }

  @Test
  void aSqlBuildRangeIsLeftToTheBuildSystem() {
    Rollups r = new Rollups(catalog("""
        rollups:
          - name: by_sql
            measures: [count]
            time_dimension: ordered_at
            granularity: day
            build_range: { sql: "SELECT min(ordered_at), max(ordered_at) FROM retail.orders" }
        """), RollupFixtures.CLOCK);
    assertThatThrownBy(() -> r.buildSpan(r.layout("orders", "by_sql")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("rollup orders.by_sql takes its build range from SQL");
  }

  @Test
  void aRefreshRebuildsOnlyPartitionsInTheUpdateWindow() {
    RollupLayout daily = ROLLUPS.layout("orders", "daily");
    List<Partition> year = ROLLUPS.partitions(daily, LocalDate.parse("2024-01-01"),
        LocalDate.parse("2025-01-01"));
    // Now is 2024-07-15T12:00; ten days back is 2024-07-05T12:00, inside July.
    assertThat(ROLLUPS.toRefresh(daily, year)).extracting(Partition::key)
        .containsExactly("2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12");
    RollupLayout monthly = ROLLUPS.layout("orders", "distinct_monthly");
    List<Partition> all = ROLLUPS.partitions(monthly, TimeSpan.ALL);
    assertThat(ROLLUPS.toRefresh(monthly, all)).isEqualTo(all);
  }

  @Test
  void aBuildQueryBoundsTheTimeDimensionToItsPartition() {
    RollupLayout daily = ROLLUPS.layout("orders", "daily");
    Partition march = ROLLUPS.partitions(daily, LocalDate.parse("2024-03-01"),
        LocalDate.parse("2024-04-01")).get(0);
    SemanticQuery q = ROLLUPS.buildQuery(daily, march);
    assertThat(q.filters()).containsExactly(
        new Filter.Condition("orders.ordered_at", FilterOperator.GTE, List.of("2024-03-01T00:00:00")),
        new Filter.Condition("orders.ordered_at", FilterOperator.LT, List.of("2024-04-01T00:00:00")));
    assertThat(q.measures()).isEqualTo(daily.baseQuery().measures());
    assertThat(new SemanticCompiler(daily.catalog()).compile(q, Dialect.POSTGRES).sql())
        .contains("orders.ordered_at >= TIMESTAMP '2024-03-01 00:00:00'")
        .contains("orders.ordered_at < TIMESTAMP '2024-04-01 00:00:00'");
    assertThat(ROLLUPS.buildQuery(daily, new Partition("all", TimeSpan.ALL)))
        .isEqualTo(daily.baseQuery());
  }

  @Test
  void theCorpusCanBePlannedFromALayoutAlone() {
    TimeSpan span = new TimeSpan(t("2023-01-01T00:00"), t("2024-01-01T00:00"));
    for (RollupLayout l : ROLLUPS.layouts()) {
      assertThat(RollupCorpus.queries(l, span, java.util.Map.of()))
          .as(l.id()).isEqualTo(RollupCorpus.queries(ROLLUPS, l, span, java.util.Map.of()))
          .isNotEmpty();
    }
  }

  @Test
  void aRollupTheCompilerCannotBuildIsReportedAndNeverMatched() {
    Rollups r = new Rollups(catalog("""
        rollups:
          - name: by_line
            measures: [count]
            dimensions: [order_items.quantity]
        """), RollupFixtures.CLOCK);
    // orders -> order_items fans out; orders has a primary key, so this one builds.
    assertThat(r.problems()).isEmpty();
    Rollups broken = new Rollups(SemanticCatalog.fromLoad(ModelLoader.loadTexts(java.util.Map.of(
        "a.yml", """
            name: a
            data_source: demo
            table: t.a
            dimensions: [{ name: id, type: number }]
            measures: [{ name: count, agg: count }]
            rollups:
              - { name: by_b, measures: [count], dimensions: [b.x] }
            """,
        "b.yml", """
            name: b
            data_source: demo
            table: t.b
            dimensions: [{ name: x, type: string }]
            joins: [{ model: a, relationship: many_to_one, on: "{b}.a_id = {a}.id" }]
            """))), RollupFixtures.CLOCK);
    assertThat(broken.problems()).containsOnlyKeys("a.by_b");
    assertThat(broken.problems().get("a.by_b")).startsWith("rollup a.by_b cannot be built:")
        .contains("declare primary_key on model 'a'");
    assertThat(broken.layouts()).isEmpty();
    assertThatThrownBy(() -> broken.layout("a", "by_b"))
        .hasMessageStartingWith("rollup a.by_b cannot be built");
  }

  static SemanticCatalog catalog(String ordersRollups) {
    java.util.Map<String, String> files = new java.util.LinkedHashMap<>(
        io.strata.demo.DemoModels.files());
    // the demo's own rollups (last in its files) make way for the test's
    files.replaceAll((name, yaml) -> yaml.contains("\nrollups:")
        ? yaml.substring(0, yaml.indexOf("\nrollups:") + 1) : yaml);
    files.merge("orders.yml", ordersRollups, (a, b) -> a + "\n" + b);
    return SemanticCatalog.fromLoad(ModelLoader.loadTexts(files));
  }
}
