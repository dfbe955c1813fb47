package io.strata.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The job system across real processes on one Postgres metadata database
 * ({@value #META_DB}): a server with workers off (it only enqueues) and two
 * {@code strata worker} processes (child JVMs of the CLI's main class). The warehouse is the
 * test Postgres, so every process reaches it and a query can sleep there ({@code pg_sleep}).
 * Timing settings are short (poll 100 ms, heartbeat 300 ms: a dead worker is noticed after
 * about 1.2 s) so the test runs quickly; nothing asserts a duration.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class JobWorkersTest {
  static final String META_DB = "strata_jobs_test";
  static final String NUMS = """
      name: nums
      data_source: pg
      sql: SELECT g AS n FROM generate_series(1, 1000) g
      dimensions:
        - { name: n, type: number }
      measures:
        - { name: count, agg: count }
      """;
  /** One row after the warehouse has slept: 4 s for the worker to be killed in. */
  static final String NAP = """
      name: nap
      data_source: pg
      sql: SELECT 1 AS n FROM pg_sleep(4)
      measures:
        - { name: count, agg: count }
      """;
  /** Sleeps two minutes in the warehouse: long enough that only a cancel ends it in time. */
  static final String SLEEPY = """
      name: sleepy
      data_source: pg
      sql: SELECT 1 AS n FROM pg_sleep(120)
      measures:
        - { name: count, agg: count }
      """;

  static Warehouse meta;
  static Warehouse pg;
  static Path store;
  static TestServer server;
  static Client admin;
  static final List<Process> workers = new ArrayList<>();
  /** Each worker's health port (strata.workers.health-port 0: a free one, read from its log). */
  static final Map<Process, Integer> healthPorts = new java.util.concurrent.ConcurrentHashMap<>();
  static final List<Path> dirs = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    meta = Warehouses.postgresDatabase(META_DB, true);
    pg = Warehouses.postgres();
    store = Files.createTempDirectory("strata-jobs-store");
    server = TestServer.start(serverSettings(false));
    admin = server.admin();
    Response ds = admin.post("/api/v1/datasources", Map.of("name", "pg", "kind", "postgres",
        "url", pg.jdbcUrl(), "username", pg.user() == null ? "" : pg.user(),
        "password", pg.password() == null ? "" : pg.password()));
    assertThat(ds.status()).as(ds.toString()).isIn(200, 201);
    for (String[] m : new String[][] {{"nums", NUMS}, {"nap", NAP}, {"sleepy", SLEEPY}}) {
      Response r = admin.send("PUT", "/api/v1/models/" + m[0], "application/yaml", m[1]);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }
    workers.add(worker("a"));
    workers.add(worker("b"));
  }

  /** One secret key for the server and its workers: they share the encrypted data sources. */
  static final String SECRET_KEY = secretKey();

  static String secretKey() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    return java.util.Base64.getEncoder().encodeToString(key);
  }

  static Map<String, Object> serverSettings(boolean workersOn) {
    Map<String, Object> s = new HashMap<>();
    s.put("strata.secret.key", SECRET_KEY);
    s.put("strata.metadata.url", meta.jdbcUrl());
    s.put("strata.metadata.user", meta.user());
    s.put("strata.metadata.password", meta.password() == null ? "" : meta.password());
    s.put("strata.demo.enabled", "false");
    s.put("strata.workers.enabled", String.valueOf(workersOn));
    s.put("strata.workers.poll-interval", "100ms");
    s.put("strata.workers.heartbeat-interval", "300ms");
    s.put("strata.jobs.store-dir", store.toString());
    s.put("strata.jobs.retry-backoff", "100ms");
    return s;
  }

  /** A {@code strata worker} process: the CLI's main class in a child JVM on this classpath. */
  static Process worker(String name) throws Exception {
    return worker(name, serverSettings(true), "-Xmx512m");
  }

  /** A worker process with these settings (workers on) and this heap. */
  public static Process worker(String name, Map<String, Object> settings, String heap)
      throws Exception {
    Path dir = Files.createTempDirectory("strata-worker-" + name);
    dirs.add(dir);
    Path log = dir.resolve("worker.log");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-opens=java.base/java.nio=ALL-UNNAMED", heap,
        "-cp", System.getProperty("java.class.path")));
    Map<String, Object> all = new HashMap<>(settings);
    all.put("strata.workers.enabled", "true");
    for (Map.Entry<String, Object> e : all.entrySet()) {
      cmd.add("-D" + e.getKey() + "=" + e.getValue());
    }
    cmd.add("-Dstrata.data-dir=" + dir);
    cmd.add("-Dstrata.models.poll-interval=200ms");
    cmd.add("-Dstrata.workers.health-port=0");
    cmd.add("io.strata.server.cli.StrataCli");
    cmd.add("worker");
    cmd.add("--threads=2");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!Files.readString(log).contains("Strata worker is running")) {
      assertThat(p.isAlive()).as("worker " + name + " died: " + tail(log)).isTrue();
      assertThat(System.nanoTime()).as("worker " + name + " starts: " + tail(log))
          .isLessThan(deadline);
      Thread.sleep(100);
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
        "Strata worker health: http://0\\.0\\.0\\.0:(\\d+)/health").matcher(Files.readString(log));
    assertThat(m.find()).as("the worker prints its health port: " + tail(log)).isTrue();
    healthPorts.put(p, Integer.parseInt(m.group(1)));
    return p;
  }

  /** A worker's {@code GET /health}, with the stock JDK client. */
  static Response health(Process p) throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
        "http://127.0.0.1:" + healthPorts.get(p) + "/health")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    return new Response(r.statusCode(), r);
  }

  static String tail(Path log) {
    try {
      String s = Files.readString(log, StandardCharsets.UTF_8);
      return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    } catch (IOException e) {
      return e.toString();
    }
  }

  @AfterAll
  static void stop() {
    workers.forEach(Process::destroyForcibly);
    if (server != null) {
      server.close();
    }
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  static JsonNode job(String id) {
    return admin.get("/api/v1/jobs/" + id).json();
  }

  static String submit(String query) {
    Response r = admin.post("/api/v1/query", "{\"query\":" + query + ",\"async\":true}");
    assertThat(r.status()).as(r.toString()).isEqualTo(202);
    return r.json().path("id").asText();
  }

  /**
   * How many times the query log recorded a query under this id (each run logs once). The log is
   * written behind the query by the process that ran it, so wait for the first entry to land.
   */
  static int runs(String queryId) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int n;
    while ((n = logged(queryId)) == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return n;
  }

  static int logged(String queryId) throws Exception {
    try (Connection c = meta.connect(); PreparedStatement ps = c.prepareStatement(
        "SELECT COUNT(*) FROM strata_query_log WHERE query_id = ?")) {
      ps.setString(1, queryId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  static String pid(Process p) {
    return p.pid() + "@";
  }

  @Test
  @Order(1)
  void aHundredJobsAreEachDoneExactlyOnceByTwoWorkers() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      ids.add(submit("{\"measures\":[\"nums.count\"],\"filters\":[{\"member\":\"nums.n\","
          + "\"operator\":\"lte\",\"values\":[\"" + i + "\"]}]}"));
    }
    // the server runs nothing itself: its workers are off
    assertThat(job(ids.get(0)).path("worker").isNull() || !job(ids.get(0)).path("worker").asText()
        .startsWith(ProcessHandle.current().pid() + "@")).isTrue();
    await("100 jobs finish", () -> ids.stream().allMatch(id ->
        job(id).path("state").asText().equals("succeeded")));
    Set<String> byWorker = new HashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      JsonNode j = job(id);
      assertThat(j.path("attempts").asInt()).as(j.toString()).isEqualTo(1);
      assertThat(runs(id)).as("query log entries of job " + id).isEqualTo(1);
      byWorker.add(j.path("worker").asText().split("@")[0]);
      JsonNode result = admin.get("/api/v1/jobs/" + id + "/result").json();
      assertThat(result.path("data").get(0).path("nums.count").asLong()).isEqualTo(i + 1);
    }
    assertThat(byWorker).as("both workers took part, the server none")
        .containsExactlyInAnyOrder(String.valueOf(workers.get(0).pid()),
            String.valueOf(workers.get(1).pid()));
  }

  @Test
  @Order(2)
  void aJobWhoseWorkerIsKilledIsFinishedByTheOther() throws Exception {
    String id = submit("{\"measures\":[\"nap.count\"]}");
    await("the nap job runs", () -> job(id).path("state").asText().equals("running"));
    String holder = job(id).path("worker").asText();
    Process victim = workers.stream().filter(p -> holder.startsWith(pid(p))).findFirst()
        .orElseThrow(() -> new AssertionError("no worker process is " + holder));
    Process survivor = workers.stream().filter(p -> p != victim).findFirst().orElseThrow();
    // each worker's health endpoint: the queue's database reachable, and the jobs it runs
    Response busy = health(victim);
    assertThat(busy.status()).as(busy.toString()).isEqualTo(200);
    assertThat(busy.json().path("status").asText()).isEqualTo("UP");
    assertThat(busy.json().path("metadataDatabase").path("reachable").asBoolean()).isTrue();
    assertThat(busy.json().path("runningJobs").asInt()).isEqualTo(1);
    assertThat(busy.json().path("running").get(0).asText()).isEqualTo(id);
    Response idle = health(survivor);
    assertThat(idle.status()).isEqualTo(200);
    assertThat(idle.json().path("runningJobs").asInt()).isZero();
    victim.destroyForcibly(); // SIGKILL: no shutdown hook, no goodbye to the database
    assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();
    await("the other worker finishes the job", () -> job(id).path("state").asText()
        .equals("succeeded"));
    JsonNode j = job(id);
    assertThat(j.path("attempts").asInt()).as(j.toString()).isEqualTo(2);
    assertThat(j.path("worker").asText()).startsWith(pid(survivor));
    assertThat(runs(id)).as("only the finished run reached the query log").isEqualTo(1);
    assertThat(admin.get("/api/v1/jobs/" + id + "/result").json().path("data").get(0)
        .path("nap.count").asLong()).isEqualTo(1);
    workers.remove(victim);
    workers.add(worker("c"));
  }

  @Test
  @Order(3)
  void aCancelReachesTheWarehouseQueryInTheWorkerProcess() throws Exception {
    String id = submit("{\"measures\":[\"sleepy.count\"]}");
    await("the sleepy job runs", () -> job(id).path("state").asText().equals("running"));
    await("its query sleeps in Postgres", () -> sleeping() > 0);
    Response cancel = admin.post("/api/v1/jobs/" + id + "/cancel", "");
    assertThat(cancel.status()).as(cancel.toString()).isEqualTo(200);
    await("the job is cancelled", () -> job(id).path("state").asText().equals("cancelled"));
    await("Postgres no longer runs it", () -> sleeping() == 0);
    JsonNode j = job(id);
    assertThat(j.path("error").path("code").asText()).isEqualTo("CANCELLED");
    assertThat(j.path("attempts").asInt()).isEqualTo(1);
  }

  /** Queries sleeping in the warehouse's pg_sleep(120) now. */
  static int sleeping() {
    try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE state = 'active'"
            + " AND query LIKE '%pg_sleep(120)%' AND pid <> pg_backend_pid()")) {
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  @Order(4)
  void aRecurringJobRunsOnAcrossAServerRestartOncePerFiring() throws Exception {
    // from here the servers run the jobs: the worker processes stop (SIGTERM, gracefully)
    for (Process p : workers) {
      p.destroy();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    workers.clear();
    server.close();
    server = null;
    String scheduleId;
    Instant restart;
    String link;
    String answer;
    try (TestServer first = TestServer.start(serverSettings(true))) {
      Response created = first.admin().post("/api/v1/jobs", Map.of("kind", "query",
          "query", Map.of("measures", List.of("nums.count")), "cron", "* * * * * *",
          "timeZone", "Europe/Paris"));
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
      scheduleId = created.json().path("id").asText();
      assertThat(created.json().path("timeZone").asText()).isEqualTo("Europe/Paris");
      await("two runs before the restart", () -> runsOf(first, scheduleId).size() >= 2);
      String run = runsOf(first, scheduleId).get(0).path("id").asText();
      link = first.admin().get("/api/v1/jobs/" + run).json().path("links").path("file").asText();
      answer = first.admin().get("/api/v1/jobs/" + run + "/result").text();
    }
    restart = Instant.now();
    try (TestServer second = TestServer.start(serverSettings(true))) {
      // a signed link made by one server is good on another sharing strata.secret.key
      Response viaLink = second.anonymous().get(link);
      assertThat(viaLink.status()).as(link + ": " + viaLink).isEqualTo(200);
      assertThat(viaLink.text()).isEqualTo(answer);
      await("two runs after the restart", () -> runsOf(second, scheduleId).stream()
          .filter(r -> Instant.parse(r.path("createdAt").asText()).isAfter(restart)).count() >= 2);
      Response deleted = second.admin().delete("/api/v1/job-schedules/" + scheduleId);
      assertThat(deleted.status()).isEqualTo(204);
      assertThat(second.admin().get("/api/v1/job-schedules/" + scheduleId).status())
          .isEqualTo(404);
      List<JsonNode> all = new ArrayList<>();
      for (JsonNode r : runsInDatabase(scheduleId)) {
        all.add(r);
      }
      Set<Instant> seconds = new HashSet<>();
      for (JsonNode r : all) {
        assertThat(seconds.add(Instant.parse(r.path("createdAt").asText())
            .truncatedTo(ChronoUnit.SECONDS))).as("one run per firing: " + all).isTrue();
      }
    }
  }

  static List<JsonNode> runsOf(TestServer s, String scheduleId) {
    List<JsonNode> out = new ArrayList<>();
    s.admin().get("/api/v1/job-schedules/" + scheduleId).json().path("runs").forEach(r -> {
      if (r.path("state").asText().equals("succeeded")) {
        out.add(r);
      }
    });
    return out;
  }

  static List<JsonNode> runsInDatabase(String scheduleId) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    try (Connection c = meta.connect(); PreparedStatement ps = c.prepareStatement(
        "SELECT id, created_at FROM strata_jobs WHERE schedule_id = ?")) {
      ps.setString(1, scheduleId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(TestServer.JSON.createObjectNode().put("id", rs.getString(1)).put("createdAt",
              rs.getObject(2, java.time.LocalDateTime.class).toInstant(java.time.ZoneOffset.UTC)
                  .toString()));
        }
      }
    }
    return out;
  }
}
