package io.strata.acceleration.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.acceleration.rollup.MatchResult.Matched;
import io.strata.acceleration.rollup.MatchResult.NotMatched;
import io.strata.semantic.compile.CompiledQuery;
import io.strata.semantic.compile.OutputColumn;
import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.dialect.Dialect;
import io.strata.semantic.query.QueryJson;
import io.strata.semantic.query.SemanticQuery;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which rollup answers a query, the rewritten query, and each reason a rollup is passed over. */
class RollupMatchTest {
  static final Rollups ROLLUPS = RollupFixtures.rollups();
  static final TimeSpan DATA = new TimeSpan(null, null);
  static final RollupAvailability ALL_BUILT = RollupFixtures.builtOver(DATA);

  static SemanticQuery q(String json) {
    return QueryJson.parse(json);
  }

  static Matched matched(String json) {
    MatchResult r = ROLLUPS.match(q(json), ALL_BUILT);
    assertThat(r).as("%s", r).isInstanceOf(Matched.class);
    return (Matched) r;
  }

  /** The reason rollup {@code id} gave when it is the only one built, over all data. */
  static String reason(String json, String id) {
    return reason(json, id, only(id, DATA));
  }

  /** Only rollup {@code id} is built, over {@code span}. */
  static RollupAvailability only(String id, TimeSpan span) {
    RollupAvailability all = RollupFixtures.builtOver(span);
    return (model, rollup) -> id.equals(model + "." + rollup) ? all.built(model, rollup)
        : Optional.empty();
  }

  static String reason(String json, String id, RollupAvailability availability) {
    MatchResult r = ROLLUPS.match(q(json), availability);
    if (r instanceof Matched m) {
      assertThat(m.rollupId()).as("matched instead").isNotEqualTo(id);
      throw new AssertionError("matched " + m.rollupId() + " and not " + id);
    }
    return ((NotMatched) r).rejections().stream().filter(x -> x.rollupId().equals(id))
        .findFirst().orElseThrow(() -> new AssertionError(id + " is not a candidate: " + r))
        .reason();
  }

  @Test
  void aCoarserGrainAndFewerDimensionsReadTheRollup() {
    Matched m = matched("""
        {"measures": ["orders.count", "orders.completion_rate"],
         "dimensions": ["orders.status"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "granularity": "month",
                             "dateRange": ["2023-01-01", "2023-12-31"]}],
         "filters": [{"member": "customers.region", "operator": "equals", "values": ["Europe"]}],
         "order": [["orders.count", "desc"]]}
        """);
    assertThat(m.rollupId()).isEqualTo("orders.daily");
    assertThat(m.version()).isEqualTo("v1");
    assertThat(m.dataSource()).isEqualTo("rollup_store");
    SemanticQuery r = m.rewritten();
    assertThat(r.measures()).containsExactly("orders.count", "orders.completion_rate");
    assertThat(r.dimensions()).containsExactly("orders.status");
    assertThat(r.timeDimensions()).singleElement().satisfies(td -> {
      assertThat(td.dimension()).isEqualTo("orders.ordered_at");
      assertThat(td.granularity()).isEqualTo("month");
      assertThat(td.dateRange().from()).isEqualTo("2023-01-01T00:00:00");
      assertThat(td.dateRange().to()).isEqualTo("2023-12-31");
    });
    assertThat(r.filters()).singleElement().asString().contains("orders.customers__region");
    assertThat(r.segments()).isEmpty();
    assertThat(r.timezone()).isNull();
    assertThat(r.order()).singleElement().satisfies(o -> {
      assertThat(o.member()).isEqualTo("orders.count");
      assertThat(o.descending()).isTrue();
    });
    // The rewritten query compiles over the rollup's table, re-aggregating stored parts.
    CompiledQuery c = new SemanticCompiler(m.rollupCatalog())
        .compile(r, Dialect.POSTGRES);
    assertThat(c.sql()).contains("rollups.orders__daily").contains("SUM(orders.orders__count)")
        .contains("orders.customers__region = 'Europe'").doesNotContain("retail.");
    assertThat(c.dataSource()).isEqualTo("rollup_store");
    assertThat(m.restore(c).columns()).extracting(OutputColumn::name)
        .containsExactly("orders.status", "orders.ordered_at.month", "orders.count",
            "orders.completion_rate");
  }

