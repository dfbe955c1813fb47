package io.strata.server.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.TestServer;
import io.strata.server.TestServer.Response;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A rollup over columns and members named with reserved words ({@code order}, {@code group},
 * {@code at}, {@code user}), declared without quoting the dimensions (a dimension without
 * {@code expr} reads its own column), builds into the local store and into the source store and
 * answers matching queries with the raw answers, on DuckDB, Postgres and MariaDB. An avg is
 * answered from the rollup only where its engine divides as the source's does (the source
 * store of Postgres and MariaDB); elsewhere EXPLAIN says why and the source answers.
 */
class ReservedWordRollupsTest {
  static final String MODEL = """
      name: %s
      data_source: %s
      table: %s.events
      dimensions:
        - { name: order, type: string }
        - { name: group, type: string }
        - { name: at, type: time }
      measures:
        - { name: count, agg: count }
        - { name: user, agg: sum, expr: '"user"' }
        - { name: avg_user, agg: avg, expr: '"user"' }
      rollups:
        - name: daily
          measures: [count, user, avg_user]
          dimensions: [order, group]
          time_dimension: at
          granularity: day
          partition_by: month
          build_range: { start: "2024-01-01", end: "2024-02-29" }
          store: %s
      """;

  @Test
  void reservedWordMembersBuildAndMatchOnDuckDbPostgresAndMariadb() throws Exception {
    Path dir = Files.createTempDirectory("strata-reserved-words");
    String duckUrl = "jdbc:duckdb:" + dir.resolve("source.duckdb");
    try (Connection c = DriverManager.getConnection(duckUrl)) {
      load(c, "rwf", false);
    }
    Warehouse pg = Warehouses.postgresDatabase("strata_rollup_finish_src", false);
    try (Connection c = pg.connect()) {
      load(c, "rwf", false);
    }
    Warehouse maria = Warehouses.mariadb();
    try (Connection c = maria.connect()) {
      load(c, "rwf_src", true);
    }
    Map<String, Object> settings = Map.of("strata.demo.enabled", "false",
        "strata.workers.enabled", "false", "strata.rollups.check-interval", "1h");
    try (TestServer server = TestServer.start(settings)) {
      add(server, Map.of("name", "rw_duck", "kind", "duckdb", "url", duckUrl,
          "properties", Map.of("rollup_schema", "rwf_rollups")));
      add(server, Map.of("name", "rw_pg", "kind", "postgres", "url", pg.jdbcUrl(),
          "username", pg.user(), "properties", Map.of("rollup_schema", "rwf_rollups")));
      add(server, Map.of("name", "rw_maria", "kind", "mysql", "url", maria.jdbcUrl(),
          "username", maria.user(), "password", maria.password() == null ? ""
              : maria.password(), "properties", Map.of("rollup_schema", "rwf_rollups")));
      List<String[]> cases = List.of(new String[] {"rw_duck", "rwf"},
          new String[] {"rw_pg", "rwf"}, new String[] {"rw_maria", "rwf_src"});
      RollupService rollups = server.context().getBean(RollupService.class);
      List<String> checked = new ArrayList<>();
      for (String[] c : cases) {
        for (String store : List.of("local", "source")) {
          String model = c[0] + "_" + store;
          Response put = server.admin().send("PUT", "/api/v1/models/" + model,
              "application/yaml", MODEL.formatted(model, c[0], c[1], store));
          assertThat(put.status()).as(put.toString()).isEqualTo(200);
          String q = "{\"measures\":[\"M.count\",\"M.user\"],"
              + "\"dimensions\":[\"M.order\",\"M.group\"],\"timeDimensions\":[{\"dimension\":"
              + "\"M.at\",\"granularity\":\"month\",\"dateRange\":[\"2024-01-01\","
              + "\"2024-02-29\"]}],\"order\":{\"M.order\":\"asc\",\"M.group\":\"asc\","
              + "\"M.at\":\"asc\"}}";
          q = q.replace("M.", model + ".");
          String avg = q.replace("\"" + model + ".user\"]", "\"" + model + ".user\",\""
              + model + ".avg_user\"]");
          List<List<String>> raw = server.answer(q);
          assertThat(raw).as("%s: raw answer", model).hasSize(8);
          List<List<String>> rawAvg = server.answer(avg);
          RollupService.BuildOutcome built = rollups.build(model, "daily", true,
              Instant.now());
          assertThat(built.version()).as("%s built", model).isNotNull();
          assertThat(built.partitionsBuilt()).isEqualTo(2);
          Thread.sleep(1100); // past the routing snapshot's second
          Response plan = server.admin().post("/api/v1/query/sql", q);
          assertThat(plan.json().path("rollup").asText()).as(plan.toString())
              .startsWith(model + ".daily@");
          assertThat(server.answer(q)).as("%s: from the rollup", model).isEqualTo(raw);
          // an avg is rebuilt only where the rollup's engine divides as the source's does
          Response avgPlan = server.admin().post("/api/v1/query/sql", avg);
          if (c[0].equals("rw_duck")) {
            assertThat(avgPlan.json().path("rollup").isNull()).as(avgPlan.toString()).isTrue();
            assertThat(avgPlan.json().path("rollupRejections").toString())
                .contains("cannot average exactly as duckdb does: " + model
                    + ".avg_user is an avg");
          } else if (store.equals("local")) {
            String source = c[0].equals("rw_pg") ? "postgres" : "mysql";
            assertThat(avgPlan.json().path("rollup").isNull()).as(avgPlan.toString()).isTrue();
            assertThat(avgPlan.json().path("rollupRejections").toString())
                .contains("cannot divide exactly as " + source + " does: " + model
                    + ".avg_user is an avg").contains("local (duckdb) store");
          } else {
            assertThat(avgPlan.json().path("rollup").asText()).as(avgPlan.toString())
                .startsWith(model + ".daily@");
          }
          assertThat(server.answer(avg)).as("%s: avg from the rollup or the source", model)
              .isEqualTo(rawAvg);
          checked.add(model);
        }
      }
      assertThat(checked).hasSize(6);
    }
  }

