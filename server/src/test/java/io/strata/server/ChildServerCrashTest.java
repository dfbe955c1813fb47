package io.strata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A real server in a child JVM with a small heap ({@code -Xmx256m}), killed with SIGKILL
 * ({@link Process#destroyForcibly}) while clients import 40-chart dashboards, several times:
 * after each restart every stored import has all 40 of its charts (a dashboard and its charts
 * are one transaction; before, a kill left 0-39). The same small-heap server refuses a JSON
 * answer over its byte budget with 413 while a concurrent login still works.
 */
class ChildServerCrashTest {
  static final String PASSWORD = "admin-secret-1";
  static final int CHARTS = 40;
  static final int KILLS = 3;

  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  final String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD)
      .getBytes(StandardCharsets.UTF_8));

  record Child(Process process, URI base, Path log) {}

  Child start(Path dataDir, String... extra) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "-Dstrata.data-dir=" + dataDir, "-Dstrata.http.port=" + port,
        "-Dstrata.admin.password=" + PASSWORD, "-Dstrata.demo.scale=0.02",
        "-Dstrata.flight.enabled=false"));
    if (List.of(extra).stream().noneMatch(e -> e.startsWith("-Dstrata.jdbc."))) {
      cmd.add("-Dstrata.jdbc.enabled=false");
    }
    if (List.of(extra).stream().noneMatch(e -> e.startsWith("-Dstrata.pgwire."))) {
      cmd.add("-Dstrata.pgwire.enabled=false");
    }
    cmd.addAll(List.of(extra));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), StrataServer.class.getName()));
    Path log = dataDir.resolve("server-" + System.nanoTime() + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    URI base = URI.create("http://127.0.0.1:" + port);
    for (int i = 0; i < 900; i++) {
      if (!p.isAlive()) {
        throw new AssertionError("the server exited:\n" + Files.readString(log));
      }
      try {
        if (send("GET", base.resolve("/health"), null).statusCode() == 200) {
          return new Child(p, base, log);
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200); // polling for the child to come up, not a timed assertion
    }
    p.destroyForcibly();
    throw new AssertionError("server not healthy within 3 minutes:\n" + Files.readString(log));
  }

  HttpResponse<String> send(String method, URI uri, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2)).header("Authorization", auth)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String fortyCharts(String name) {
    ObjectNode d = TestServer.JSON.createObjectNode();
    d.put("name", name);
    ArrayNode charts = d.putArray("charts");
    for (int i = 0; i < CHARTS; i++) {
      ObjectNode c = charts.addObject();
      c.put("title", "chart " + i);
      c.putObject("viz").put("type", "bar");
      c.putObject("layout").put("x", 0).put("y", i).put("w", 6).put("h", 2);
      ObjectNode q = c.putObject("query");
      q.putArray("measures").add("orders.count");
      q.putArray("dimensions").add(i % 2 == 0 ? "orders.status" : "orders.channel");
    }
    return d.toString();
  }

  @Test
  void sigkillDuringImportsLeavesEveryDashboardWholeOrAbsent() throws Exception {
    Path dir = Files.createTempDirectory("strata-crash-test");
    int attempted = 0;
    for (int round = 0; round < KILLS; round++) {
      Child child = start(dir);
      AtomicBoolean killed = new AtomicBoolean();
      AtomicInteger done = new AtomicInteger();
      CountDownLatch enough = new CountDownLatch(2 + round);
      ExecutorService clients = Executors.newFixedThreadPool(4);
      List<Future<?>> running = new ArrayList<>();
      AtomicInteger names = new AtomicInteger();
      final int r = round;
      for (int t = 0; t < 4; t++) {
        running.add(clients.submit(() -> {
          while (!killed.get()) {
            try {
              HttpResponse<String> resp = send("POST", child.base().resolve("/api/v1/dashboards/import"),
                  fortyCharts("Forty " + r + "-" + names.incrementAndGet()));
              if (resp.statusCode() == 201) {
                done.incrementAndGet();
                enough.countDown();
              }
            } catch (IOException e) {
              return null; // the server was killed under the request
            }
          }
          return null;
        }));
      }
      // kill once a few imports went through, with others in flight
      assertThat(enough.await(5, TimeUnit.MINUTES)).as("imports completed before the kill").isTrue();
      // past H2's write delay (500 ms) for the imports acknowledged so far, while the clients
      // keep importing: the kill still lands with imports in flight
      Thread.sleep(1500);
      child.process().destroyForcibly();
      killed.set(true);
      child.process().waitFor(1, TimeUnit.MINUTES);
      for (Future<?> f : running) {
        f.get(2, TimeUnit.MINUTES);
      }
      clients.shutdownNow();
      attempted += names.get();
      assertThat(done.get()).isGreaterThanOrEqualTo(2 + round);
    }
    Child child = start(dir);
    try {
      JsonNode list = TestServer.JSON.readTree(send("GET", child.base().resolve("/api/v1/dashboards"), null).body());
      int imports = 0;
      for (JsonNode d : list) {
        if (d.path("name").asText().startsWith("Forty ")) {
          imports++;
          assertThat(d.path("chartCount").asInt()).as(d.path("name").asText()).isEqualTo(CHARTS);
        }
      }
      // Whole dashboards survive; H2's embedded file store writes commits with a short delay,
      // so the last acknowledged imports before a kill may be lost whole (durability, not atomicity).
      assertThat(imports).isGreaterThan(0).isLessThanOrEqualTo(attempted);
      HttpResponse<String> q = send("POST", child.base().resolve("/api/v1/query"), "{\"measures\":[\"orders.count\"]}");
      assertThat(q.statusCode()).isEqualTo(200);
    } finally {
      child.process().destroy();
      child.process().waitFor(1, TimeUnit.MINUTES);
    }
  }

  @Test
  void aSmallHeapServerRefusesAnOversizedJsonAnswerAndKeepsServing() throws Exception {
    Path dir = Files.createTempDirectory("strata-heap-test");
    Child child = start(dir, "-Dstrata.query.max-rows=2000000", "-Dstrata.query.max-json-bytes=8MB");
    try {
      // 1.5 million rows: as JSON far more than 8MB
      String sql = "{\"sql\": \"SELECT o1.order_id, o2.order_id AS other, o1.status FROM demo.retail.orders o1"
          + " CROSS JOIN demo.retail.orders o2 LIMIT 1500000\"}";
      ExecutorService side = Executors.newSingleThreadExecutor();
      Future<HttpResponse<String>> big = side.submit(() -> send("POST", child.base().resolve("/api/v1/sql"), sql));
      // a login while the big answer is being built
      HttpResponse<String> login = http.send(HttpRequest.newBuilder(child.base().resolve("/api/v1/auth/login"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"" + PASSWORD + "\"}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(login.statusCode()).isEqualTo(200);
      HttpResponse<String> answer = big.get(5, TimeUnit.MINUTES);
      side.shutdown();
      assertThat(answer.statusCode()).as(answer.body().substring(0, Math.min(300, answer.body().length())))
          .isEqualTo(413);
      assertThat(answer.body()).contains("ANSWER_TOO_LARGE", "strata.query.max-json-bytes");
      assertThat(child.process().isAlive()).isTrue();
      assertThat(send("GET", child.base().resolve("/health"), null).statusCode()).isEqualTo(200);
      assertThat(send("POST", child.base().resolve("/api/v1/query"), "{\"measures\":[\"orders.count\"]}")
          .statusCode()).isEqualTo(200);
      assertThat(Files.readString(child.log())).doesNotContain("OutOfMemoryError");
    } finally {
      child.process().destroy();
      child.process().waitFor(1, TimeUnit.MINUTES);
    }
  }

  /**
   * A raw-table (pass-through) result of 1.5 million rows streamed to the stock Avatica driver
   * by a server with a 256 MB heap: every row arrives, a login during the stream works, and the
   * server neither runs out of memory nor stops answering.
   */
  @Test
  void aSmallHeapServerStreamsALargeRawTableResultOverJdbc() throws Exception {
    Path dir = Files.createTempDirectory("strata-heap-test");
    int jdbcPort;
    try (ServerSocket s = new ServerSocket(0)) {
      jdbcPort = s.getLocalPort();
    }
    Child child = start(dir, "-Dstrata.query.max-rows=2000000", "-Dstrata.jdbc.enabled=true",
        "-Dstrata.jdbc.port=" + jdbcPort);
    try {
      String url = "jdbc:avatica:remote:url=http://127.0.0.1:" + jdbcPort
          + ";serialization=protobuf;authentication=BASIC;avatica_user=admin;avatica_password="
          + PASSWORD;
      long rows = 0;
      long sum = 0;
      try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
          java.sql.Statement st = c.createStatement()) {
        st.setFetchSize(10_000);
        try (java.sql.ResultSet rs = st.executeQuery("SELECT o1.order_id, o2.order_id AS other,"
            + " o1.status FROM demo.retail.orders o1 CROSS JOIN demo.retail.orders o2"
            + " LIMIT 1500000")) {
          while (rs.next()) {
            rows++;
            sum += rs.getLong(2);
            if (rows == 500_000) {
              // mid-stream, another client logs in
              HttpResponse<String> login = http.send(HttpRequest.newBuilder(
                  child.base().resolve("/api/v1/auth/login"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\","
                      + "\"password\":\"" + PASSWORD + "\"}"))
                  .build(), HttpResponse.BodyHandlers.ofString());
              assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
            }
          }
        }
      }
      assertThat(rows).isEqualTo(1_500_000);
      assertThat(sum).isPositive();
      assertThat(child.process().isAlive()).isTrue();
      assertThat(send("POST", child.base().resolve("/api/v1/query"), "{\"measures\":[\"orders.count\"]}")
          .statusCode()).isEqualTo(200);
      assertThat(Files.readString(child.log())).doesNotContain("OutOfMemoryError");
    } finally {
      child.process().destroy();
      child.process().waitFor(1, TimeUnit.MINUTES);
    }
  }

  /**
   * A one-million-row raw result streamed over the Postgres wire to pgjdbc reading 1,000 rows a
   * fetch (a portal with a row limit) from a server with a 256 MB heap: every row arrives in
   * order, another client connects mid-stream, and the server runs out of nothing.
   */
  @Test
  void aSmallHeapServerStreamsAMillionRowsOverThePostgresWire() throws Exception {
    Path dir = Files.createTempDirectory("strata-heap-test");
    int pgPort;
    try (ServerSocket s = new ServerSocket(0)) {
      pgPort = s.getLocalPort();
    }
    Child child = start(dir, "-Dstrata.query.max-rows=2000000",
        "-Dstrata.pgwire.port=" + pgPort);
    try {
      String url = "jdbc:postgresql://127.0.0.1:" + pgPort + "/strata";
      long rows = 0;
      long sum = 0;
      try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "admin", PASSWORD)) {
        c.setAutoCommit(false); // pgjdbc fetches in steps inside a transaction
        try (java.sql.Statement st = c.createStatement()) {
          st.setFetchSize(1_000);
          try (java.sql.ResultSet rs = st.executeQuery("SELECT o1.order_id, o2.order_id AS other,"
              + " o1.status FROM demo.retail.orders o1 CROSS JOIN demo.retail.orders o2"
              + " LIMIT 1000000")) {
            while (rs.next()) {
              rows++;
              sum += rs.getLong(2);
              if (rows == 300_000) {
                try (java.sql.Connection other = java.sql.DriverManager.getConnection(url,
                    "admin", PASSWORD); java.sql.Statement os = other.createStatement();
                    java.sql.ResultSet n = os.executeQuery(
                        "SELECT MEASURE(count) FROM semantic.orders")) {
                  assertThat(n.next()).isTrue();
                }
              }
            }
          }
        }
        c.commit();
      }
      assertThat(rows).isEqualTo(1_000_000);
      assertThat(sum).isPositive();
      assertThat(child.process().isAlive()).isTrue();
      assertThat(Files.readString(child.log())).doesNotContain("OutOfMemoryError");
    } finally {
      child.process().destroy();
      child.process().waitFor(1, TimeUnit.MINUTES);
    }
  }
}