  @Test
  void theSmallestRollupThatCanAnswerIsChosen() {
    // daily (three dimensions) and distinct_monthly (one) both can; the smaller one reads less.
    Matched m = matched("""
        {"measures": ["orders.count"], "dimensions": ["orders.channel"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "granularity": "quarter",
                             "dateRange": ["2023-01-01", "2023-06-30"]}]}
        """);
    assertThat(m.rollupId()).isEqualTo("orders.distinct_monthly");
  }

  @Test
  void membersOfJoinedModelsAndViewsAreRenamedAndRestored() {
    Matched m = matched("""
        {"measures": ["sales.order_count"],
         "dimensions": ["customers.region", "orders.ordered_at.month"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "dateRange": "last 6 months"}]}
        """);
    assertThat(m.rollupId()).isEqualTo("orders.daily");
    assertThat(m.rewritten().measures()).containsExactly("orders.count");
    assertThat(m.rewritten().dimensions())
        .containsExactly("orders.customers__region", "orders.ordered_at.month");
    // Relative ranges are resolved with the clock (2024-07-15): the six whole months before.
    assertThat(m.rewritten().timeDimensions().get(0).dateRange().from())
        .isEqualTo("2024-01-01T00:00:00");
    assertThat(m.rewritten().timeDimensions().get(0).dateRange().to()).isEqualTo("2024-06-30");
    CompiledQuery c = m.restore(new SemanticCompiler(m.rollupCatalog())
        .compile(m.rewritten(), Dialect.DUCKDB));
    assertThat(c.columns()).extracting(OutputColumn::name)
        .containsExactly("customers.region", "orders.ordered_at.month", "sales.order_count");
    assertThat(c.columns()).extracting(OutputColumn::title)
        .containsExactly("Region", "Ordered at", "Orders");
  }

  @Test
  void averagesAreRebuiltFromSumsAndCounts() {
    Matched m = matched("""
        {"measures": ["order_items.avg_unit_price", "order_items.revenue_per_unit"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "granularity": "year",
                             "dateRange": ["2022-01-01", "2024-12-31"]}]}
        """);
    assertThat(m.rollupId()).isEqualTo("order_items.daily");
    String sql = new SemanticCompiler(m.rollupCatalog()).compile(m.rewritten(), Dialect.DUCKDB)
        .sql();
    assertThat(sql).contains("SUM(order_items.order_items__avg_unit_price__sum)")
        .contains("SUM(order_items.order_items__avg_unit_price__count)")
        .contains("1.0 * order_items__avg_unit_price__sum"
            + " / NULLIF(order_items__avg_unit_price__count, 0)");
  }

  @Test
  void theRewrittenQueryCompilesInEveryDialect() {
    Matched m = matched("""
        {"measures": ["order_items.avg_unit_price", "order_items.revenue_trailing_3_months",
                      "order_items.revenue_per_unit"],
         "dimensions": ["customers.country"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "granularity": "month",
                             "dateRange": ["2023-01-01", "2023-12-31"]}],
         "filters": [{"member": "products.category", "operator": "contains", "values": ["o"]},
                     {"member": "order_items.revenue", "operator": "gt", "values": ["0"]}]}
        """);
    for (Dialect d : Dialect.values()) {
      String sql = new SemanticCompiler(m.rollupCatalog()).compile(m.rewritten(), d).sql();
      assertThat(sql).as("%s", d).containsIgnoringCase("order_items__daily")
          .doesNotContainIgnoringCase("retail.");
    }
  }

  @Test
  void eachCandidateGivesTheFirstReasonItCannotAnswer() {
    String byHour = """
        {"measures": ["orders.count"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "granularity": "hour",
                             "dateRange": ["2024-01-01", "2024-01-31"]}]}
        """;
    assertThat(reason(byHour, "orders.daily"))
        .isEqualTo("granularity hour is finer than rollup orders.daily's day");
    assertThat(reason(byHour, "orders.weekly"))
        .isEqualTo("granularity hour is finer than rollup orders.weekly's week");
    assertThat(reason(byHour, "orders.monthly_online"))
        .isEqualTo("granularity hour is finer than rollup orders.monthly_online's month");
    assertThat(reason(byHour.replace("hour", "month"), "orders.monthly_online")).isEqualTo(
        "rollup orders.monthly_online holds only the rows of segment orders.online, which the"
            + " query does not apply");
    assertThat(reason(byHour, "orders.paris"))
        .isEqualTo("granularity hour is finer than rollup orders.paris's day");
    assertThat(reason(byHour, "orders.aov")).isEqualTo("rollup orders.aov's rows are those of"
        + " order_items and orders, and the query's measures aggregate those of orders");
    assertThat(reason(byHour.replace("orders.count", "customers.count"),
        "customers.by_status")).isEqualTo("orders.ordered_at is not in rollup customers.by_status");
  }