  private static void add(TestServer server, Map<String, Object> body) {
    Response r = server.admin().post("/api/v1/datasources", body);
    assertThat(r.status()).as(r.toString()).isIn(200, 201);
  }

  /** {@code schema.events} with 2 x 2 kinds over two months, columns named as keywords. */
  private static void load(Connection c, String schema, boolean mysql) throws Exception {
    String q = mysql ? "`" : "\"";
    try (Statement st = c.createStatement()) {
      st.execute(mysql ? "DROP DATABASE IF EXISTS " + schema
          : "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      st.execute((mysql ? "CREATE DATABASE " : "CREATE SCHEMA ") + schema);
      st.execute("DROP " + (mysql ? "DATABASE" : "SCHEMA") + " IF EXISTS rwf_rollups"
          + (mysql ? "" : " CASCADE"));
      st.execute("CREATE TABLE " + schema + ".events (" + q + "order" + q + " VARCHAR(20), "
          + q + "group" + q + " VARCHAR(20), " + q + "at" + q + " TIMESTAMP NULL, " + q + "user"
          + q + " DECIMAL(12,2))");
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema + ".events VALUES"
        + " (?, ?, ?, ?)")) {
      for (int i = 0; i < 300; i++) {
        ps.setString(1, i % 2 == 0 ? "asc" : "desc");
        ps.setString(2, i % 3 == 0 ? "by" : "having");
        ps.setTimestamp(3, Timestamp.valueOf(LocalDateTime.parse("2024-01-01T00:00")
            .plusHours(i * 4L)));
        ps.setBigDecimal(4, new BigDecimal(i % 41).add(new BigDecimal("0.37")));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }
}
