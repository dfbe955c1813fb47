package io.strata.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import io.strata.testkit.Redises;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Keep-warm across servers: two servers, both running jobs, on one Postgres metadata database
 * and one Redis (L2, so a result warmed on one serves the other). A dashboard is kept warm while
 * both servers are also sent a warm-up of it every 300 ms; the query log shows each of its
 * queries run by warm-up exactly once per window (the window is in each warm-up query's id), and
 * meanwhile every view of the dashboard on either server is a cache hit.
 */
class KeepWarmTest {
  /** Entries live 10 s, so the window is 8 s and keep-warm refreshes them 2 s early. */
  static final String MODEL = """
      name: kw
      data_source: pg
      sql: SELECT g AS n, g % 3 AS bucket FROM generate_series(1, 500) g
      refresh: { every: 10s }
      dimensions:
        - { name: n, type: number }
        - { name: bucket, type: number }
      measures:
        - { name: count, agg: count }
        - { name: total, agg: sum, expr: n }
      """;
  static final List<String> QUERIES = List.of(
      "{\"measures\":[\"kw.count\"]}",
      "{\"measures\":[\"kw.total\"],\"dimensions\":[\"kw.bucket\"]}",
      "{\"measures\":[\"kw.count\",\"kw.total\"],\"dimensions\":[\"kw.bucket\"]}");

  @Test
  void aDashboardKeptWarmRunsEachQueryOncePerWindowAcrossServersAndViewsHit() throws Exception {
    Warehouse meta = Warehouses.postgresDatabase("strata_keepwarm_test", true);
    Warehouse pg = Warehouses.postgres();
    Path store = Files.createTempDirectory("strata-keepwarm-store");
    Map<String, Object> settings = new HashMap<>();
    settings.put("strata.secret.key", JobWorkersTest.secretKey());
    settings.put("strata.metadata.url", meta.jdbcUrl());
    settings.put("strata.metadata.user", meta.user());
    settings.put("strata.metadata.password", meta.password() == null ? "" : meta.password());
    settings.put("strata.demo.enabled", "false");
    settings.put("strata.workers.poll-interval", "100ms");
    settings.put("strata.jobs.store-dir", store.toString());
    settings.put("strata.models.poll-interval", "200ms");
    settings.put("strata.cache.redis.uri", Redises.uri());
    settings.put("strata.cache.redis.prefix", Redises.uniquePrefix());
    try (TestServer a = TestServer.start(settings); TestServer b = TestServer.start(settings)) {
      Client adminA = a.admin();
      Client adminB = b.admin();
      Response ds = adminA.post("/api/v1/datasources", Map.of("name", "pg", "kind", "postgres",
          "url", pg.jdbcUrl(), "username", pg.user() == null ? "" : pg.user(),
          "password", pg.password() == null ? "" : pg.password()));
      assertThat(ds.status()).as(ds.toString()).isIn(200, 201);
      Response model = adminA.send("PUT", "/api/v1/models/kw", "application/yaml", MODEL);
      assertThat(model.status()).as(model.toString()).isEqualTo(200);
      StringBuilder charts = new StringBuilder();
      for (int i = 0; i < QUERIES.size(); i++) {
        charts.append(i == 0 ? "" : ",").append("{\"title\":\"c").append(i)
            .append("\",\"viz\":{\"type\":\"table\"},\"layout\":{\"x\":0,\"y\":").append(i * 4)
            .append(",\"w\":6,\"h\":4},\"query\":").append(QUERIES.get(i)).append('}');
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (adminB.post("/api/v1/query", QUERIES.get(0)).status() != 200) {
        assertThat(System.nanoTime()).as("server b sees the model").isLessThan(deadline);
        Thread.sleep(100);
      }
      Response dash = adminA.post("/api/v1/dashboards", "{\"name\":\"Warm\",\"charts\":["
          + charts + "]}");
      assertThat(dash.status()).as(dash.toString()).isEqualTo(201);
      long id = dash.json().path("id").asLong();

      Response keep = adminA.post("/api/v1/jobs", Map.of("kind", "warmup", "dashboardId", id,
          "keepWarm", true));
      assertThat(keep.status()).as(keep.toString()).isEqualTo(201);
      assertThat(keep.json().path("keepWarm").asBoolean()).isTrue();
      String schedule = keep.json().path("id").asText();

      // 20 s (about three windows): warm-ups by hand on both servers compete with keep-warm,
      // and the dashboard is viewed on both
      List<String> manual = new ArrayList<>();
      List<String> missed = new ArrayList<>();
      Thread.sleep(1500); // the first keep-warm firing is at once
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      int round = 0;
      while (System.nanoTime() < end) {
        Client c = round++ % 2 == 0 ? adminA : adminB;
        Response w = c.post("/api/v1/jobs", Map.of("kind", "warmup", "dashboardId", id));
        assertThat(w.status()).as(w.toString()).isEqualTo(202);
        manual.add(w.json().path("id").asText());
        for (String q : QUERIES) {
          Response r = c.post("/api/v1/query", q);
          assertThat(r.status()).as(r.toString()).isEqualTo(200);
          String tier = r.json().path("cache").path("tier").asText();
          if (!tier.equals("l1") && !tier.equals("l2")) {
            missed.add(q + " on " + (c == adminA ? "a" : "b") + ": " + r.json().path("cache"));
          }
        }
        Thread.sleep(300);
      }
      assertThat(adminA.delete("/api/v1/job-schedules/" + schedule).status()).isEqualTo(204);
      for (String m : manual) {
        JsonNode j = JobsApiTest.finished(adminA, m);
        assertThat(j.path("state").asText()).as(j.toString()).isEqualTo("succeeded");
      }
      assertThat(missed).as("every view while kept warm is a cache hit").isEmpty();

      // the query log: per window, each query run by warm-up once, whoever ran it
      Map<String, Map<String, Integer>> byWindow = new TreeMap<>();
      Set<String> texts = new TreeSet<>();
      try (Connection c = meta.connect(); PreparedStatement ps = c.prepareStatement(
          "SELECT query_id, query_text FROM strata_query_log WHERE endpoint = 'warmup'"
              + " AND error_code IS NULL")) {
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String window = rs.getString(1).substring(rs.getString(1).lastIndexOf('@') + 1);
            texts.add(rs.getString(2));
            byWindow.computeIfAbsent(window, w -> new TreeMap<>()).merge(rs.getString(2), 1,
                Integer::sum);
          }
        }
      }
      assertThat(texts).hasSize(QUERIES.size());
      assertThat(byWindow.size()).as("windows of 8 s in about 21 s").isBetween(3, 4);
      byWindow.forEach((window, counts) -> assertThat(counts).as("window " + window)
          .hasSize(QUERIES.size()).allSatisfy((q, n) -> assertThat(n).as(q).isEqualTo(1)));
      // the competing warm-ups ran, and found their queries claimed
      assertThat(manual.size()).isGreaterThan(20);
      JsonNode info = adminA.get("/api/v1/jobs?all=true&limit=1000").json();
      long skippedAll = 0;
      for (JsonNode j : info) {
        if (manual.contains(j.path("id").asText()) && j.path("result").path("rows").asLong() == 0) {
          skippedAll++;
        }
      }
      assertThat(skippedAll).as("warm-ups that found every query warmed in their window")
          .isGreaterThan(manual.size() / 2);
    }
  }
}
