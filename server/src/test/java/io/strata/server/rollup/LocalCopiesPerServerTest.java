package io.strata.server.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Response;
import io.strata.server.catalog.CatalogService;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code store: local} with two servers sharing one Postgres metadata database, each with its
 * own data directory: each server builds its own copy into its own DuckDB file (a job only its
 * own workers run), serves only the version its own status row names, and answers equal the
 * raw answers on both. A forced rebuild on one server gives it a new version; the other keeps
 * serving its own (it never routes to a version its file does not hold), and the REST status
 * of either server shows both copies truthfully.
 */
class LocalCopiesPerServerTest {
  static final String Q = "{\"measures\":[\"sales.amount\",\"sales.count\"],"
      + "\"dimensions\":[\"sales.kind\"],\"timeDimensions\":[{\"dimension\":\"sales.sold_at\","
      + "\"dateRange\":[\"2024-03-01\",\"2024-03-04\"]}],\"order\":{\"sales.kind\":\"asc\"}}";
  static final String RAW = "SELECT kind, SUM(amount), COUNT(*) FROM lc.sales"
      + " WHERE sold_at >= TIMESTAMP '2024-03-01' AND sold_at < TIMESTAMP '2024-03-05'"
      + " GROUP BY kind ORDER BY kind";

  @Test
  void eachServerBuildsAndServesItsOwnLocalCopy() throws Exception {
    Warehouse meta = Warehouses.postgresDatabase("strata_rollup_finish_meta", true);
    Warehouse pg = Warehouses.postgresDatabase("strata_rollup_finish_src", false);
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS lc CASCADE");
      st.execute("CREATE SCHEMA lc");
      st.execute("CREATE TABLE lc.sales (kind TEXT, sold_at TIMESTAMP, amount NUMERIC(12,2))");
      st.execute("INSERT INTO lc.sales SELECT CASE WHEN g % 3 = 0 THEN 'a' ELSE 'b' END,"
          + " TIMESTAMP '2024-03-01' + (g % 4) * INTERVAL '1 day' + (g % 1000) * INTERVAL"
          + " '1 second', (g % 97) + 0.25 FROM generate_series(1, 20000) g");
    }
    Map<String, Object> settings = new HashMap<>();
    settings.put("strata.secret.key", JobWorkersTestKeys.secretKey());
    settings.put("strata.metadata.url", meta.jdbcUrl());
    settings.put("strata.metadata.user", meta.user());
    settings.put("strata.metadata.password", meta.password() == null ? "" : meta.password());
    settings.put("strata.demo.enabled", "false");
    settings.put("strata.workers.poll-interval", "100ms");
    settings.put("strata.jobs.store-dir", Files.createTempDirectory("strata-lc-jobs").toString());
    settings.put("strata.models.poll-interval", "200ms");
    settings.put("strata.rollups.check-interval", "1h");
    Path[] oneDir = new Path[1];
    try (TestServer one = TestServer.start(settings); TestServer two = TestServer.start(settings)) {
      oneDir[0] = one.dataDir();
      Response ds = one.admin().post("/api/v1/datasources", Map.of("name", "sales",
          "kind", "postgres", "url", pg.jdbcUrl(), "username", pg.user()));
      assertThat(ds.status()).as(ds.toString()).isIn(200, 201);
      Response m = one.admin().send("PUT", "/api/v1/models/sales", "application/yaml", """
          name: sales
          data_source: sales
          table: lc.sales
          dimensions:
            - { name: kind, type: string }
            - { name: sold_at, type: time }
          measures:
            - { name: count, agg: count }
            - { name: amount, agg: sum, expr: amount }
          rollups:
            - name: daily
              measures: [count, amount]
              dimensions: [kind]
              time_dimension: sold_at
              granularity: day
              partition_by: day
              build_range: { start: "2024-03-01", end: "2024-03-04" }
          """);
      assertThat(m.status()).as(m.toString()).isEqualTo(200);
      awaitModel(two);
      // the model change reaches both servers; each queues a build of its own copy
      JsonNode status = awaitCopies(one, 2, 1);
      String locOne = "rollups.duckdb";
      assertThat(status.path("store").asText()).isEqualTo("local");
      assertThat(status.path("location").asText()).as("one's own copy")
          .endsWith(one.dataDir().resolve(locOne).toAbsolutePath().toString());
      assertThat(status.path("copies")).hasSize(2);

      List<List<String>> raw = raw(pg);
      assertThat(raw).hasSize(2);
      for (TestServer s : List.of(one, two)) {
        assertThat(plan(s)).as("each server answers from its own version 1").isEqualTo(
            "sales.daily@1");
        assertThat(s.answer(Q)).isEqualTo(raw);
        Response plan = s.admin().post("/api/v1/query/sql", Q);
        assertThat(plan.json().path("dataSource").asText()).isEqualTo("strata_rollups");
      }
      assertThat(views(one)).as("one's file holds one's version only")
          .hasSize(1).allMatch(v -> v.endsWith("_v1"));

      // a forced rebuild on two: only two's copy changes
      Response r = two.admin().post("/api/v1/rollups/sales/daily/build", Map.of("force", true));
      assertThat(r.status()).as(r.toString()).isEqualTo(202);
      JsonNode job = awaitJob(two, r.json().path("id").asText());
      assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("succeeded");
      JsonNode onTwo = two.admin().get("/api/v1/rollups/sales/daily").json();
      assertThat(onTwo.path("version").asLong()).isEqualTo(2);
      JsonNode onOne = one.admin().get("/api/v1/rollups/sales/daily").json();
      assertThat(onOne.path("version").asLong()).as("one still serves its own version")
          .isEqualTo(1);
      assertThat(onOne.path("state").asText()).isEqualTo("built");
      List<String> seen = new ArrayList<>();
      for (JsonNode copy : onOne.path("copies")) {
        seen.add(copy.path("here").asBoolean() + " " + copy.path("state").asText() + " v"
            + copy.path("version").asLong());
      }
      assertThat(seen).as("one's status shows both copies").containsExactlyInAnyOrder(
          "true built v1", "false built v2");
      Thread.sleep(1100); // past the routing snapshot's second
      assertThat(plan(one)).isEqualTo("sales.daily@1");
      assertThat(plan(two)).isEqualTo("sales.daily@2");
      assertThat(one.answer(Q)).isEqualTo(raw);
      assertThat(two.answer(Q)).isEqualTo(raw);
      assertThat(views(one)).as("two's rebuild wrote nothing into one's file")
          .hasSize(1).allMatch(v -> v.endsWith("_v1"));
      // two keeps its version 1 for the drop grace (queries may still read it), then drops it
      assertThat(views(two)).anyMatch(v -> v.endsWith("_v2"));
    }

