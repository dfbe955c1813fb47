package io.strata.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Strata scaled out, with real processes only: {@code bin/strata serve} ×3 on 127.0.0.2–4 and
 * {@code bin/strata worker} ×2 (on 127.0.0.3 and .4) sharing a Postgres metadata database, a
 * Redis of the test's own ({@code redis-server} on a free port, so it can be killed) and a job
 * store directory, behind Debian's HAProxy (HTTP with {@code /health/ready} checks and L7
 * retries, TCP for the Postgres wire and Flight SQL). The warehouse is a Postgres table whose
 * answers the test computes itself, so a wrong answer is seen.
 *
 * <p>The issue's 60 s load per fault is shortened to what proves the point on a 2-core machine
 * (about 8 s before, during and after each fault); the figures go to
 * {@code benchmarks/target/scaleout-it/scaleout.md} and the README.
 *
 * <ol>
 *   <li>A data source made on one server is usable on the others long before their metadata
 *       poll (60 s here): Redis pub/sub carried the change.
 *   <li>SIGKILL one server under a mixed load (REST, pgjdbc, Flight SQL), start it again: only
 *       requests in flight around the kill fail, each is answered on retry through the
 *       balancer, no answer is wrong, and the restarted server is UP again and takes traffic.
 *   <li>A rolling SIGTERM restart of the three servers under the same load: zero failures.
 *   <li>Redis killed and started again under the load: zero failures.
 *   <li>An export whose worker is SIGKILLed mid-run finishes on the other worker, and its file
 *       is fetched through the balancer.
 * </ol>
 */
class ScaleOutIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADMIN = "admin";
  private static final String PASSWORD = "Scale-Out-Test-2026!";
  private static final String[] HOSTS = {"127.0.0.2", "127.0.0.3", "127.0.0.4"};
  private static final int ROWS = 200_000;
  private static final int EXPORT_FAN = 15; // the export writes ROWS x EXPORT_FAN rows
  private static final Duration PHASE = Duration.ofSeconds(8);

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private Path root;
  private Path dir;
  private Warehouses.Postgres pg;
  private String metaDb;
  private String dataDb;
  private Process redis;
  private int redisPort;
  private final Map<String, String> settings = new LinkedHashMap<>();
  private final StrataProcess[] servers = new StrataProcess[3];
  private final Balancer.Node[] nodes = new Balancer.Node[3];
  private final StrataProcess[] workers = new StrataProcess[2];
  private Balancer lb;
  private String token;
  private final Map<Integer, long[]> expected = new LinkedHashMap<>();
  private final StringBuilder report = new StringBuilder();

  @Test
  void threeServersTwoWorkersBehindHaproxySurviveFaults() throws Exception {
    long begun = System.nanoTime();
    try {
      setUp();
      changesReachEveryServer();
      killOneServerUnderLoad();
      rollingRestartUnderLoad();
      redisKilledUnderLoad();
      workerKilledMidExport();
    } finally {
      tearDown();
      report.append(String.format(Locale.ROOT, "%nWhole test: %.0f s.%n",
          (System.nanoTime() - begun) / 1e9));
      if (root != null) {
        Files.createDirectories(root.resolve("benchmarks/target/scaleout-it"));
        Files.writeString(root.resolve("benchmarks/target/scaleout-it/scaleout.md"), report);
      }
      System.out.println(report);
    }
  }

  // ------------------------------------------------------------------ set-up

  private void setUp() throws Exception {
    root = Options.findRoot();
    StrataProcess.requireBuilt(root);
    String run = "r" + System.currentTimeMillis();
    dir = root.resolve("benchmarks/target/scaleout-it/" + run);
    Files.createDirectories(dir);
    pg = Warehouses.postgres();
    for (String stale : pg.databases("strata_scaleout_")) {
      pg.dropDatabase(stale);
    }
    metaDb = "strata_scaleout_meta_" + run;
    dataDb = "strata_scaleout_data_" + run;
    pg.createDatabaseIfMissing(metaDb);
    pg.createDatabaseIfMissing(dataDb);
    try (Connection c = pg.connect(dataDb); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (k int PRIMARY KEY, v int NOT NULL)");
      st.execute("INSERT INTO t SELECT g, (g * 7919) % 1000 FROM generate_series(1, " + ROWS
          + ") g");
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT count(*), sum(v) FROM t WHERE k <= ?")) {
        for (int i = 1; i <= 40; i++) {
          int k = i * 4_999 + 17;
          ps.setInt(1, k);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            expected.put(k, new long[] {rs.getLong(1), rs.getLong(2)});
          }
        }
      }
    }

    redisPort = StrataProcess.freePort("127.0.0.1");
    startRedis();

    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    // a loaded machine may take longer than pgjdbc's 10 s to accept a connection
    settings.put("strata.metadata.url", patient(pg.url(metaDb)));
    if (pg.user() != null) {
      settings.put("strata.metadata.user", pg.user());
    }
    if (pg.password() != null) {
      settings.put("strata.metadata.password", pg.password());
    }
    settings.put("strata.secret.key", Base64.getEncoder().encodeToString(key));
    settings.put("strata.admin.password", PASSWORD);
    settings.put("strata.demo.enabled", "false");
    settings.put("strata.rollups.enabled", "false");
    settings.put("strata.cache.redis.uri", "redis://127.0.0.1:" + redisPort);
    settings.put("strata.jobs.store-dir", dir.resolve("jobs").toString());
    settings.put("strata.models.poll-interval", "60s"); // so that only pub/sub is fast
    settings.put("strata.shutdown.drain-delay", "3s"); // > HAProxy's 500ms x 2 checks
    settings.put("strata.shutdown.grace-period", "20s");
    settings.put("strata.workers.heartbeat-interval", "1s");
    settings.put("strata.workers.poll-interval", "500ms");
    settings.put("strata.query.timeout", "10m"); // a loaded machine is slow, not wrong

    for (int i = 0; i < 3; i++) {
      String h = HOSTS[i];
      nodes[i] = new Balancer.Node("s" + (i + 1), h, StrataProcess.freePort(h),
          StrataProcess.freePort(h), StrataProcess.freePort(h));
    }
    // s1 first: it migrates the metadata database and creates the admin
    servers[0] = startServer(0);
    servers[0].awaitOk("/health/ready", Duration.ofMinutes(8));
    servers[1] = startServer(1);
    servers[2] = startServer(2);
    for (int w = 0; w < 2; w++) {
      Map<String, String> ws = new LinkedHashMap<>(settings);
      ws.put("strata.workers.threads", "1");
      String h = HOSTS[w + 1];
      workers[w] = StrataProcess.start(root, "w" + (w + 1), "worker", dir.resolve("w" + (w + 1)),
          ws, "384m", h, StrataProcess.freePort(h), 0, 0, 0);
    }
    servers[1].awaitOk("/health/ready", Duration.ofMinutes(8));
    servers[2].awaitOk("/health/ready", Duration.ofMinutes(8));
    for (StrataProcess w : workers) {
      w.awaitOk("/health", Duration.ofMinutes(8));
    }
    lb = Balancer.start(dir.resolve("haproxy"), List.of(nodes));
    for (Balancer.Node n : nodes) {
      lb.awaitUp(n.name(), Duration.ofSeconds(30));
    }
    JsonNode created = JSON.readTree(call(servers[0].baseUrl(), "POST", "/api/v1/tokens",
        basic(), Map.of("name", "scaleout-it"), 201));
    token = created.path("secret").asText();
    assertThat(token).isNotBlank();
    report.append("# Scale-out test (ScaleOutIT)\n\n3 servers (127.0.0.2-4), 2 workers, HAProxy ")
        .append("2.6, Postgres metadata and warehouse, Redis; load: 2 threads each of REST, pgjdbc")
        .append(" (a connection per request) and Flight SQL through HAProxy; phases of ")
        .append(PHASE.toSeconds()).append(" s. Machine: ")
        .append(Runtime.getRuntime().availableProcessors()).append(" cores.\n\n");
  }

  private static String patient(String url) {
    return url + (url.contains("?") ? "&" : "?") + "connectTimeout=60&loginTimeout=60";
  }

  private StrataProcess startServer(int i) throws IOException {
    Map<String, String> s = new LinkedHashMap<>(settings);
    s.put("strata.workers.enabled", "false"); // jobs run on the two workers
    Balancer.Node n = nodes[i];
    return StrataProcess.start(root, n.name(), "serve", dir.resolve(n.name()), s, "512m",
        n.host(), n.http(), StrataProcess.freePort(n.host()), n.flight(), n.pgwire());
  }

  private void startRedis() throws Exception {
    redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind",
        "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
            dir.resolve("redis.log").toFile())).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (Redis r = new Redis("redis://127.0.0.1:" + redisPort)) {
        r.call("PING");
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline || !redis.isAlive()) {
          throw new IllegalStateException("redis-server did not start: " + e.getMessage());
        }
        Thread.sleep(100);
      }
    }
  }

  // ------------------------------------------------------------------ scenarios

  /** A data source created on s1 answers on s2 and s3 well before their 60 s poll. */
  private void changesReachEveryServer() throws Exception {
    Map<String, Object> ds = new LinkedHashMap<>();
    ds.put("name", "wh");
    ds.put("kind", "postgres");
    ds.put("url", patient(pg.url(dataDb)));
    if (pg.user() != null) {
      ds.put("username", pg.user());
    }
    if (pg.password() != null) {
      ds.put("password", pg.password());
    }
    ds.put("poolSize", 8);
    long t0 = System.nanoTime();
    call(servers[0].baseUrl(), "POST", "/api/v1/datasources", basic(), ds, 201);
    report.append("## A change made on one server, seen on the others\n\n")
        .append("| server | data source usable (request sent) after |\n|---|---|\n");
    for (int i = 1; i < 3; i++) {
      long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
      String last = null;
      long sent;
      while (true) {
        sent = System.nanoTime();
        HttpResponse<String> r = send(servers[i].baseUrl(), "POST", "/api/v1/sql", bearer(),
            Map.of("sql", "SELECT count(*) FROM wh.public.t"));
        if (r.statusCode() == 200) {
          // usable when the answered request was sent (a loaded machine may answer slowly)
          assertThat(sent).as("s%d sees the data source made on s1 within 30 s (its metadata"
              + " poll is 60 s, so only the pub/sub message can explain it)", i + 1)
              .isLessThan(deadline);
          break;
        }
        last = r.statusCode() + " " + r.body();
        assertThat(System.nanoTime()).as("s%d sees the data source made on s1 within 30 s (its"
            + " metadata poll is 60 s, so only the pub/sub message can explain it); last: %s",
            i + 1, last).isLessThan(deadline);
        Thread.sleep(100);
      }
      double s = (sent - t0) / 1e9;
      report.append(String.format(Locale.ROOT, "| s%d | %.2f s |%n", i + 1, s));
    }
    report.append("\n(metadata poll interval: 60 s; Redis pub/sub carried the change)\n\n");
  }

  private void killOneServerUnderLoad() throws Exception {
    long sessionsBefore = lb.sessions("http", "s2");
    try (LoadMix load = load()) {
      load.start(2);
      Thread.sleep(PHASE.toMillis());
      long kill = System.nanoTime();
      servers[1].kill();
      Thread.sleep(PHASE.toMillis());
      servers[1] = startServer(1);
      servers[1].awaitOk("/health/ready", Duration.ofMinutes(8));
      lb.awaitUp("s2", Duration.ofSeconds(30));
      long back = System.nanoTime();
      long sessionsBack = lb.sessions("http", "s2");
      Thread.sleep(PHASE.toMillis());
      load.stop();
      List<LoadMix.Sample> all = load.samples();
      row("SIGKILL s2, restart", all, kill, back);
      assertThat(wrong(all)).as("no wrong answer").isEmpty();
      assertThat(load.gaveUp()).as("every failed request answered on retry").isZero();
      for (LoadMix.Sample f : failures(all)) {
        // in flight on s2 when it died, or sent on a connection to it before HAProxy saw it down
        assertThat(f.start()).as("failure %s started around the kill", f)
            .isBetween(kill - TimeUnit.SECONDS.toNanos(2), kill + TimeUnit.SECONDS.toNanos(10));
      }
      assertThat(failures(all).stream().filter(f -> f.start() >= back))
          .as("no failure once s2 is back").isEmpty();
      assertThat(lb.sessions("http", "s2")).as("the restarted s2 takes traffic again")
          .isGreaterThan(sessionsBack);
      assertThat(sessionsBack).isGreaterThanOrEqualTo(sessionsBefore);
    }
  }

  private void rollingRestartUnderLoad() throws Exception {
    try (LoadMix load = load()) {
      load.start(2);
      Thread.sleep(PHASE.toMillis());
      long first = System.nanoTime();
      List<Integer> exits = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        int exit = servers[i].terminate(Duration.ofSeconds(90));
        exits.add(exit);
        assertThat(exit).as("s%d ended after SIGTERM (log %s)", i + 1, servers[i].log)
            .isNotEqualTo(-1);
        servers[i] = startServer(i);
        servers[i].awaitOk("/health/ready", Duration.ofMinutes(8));
        lb.awaitUp(nodes[i].name(), Duration.ofSeconds(30));
      }
      long back = System.nanoTime();
      Thread.sleep(PHASE.toMillis());
      load.stop();
      List<LoadMix.Sample> all = load.samples();
      row("rolling SIGTERM restart of s1, s2, s3", all, first, back);
      assertThat(wrong(all)).as("no wrong answer").isEmpty();
      assertThat(failures(all)).as("a rolling restart with SIGTERM fails no request").isEmpty();
      assertThat(exits).as("exit status after SIGTERM").containsOnly(143);
    }
  }

  private void redisKilledUnderLoad() throws Exception {
    try (LoadMix load = load()) {
      load.start(2);
      Thread.sleep(PHASE.toMillis());
      long kill = System.nanoTime();
      redis.destroyForcibly();
      redis.waitFor(10, TimeUnit.SECONDS);
      Thread.sleep(PHASE.toMillis());
      startRedis();
      long back = System.nanoTime();
      Thread.sleep(PHASE.toMillis());
      load.stop();
      List<LoadMix.Sample> all = load.samples();
      row("SIGKILL Redis, restart", all, kill, back);
      assertThat(wrong(all)).as("no wrong answer").isEmpty();
      assertThat(failures(all)).as("Redis down fails no query (L1 and the warehouse)").isEmpty();
    }
  }

  private void workerKilledMidExport() throws Exception {
    String lbUrl = "http://127.0.0.1:" + lb.httpPort;
    String sql = "SELECT a.k, a.v, b.k AS k2 FROM wh.public.t a CROSS JOIN wh.public.t b"
        + " WHERE b.k <= " + EXPORT_FAN;
    JsonNode job = JSON.readTree(call(lbUrl, "POST", "/api/v1/jobs", bearer(),
        Map.of("kind", "export", "sql", sql), -1));
    String id = job.path("id").asText();
    assertThat(id).as("job id in %s", job).isNotBlank();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    JsonNode j;
    do {
      j = JSON.readTree(call(lbUrl, "GET", "/api/v1/jobs/" + id, bearer(), null, 200));
      assertThat(j.path("state").asText()).as("the export is still running when its worker is"
          + " killed (make EXPORT_FAN larger if it finished first): %s", j)
          .isIn("queued", "running");
      assertThat(System.nanoTime()).as("the export started within 120 s: %s", j)
          .isLessThan(deadline);
      Thread.sleep(100);
    } while (!j.path("state").asText().equals("running") || !j.path("worker").isTextual());
    String worker = j.path("worker").asText();
    long pid = Long.parseLong(worker.substring(0, worker.indexOf('@')));
    int victim = workers[0].pid() == pid ? 0 : 1;
    assertThat(workers[victim].pid()).as("the job runs on one of the two workers: %s", worker)
        .isEqualTo(pid);
    workers[victim].kill();
    long killed = System.nanoTime();
    JsonNode done;
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (true) {
      done = JSON.readTree(call(lbUrl, "GET", "/api/v1/jobs/" + id, bearer(), null, 200));
      String state = done.path("state").asText();
      if (state.equals("succeeded") || state.equals("failed") || state.equals("cancelled")) {
        break;
      }
      assertThat(System.nanoTime()).as("the export finished within 180 s of the kill: %s", done)
          .isLessThan(deadline);
      Thread.sleep(250);
    }
    double took = (System.nanoTime() - killed) / 1e9;
    assertThat(done.path("state").asText()).as("%s", done).isEqualTo("succeeded");
    String survivor = done.path("worker").asText();
    assertThat(survivor).as("finished by the other worker").startsWith(
        workers[1 - victim].pid() + "@");
    HttpResponse<InputStream> file = http.send(HttpRequest.newBuilder(
            URI.create(lbUrl + "/api/v1/jobs/" + id + "/download"))
        .header("Authorization", bearer()).timeout(Duration.ofMinutes(2)).GET().build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(file.statusCode()).isEqualTo(200);
    long lines = 0;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(file.body(),
        StandardCharsets.UTF_8))) {
      while (r.readLine() != null) {
        lines++;
      }
    }
    assertThat(lines).as("header + every row of the export").isEqualTo(1L + ROWS * EXPORT_FAN);
    report.append(String.format(Locale.ROOT, "%n## A worker killed mid-export%n%n"
        + "Export of %,d rows started on worker %s; SIGKILLed while running; the other worker"
        + " (%s) finished it %.1f s after the kill (attempts %d); the file (%,d lines) fetched"
        + " through HAProxy.%n", (long) ROWS * EXPORT_FAN, worker, survivor, took,
        done.path("attempts").asInt(), lines));
  }

  // ------------------------------------------------------------------ figures

  private LoadMix load() {
    return new LoadMix(lb, token, ADMIN, PASSWORD, expected);
  }

  private static List<LoadMix.Sample> failures(List<LoadMix.Sample> all) {
    return all.stream().filter(s -> !s.ok() && !s.wrong()).toList();
  }

  private static List<LoadMix.Sample> wrong(List<LoadMix.Sample> all) {
    return all.stream().filter(LoadMix.Sample::wrong).toList();
  }

  private boolean headed;

  private void row(String scenario, List<LoadMix.Sample> all, long fault, long back) {
    if (!headed) {
      report.append("## Faults under load\n\n| fault | requests | failed (then answered on"
          + " retry) | wrong | p50 / p99 ms before | during | after |\n|---|---|---|---|---|---|---|\n");
      headed = true;
    }
    List<LoadMix.Sample> before = all.stream().filter(s -> s.start() < fault).toList();
    List<LoadMix.Sample> during = all.stream().filter(s -> s.start() >= fault && s.start() < back)
        .toList();
    List<LoadMix.Sample> after = all.stream().filter(s -> s.start() >= back).toList();
    report.append(String.format(Locale.ROOT, "| %s | %,d | %d | %d | %s | %s | %s |%n", scenario,
        all.size(), failures(all).size(), wrong(all).size(), pct(before), pct(during), pct(after)));
    for (LoadMix.Sample f : failures(all)) {
      report.append(String.format(Locale.ROOT, "<!-- %s %+.1f s from the fault: %s -->%n",
          f.protocol(), (f.start() - fault) / 1e9, f.error()));
    }
  }

  private static String pct(List<LoadMix.Sample> s) {
    List<Double> ms = s.stream().filter(LoadMix.Sample::ok).map(LoadMix.Sample::millis).sorted()
        .toList();
    if (ms.isEmpty()) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.1f / %.1f", ms.get((int) (ms.size() * 0.50)),
        ms.get(Math.min(ms.size() - 1, (int) (ms.size() * 0.99))));
  }

  // ------------------------------------------------------------------ HTTP

  private String basic() {
    return "Basic " + Base64.getEncoder().encodeToString((ADMIN + ":" + PASSWORD)
        .getBytes(StandardCharsets.UTF_8));
  }

  private String bearer() {
    return "Bearer " + token;
  }

  private HttpResponse<String> send(String base, String method, String path, String auth,
      Object body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", auth).timeout(Duration.ofSeconds(60));
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The body of a call that must answer {@code status} (-1: any 2xx). */
  private String call(String base, String method, String path, String auth, Object body,
      int status) throws IOException, InterruptedException {
    HttpResponse<String> r = send(base, method, path, auth, body);
    boolean ok = status < 0 ? r.statusCode() / 100 == 2 : r.statusCode() == status;
    assertThat(ok).as("%s %s%s answered %d: %s", method, base, path, r.statusCode(), r.body())
        .isTrue();
    return r.body();
  }

  private void tearDown() {
    for (StrataProcess p : servers) {
      if (p != null) {
        p.close();
      }
    }
    for (StrataProcess p : workers) {
      if (p != null) {
        p.close();
      }
    }
    try {
      if (lb != null) {
        lb.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (redis != null) {
      redis.destroyForcibly();
    }
    if (pg != null) {
      pg.dropDatabase(metaDb);
      pg.dropDatabase(dataDb);
    }
    report.append("\nFinished ").append(Instant.now()).append('\n');
  }
}
