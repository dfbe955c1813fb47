package io.strata.semantic.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.demo.DemoModels;
import io.strata.semantic.dialect.Dialect;
import io.strata.semantic.model.ModelLoader;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.QueryException;
import io.strata.semantic.query.QueryJson;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every bad query gets a QueryException that names the problem and where it is. */
class QueryErrorsTest {
  static final SemanticCatalog DEMO =
      SemanticCatalog.fromLoad(ModelLoader.loadTexts(DemoModels.files()));
  static final SemanticCompiler COMPILER = new SemanticCompiler(DEMO,
      Clock.fixed(Instant.parse("2024-07-01T00:00:00Z"), ZoneOffset.UTC));

  private static QueryException error(String json) {
    try {
      COMPILER.compile(QueryJson.parse(json), Dialect.POSTGRES);
    } catch (QueryException e) {
      return e;
    }
    throw new AssertionError("no error for " + json);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      unknown member        | {"measures":["orders.nope"]}                                                  | UNKNOWN_MEMBER | measures[0] | 'orders' has no member 'nope'
      unknown model         | {"measures":["shipments.count"]}                                              | UNKNOWN_MEMBER | measures[0] | no model or view named 'shipments'
      unqualified member    | {"measures":["count"]}                                                        | UNKNOWN_MEMBER | measures[0] | address members as model.member
      dimension as measure  | {"measures":["orders.status"]}                                                | INVALID_QUERY  | measures[0] | not a measure
      measure as dimension  | {"dimensions":["orders.count"]}                                               | INVALID_QUERY  | dimensions[0] | put it under measures
      grain on non-time     | {"measures":["orders.count"],"timeDimensions":[{"dimension":"orders.status","granularity":"month"}]} | INVALID_QUERY | timeDimensions[0] | a granularity or date range needs a time dimension
      unknown grain         | {"measures":["orders.count"],"timeDimensions":[{"dimension":"orders.ordered_at","granularity":"fortnight"}]} | INVALID_QUERY | timeDimensions[0].granularity | unknown granularity 'fortnight'
      bad date range        | {"measures":["orders.count"],"timeDimensions":[{"dimension":"orders.ordered_at","dateRange":"next blue moon"}]} | INVALID_QUERY | timeDimensions[0].dateRange | is not a date range
      reversed date range   | {"measures":["orders.count"],"timeDimensions":[{"dimension":"orders.ordered_at","dateRange":["2024-02-01","2024-01-01"]}]} | INVALID_QUERY | timeDimensions[0].dateRange | before it starts
      bad time zone         | {"measures":["orders.count"],"timezone":"Mars/Olympus"}                       | INVALID_QUERY  | timezone    | unknown time zone 'Mars/Olympus'
      mixed or              | {"measures":["orders.count"],"filters":[{"or":[{"member":"orders.status","operator":"equals","values":["x"]},{"member":"orders.count","operator":"gt","values":["1"]}]}]} | INVALID_QUERY | filters[0] | mixes conditions on measures and on dimensions
      values count          | {"measures":["orders.count"],"filters":[{"member":"orders.count","operator":"gt","values":["1","2"]}]} | INVALID_QUERY | filters[0].values | gt takes one value; got 2
      not a number          | {"measures":["orders.count"],"filters":[{"member":"orders.count","operator":"gt","values":["lots"]}]} | INVALID_QUERY | filters[0].values | 'lots' is not a number
      date op on string     | {"measures":["orders.count"],"filters":[{"member":"orders.status","operator":"beforeDate","values":["2024-01-01"]}]} | INVALID_QUERY | filters[0] | beforeDate needs a time dimension
      bad date value        | {"measures":["orders.count"],"filters":[{"member":"orders.ordered_at","operator":"afterDate","values":["yesterday-ish"]}]} | INVALID_QUERY | filters[0].values | is not a date
      segment in filters    | {"measures":["orders.count"],"filters":[{"member":"orders.online","operator":"set"}]} | INVALID_QUERY | filters[0].member | put it under segments
      not a segment         | {"measures":["orders.count"],"segments":["orders.status"]}                    | INVALID_QUERY  | segments[0] | is not a segment
      order not in query    | {"measures":["orders.count"],"order":{"orders.status":"asc"}}                 | INVALID_QUERY  | order[0]    | not among the query's measures or dimensions
      negative limit        | {"measures":["orders.count"],"limit":-1}                                      | INVALID_QUERY  | limit       | limit must be 0 or more
      empty query           | {}                                                                            | INVALID_QUERY  |             | the query selects nothing
      range from year 1     | {"measures":["orders.count"],"timeDimensions":[{"dimension":"orders.ordered_at","dateRange":["0001-01-01","9999-12-31"]}]} | INVALID_QUERY | timeDimensions[0].dateRange | '0001-01-01' is outside the dates every warehouse handles: give dates from 1000-01-01 to 9998-12-31
      range to 9999-12-31   | {"measures":["orders.count"],"timeDimensions":[{"dimension":"orders.ordered_at","dateRange":["2024-01-01","9999-12-31"]}]} | INVALID_QUERY | timeDimensions[0].dateRange | '9999-12-31' is outside the dates
      2 billion years       | {"measures":["orders.count"],"timeDimensions":[{"dimension":"orders.ordered_at","dateRange":"last 2000000000 years"}]} | INVALID_QUERY | timeDimensions[0].dateRange | starts before 1000-01-01
      20-digit count        | {"measures":["orders.count"],"timeDimensions":[{"dimension":"orders.ordered_at","dateRange":"last 99999999999999999999 days"}]} | INVALID_QUERY | timeDimensions[0].dateRange | starts before 1000-01-01
      filter before year 1000 | {"measures":["orders.count"],"filters":[{"member":"orders.ordered_at","operator":"beforeDate","values":["0500-01-01"]}]} | INVALID_QUERY | filters[0].values | outside the dates every warehouse handles
      cumulative no time    | {"measures":["order_items.cumulative_revenue"]}                               | INVALID_QUERY  | timeDimensions | needs its time dimension orders.ordered_at
      ad-hoc aggregate      | {"measures":["orders.count"],"dimensions":["SUM({order_items.quantity}) + 1"]} | INVALID_QUERY | dimensions[0] | SUM(...) inside an expression
      ad-hoc measure        | {"measures":["orders.count"],"dimensions":["{orders.count} + 1"]}             | INVALID_QUERY  | dimensions[0] | orders.count is a measure: an expression over dimensions cannot also use a measure
      ad-hoc window         | {"measures":["orders.count"],"dimensions":["RANK() OVER (ORDER BY {orders.status})"]} | INVALID_QUERY | dimensions[0] | window functions
      ad-hoc subquery       | {"measures":["orders.count"],"dimensions":["({orders.status} IN (SELECT 1))"]} | INVALID_QUERY | dimensions[0] | a subquery cannot be part of an expression
      ad-hoc unknown fn     | {"measures":["orders.count"],"dimensions":["REVERSE({orders.status})"]}      | INVALID_QUERY  | dimensions[0] | REVERSE is not supported in an expression over dimensions; supported are EXTRACT
      ad-hoc unknown ref    | {"measures":["orders.count"],"dimensions":["UPPER({orders.nope})"]}          | UNKNOWN_MEMBER | dimensions[0] | 'orders' has no member 'nope'
      ad-hoc bare column    | {"measures":["orders.count"],"dimensions":["COALESCE(status, {orders.channel})"]} | INVALID_QUERY | dimensions[0] | 'status' is not a dimension reference; write dimensions as {model.dimension}
      ad-hoc extract string | {"measures":["orders.count"],"dimensions":["EXTRACT(YEAR FROM {orders.status})"]} | INVALID_QUERY | dimensions[0] | EXTRACT applies to time values, and 'orders.status' is a string
      ad-hoc unknown part   | {"measures":["orders.count"],"dimensions":["EXTRACT(MILLENNIUM FROM {orders.ordered_at})"]} | INVALID_QUERY | dimensions[0] | EXTRACT of MILLENNIUM is not supported; use one of year
      ad-hoc cast type      | {"measures":["orders.count"],"dimensions":["CAST({orders.status} AS BINARY)"]} | INVALID_QUERY | dimensions[0] | CAST to BINARY is not supported
      ad-hoc time math      | {"measures":["orders.count"],"dimensions":["{orders.ordered_at} + 1"]}        | INVALID_QUERY  | dimensions[0] | arithmetic on time values is not supported
      ad-hoc no parse       | {"measures":["orders.count"],"dimensions":["UPPER({orders.status}"]}         | INVALID_QUERY  | dimensions[0] | does not parse at column
      ad-hoc filter value   | {"measures":["orders.count"],"filters":[{"member":"EXTRACT(YEAR FROM {orders.ordered_at})","operator":"equals","values":["soon"]}]} | INVALID_QUERY | filters[0].values | 'soon' is not a number
      ad-hoc range on text  | {"measures":["orders.count"],"filters":[{"member":"UPPER({orders.status})","operator":"inDateRange","values":["2024-01-01","2024-02-01"]}]} | INVALID_QUERY | filters[0] | inDateRange needs a time dimension
      """)
  void badQueries(String name, String json, String code, String location, String message) {
    QueryException e = error(json);
    assertThat(e.code().name()).as(name).isEqualTo(code);
    assertThat(e.location()).as(name).isEqualTo(location);
    assertThat(e.getMessage()).as(name).contains(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      not json          | {"measures": [                       | line 1          | malformed JSON
      unknown field     | {"measurez": ["orders.count"]}       | measurez        | unknown field 'measurez' (expected dimensions, filters, limit, measures
      unknown operator  | {"filters":[{"member":"orders.status","operator":"like","values":["a"]}]} | filters[0] | unknown filter operator 'like'
      bad order         | {"measures":["orders.count"],"order":{"orders.count":"sideways"}} | order | "asc" or "desc"
      bad date range    | {"timeDimensions":[{"dimension":"orders.ordered_at","dateRange":[1,2]}]} | timeDimensions[0].dateRange | dateRange must be
      not an object     | [1, 2]                               | line 1          | the body must be an object, not an array
      fraction limit    | {"measures":["orders.count"],"limit":1.5} | limit      | limit must be a whole number, not 1.5
      string offset     | {"measures":["orders.count"],"offset":"10"} | offset   | offset must be a whole number, not the string "10"
      number member     | {"measures":[1]}                     | measures[0]     | measures[0] must be a string, not 1
      object for list   | {"measures":{"a":1}}                 | measures        | measures must be an array, not an object
      string for list   | {"measures":"orders.count"}          | measures        | measures must be an array, not the string "orders.count"
      boolean timezone  | {"measures":["orders.count"],"timezone":true} | timezone | timezone must be a string, not true
      huge limit        | {"measures":["orders.count"],"limit":99999999999} | limit | limit must be a whole number
      """)
  void malformedJson(String name, String json, String location, String message) {
    assertThatThrownBy(() -> QueryJson.parse(json))
        .as(name)
        .isInstanceOfSatisfying(QueryException.class, e -> {
          assertThat(e.code()).isEqualTo(QueryException.Code.MALFORMED_QUERY);
          assertThat(e.location()).contains(location);
          assertThat(e.getMessage()).contains(message);
        });
  }

