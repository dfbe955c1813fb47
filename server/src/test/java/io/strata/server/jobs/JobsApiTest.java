package io.strata.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job API on one real server (embedded H2 metadata, the DuckDB demo, workers in the server),
 * spoken to over HTTP: async queries answer what synchronous ones answer, in JSON, CSV and Arrow;
 * exports are neutralised, reused and swept; cancel reaches a running query; every bad input is
 * a 4xx naming the problem; nobody reads another user's job.
 */
class JobsApiTest {
  static final String COUNT_BY_STATUS = "{\"measures\":[\"orders.count\"],"
      + "\"dimensions\":[\"orders.status\"],\"order\":{\"orders.status\":\"asc\"}}";
  static TestServer server;
  static Client admin;
  static Client vera;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("strata.workers.poll-interval", "100ms",
        "strata.jobs.result-ttl", "1h", "strata.jobs.retry-backoff", "100ms",
        "strata.jobs.max-attempts", "3"));
    admin = server.admin();
    assertThat(admin.post("/api/v1/users", Map.of("username", "vera", "password",
        "viewer-pass-1", "role", "viewer")).status()).isEqualTo(201);
    vera = server.as("vera", "viewer-pass-1");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static JsonNode await(Client c, String id, Predicate<JsonNode> until) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    JsonNode job = c.get("/api/v1/jobs/" + id).json();
    while (!until.test(job)) {
      assertThat(System.nanoTime()).as("job " + id + ": " + job).isLessThan(deadline);
      Thread.sleep(50);
      job = c.get("/api/v1/jobs/" + id).json();
    }
    return job;
  }

  static JsonNode finished(Client c, String id) throws InterruptedException {
    return await(c, id, j -> List.of("succeeded", "failed", "cancelled")
        .contains(j.path("state").asText()));
  }

  static String submitted(Response r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(202);
    String id = r.json().path("id").asText();
    assertThat(r.header("Location")).isEqualTo("/api/v1/jobs/" + id);
    assertThat(r.json().path("state").asText()).isIn("queued", "running", "succeeded");
    return id;
  }

  @Test
  void anAsyncSemanticQueryAnswersWhatTheSynchronousOneAnswers() throws Exception {
    Response sync = admin.post("/api/v1/query", COUNT_BY_STATUS);
    assertThat(sync.status()).as(sync.toString()).isEqualTo(200);
    String id = submitted(admin.post("/api/v1/query",
        "{\"query\":" + COUNT_BY_STATUS + ",\"async\":true}"));
    JsonNode job = finished(admin, id);
    assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("succeeded");
    assertThat(job.path("links").path("result").asText()).isEqualTo("/api/v1/jobs/" + id + "/result");
    assertThat(job.path("result").path("rows").asLong()).isEqualTo(sync.json().path("data").size());
    Response result = admin.get("/api/v1/jobs/" + id + "/result");
    assertThat(result.status()).as(result.toString()).isEqualTo(200);
    assertThat(result.json().path("data")).isEqualTo(sync.json().path("data"));
    assertThat(result.json().path("annotation")).isEqualTo(sync.json().path("annotation"));

    Response syncCsv = admin.header("Accept", "text/csv").post("/api/v1/query", COUNT_BY_STATUS);
    Response asyncCsv = server.admin().header("Accept", "text/csv")
        .get("/api/v1/jobs/" + id + "/result");
    admin.header("Accept", "application/json");
    assertThat(asyncCsv.status()).isEqualTo(200);
    assertThat(asyncCsv.text()).isEqualTo(syncCsv.text());

    Response arrow = server.admin().header("Accept", "application/vnd.apache.arrow.stream")
        .get("/api/v1/jobs/" + id + "/result");
    assertThat(arrow.status()).isEqualTo(200);
    long rows = 0;
    try (RootAllocator a = new RootAllocator();
        ArrowStreamReader r = new ArrowStreamReader(new ByteArrayInputStream(arrow.bytes()), a)) {
      while (r.loadNextBatch()) {
        rows += r.getVectorSchemaRoot().getRowCount();
      }
      assertThat(r.getVectorSchemaRoot().getSchema().getFields()).extracting(f -> f.getName())
          .containsExactly("orders.status", "orders.count");
    }
    assertThat(rows).isEqualTo(sync.json().path("data").size());

    // the job's query went through the one query path: logged under the job's id
    JsonNode log = admin.get("/api/v1/queries?limit=200").json();
    List<String> endpoints = new ArrayList<>();
    log.forEach(e -> {
      if (e.path("queryId").asText().equals(id)) {
        endpoints.add(e.path("endpoint").asText());
      }
    });
    assertThat(endpoints).containsExactly("job");
  }

  @Test
  void preferRespondAsyncOnSqlAnswersWhatTheSynchronousSqlAnswers() throws Exception {
    String sql = "{\"sql\":\"SELECT status, count(*) AS n FROM demo.retail.orders"
        + " GROUP BY status ORDER BY status\"}";
    Response sync = admin.post("/api/v1/sql", sql);
    assertThat(sync.status()).as(sync.toString()).isEqualTo(200);
    String id = submitted(server.admin().header("Prefer", "respond-async")
        .post("/api/v1/sql", sql));
    assertThat(finished(admin, id).path("state").asText()).isEqualTo("succeeded");
    JsonNode result = admin.get("/api/v1/jobs/" + id + "/result").json();
    assertThat(result.path("data")).isEqualTo(sync.json().path("data"));
    assertThat(result.path("data").size()).isGreaterThan(1);
  }

  @Test
  void nobodyReadsAnotherUsersJobAndUnknownIdsAre404() throws Exception {
    String id = submitted(admin.post("/api/v1/query",
        "{\"query\":" + COUNT_BY_STATUS + ",\"async\":true}"));
    finished(admin, id);
    for (String path : List.of("", "/result", "/events", "/download")) {
      Response r = vera.get("/api/v1/jobs/" + id + path);
      assertThat(r.status()).as(path + ": " + r).isEqualTo(404);
      assertThat(r.text()).contains("does not exist");
    }
    assertThat(vera.post("/api/v1/jobs/" + id + "/cancel", "").status()).isEqualTo(404);
    assertThat(vera.get("/api/v1/jobs").text()).doesNotContain(id);
    assertThat(admin.get("/api/v1/jobs").text()).contains(id);

    String mine = submitted(vera.post("/api/v1/query",
        "{\"query\":" + COUNT_BY_STATUS + ",\"async\":true}"));
    assertThat(vera.get("/api/v1/jobs").text()).contains(mine).doesNotContain(id);
    assertThat(admin.get("/api/v1/jobs").text()).doesNotContain(mine);
    assertThat(admin.get("/api/v1/jobs?all=true").text()).contains(mine).contains(id);
    assertThat(admin.get("/api/v1/jobs/" + mine).status()).isEqualTo(200);

    Response unknown = admin.get("/api/v1/jobs/no-such-job");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().path("error").path("message").asText()).contains("no-such-job");
  }

  @Test
  void badInputsAreClear4xxNamingTheField() {
    Response cron = admin.post("/api/v1/jobs", Map.of("kind", "warmup", "dashboardId", 1,
        "cron", "every day at noon", "timeZone", "UTC"));
    assertThat(cron.status()).as(cron.toString()).isEqualTo(400);
    assertThat(cron.json().path("error").path("code").asText()).isEqualTo("INVALID_CRON");
    assertThat(cron.json().path("error").path("location").toString()).contains("cron");
    assertThat(cron.text()).contains("every day at noon");

    Response zone = admin.post("/api/v1/jobs", Map.of("kind", "warmup", "dashboardId", 1,
        "cron", "0 0 7 * * *", "timeZone", "Mars/Olympus_Mons"));
    assertThat(zone.status()).as(zone.toString()).isEqualTo(400);
    assertThat(zone.json().path("error").path("code").asText()).isEqualTo("INVALID_TIME_ZONE");
    assertThat(zone.json().path("error").path("location").toString()).contains("timeZone");
    assertThat(zone.text()).contains("Mars/Olympus_Mons");

    Response viewerSchedule = vera.post("/api/v1/jobs", Map.of("kind", "warmup",
        "dashboardId", 1, "cron", "0 0 7 * * *", "timeZone", "UTC"));
    assertThat(viewerSchedule.status()).as("schedules need an editor").isEqualTo(403);
    assertThat(admin.post("/api/v1/jobs", Map.of("kind", "warmup", "dashboardId", 987654))
        .status()).as("an unknown dashboard").isEqualTo(404);

    Response keepYes = admin.post("/api/v1/jobs", Map.of("kind", "warmup", "dashboardId", 1,
        "keepWarm", "yes"));
    assertThat(keepYes.status()).as(keepYes.toString()).isEqualTo(400);
    assertThat(keepYes.json().path("error").path("location").asText()).isEqualTo("keepWarm");
    Response keepAndCron = admin.post("/api/v1/jobs", Map.of("kind", "warmup", "dashboardId", 1,
        "keepWarm", true, "cron", "0 0 7 * * *"));
    assertThat(keepAndCron.status()).isEqualTo(400);
    assertThat(keepAndCron.text()).contains("not both");
    Response keepExport = admin.post("/api/v1/jobs", Map.of("kind", "export", "sql", "SELECT 1",
        "keepWarm", true));
    assertThat(keepExport.status()).isEqualTo(400);
    assertThat(keepExport.text()).contains("warmup");
    assertThat(vera.post("/api/v1/jobs", Map.of("kind", "warmup", "dashboardId", 1,
        "keepWarm", true)).status()).as("keeping warm needs an editor").isEqualTo(403);
    assertThat(admin.post("/api/v1/jobs", Map.of("kind", "warmup", "dashboardId", 987654,
        "keepWarm", true)).status()).as("an unknown dashboard").isEqualTo(404);

    Response kind = admin.post("/api/v1/jobs", Map.of("kind", "teleport"));
    assertThat(kind.status()).isEqualTo(400);
    assertThat(kind.text()).contains("teleport").contains("query, export, warmup");

    Response noQuery = admin.post("/api/v1/jobs", Map.of("kind", "export"));
    assertThat(noQuery.status()).isEqualTo(400);
    assertThat(noQuery.json().path("error").path("location").toString()).contains("query");

    Response badQuery = admin.post("/api/v1/jobs", Map.of("kind", "query",
        "query", Map.of("measures", List.of("orders.nope"))));
    assertThat(badQuery.status()).as(badQuery.toString()).isEqualTo(400);
    assertThat(badQuery.text()).contains("orders.nope");

    Response async = admin.post("/api/v1/query", "{\"query\":" + COUNT_BY_STATUS
        + ",\"async\":\"yes\"}");
    assertThat(async.status()).isEqualTo(400);
    assertThat(async.text()).contains("async");

    Response sqlSyntax = server.admin().header("Prefer", "respond-async")
        .post("/api/v1/sql", "{\"sql\":\"SELEC 1\"}");
    assertThat(sqlSyntax.status()).isEqualTo(400);

    assertThat(admin.get("/api/v1/jobs?state=sleeping").status()).isEqualTo(400);
    assertThat(admin.get("/api/v1/jobs?limit=0").status()).isEqualTo(400);
    assertThat(admin.post("/api/v1/jobs", "not json").status()).isEqualTo(400);
    // and the server still answers
    assertThat(admin.post("/api/v1/query", COUNT_BY_STATUS).status()).isEqualTo(200);
  }

  @Test
  void exportsNeutraliseFormulasAreReusedAndSwept() throws Exception {
    String sql = "SELECT '=1+2' AS f, '@cmd' AS g, 'plain' AS h, -5 AS n";
    String id = submitted(admin.post("/api/v1/jobs", Map.of("kind", "export", "sql", sql)));
    JsonNode job = finished(admin, id);
    assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("succeeded");
    String link = job.path("links").path("download").asText();
    Response csv = admin.get(link);
    assertThat(csv.status()).as(csv.toString()).isEqualTo(200);
    assertThat(csv.text()).isEqualTo("f,g,h,n\r\n\"'=1+2\",\"'@cmd\",plain,-5\r\n");

    Response raw = admin.post("/api/v1/jobs", Map.of("kind", "export", "sql", sql,
        "neutraliseFormulas", false));
    String rawId = submitted(raw);
    finished(admin, rawId);
    assertThat(admin.get("/api/v1/jobs/" + rawId + "/download").text())
        .isEqualTo("f,g,h,n\r\n=1+2,@cmd,plain,-5\r\n");

    // the same export again: the same job and file, nothing run again
    Response again = admin.post("/api/v1/jobs", Map.of("kind", "export", "sql", sql));
    assertThat(again.status()).isEqualTo(202);
    assertThat(again.json().path("id").asText()).isEqualTo(id);
    assertThat(again.json().path("state").asText()).isEqualTo("succeeded");

    // gzip
    String gz = submitted(admin.post("/api/v1/jobs", Map.of("kind", "export", "sql", sql,
        "gzip", true)));
    finished(admin, gz);
    Response gzip = admin.get("/api/v1/jobs/" + gz + "/download");
    try (var in = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(gzip.bytes()))) {
      assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo("f,g,h,n\r\n\"'=1+2\",\"'@cmd\",plain,-5\r\n");
    }

    // a query job has a result, not a download, and the other way round
    assertThat(admin.get("/api/v1/jobs/" + id + "/result").status()).isEqualTo(400);
  }

  /**
   * A finished job's signed link ({@code links.file}) is fetched without any session and gives
   * what the authenticated route gives; a changed signature, expiry or job id is 403
   * LINK_INVALID, for anyone (a session changes nothing), and the authenticated route still
   * hides another user's job.
   */
  @Test
  void signedLinksWorkWithoutASessionAndRefuseTampering() throws Exception {
    String sql = "SELECT 'signed' AS s, 42 AS n";
    String id = submitted(admin.post("/api/v1/jobs", Map.of("kind", "export", "sql", sql)));
    JsonNode job = finished(admin, id);
    String link = job.path("links").path("file").asText();
    assertThat(link).startsWith("/api/v1/job-files/" + id + "?expires=").contains("&signature=");
    long expires = Long.parseLong(link.replaceAll(".*expires=(\\d+).*", "$1"));
    assertThat(Instant.ofEpochSecond(expires)).as("link-ttl 1h by default, within the file's life")
        .isAfter(Instant.now().plusSeconds(3000))
        .isBeforeOrEqualTo(Instant.parse(job.path("expiresAt").asText()));
    Client nobody = server.anonymous();
    Response viaLink = nobody.get(link);
    assertThat(viaLink.status()).as(viaLink.toString()).isEqualTo(200);
    assertThat(viaLink.text()).isEqualTo(admin.get("/api/v1/jobs/" + id + "/download").text())
        .isEqualTo("s,n\r\nsigned,42\r\n");

    // a query job's result by its link, in the format asked for
    String q = submitted(admin.post("/api/v1/query",
        "{\"query\":" + COUNT_BY_STATUS + ",\"async\":true}"));
    String qLink = finished(admin, q).path("links").path("file").asText();
    Response json = nobody.get(qLink);
    assertThat(json.status()).as(json.toString()).isEqualTo(200);
    assertThat(json.json().path("data"))
        .isEqualTo(admin.get("/api/v1/jobs/" + q + "/result").json().path("data"));
    Response csv = nobody.get(qLink + "&format=csv");
    assertThat(csv.text()).isEqualTo(server.admin().header("Accept", "text/csv")
        .get("/api/v1/jobs/" + q + "/result").text());

    String sig = link.substring(link.indexOf("&signature=") + 11);
    char c = sig.charAt(5);
    String tampered = link.replace("&signature=" + sig, "&signature=" + sig.substring(0, 5)
        + (c == 'A' ? 'B' : 'A') + sig.substring(6));
    String longer = link.replace("expires=" + expires, "expires=" + (expires + 86400));
    String otherJob = link.replace("/job-files/" + id, "/job-files/" + q);
    String unsigned = "/api/v1/job-files/" + id;
    for (String bad : List.of(tampered, longer, otherJob, unsigned, link + "x",
        "/api/v1/job-files/no-such-job?expires=" + expires + "&signature=" + sig)) {
      for (Client who : List.of(nobody, vera, admin)) {
        Response r = who.get(bad);
        assertThat(r.status()).as(bad + ": " + r).isEqualTo(403);
        assertThat(r.json().path("error").path("code").asText()).isEqualTo("LINK_INVALID");
        assertThat(r.json().path("error").path("message").asText())
            .contains(bad == unsigned ? "no expires parameter" : "signature does not match");
      }
    }
    // the authenticated routes still check ownership: another user's job is a 404
    assertThat(vera.get("/api/v1/jobs/" + id + "/download").status()).isEqualTo(404);
    assertThat(vera.get("/api/v1/jobs/" + id).status()).isEqualTo(404);
  }

  @Test
  void expiredExportsAreSweptAndTheirLinksAnswer404() throws Exception {
    try (TestServer short_ = TestServer.start(Map.of("strata.workers.poll-interval", "100ms",
        "strata.jobs.result-ttl", "1s", "strata.demo.enabled", "false",
        "strata.query.max-rows", "3", "strata.exports.max-rows", "5"))) {
      Client a = short_.admin();
      // exports have their own cap: past strata.query.max-rows, up to strata.exports.max-rows
      String five = "SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4"
          + " UNION ALL SELECT 5";
      JsonNode ok = finished(a, submitted(a.post("/api/v1/jobs", Map.of("kind", "export",
          "sql", five))));
      assertThat(ok.path("state").asText()).as(ok.toString()).isEqualTo("succeeded");
      assertThat(ok.path("result").path("rows").asLong()).isEqualTo(5);
      assertThat(a.post("/api/v1/sql", Map.of("sql", five)).text())
          .as("a query is still held to strata.query.max-rows").contains("strata.query.max-rows");
      JsonNode over = finished(a, submitted(a.post("/api/v1/jobs", Map.of("kind", "export",
          "sql", five + " UNION ALL SELECT 6"))));
      assertThat(over.path("state").asText()).as(over.toString()).isEqualTo("failed");
      assertThat(over.path("error").path("code").asText()).isEqualTo("ROW_LIMIT_EXCEEDED");
      assertThat(over.path("error").path("message").asText())
          .contains("more than 5 rows").contains("strata.exports.max-rows");
      String id = submitted(a.post("/api/v1/jobs", Map.of("kind", "export",
          "sql", "SELECT 1 AS x")));
      JsonNode job = finished(a, id);
      assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("succeeded");
      java.nio.file.Path file = short_.dataDir().resolve("jobs").resolve(id + ".csv");
      assertThat(file).exists();
      String link = job.path("links").path("file").asText();
      Instant expires = Instant.parse(job.path("expiresAt").asText());
      while (!Instant.now().isAfter(expires.plusSeconds(1))) {
        Thread.sleep(50);
      }
      // the signed link expired with the file (link-ttl is capped by result-ttl)
      Response late = short_.anonymous().get(link);
      assertThat(late.status()).as(late.toString()).isEqualTo(403);
      assertThat(late.json().path("error").path("code").asText()).isEqualTo("LINK_EXPIRED");
      assertThat(late.json().path("error").path("message").asText()).contains("expired at");
      assertThat(short_.context().getBean(Jobs.class).sweep()).isGreaterThanOrEqualTo(1);
      assertThat(file).doesNotExist();
      Response gone = a.get("/api/v1/jobs/" + id + "/download");
      assertThat(gone.status()).isEqualTo(404);
      assertThat(gone.text()).contains("expired");
      // a new request runs again rather than reusing the swept file
      String again = submitted(a.post("/api/v1/jobs", Map.of("kind", "export",
          "sql", "SELECT 1 AS x")));
      assertThat(again).isNotEqualTo(id);
    }
  }

  @Test
  void cancelReachesARunningWarehouseQuery() throws Exception {
    Response saved = admin.send("PUT", "/api/v1/models/slow", "application/yaml",
        TestServer.SLOW_MODEL);
    assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
    String id = submitted(admin.post("/api/v1/query",
        "{\"query\":{\"measures\":[\"slow.matches\"]},\"async\":true,\"cache\":\"bypass\"}"));
    await(admin, id, j -> j.path("state").asText().equals("running"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (admin.get("/api/v1/queries/running").text().indexOf(id) < 0) {
      assertThat(System.nanoTime()).as("the job's query runs").isLessThan(deadline);
      Thread.sleep(20);
    }
    Response cancel = admin.post("/api/v1/jobs/" + id + "/cancel", "");
    assertThat(cancel.status()).as(cancel.toString()).isEqualTo(200);
    JsonNode job = finished(admin, id);
    assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("cancelled");
    assertThat(job.path("error").path("code").asText()).isEqualTo("CANCELLED");
    assertThat(admin.get("/api/v1/queries/running").text()).doesNotContain(id);
    // the result link of a cancelled job says why there is none
    Response result = admin.get("/api/v1/jobs/" + id + "/result");
    assertThat(result.status()).isEqualTo(409);
    assertThat(result.text()).contains("cancelled");
  }

  @Test
  void serverSentEventsFollowAJobToItsEnd() throws Exception {
    String id = submitted(admin.post("/api/v1/query",
        "{\"query\":" + COUNT_BY_STATUS + ",\"async\":true}"));
    Response events = admin.get("/api/v1/jobs/" + id + "/events");
    assertThat(events.status()).isEqualTo(200);
    assertThat(events.header("Content-Type")).startsWith("text/event-stream");
    List<JsonNode> states = new ArrayList<>();
    for (String block : events.text().split("\n\n")) {
      for (String line : block.split("\n")) {
        if (line.startsWith("data: ")) {
          states.add(TestServer.JSON.readTree(line.substring(6)));
        }
      }
    }
    assertThat(states).isNotEmpty();
    assertThat(states.get(states.size() - 1).path("state").asText()).isEqualTo("succeeded");
    assertThat(states).allSatisfy(s -> assertThat(s.path("id").asText()).isEqualTo(id));
  }

  @Test
  void metricsShowQueueDepthRunningAndDurations() throws Exception {
    String id = submitted(admin.post("/api/v1/query",
        "{\"query\":" + COUNT_BY_STATUS + ",\"async\":true}"));
    finished(admin, id);
    String metrics = admin.get("/metrics").text();
    assertThat(metrics).contains("strata_jobs_queued{kind=\"export\"}")
        .contains("strata_jobs_running")
        .contains("strata_jobs_duration_seconds_count{kind=\"query\",state=\"succeeded\"}");
  }

  /**
   * A warm-up job makes a dashboard's first view all cache hits: the view's queries built here
   * as the UI builds them (the dashboard's default date range on its time dimension, and the
   * previous year of each comparing number chart), each answered from the cache.
   */
  @Test
  void warmUpTurnsADashboardsFirstViewIntoHits() throws Exception {
    JsonNode list = admin.get("/api/v1/dashboards").json();
    long id = list.get(0).path("id").asLong();
    JsonNode dashboard = admin.get("/api/v1/dashboards/" + id).json();
    JsonNode range = dashboard.path("filters").path("dateRange");
    String td = dashboard.path("filters").path("timeDimension").asText();
    assertThat(range.size()).isEqualTo(2);
    assertThat(range.get(0).asText()).isEqualTo("2024-01-01");
    assertThat(range.get(1).asText()).isEqualTo("2024-12-31");

    String job = submitted(admin.post("/api/v1/jobs", Map.of("kind", "warmup",
        "dashboardId", id)));
    JsonNode done = finished(admin, job);
    assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("succeeded");

    List<String> view = new ArrayList<>();
    for (JsonNode chart : dashboard.path("charts")) {
      com.fasterxml.jackson.databind.node.ObjectNode q =
          (com.fasterxml.jackson.databind.node.ObjectNode) chart.path("query").deepCopy();
      boolean onTd = false;
      for (JsonNode t : q.path("timeDimensions")) {
        if (t.path("dimension").asText().equals(td)) {
          ((com.fasterxml.jackson.databind.node.ObjectNode) t).set("dateRange", range);
          onTd = true;
        }
      }
      if (!onTd) {
        q.withArray("timeDimensions").addObject().put("dimension", td).set("dateRange", range);
      }
      view.add(q.toString());
      if (chart.path("viz").path("type").asText().equals("number")
          && chart.path("viz").path("compare").asText().equals("previous_period")) {
        view.add(q.toString().replace("2024-01-01", "2023-01-01")
            .replace("2024-12-31", "2023-12-31"));
      }
    }
    assertThat(view.size()).isGreaterThan(dashboard.path("charts").size());
    assertThat(done.path("result").path("rows").asLong()).isEqualTo(view.size());
    java.util.Set<String> viewIds = new java.util.HashSet<>();
    for (String q : view) {
      Response r = admin.post("/api/v1/query", q);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      assertThat(r.json().path("cache").path("tier").asText()).as(q).isEqualTo("l1");
      viewIds.add(r.json().path("queryId").asText());
    }
    // the query log says the same: the warm-up went to the warehouse, the view did not
    JsonNode log = admin.get("/api/v1/queries?limit=500").json();
    List<String> warmupTiers = new ArrayList<>();
    List<String> viewTiers = new ArrayList<>();
    for (JsonNode e : log) {
      if (e.path("queryId").asText().startsWith(job + "-")) {
        warmupTiers.add(e.path("cacheTier").asText());
      } else if (viewIds.contains(e.path("queryId").asText())) {
        // this view's own queries (a thumbnail render of the dashboard runs the same texts)
        viewTiers.add(e.path("cacheTier").asText());
      }
    }
    assertThat(warmupTiers).hasSize(view.size()).doesNotContain("l1", "l2");
    assertThat(viewTiers).hasSize(view.size()).containsOnly("l1");
  }

  /**
   * A warehouse that cannot be reached is a passing failure: the job is retried with back-off
   * until strata.jobs.max-attempts, then failed with the reason; the server keeps answering.
   */
  @Test
  void anUnreachableWarehouseIsRetriedThenFailsWithTheReason() throws Exception {
    Response ds = admin.post("/api/v1/datasources", Map.of("name", "nowhere", "kind", "postgres",
        "url", "jdbc:postgresql://127.0.0.1:1/nothing", "username", "postgres",
        "connectionTimeoutMs", 1000));
    assertThat(ds.status()).as(ds.toString()).isIn(200, 201);
    Response model = admin.send("PUT", "/api/v1/models/nowhere_nums", "application/yaml", """
        name: nowhere_nums
        data_source: nowhere
        sql: SELECT 1 AS n
        measures:
          - { name: count, agg: count }
        """);
    assertThat(model.status()).as(model.toString()).isEqualTo(200);
    String id = submitted(admin.post("/api/v1/query",
        "{\"query\":{\"measures\":[\"nowhere_nums.count\"]},\"async\":true}"));
    JsonNode job = finished(admin, id);
    assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("failed");
    assertThat(job.path("attempts").asInt()).as(job.toString()).isEqualTo(3);
    assertThat(job.path("error").path("code").asText()).isEqualTo("UNAVAILABLE");
    assertThat(job.path("error").path("message").asText()).contains("nowhere");
    assertThat(admin.post("/api/v1/query", COUNT_BY_STATUS).status()).isEqualTo(200);
  }
}