  @Test
  void membersNotInTheRollup() {
    assertThat(reason("""
        {"measures": ["orders.count"], "dimensions": ["orders.is_closed"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "dateRange": ["2024-01-01", "2024-01-31"]}]}
        """, "orders.daily")).isEqualTo("orders.is_closed is not in rollup orders.daily");
    assertThat(reason("""
        {"measures": ["orders.customer_count"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "dateRange": ["2024-01-01", "2024-01-31"]}]}
        """, "orders.daily")).isEqualTo("orders.customer_count is not in rollup orders.daily");
    assertThat(reason("""
        {"measures": ["orders.avg_order_value"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "dateRange": ["2024-01-01", "2024-01-31"]}]}
        """, "orders.daily")).isEqualTo(
            "orders.avg_order_value needs order_items.revenue, which is not in rollup orders.daily");
    assertThat(reason("""
        {"measures": ["orders.count"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "dateRange": ["2024-01-01", "2024-01-31"]}],
         "filters": [{"or": [{"member": "orders.status", "operator": "equals", "values": ["x"]},
                             {"member": "orders.is_closed", "operator": "equals", "values": ["true"]}]}]}
        """, "orders.daily"))
        .isEqualTo("filter on orders.is_closed needs it as a dimension of rollup orders.daily");
    assertThat(reason("""
        {"measures": ["orders.count"], "dimensions": ["orders.ordered_at"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "dateRange": ["2024-01-01", "2024-01-31"]}]}
        """, "orders.daily")).isEqualTo(
            "orders.ordered_at without a granularity is finer than rollup orders.daily's day");
    assertThat(reason("""
        {"measures": ["orders.count"],
         "timeDimensions": [{"dimension": "customers.signup_date", "dateRange": ["2024-01-01", "2024-01-31"]}]}
        """, "orders.daily"))
        .isEqualTo("date range on customers.signup_date needs it in rollup orders.daily");
  }

  @Test
  void segmentsMustBeExactlyTheRollups() {
    assertThat(reason("""
        {"measures": ["orders.count"], "segments": ["orders.completed"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "dateRange": ["2024-01-01", "2024-01-31"]}]}
        """, "orders.daily")).isEqualTo("segment orders.completed is not in rollup orders.daily");
    Matched m = matched("""
        {"measures": ["orders.count"], "segments": ["orders.online"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "granularity": "year",
                             "dateRange": ["2023-01-01", "2023-12-31"]}]}
        """);
    assertThat(m.rollupId()).isEqualTo("orders.monthly_online");
    assertThat(m.rewritten().segments()).as("the rollup's rows are the segment's").isEmpty();
  }

  @Test
  void weeksDoNotRollUpToMonths() {
    assertThat(reason("""
        {"measures": ["orders.count"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "granularity": "month",
                             "dateRange": ["2024-01-01", "2024-03-31"]}]}
        """, "orders.weekly")).isEqualTo("granularity month cannot be built from rollup"
            + " orders.weekly's weeks, which cross month boundaries");
  }

  @Test
  void dateRangesAndTimeFiltersMustFallOnPeriodBoundaries() {
    assertThat(reason("""
        {"measures": ["orders.count"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "granularity": "day",
                             "dateRange": ["2024-01-03T10:00:00", "2024-01-05"]}]}
        """, "orders.daily")).isEqualTo(
            "date range 2024-01-03T10:00..2024-01-06 is not on rollup orders.daily's day boundaries");
    assertThat(reason("""
        {"measures": ["orders.count"], "dimensions": ["orders.channel"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "granularity": "month",
                             "dateRange": ["2024-01-15", "2024-03-31"]}]}
        """, "orders.distinct_monthly")).isEqualTo("date range 2024-01-15..2024-04-01 is not on"
            + " rollup orders.distinct_monthly's month boundaries");
    String filtered = """
        {"measures": ["orders.count"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "dateRange": ["2024-01-01", "2024-01-31"]}],
         "filters": [{"member": "orders.ordered_at", "operator": "%s", "values": ["%s"]}]}
        """;
    assertThat(reason(filtered.formatted("gt", "2024-01-10"), "orders.daily")).isEqualTo(
        "filter orders.ordered_at gt cannot be answered from rollup orders.daily's day rows: use"
            + " gte, lt, beforeDate or a date range on day boundaries");
    assertThat(reason(filtered.formatted("lt", "2024-01-10T12:00:00"), "orders.daily"))
        .isEqualTo("filter orders.ordered_at lt 2024-01-10T12:00:00 is not on rollup"
            + " orders.daily's day boundaries");
    assertThat(matched(filtered.formatted("gte", "2024-01-10")).rollupId())
        .isEqualTo("orders.daily");
  }