  @Test
  void noJoinPathIsReported() {
    Map<String, String> files = new LinkedHashMap<>(DemoModels.files());
    files.put("weather.yml", """
        name: weather
        data_source: demo
        table: retail.weather
        dimensions:
          - { name: city, type: string }
        measures:
          - { name: count, agg: count }
        """);
    SemanticCompiler c = new SemanticCompiler(
        SemanticCatalog.fromLoad(ModelLoader.loadTexts(files)));
    assertThatThrownBy(() -> c.compile(QueryJson.parse(
        "{\"measures\":[\"orders.count\"],\"dimensions\":[\"weather.city\"]}"), Dialect.DUCKDB))
        .isInstanceOfSatisfying(QueryException.class, e -> {
          assertThat(e.code()).isEqualTo(QueryException.Code.NO_JOIN_PATH);
          assertThat(e.getMessage()).contains("no join path from 'orders' to 'weather'");
        });
  }

  @Test
  void dialectIsChosenByTheDataSourceTheQueryReads() {
    Map<String, Dialect> seen = new LinkedHashMap<>();
    CompiledQuery q = COMPILER.compile(QueryJson.parse(
        "{\"measures\":[\"orders.count\"],\"dimensions\":[\"customers.region\"]}"),
        ds -> { seen.put(ds, Dialect.MYSQL); return Dialect.MYSQL; });
    assertThat(seen).containsOnlyKeys("demo");
    assertThat(q.dialect()).isEqualTo(Dialect.MYSQL);
    assertThat(q.dataSource()).isEqualTo("demo");
    assertThat(q.sql()).isEqualTo(COMPILER.compile(QueryJson.parse(
        "{\"measures\":[\"orders.count\"],\"dimensions\":[\"customers.region\"]}"),
        Dialect.MYSQL).sql());
    // The second time the data source comes from the cache, and a different mapping is honoured.
    assertThat(COMPILER.compile(QueryJson.parse(
        "{\"measures\":[\"orders.count\"],\"dimensions\":[\"customers.region\"]}"),
        ds -> Dialect.DUCKDB).dialect()).isEqualTo(Dialect.DUCKDB);
  }

