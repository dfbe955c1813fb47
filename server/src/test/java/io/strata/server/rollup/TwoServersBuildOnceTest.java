package io.strata.server.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.TestServer;
import io.strata.server.TestServer.Response;
import io.strata.server.catalog.CatalogService;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two servers sharing one metadata database (each with its own application context) asked to
 * build the same rollup at the same moment: the metadata-DB lock lets one build each partition;
 * the other waits, sees the version published since it was asked and builds nothing. Both then
 * serve the one version from the source store.
 */
class TwoServersBuildOnceTest {
  static final LocalDate FIRST = LocalDate.parse("2024-03-01");

  @Test
  void twoServersBuildingTheSamePartitionsBuildThemOnce() throws Exception {
    Warehouse pg = Warehouses.postgresDatabase("strata_rollup_two_servers", false);
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS tb CASCADE");
      st.execute("DROP SCHEMA IF EXISTS tb_rollups CASCADE");
      st.execute("CREATE SCHEMA tb");
      st.execute("CREATE TABLE tb.sales (kind TEXT, sold_at TIMESTAMP, amount NUMERIC(12,2))");
      // enough rows that a partition build takes a moment
      st.execute("INSERT INTO tb.sales SELECT CASE WHEN g % 3 = 0 THEN 'a' ELSE 'b' END,"
          + " TIMESTAMP '" + FIRST + "' + (g % 4) * INTERVAL '1 day' + (g % 1000) * INTERVAL"
          + " '1 second', (g % 97) + 0.5 FROM generate_series(1, 200000) g");
    }
    Path meta = Files.createTempDirectory("strata-two-servers");
    Map<String, Object> shared = Map.of(
        "strata.metadata.url", "jdbc:h2:file:" + meta.resolve("meta").toAbsolutePath(),
        "strata.demo.enabled", "false", "strata.workers.enabled", "false",
        "strata.rollups.check-interval", "1h", "strata.models.poll-interval", "200ms");
    try (TestServer one = TestServer.start(shared); TestServer two = TestServer.start(shared)) {
      Response ds = one.admin().post("/api/v1/datasources", Map.of("name", "sales",
          "kind", "postgres", "url", pg.jdbcUrl(), "username", pg.user(),
          "properties", Map.of("rollup_schema", "tb_rollups")));
      assertThat(ds.status()).as(ds.toString()).isIn(200, 201);
      Response m = one.admin().send("PUT", "/api/v1/models/sales", "application/yaml", """
          name: sales
          data_source: sales
          table: tb.sales
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
              store: source
          """);
      assertThat(m.status()).as(m.toString()).isEqualTo(200);
      awaitModel(two);

      RollupService a = one.context().getBean(RollupService.class);
      RollupService b = two.context().getBean(RollupService.class);
      Instant asked = Instant.now();
      CountDownLatch go = new CountDownLatch(1);
      CompletableFuture<RollupService.BuildOutcome> fa = CompletableFuture.supplyAsync(() -> {
        await(go);
        return a.build("sales", "daily", false, asked);
      });
      CompletableFuture<RollupService.BuildOutcome> fb = CompletableFuture.supplyAsync(() -> {
        await(go);
        return b.build("sales", "daily", false, asked);
      });
      go.countDown();
      List<RollupService.BuildOutcome> outcomes = List.of(fa.get(3, TimeUnit.MINUTES),
          fb.get(3, TimeUnit.MINUTES));

      assertThat(outcomes.stream().filter(o -> o.version() != null)).as("one build published")
          .hasSize(1);
      assertThat(outcomes.stream().mapToInt(RollupService.BuildOutcome::partitionsBuilt).sum())
          .as("each of the 4 partitions built once").isEqualTo(4);
      var status = one.admin().get("/api/v1/rollups/sales/daily").json();
      assertThat(status.path("builds").asLong()).isEqualTo(1);
      assertThat(status.path("partitions")).hasSize(4);
      List<String> tables = new ArrayList<>();
      try (Connection c = pg.connect(); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables"
              + " WHERE table_schema = 'tb_rollups' ORDER BY 1")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      assertThat(tables).as("4 partition tables and the version's view").hasSize(5);

      String q = "{\"measures\":[\"sales.amount\"],\"dimensions\":[\"sales.kind\"],"
          + "\"timeDimensions\":[{\"dimension\":\"sales.sold_at\","
          + "\"dateRange\":[\"2024-03-01\",\"2024-03-04\"]}]}";
      for (TestServer s : List.of(one, two)) {
        Response plan = s.admin().post("/api/v1/query/sql", q);
        assertThat(plan.json().path("rollup").asText()).as(plan.toString())
            .startsWith("sales.daily@");
        assertThat(plan.json().path("dataSource").asText()).isEqualTo("sales");
      }
      assertThat(one.answer(q)).isEqualTo(two.answer(q)).hasSize(2);
    }
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

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