    // one restarts on its data directory with its local file gone: its row still names
    // version 1, which it must not read; it builds its copy again and serves that
    Path dirOne = oneDir[0];
    // (closing a test server deletes its data directory: the same path starts empty)
    assertThat(dirOne.resolve("rollups.duckdb")).doesNotExist();
    Files.createDirectories(dirOne);
    Map<String, Object> again = new HashMap<>(settings);
    again.put("strata.data-dir", dirOne.toString());
    try (TestServer one = TestServer.start(again)) {
      awaitModel(one);
      awaitCopies(one, 1, 2);
      assertThat(plan(one)).as("the rebuilt copy, never the missing one").isEqualTo(
          "sales.daily@2");
      assertThat(one.answer(Q)).isEqualTo(raw(pg));
      assertThat(views(one)).hasSize(1).allMatch(v -> v.endsWith("_v2"));
    }
  }

  private static String plan(TestServer s) {
    Response plan = s.admin().post("/api/v1/query/sql", Q);
    assertThat(plan.status()).as(plan.toString()).isEqualTo(200);
    return plan.json().path("rollup").asText();
  }

  private static List<List<String>> raw(Warehouse pg) throws Exception {
    List<List<String>> out = new ArrayList<>();
    try (Connection c = pg.connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(RAW)) {
      while (rs.next()) {
        out.add(List.of(rs.getString(1),
            rs.getBigDecimal(2).setScale(6, RoundingMode.HALF_UP).toPlainString(),
            new BigDecimal(rs.getLong(3)).setScale(6, RoundingMode.HALF_UP).toPlainString()));
      }
    }
    return out;
  }

  /** The rollup versions (merged tables) in a server's own DuckDB file. */
  private static List<String> views(TestServer s) throws Exception {
    RollupService service = s.context().getBean(RollupService.class);
    return service.localVersions();
  }

  private static JsonNode awaitCopies(TestServer s, int copies, long version)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + 180_000;
    JsonNode last = null;
    while (System.currentTimeMillis() < deadline) {
      last = s.admin().get("/api/v1/rollups/sales/daily").json();
      int built = 0;
      for (JsonNode c : last.path("copies")) {
        if (c.path("state").asText().equals("built") && c.path("version").asLong() == version) {
          built++;
        }
      }
      if (built >= copies && last.path("state").asText().equals("built")) {
        return last;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the local copies were not built in time: " + last);
  }

  private static JsonNode awaitJob(TestServer s, String id) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 180_000;
    JsonNode job = null;
    while (System.currentTimeMillis() < deadline) {
      job = s.admin().get("/api/v1/jobs/" + id).json();
      String state = job.path("state").asText();
      if (state.equals("succeeded") || state.equals("failed") || state.equals("cancelled")) {
        return job;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("job " + id + " did not finish: " + job);
  }

  private static void awaitModel(TestServer server) throws InterruptedException {
    CatalogService catalog = server.context().getBean(CatalogService.class);
    long deadline = System.currentTimeMillis() + 30_000;
    while (catalog.catalog().model("sales").isEmpty()
        || server.context().getBean(io.strata.server.datasource.DataSourceRegistry.class)
            .spec("sales").isEmpty()) {
      assertThat(System.currentTimeMillis()).as("the second server sees the model")
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  /** A fresh key for the servers' shared secrets (both servers must use the same one). */
  static final class JobWorkersTestKeys {
    static String secretKey() {
      byte[] key = new byte[32];
      new java.security.SecureRandom().nextBytes(key);
      return java.util.Base64.getEncoder().encodeToString(key);
    }
  }
}
