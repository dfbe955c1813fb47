package io.strata.server.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import io.strata.server.datasource.DataSourceRegistry;
import io.strata.testkit.Answers;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Building rollups on a running server, over a Postgres table the test changes between builds:
 * a refresh rebuilds only the partitions in the update window (and the results cache serves
 * the new version's rows at once); a build that fails mid-way (the source errs on its last
 * partition) is retried, reported, leaves nothing behind and the previous version serving;
 * a rebuild on demand needs an editor.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RollupBuildsTest {
  static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
  static final LocalDate FIRST = TODAY.minusDays(5);
  static final String QUERY = "{\"measures\":[\"events.count\",\"events.amount\"],"
      + "\"dimensions\":[\"events.kind\"],\"timeDimensions\":[{\"dimension\":\"events.happened_at\","
      + "\"granularity\":\"day\",\"dateRange\":[\"" + FIRST + "\",\"" + TODAY.minusDays(1)
      + "\"]}]}";

  TestServer server;
  Client admin;
  Warehouse pg;

  static String model(String extra) {
    return """
        name: events
        data_source: events
        table: rb.events
        dimensions:
          - { name: id, type: number }
          - { name: kind, type: string }
          - { name: happened_at, type: time }
        measures:
          - { name: count, agg: count }
          - { name: amount, agg: sum, expr: amount }
          - { name: scaled, agg: sum, expr: "amount / divisor" }
        rollups:
          - name: by_day
            measures: [count, amount, scaled]
            dimensions: [kind]
            time_dimension: happened_at
            granularity: day
            partition_by: day
            build_range: { start: "%s", end: "%s" }
            refresh: { every: 1h, update_window: 2d }
        %s""".formatted(FIRST, TODAY.minusDays(1), extra);
  }

  @BeforeAll
  void start() throws Exception {
    pg = Warehouses.postgresDatabase("strata_rollup_builds", false);
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS rb CASCADE");
      st.execute("CREATE SCHEMA rb");
      st.execute("CREATE TABLE rb.events (id INT, kind TEXT, happened_at TIMESTAMP,"
          + " amount NUMERIC(12,2), divisor INT DEFAULT 1)");
      int id = 0;
      for (int d = 0; d < 5; d++) {
        for (String kind : List.of("a", "b")) {
          for (int i = 0; i < 3; i++) {
            st.execute("INSERT INTO rb.events VALUES (" + id++ + ", '" + kind + "', TIMESTAMP '"
                + FIRST.plusDays(d) + " 10:00:00' + INTERVAL '" + i + " hours', "
                + (10 + d + i) + ".25, 1)");
          }
        }
      }
    }
    server = TestServer.start(Map.of("strata.demo.enabled", "false",
        "strata.rollups.check-interval", "1h", "strata.workers.poll-interval", "100ms",
        "strata.jobs.max-attempts", "2", "strata.jobs.retry-backoff", "100ms",
        "strata.rollups.drop-grace", "0s"));
    admin = server.admin();
    Response ds = admin.post("/api/v1/datasources", Map.of("name", "events", "kind", "postgres",
        "url", pg.jdbcUrl(), "username", pg.user()));
    assertThat(ds.status()).as(ds.toString()).isIn(200, 201);
    Response m = admin.send("PUT", "/api/v1/models/events", "application/yaml", model(""));
    assertThat(m.status()).as(m.toString()).isEqualTo(200);
    // saving the model queued its first build (the periodic check is an hour away)
    JsonNode all = RollupTestSupport.awaitBuilt(server, 1, null);
    assertThat(all.get(0).path("lastJobId").asText()).isNotEmpty();
    JsonNode job = admin.get("/api/v1/jobs/" + all.get(0).path("lastJobId").asText()
        + "").json();
    assertThat(job.path("kind").asText()).as(job.toString()).isEqualTo("rollup_build");
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void aRefreshRebuildsOnlyTheUpdateWindowAndTheCacheServesTheNewVersion() throws Exception {
    JsonNode first = build(true);
    assertThat(first.path("state").asText()).as(first.toString()).isEqualTo("built");
    assertThat(first.path("partitions")).hasSize(5);
    long v1 = first.path("version").asLong();
    List<List<String>> before = answer();
    assertThat(before).isEqualTo(raw()).hasSize(10);

    // the oldest day (outside the window) and yesterday (inside it) change at the source
    sql("UPDATE rb.events SET amount = amount + 1000 WHERE happened_at < TIMESTAMP '" + FIRST.plusDays(1)
        + "' OR happened_at >= TIMESTAMP '" + TODAY.minusDays(1) + "'");
    assertThat(answer()).as("cached, and the rollup unchanged").isEqualTo(before);

    JsonNode second = build(false);
    long v2 = second.path("version").asLong();
    assertThat(v2).isGreaterThan(v1);
    String relation = second.path("relation").asText();
    assertThat(relation).as(second.toString()).endsWith("_v" + v2);
    assertThat(tableType(relation.substring(relation.lastIndexOf('.') + 1)))
        .as("a refreshed local version is one table again, not a view over its partitions")
        .isEqualTo("BASE TABLE");
    Map<String, String> builtBefore = builtAt(first);
    Map<String, String> builtAfter = builtAt(second);
    assertThat(builtAfter.get(FIRST.toString())).as("outside the update window: kept")
        .isEqualTo(builtBefore.get(FIRST.toString()));
    assertThat(builtAfter.get(TODAY.minusDays(1).toString())).as("inside it: rebuilt")
        .isNotEqualTo(builtBefore.get(TODAY.minusDays(1).toString()));

    List<List<String>> after = answer(); // cache on: the new version's key is new
    List<List<String>> now = raw();
    for (int i = 0; i < after.size(); i++) {
      String day = after.get(i).stream().filter(v -> v != null && v.matches("\\d{4}-\\d{2}-\\d{2}.*"))
          .findFirst().orElseThrow().substring(0, 10);
      if (day.equals(FIRST.toString())) {
        assertThat(after.get(i)).as("old partition as built").isEqualTo(before.get(i));
        assertThat(after.get(i)).isNotEqualTo(now.get(i));
      } else {
        assertThat(after.get(i)).as("every other day as the source has it now")
            .isEqualTo(now.get(i));
      }
    }
    JsonNode forced = build(true);
    assertThat(forced.path("version").asLong()).isGreaterThan(v2);
    assertThat(answer()).as("a forced rebuild rebuilds every partition").isEqualTo(raw());
    assertThat(tables()).as("old versions dropped after the switch")
        .allMatch(t -> t.contains("_v" + forced.path("version").asLong()));
  }

  @Test
  void aBuildFailingMidWayIsRetriedReportedAndTheOldVersionServes() throws Exception {
    JsonNode good = build(true);
    long served = good.path("version").asLong();
    List<List<String>> before = answer();
    List<String> tablesBefore = tables();
    // the last partition's build query divides by zero at the source; the others succeed
    sql("UPDATE rb.events SET divisor = 0 WHERE happened_at >= TIMESTAMP '" + TODAY.minusDays(1) + "'");
    sql("UPDATE rb.events SET amount = amount + 1");
    try {
      Response r = admin.post("/api/v1/rollups/events/by_day/build", Map.of("force", true));
      assertThat(r.status()).as(r.toString()).isEqualTo(202);
      JsonNode job = awaitJob(r.json().path("id").asText());
      assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("failed");
      assertThat(job.path("attempts").asInt()).as("retried").isEqualTo(2);
      assertThat(job.path("error").path("code").asText()).isEqualTo("ROLLUP_BUILD_FAILED");
      assertThat(job.path("error").path("message").asText()).contains("division by zero");

      JsonNode status = admin.get("/api/v1/rollups/events/by_day").json();
      assertThat(status.path("version").asLong()).as("still the old version").isEqualTo(served);
      assertThat(status.path("lastError").asText()).contains("division by zero");
      assertThat(status.path("failures").asLong()).isGreaterThanOrEqualTo(2);
      assertThat(answer()).as("served from the old version").isEqualTo(before);
      Response plan = admin.post("/api/v1/query/sql", QUERY);
      assertThat(plan.json().path("rollup").asText()).isEqualTo("events.by_day@" + served);
      assertThat(tables()).as("the failed build left no table").isEqualTo(tablesBefore);
      assertThat(server.admin().get("/health").status()).isEqualTo(200);
      String metrics = server.admin().get("/metrics").text();
      assertThat(metrics).as("build metrics, by outcome")
          .contains("strata_rollup_builds_seconds_count{outcome=\"failed\",rollup=\"events.by_day\"")
          .contains("strata_rollup_builds_seconds_count{outcome=\"ok\",rollup=\"events.by_day\"")
          .contains("strata_rollup_build_rows_total{rollup=\"events.by_day\"");
    } finally {
      sql("UPDATE rb.events SET divisor = 1");
    }
  }

  @Test
  void aRebuildNeedsAnEditorAndNamesItsRollup() {
    Response viewer = admin.post("/api/v1/users", Map.of("username", "rb_viewer",
        "password", "viewer-secret-1", "role", "viewer"));
    assertThat(viewer.status()).as(viewer.toString()).isIn(200, 201);
    Response refused = server.as("rb_viewer", "viewer-secret-1")
        .post("/api/v1/rollups/events/by_day/build", Map.of());
    assertThat(refused.status()).isEqualTo(403);
    Response unknown = admin.post("/api/v1/rollups/events/by_week/build", Map.of());
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.text()).contains("has no rollup 'by_week'").contains("by_day");
    Response badBody = admin.send("POST", "/api/v1/rollups/events/by_day/build",
        "application/json", "{\"force\": \"yes\"}");
    assertThat(badBody.status()).isEqualTo(400);
    assertThat(badBody.text()).contains("force must be true or false");
  }

  @Test
  void aSourceStoreWithoutItsSchemaIsAClearFailure() {
    Response m = admin.send("PUT", "/api/v1/models/events_src", "application/yaml", """
        name: events_src
        data_source: events
        table: rb.events
        dimensions:
          - { name: kind, type: string }
        measures:
          - { name: count, agg: count }
        rollups:
          - name: by_kind
            measures: [count]
            dimensions: [kind]
            store: source
        """);
    assertThat(m.status()).as(m.toString()).isEqualTo(200);
    Response r = admin.post("/api/v1/rollups/events_src/by_kind/build", Map.of());
    assertThat(r.status()).as(r.toString()).isEqualTo(202);
    JsonNode job = awaitJob(r.json().path("id").asText());
    assertThat(job.path("state").asText()).isEqualTo("failed");
    assertThat(job.path("error").path("message").asText())
        .contains("store: source").contains("data source 'events'").contains("rollup_schema");
    JsonNode status = admin.get("/api/v1/rollups/events_src/by_kind").json();
    assertThat(status.path("state").asText()).isEqualTo("failed");
    assertThat(status.path("lastError").asText()).contains("rollup_schema");
    Response plan = admin.post("/api/v1/query/sql",
        "{\"measures\":[\"events_src.count\"],\"dimensions\":[\"events_src.kind\"]}");
    assertThat(plan.json().path("rollup").isNull()).isTrue();
    assertThat(plan.json().path("rollupRejections").toString()).contains("events_src.by_kind");
  }

  // ---------------------------------------------------------------- helpers

  /** Asks for a build over REST and waits for its job; answers the rollup's status. */
  private JsonNode build(boolean force) {
    Response r = admin.post("/api/v1/rollups/events/by_day/build", Map.of("force", force));
    assertThat(r.status()).as(r.toString()).isEqualTo(202);
    JsonNode job = awaitJob(r.json().path("id").asText());
    assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("succeeded");
    return admin.get("/api/v1/rollups/events/by_day").json();
  }

  private JsonNode awaitJob(String id) {
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline) {
      JsonNode job = admin.get("/api/v1/jobs/" + id).json();
      String state = job.path("state").asText();
      if (state.equals("succeeded") || state.equals("failed") || state.equals("cancelled")) {
        return job;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("job " + id + " did not finish");
  }

  private static Map<String, String> builtAt(JsonNode status) {
    Map<String, String> out = new HashMap<>();
    status.path("partitions").forEach(p -> out.put(p.path("key").asText(),
        p.path("builtAt").asText()));
    return out;
  }

  /** The REST answer (results cache on), sorted. */
  private List<List<String>> answer() {
    Response plan = admin.post("/api/v1/query/sql", QUERY);
    assertThat(plan.json().path("rollup").asText()).as(plan.toString())
        .startsWith("events.by_day@");
    List<List<String>> rows = new ArrayList<>(server.answer(QUERY));
    rows.sort(Answers::compareRows);
    return rows;
  }

  /** The same query on the raw table, compiled by the server's compiler, sorted. */
  private List<List<String>> raw() throws SQLException {
    var catalog = server.context().getBean(io.strata.server.catalog.CatalogService.class);
    DataSourceRegistry registry = server.context().getBean(DataSourceRegistry.class);
    var compiled = catalog.compiler().compile(io.strata.semantic.query.QueryJson.parse(QUERY),
        registry::dialect);
    try (Connection c = pg.connect()) {
      List<List<String>> rows = new ArrayList<>(Answers.run(c, compiled.sql(), List.of()));
      rows.sort(Answers::compareRows);
      return rows;
    }
  }

  /** The rollup's tables and views in the local store. */
  private List<String> tables() throws SQLException {
    DataSourceRegistry registry = server.context().getBean(DataSourceRegistry.class);
    List<String> out = new ArrayList<>();
    try (Connection c = registry.connect(LocalRollupStore.DATA_SOURCE);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables"
            + " WHERE table_name LIKE 'sr_events_by_day%' ORDER BY 1")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private String tableType(String name) throws SQLException {
    DataSourceRegistry registry = server.context().getBean(DataSourceRegistry.class);
    try (Connection c = registry.connect(LocalRollupStore.DATA_SOURCE);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT table_type FROM information_schema.tables"
            + " WHERE table_name = '" + name + "'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private void sql(String sql) throws SQLException {
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  static Set<String> keys(JsonNode status) {
    Set<String> out = new java.util.TreeSet<>();
    status.path("partitions").forEach(p -> out.add(p.path("key").asText()));
    return out;
  }
}