  @Test
  void aQueryAcrossTwoDataSourcesIsRefused() {
    Map<String, String> files = new LinkedHashMap<>(DemoModels.files());
    files.put("weather.yml", """
        name: weather
        data_source: lake
        table: weather
        dimensions:
          - { name: city, type: string }
        measures:
          - { name: count, agg: count }
        """);
    SemanticCompiler c = new SemanticCompiler(
        SemanticCatalog.fromLoad(ModelLoader.loadTexts(files)));
    assertThatThrownBy(() -> c.compile(QueryJson.parse(
        "{\"measures\":[\"orders.count\",\"weather.count\"]}"), ds -> Dialect.DUCKDB))
        .isInstanceOfSatisfying(QueryException.class, e -> {
          assertThat(e.code()).isEqualTo(QueryException.Code.INVALID_QUERY);
          assertThat(e.getMessage()).contains("'orders' reads data source 'demo'")
              .contains("'weather' reads data source 'lake'");
        });
  }

  @Test
  void sameQueryCompilesToSameSqlAndCacheHitsAreEqual() {
    String json = """
        {"measures":["orders.count","order_items.revenue"],"dimensions":["customers.region"],
         "filters":[{"member":"orders.status","operator":"equals","values":["completed"]}]}""";
    SemanticCompiler fresh = new SemanticCompiler(DEMO);
    for (Dialect d : Dialect.values()) {
      CompiledQuery a = COMPILER.compile(QueryJson.parse(json), d);
      CompiledQuery b = fresh.compileUncached(QueryJson.parse(json), d);
      assertThat(b.sql()).isEqualTo(a.sql());
      assertThat(COMPILER.compile(QueryJson.parse(json), d)).isSameAs(a);
    }
  }