  @Test
  void theTimeZoneMustBeTheRollups() {
    String json = """
        {"measures": ["orders.count"], "timezone": "%s",
         "timeDimensions": [{"dimension": "orders.ordered_at", "granularity": "day",
                             "dateRange": ["2024-01-01", "2024-01-31"]}]}
        """;
    assertThat(reason(json.formatted("Europe/Paris"), "orders.daily"))
        .isEqualTo("time zone Europe/Paris differs from rollup orders.daily's UTC");
    assertThat(reason(json.formatted("UTC"), "orders.paris"))
        .isEqualTo("time zone UTC differs from rollup orders.paris's Europe/Paris");
    Matched m = matched(json.formatted("Europe/Paris"));
    assertThat(m.rollupId()).isEqualTo("orders.paris");
    assertThat(m.rewritten().timezone()).as("stored times are already local").isNull();
  }

  @Test
  void distinctCountsOnlyAtTheRollupsOwnGrain() {
    String json = """
        {"measures": ["orders.customer_count"], "dimensions": %s,
         "timeDimensions": [{"dimension": "orders.ordered_at", "granularity": "%s",
                             "dateRange": ["2023-01-01", "2023-12-31"]}]}
        """;
    assertThat(reason(json.formatted("[\"orders.channel\"]", "year"), "orders.distinct_monthly"))
        .isEqualTo("measure orders.customer_count (count_distinct) needs exactly the rollup's"
            + " dimensions and grain: distinct counts cannot be added up");
    assertThat(reason(json.formatted("[]", "month"), "orders.distinct_monthly"))
        .startsWith("measure orders.customer_count (count_distinct) needs exactly");
    assertThat(matched(json.formatted("[\"orders.channel\"]", "month")).rollupId())
        .isEqualTo("orders.distinct_monthly");
  }

  @Test
  void dimensionsReachedThroughOneToManyJoinsCannotBeDropped() {
    assertThat(reason("""
        {"measures": ["customers.count"], "dimensions": ["customers.region"]}
        """, "customers.by_status")).isEqualTo("the query must group by orders.status: rollup"
            + " customers.by_status reaches it through a one-to-many join, so its groups would"
            + " count a row once per orders.status value");
    assertThat(matched("""
        {"measures": ["customers.count"], "dimensions": ["orders.status"]}
        """).rollupId()).isEqualTo("customers.by_status");
  }

  @Test
  void partitionsThatAreNotBuiltSendTheQueryToTheSource() {
    RollupAvailability untilMarch = only("orders.daily",
        new TimeSpan(LocalDateTime.parse("2022-01-01T00:00"), LocalDateTime.parse("2024-03-01T00:00")));
    String json = """
        {"measures": ["orders.count"], "dimensions": ["orders.status"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "granularity": "month",
                             "dateRange": %s}]}
        """;
    assertThat(reason(json.formatted("[\"2024-01-01\", \"2024-04-30\"]"), "orders.daily",
        untilMarch)).isEqualTo("partitions 2024-03, 2024-04 of rollup orders.daily are not built");
    assertThat(reason(json.formatted("null"), "orders.daily", untilMarch)).isEqualTo(
        "the query reads orders.ordered_at from the first row (it has no date range) and rollup"
            + " orders.daily is built only from 2022-01-01");
    assertThat(reason(json.formatted("[\"2024-01-01\", \"2024-01-31\"]"), "orders.daily",
        RollupAvailability.none())).isEqualTo("rollup orders.daily is not built yet");
    assertThat(ROLLUPS.match(q(json.formatted("[\"2024-01-01\", \"2024-02-29\"]")), untilMarch))
        .isInstanceOf(Matched.class);
    // Time filters every row must meet narrow what is read; one inside an or does not.
    String filtered = """
        {"measures": ["orders.count"], "dimensions": ["orders.status"],
         "filters": [%s]}
        """;
    assertThat(ROLLUPS.match(q(filtered.formatted("""
        {"and": [{"member": "orders.ordered_at", "operator": "gte", "values": ["2023-01-01"]},
                 {"member": "orders.ordered_at", "operator": "beforeDate", "values": ["2024-02-01"]}]}
        """)), untilMarch)).isInstanceOf(Matched.class);
    assertThat(reason(filtered.formatted("""
        {"member": "orders.ordered_at", "operator": "inDateRange", "values": ["2024-02-01", "2024-03-31"]}
        """), "orders.daily", untilMarch))
        .isEqualTo("partition 2024-03 of rollup orders.daily is not built");
    assertThat(reason(filtered.formatted("""
        {"or": [{"member": "orders.ordered_at", "operator": "gte", "values": ["2023-01-01"]},
                {"member": "orders.status", "operator": "equals", "values": ["x"]}]}
        """), "orders.daily", untilMarch)).startsWith("the query reads orders.ordered_at from the first row");
  }