  @Test
  void viewMembersResolveToModelMembers() {
    CompiledQuery view = COMPILER.compile(QueryJson.parse(
        "{\"measures\":[\"sales.revenue\"],\"dimensions\":[\"sales.region\"]}"), Dialect.POSTGRES);
    CompiledQuery models = COMPILER.compile(QueryJson.parse(
        "{\"measures\":[\"order_items.revenue\"],\"dimensions\":[\"customers.region\"]}"),
        Dialect.POSTGRES);
    assertThat(view.columns()).extracting(OutputColumn::member)
        .containsExactly("sales.region", "sales.revenue");
    assertThat(view.sql().replace("sales__", "x__"))
        .isEqualTo(models.sql().replace("customers__", "x__").replace("order_items__", "x__"));
  }

  /** A clock the test moves. */
  static final class MovingClock extends Clock {
    Instant now;

    MovingClock(Instant now) {
      this.now = now;
    }

    @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return Clock.fixed(now, zone); }
    @Override public Instant instant() { return now; }
  }

  @Test
  void cachedPlansForRelativeRangesFollowTheQueryZonesDate() {
    MovingClock clock = new MovingClock(Instant.parse("2024-07-01T02:00:00Z"));
    SemanticCompiler c = new SemanticCompiler(DEMO, clock);
    String json = "{\"measures\":[\"orders.count\"],\"timeDimensions\":[{\"dimension\":"
        + "\"orders.ordered_at\",\"dateRange\":\"today\"}],\"timezone\":\"America/New_York\"}";
    // 02:00 UTC is still June 30 in New York: today is June 30 there (UTC-4).
    assertThat(c.compile(QueryJson.parse(json), Dialect.POSTGRES).sql())
        .contains("TIMESTAMP '2024-06-30 04:00:00'").contains("TIMESTAMP '2024-07-01 04:00:00'");
    // Same UTC date, but New York has passed midnight: the cached plan must not be reused.
    clock.now = Instant.parse("2024-07-01T05:00:00Z");
    assertThat(c.compile(QueryJson.parse(json), Dialect.POSTGRES).sql())
        .contains("TIMESTAMP '2024-07-01 04:00:00'").contains("TIMESTAMP '2024-07-02 04:00:00'");
  }
}