  @Test
  void cumulativeMetricsNeedTheHistoryTheyAddUp() {
    RollupAvailability from2023 = only("order_items.daily",
        new TimeSpan(LocalDateTime.parse("2023-01-01T00:00"), null));
    String json = """
        {"measures": ["%s"],
         "timeDimensions": [{"dimension": "orders.ordered_at", "granularity": "month",
                             "dateRange": ["2024-01-01", "2024-06-30"]}]}
        """;
    assertThat(reason(json.formatted("order_items.cumulative_revenue"), "order_items.daily",
        from2023)).isEqualTo("the query reads orders.ordered_at from the first row (for a"
            + " running total) and rollup order_items.daily is built only from 2023-01-01");
    // A three-month window reaches back to 2023-10, which is built.
    MatchResult windowed = ROLLUPS.match(q(json.formatted(
        "order_items.revenue_trailing_3_months")), from2023);
    assertThat(windowed).isInstanceOf(Matched.class);
    assertThat(ROLLUPS.match(q(json.formatted("order_items.cumulative_revenue")), ALL_BUILT))
        .isInstanceOf(Matched.class);
  }

  @Test
  void explainNamesTheRollupOrEachCandidatesReason() {
    assertThat(matched("""
        {"measures": ["customers.count"], "dimensions": ["orders.status"]}
        """).explain()).isEqualTo("rollup customers.by_status (version v1)");
    assertThat(ROLLUPS.match(q("""
        {"measures": ["customers.count"], "dimensions": ["customers.country"]}
        """), ALL_BUILT).explain()).isEqualTo("""
        no rollup:
          customers.by_status: customers.country is not in rollup customers.by_status""");
    assertThat(ROLLUPS.match(q("""
        {"measures": ["products.count"]}
        """), ALL_BUILT).explain())
        .isEqualTo("no rollup: none is declared for the query's models");
  }

  @Test
  void queriesTheCompilerRefusesAreLeftToIt() {
    assertThat(ROLLUPS.match(q("""
        {"measures": ["orders.nope"]}
        """), ALL_BUILT)).isEqualTo(new NotMatched(List.of()));
    assertThat(ROLLUPS.match(q("""
        {"measures": ["orders.count"], "timezone": "Mars/Olympus"}
        """), ALL_BUILT)).isEqualTo(new NotMatched(List.of()));
  }

  @Test
  void aRollupOfAnotherModelThatStoresTheMeasuresIsACandidate() {
    // orders.aov stores order_items.revenue; the query reads neither orders member.
    assertThat(reason("""
        {"measures": ["order_items.revenue"], "dimensions": ["products.category"]}
        """, "orders.aov")).isEqualTo("rollup orders.aov's rows are those of order_items and"
            + " orders, and the query's measures aggregate those of order_items");
  }

  @Test
  void modelsWithoutRollupsHaveNoCandidates() {
    assertThat(ROLLUPS.match(q("""
        {"measures": ["products.count"], "dimensions": ["products.category"]}
        """), ALL_BUILT)).isEqualTo(new NotMatched(List.of()));
  }

  @Test
  void aMissingRollupIsNamed() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ROLLUPS.layout("orders", "nope"))
        .hasMessage("no rollup 'nope' in model 'orders'");
    assertThat(ROLLUPS.problems()).isEmpty();
    assertThat(ROLLUPS.layouts()).hasSize(8);
  }

}
