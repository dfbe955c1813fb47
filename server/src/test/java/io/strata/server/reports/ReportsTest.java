package io.strata.server.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Reports, alerts and thumbnails on one real server (embedded H2 metadata, the DuckDB demo,
 * workers in the server, the machine's headless Chromium), with a real SMTP server (GreenMail)
 * and a real HTTP receiver for webhooks in the test, and a Postgres table the alerts read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportsTest {
  static final String PASSWORD = "reports-pass-1";
  static final String CHART = """
      {"title": "Orders by region", "viz": {"type": "bar"}, "layout": {"x": 0, "y": 0, "w": 12, "h": 6},
       "query": {"measures": ["orders.count"], "dimensions": ["customers.region"],
                 "order": {"customers.region": "asc"}}}""";

  TestServer server;
  Client admin;
  Client edna; // editor, sees only Europe's customers
  Client vic; // viewer
  GreenMail mail;
  int smtpPort;
  HttpServer hooks;
  final List<String> hookBodies = new CopyOnWriteArrayList<>();
  /** Webhook requests to fail (HTTP 500) before the next ones succeed. */
  final AtomicInteger failNext = new AtomicInteger();
  Warehouse pg;
  long dashboardId;
  long chartId;

  @BeforeAll
  void start() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      smtpPort = s.getLocalPort();
    }
    mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", "smtp"));
    mail.start();
    hooks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hooks.createContext("/hook", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      boolean fail = failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
      if (!fail) {
        hookBodies.add(body);
      }
      byte[] answer = (fail ? "busy" : "ok").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(fail ? 500 : 200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    hooks.start();
    pg = Warehouses.postgresDatabase("strata_reports_alerts", true);
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE metric (v INT)");
      st.execute("INSERT INTO metric VALUES (5)");
    }
    server = TestServer.start(Map.ofEntries(Map.entry("strata.workers.threads", "4"),
        Map.entry("strata.workers.poll-interval", "100ms"),
        Map.entry("strata.jobs.retry-backoff", "100ms"),
        Map.entry("strata.smtp.host", "127.0.0.1"),
        Map.entry("strata.smtp.port", String.valueOf(smtpPort)),
        Map.entry("strata.smtp.tls", "none"),
        Map.entry("strata.smtp.from", "reports@strata.test"),
        Map.entry("strata.reports.retry-backoff", "100ms"),
        Map.entry("strata.reports.delivery-attempts", "3"),
        Map.entry("strata.reports.render-timeout", "60s"),
        Map.entry("strata.thumbnails.debounce", "2s")));
    admin = server.admin();
    created(admin.post("/api/v1/users", Map.of("username", "edna", "password", PASSWORD,
        "role", "editor", "attributes", Map.of("region", "Europe"))));
    created(admin.post("/api/v1/users", Map.of("username", "vic", "password", PASSWORD,
        "role", "viewer")));
    created(admin.post("/api/v1/security/rules", Map.of("model", "customers",
        "filters", List.of(Map.of("member", "customers.region", "operator", "equals",
            "values", List.of("{user.region}"))),
        "users", List.of("edna"), "description", "edna sees Europe's customers")));
    edna = server.as("edna", PASSWORD);
    vic = server.as("vic", PASSWORD);
    JsonNode d = created(admin.post("/api/v1/dashboards", "{\"name\": \"Regions\", \"charts\": ["
        + CHART + "]}"));
    dashboardId = d.path("id").asLong();
    chartId = d.path("charts").get(0).path("id").asLong();
    created(admin.post("/api/v1/datasources", Map.of("name", "metrics", "kind", "postgres",
        "url", pg.jdbcUrl(), "username", pg.user())), 200);
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
    if (hooks != null) {
      hooks.stop(0);
    }
    if (mail != null) {
      mail.stop();
    }
  }

  String hook() {
    return "http://127.0.0.1:" + hooks.getAddress().getPort() + "/hook";
  }

  static JsonNode created(Response r, int... also) {
    assertThat(r.status()).as(r.toString()).isIn(201, also.length > 0 ? also[0] : 201);
    return r.json();
  }

  static void badRequest(Response r, String code, String location) {
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().path("error").path("code").asText()).as(r.toString()).isEqualTo(code);
    assertThat(r.json().path("error").path("location").asText()).as(r.toString())
        .isEqualTo(location);
    assertThat(r.json().path("error").path("message").asText()).isNotBlank();
  }

  /** The runs of a report or alert, polled until {@code until} holds (or 90 s pass). */
  JsonNode runs(Client c, String path, Predicate<JsonNode> until) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    JsonNode runs = c.get(path + "/runs").json();
    while (!until.test(runs)) {
      assertThat(System.nanoTime()).as(path + " runs: " + runs).isLessThan(deadline);
      Thread.sleep(100);
      runs = c.get(path + "/runs").json();
    }
    return runs;
  }

  static Predicate<JsonNode> finished(int n) {
    return runs -> {
      int done = 0;
      for (JsonNode r : runs) {
        if (!r.path("state").asText().equals("running")) {
          done++;
        }
      }
      return done >= n;
    };
  }

  /** Keeps a picture in target/reports-test for a person to look at; returns it. */
  static byte[] keep(String name, byte[] bytes) throws IOException {
    java.nio.file.Path dir = java.nio.file.Path.of("target", "reports-test");
    java.nio.file.Files.createDirectories(dir);
    java.nio.file.Files.write(dir.resolve(name), bytes);
    return bytes;
  }

  static BufferedImage png(byte[] bytes) throws IOException {
    assertThat(bytes).as("a PNG signature").startsWith(0x89, 'P', 'N', 'G');
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
    assertThat(img).isNotNull();
    return img;
  }

  /** Not blank: a page with drawn charts has many colours, a blank one has one. */
  static void notBlank(BufferedImage img) {
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < img.getHeight(); y += 3) {
      for (int x = 0; x < img.getWidth(); x += 3) {
        colours.add(img.getRGB(x, y));
      }
    }
    assertThat(colours.size()).as("distinct colours").isGreaterThan(20);
  }

  static byte[] attachment(MimeMessage m, String mime) throws Exception {
    Multipart parts = (Multipart) m.getContent();
    for (int i = 0; i < parts.getCount(); i++) {
      BodyPart p = parts.getBodyPart(i);
      if (p.getContentType().startsWith(mime)) {
        try (InputStream in = p.getInputStream()) {
          return in.readAllBytes();
        }
      }
    }
    throw new AssertionError("no " + mime + " attachment in " + m.getSubject());
  }

  static String text(MimeMessage m) throws Exception {
    Multipart parts = (Multipart) m.getContent();
    return String.valueOf(parts.getBodyPart(0).getContent());
  }

  List<MimeMessage> mailTo(String address) throws Exception {
    List<MimeMessage> out = new ArrayList<>();
    for (MimeMessage m : mail.getReceivedMessages()) {
      if (m.getAllRecipients()[0].toString().equals(address)) {
        out.add(m);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ reports

  @Test
  void aDashboardReportArrivesByEmailAsAPngOfTheRightSizeAndOnTheWebhook() throws Exception {
    JsonNode r = created(admin.post("/api/v1/reports", Map.of("name", "Regions daily",
        "dashboardId", dashboardId, "format", "png", "width", 1000, "height", 700,
        "cron", "0 0 7 * * *", "timeZone", "Europe/Paris",
        "channels", List.of(Map.of("type", "email", "to", List.of("ops@example.com")),
            Map.of("type", "webhook", "url", hook())))));
    String path = "/api/v1/reports/" + r.path("id").asText();
    assertThat(r.path("state").asText()).isEqualTo("ok");
    assertThat(admin.get(path).json().path("timeZone").asText()).isEqualTo("Europe/Paris");
    int hooksBefore = hookBodies.size();
    Response sent = admin.post(path + "/test-send", Map.of());
    assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
    JsonNode run = runs(admin, path, finished(1)).get(0);
    assertThat(run.path("state").asText()).as(run.toString()).isEqualTo("sent");
    assertThat(run.path("test").asBoolean()).isTrue();
    assertThat(run.path("deliveries")).hasSize(2);
    run.path("deliveries").forEach(d -> assertThat(d.path("ok").asBoolean()).as(d.toString())
        .isTrue());
    assertThat(run.path("deliveries").get(0).path("to").asText())
        .isEqualTo("email ops@example.com");

    List<MimeMessage> got = mailTo("ops@example.com");
    assertThat(got).hasSize(1);
    assertThat(got.get(0).getSubject()).isEqualTo("[test] Regions daily");
    BufferedImage img = png(keep("report.png", attachment(got.get(0), "image/png")));
    assertThat(img.getWidth()).isEqualTo(1000);
    assertThat(img.getHeight()).isEqualTo(700);
    notBlank(img);

    assertThat(hookBodies).hasSize(hooksBefore + 1);
    JsonNode hook = TestServer.JSON.readTree(hookBodies.get(hooksBefore));
    assertThat(hook.path("text").asText()).contains("Regions daily")
        .contains("/dashboards/" + dashboardId);
    assertThat(hook.path("blocks").get(0).path("type").asText()).isEqualTo("section");
    // the image: a Slack image block whose signed link the receiver fetches without a session
    JsonNode block = hook.path("blocks").get(1);
    assertThat(block.path("type").asText()).as(hook.toString()).isEqualTo("image");
    String url = block.path("image_url").asText();
    assertThat(url).contains("/api/v1/report-images/").contains("signature=");
    assertThat(hook.path("text").asText()).contains(url);
    java.net.http.HttpClient receiver = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpResponse<byte[]> fetched = receiver.send(java.net.http.HttpRequest
        .newBuilder(java.net.URI.create(url)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertThat(fetched.statusCode()).isEqualTo(200);
    assertThat(fetched.headers().firstValue("Content-Type").orElse("")).startsWith("image/png");
    BufferedImage linked = png(fetched.body());
    assertThat(linked.getWidth()).isEqualTo(1000);
    notBlank(linked);
    java.net.http.HttpResponse<String> tampered = receiver.send(java.net.http.HttpRequest
        .newBuilder(java.net.URI.create(url.replaceAll("expires=\\d+", "expires=4102444800")))
        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(tampered.statusCode()).isEqualTo(403);
    assertThat(tampered.body()).contains("LINK_INVALID");
    java.net.http.HttpResponse<String> unsigned = receiver.send(java.net.http.HttpRequest
        .newBuilder(java.net.URI.create(url.substring(0, url.indexOf('?')))).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(unsigned.statusCode()).isEqualTo(403);

    // another report of the same page, size and owner is sent from the images cache
    double cached = images("cached");
    JsonNode again = created(admin.post("/api/v1/reports", Map.of("name", "Regions again",
        "dashboardId", dashboardId, "format", "png", "width", 1000, "height", 700,
        "cron", "0 0 8 * * *", "channels", List.of(Map.of("type", "webhook", "url", hook())))));
    String againPath = "/api/v1/reports/" + again.path("id").asText();
    admin.post(againPath + "/test-send", Map.of());
    assertThat(runs(admin, againPath, finished(1)).get(0).path("state").asText())
        .isEqualTo("sent");
    assertThat(images("cached")).isEqualTo(cached + 1);
  }

  /** strata_reports_images_total{result} on /metrics. */
  double images(String result) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
        "strata_reports_images_total\\{[^}]*result=\"" + result + "\"[^}]*\\} (\\S+)")
        .matcher(admin.get("/metrics").text());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void aReportOwnedByAUserWithRowLevelLimitsShowsOnlyTheirRows() throws Exception {
    JsonNode r = created(edna.post("/api/v1/reports", Map.of("name", "My regions",
        "chartId", chartId, "format", "csv", "cron", "0 0 7 * * MON",
        "channels", List.of(Map.of("type", "email", "to", List.of("edna@example.com"))))));
    assertThat(r.path("owner").asText()).isEqualTo("edna");
    String path = "/api/v1/reports/" + r.path("id").asText();
    assertThat(edna.post(path + "/test-send", Map.of()).status()).isEqualTo(202);
    JsonNode run = runs(edna, path, finished(1)).get(0);
    assertThat(run.path("state").asText()).as(run.toString()).isEqualTo("sent");
    String csv = new String(attachment(mailTo("edna@example.com").get(0), "text/csv"),
        StandardCharsets.UTF_8);
    List<String> lines = csv.lines().toList();
    assertThat(lines.get(0)).isEqualTo("customers.region,orders.count");
    assertThat(lines.subList(1, lines.size())).isNotEmpty()
        .allSatisfy(l -> assertThat(l).startsWith("Europe,"));
    // the same chart as the admin has every region: the limit came from the owner
    JsonNode all = admin.post("/api/v1/query", TestServer.JSON.readTree(CHART).path("query")
        .toString()).json().path("data");
    assertThat(all.size()).isGreaterThan(lines.size() - 1);

    // and the rendered chart is the owner's too: a viewer cannot read edna's report at all
    assertThat(vic.get(path).status()).isEqualTo(404);
    assertThat(vic.get(path + "/runs").status()).isEqualTo(404);
  }

  @Test
  void aChannelThatFailsIsRetriedAndOneThatKeepsFailingIsReported() throws Exception {
    JsonNode r = created(admin.post("/api/v1/reports", Map.of("name", "Retried",
        "chartId", chartId, "format", "csv", "cron", "0 0 7 * * *",
        "channels", List.of(Map.of("type", "webhook", "url", hook())))));
    String path = "/api/v1/reports/" + r.path("id").asText();
    int before = hookBodies.size();
    failNext.set(2);
    admin.post(path + "/test-send", Map.of());
    JsonNode run = runs(admin, path, finished(1)).get(0);
    assertThat(run.path("state").asText()).as(run.toString()).isEqualTo("sent");
    assertThat(run.path("deliveries").get(0).path("attempts").asInt()).isEqualTo(3);
    assertThat(hookBodies).hasSize(before + 1);

    failNext.set(3);
    admin.post(path + "/test-send", Map.of());
    JsonNode failed = runs(admin, path, finished(2)).get(0);
    assertThat(failed.path("state").asText()).as(failed.toString()).isEqualTo("failed");
    assertThat(failed.path("error").asText()).contains("webhook http://127.0.0.1:")
        .contains("after 3 attempts").contains("HTTP 500");
    assertThat(failed.path("deliveries").get(0).path("ok").asBoolean()).isFalse();
    assertThat(hookBodies).hasSize(before + 1);
  }

  @Test
  void aRunThatFindsTheWarehouseDownSaysSoInsteadOfSendingAnEmptyChart() throws Exception {
    created(admin.post("/api/v1/datasources", Map.of("name", "nowhere", "kind", "postgres",
        "url", "jdbc:postgresql://127.0.0.1:1/nothing", "username", "postgres",
        "connectionTimeoutMs", 1000)), 200);
    Response model = admin.send("PUT", "/api/v1/models/nowhere_nums", "application/yaml", """
        name: nowhere_nums
        data_source: nowhere
        sql: SELECT 1 AS n
        measures:
          - { name: count, agg: count }
        """);
    assertThat(model.status()).as(model.toString()).isEqualTo(200);
    JsonNode d = created(admin.post("/api/v1/dashboards", "{\"name\": \"Down\", \"charts\": ["
        + "{\"title\": \"Count\", \"viz\": {\"type\": \"number\"}, \"query\": {\"measures\":"
        + " [\"nowhere_nums.count\"]}}]}"));
    JsonNode r = created(admin.post("/api/v1/reports", Map.of("name", "Down report",
        "chartId", d.path("charts").get(0).path("id").asLong(), "format", "text",
        "cron", "0 0 7 * * *", "channels", List.of(Map.of("type", "webhook", "url", hook())))));
    String path = "/api/v1/reports/" + r.path("id").asText();
    int before = hookBodies.size();
    admin.post(path + "/test-send", Map.of());
    JsonNode run = runs(admin, path, finished(1)).get(0);
    assertThat(run.path("state").asText()).as(run.toString()).isEqualTo("failed");
    assertThat(run.path("error").asText()).contains("warehouse is unavailable");
    assertThat(hookBodies).hasSize(before + 1);
    assertThat(TestServer.JSON.readTree(hookBodies.get(before)).path("text").asText())
        .contains("could not be produced").contains("warehouse is unavailable");
  }

  // ------------------------------------------------------------------ alerts

  void setMetric(int v) throws Exception {
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      st.execute("UPDATE metric SET v = " + v);
    }
  }

  static long count(JsonNode runs, String state) {
    long n = 0;
    for (JsonNode r : runs) {
      if (r.path("state").asText().equals(state)) {
        n++;
      }
    }
    return n;
  }

  @Test
  void anAlertTriggersOnceStaysSilentInItsGracePeriodAndRecovers() throws Exception {
    setMetric(5);
    JsonNode a = created(admin.post("/api/v1/alerts", Map.of("name", "Metric high",
        "sql", "SELECT v FROM metrics.public.metric", "condition", Map.of("op", ">", "value", 10),
        "cron", "* * * * * *", "gracePeriod", "1h", "attachChartId", chartId,
        "channels", List.of(Map.of("type", "webhook", "url", hook() + "?alert=high"),
            Map.of("type", "email", "to", List.of("alerts@example.com"))))));
    String path = "/api/v1/alerts/" + a.path("id").asText();
    try {
      runs(admin, path, runs -> count(runs, "ok") >= 1);
      long sentBefore = hookBodies.stream().filter(b -> b.contains("Metric high")).count();
      assertThat(sentBefore).isZero();

      setMetric(20);
      runs(admin, path, runs -> count(runs, "triggered") == 1 && count(runs, "silent") >= 2);
      assertThat(admin.get(path).json().path("state").asText()).isEqualTo("triggered");
      assertThat(admin.get(path).json().path("lastValue").asText()).isEqualTo("20");
      List<String> sent = hookBodies.stream().filter(b -> b.contains("Metric high")).toList();
      assertThat(sent).hasSize(1);
      assertThat(sent.get(0)).contains("triggered").contains("20");
      List<MimeMessage> mails = mailTo("alerts@example.com");
      assertThat(mails).hasSize(1);
      assertThat(mails.get(0).getSubject()).isEqualTo("Alert 'Metric high': triggered");
      notBlank(png(attachment(mails.get(0), "image/png")));

      setMetric(3);
      JsonNode history = runs(admin, path, runs -> count(runs, "recovered") == 1);
      assertThat(count(history, "triggered")).isEqualTo(1);
      assertThat(admin.get(path).json().path("state").asText()).isEqualTo("ok");
      sent = hookBodies.stream().filter(b -> b.contains("Metric high")).toList();
      assertThat(sent).hasSize(2);
      assertThat(sent.get(1)).contains("recovered").contains("3");
    } finally {
      admin.delete(path);
    }
  }

  @Test
  void changedByMoreThanAPercentageComparesWithThePreviousRun() {
    Condition c = new Condition("changed_by_pct", new java.math.BigDecimal("10"));
    assertThat(c.holds(new java.math.BigDecimal("105"), new java.math.BigDecimal("100")))
        .isFalse();
    assertThat(c.holds(new java.math.BigDecimal("111"), new java.math.BigDecimal("100")))
        .isTrue();
    assertThat(c.holds(new java.math.BigDecimal("89"), new java.math.BigDecimal("100")))
        .isTrue();
    assertThat(c.holds(new java.math.BigDecimal("111"), null)).isFalse();
    assertThat(new Condition("is_empty", null).holds(null, null)).isTrue();
    assertThat(new Condition("is_empty", null).holds(java.math.BigDecimal.ONE, null)).isFalse();
  }

  // ------------------------------------------------------------------ thumbnails

  byte[] thumbnail(Client c, String path, Predicate<Response> until) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    Response t = c.get(path);
    while (!until.test(t)) {
      assertThat(t.status()).as(t.toString()).isIn(200, 202);
      assertThat(System.nanoTime()).as(path + ": " + t).isLessThan(deadline);
      Thread.sleep(200);
      t = c.get(path);
    }
    return t.bytes();
  }

  /** The thumbnail jobs of {@code c}'s user created after {@code since}, newest first. */
  static List<JsonNode> thumbnailJobs(Client c, java.time.Instant since) {
    List<JsonNode> out = new ArrayList<>();
    Response list = c.get("/api/v1/jobs?limit=1000");
    assertThat(list.status()).as(list.toString()).isEqualTo(200);
    for (JsonNode j : list.json()) {
      if (j.path("kind").asText().equals("thumbnail")
          && java.time.Instant.parse(j.path("createdAt").asText()).isAfter(since)) {
        out.add(j);
      }
    }
    return out;
  }

  /** Waits for every one of the thumbnail jobs of {@code c}'s user since then to be finished. */
  static List<JsonNode> thumbnailJobsDone(Client c, java.time.Instant since, int atLeast)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (true) {
      List<JsonNode> jobs = thumbnailJobs(c, since);
      if (jobs.size() >= atLeast && jobs.stream().allMatch(j -> j.path("finishedAt").isTextual())) {
        return jobs;
      }
      assertThat(System.nanoTime()).as("thumbnail jobs: " + jobs).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  static int differingPixels(BufferedImage a, BufferedImage b) {
    int n = 0;
    for (int y = 0; y < Math.min(a.getHeight(), b.getHeight()); y++) {
      for (int x = 0; x < Math.min(a.getWidth(), b.getWidth()); x++) {
        if (a.getRGB(x, y) != b.getRGB(x, y)) {
          n++;
        }
      }
    }
    return n;
  }

  @Test
  void aThumbnailIsRenderedAheadOfTimeAfterItsChartChangesWithNoRequestInBetween()
      throws Exception {
    created(admin.post("/api/v1/users", Map.of("username", "tess", "password", PASSWORD,
        "role", "viewer")));
    JsonNode d = created(admin.post("/api/v1/dashboards", "{\"name\": \"Thumbs\", \"charts\": ["
        + CHART + "]}"));
    long id = d.path("id").asLong();
    long chart = d.path("charts").get(0).path("id").asLong();
    String path = "/api/v1/thumbnails/dashboards/" + id;
    Client tess = server.as("tess", PASSWORD).header("Accept", "image/png"); // as the UI asks
    Client tessJobs = server.as("tess", PASSWORD);
    // none yet: a placeholder answer, and a render queued
    Response first = tess.get(path);
    assertThat(first.status()).as(first.toString()).isEqualTo(202);
    byte[] before = thumbnail(tess, path, r -> r.status() == 200);
    BufferedImage a = png(keep("thumbnail-before.png", before));
    assertThat(a.getWidth()).isEqualTo(320);
    assertThat(a.getHeight()).isEqualTo(200);
    notBlank(a);
    // the asks while it was drawn queued that one render (a rollup build finishing meanwhile
    // redraws only thumbnails already drawn)
    List<JsonNode> firstRenders = thumbnailJobsDone(tessJobs, java.time.Instant.EPOCH, 1);
    assertThat(firstRenders).as(firstRenders.toString()).hasSize(1);
    // the image as the last of those left it
    Response settled = tess.get(path);
    assertThat(settled.status()).isEqualTo(200);
    before = settled.bytes();
    a = png(before);
    notBlank(a);
    // asking again renders nothing: it is served from the thumbnails cache
    java.time.Instant asked = java.time.Instant.now();
    assertThat(tess.get(path).bytes()).isEqualTo(before);
    Thread.sleep(500);
    assertThat(thumbnailJobs(tessJobs, asked)).isEmpty();

    // three quick edits (within strata.thumbnails.debounce) and no request from tess after them
    java.time.Instant edited = java.time.Instant.now();
    for (String viz : List.of("\"line\"", "\"area\"", "\"pie\"")) {
      Response changed = admin.put("/api/v1/charts/" + chart, TestServer.JSON.readTree(CHART
          .replace("\"bar\"", viz)));
      assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
    }
    List<JsonNode> rendered = thumbnailJobsDone(tessJobs, edited, 1);
    Thread.sleep(3000); // past the debounce: nothing else was queued
    rendered = thumbnailJobs(tessJobs, edited);
    assertThat(rendered).as("one render for three quick edits: " + rendered).hasSize(1);
    assertThat(rendered.get(0).path("state").asText()).as(rendered.toString())
        .isEqualTo("succeeded");

    java.time.Instant served = java.time.Instant.now();
    Response after = tess.get(path);
    assertThat(after.status()).isEqualTo(200);
    assertThat(after.header("X-Thumbnail-Stale")).isEqualTo("false");
    BufferedImage b = png(keep("thumbnail-after.png", after.bytes()));
    assertThat(b.getWidth()).isEqualTo(320);
    notBlank(b);
    assertThat(differingPixels(a, b)).as("pixels that changed with the chart")
        .isGreaterThan(500);
    Thread.sleep(500);
    assertThat(thumbnailJobs(tessJobs, served)).as("the fresh one was served, not rendered").isEmpty();

    // charts have their own (the API serves charts on their own: /api/v1/charts/{id})
    byte[] one = thumbnail(tess, "/api/v1/thumbnails/charts/" + chart, r -> r.status() == 200);
    assertThat(png(keep("chart-thumbnail.png", one)).getHeight()).isEqualTo(200);
    assertThat(tess.get("/api/v1/thumbnails/dashboards/987654").status()).isEqualTo(404);
    assertThat(tess.get("/api/v1/thumbnails/charts/987654").status()).isEqualTo(404);
    assertThat(server.anonymous().get(path).status()).isEqualTo(401);

    // a warm-up refreshes the dashboard's cached results: its thumbnails are rendered again,
    // at most every strata.thumbnails.min-interval (10m here): the one just made holds it back
    java.time.Instant warmed = java.time.Instant.now();
    Response warm = admin.post("/api/v1/jobs", Map.of("kind", "warmup", "dashboardId", id));
    assertThat(warm.status()).as(warm.toString()).isEqualTo(202);
    String warmPath = "/api/v1/jobs/" + warm.json().path("id").asText();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!admin.get(warmPath).json().path("finishedAt").isTextual()) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(200);
    }
    List<JsonNode> held = thumbnailJobs(tessJobs, warmed);
    assertThat(held).as("a render queued by the warm-up: " + held).hasSize(2); // dashboard, chart
    assertThat(held).allSatisfy(j -> assertThat(j.path("state").asText()).isEqualTo("queued"));
  }

  @Test
  void aThumbnailIsRenderedAsItsViewerWithOnlyTheRowsTheyMaySee() throws Exception {
    String path = "/api/v1/thumbnails/dashboards/" + dashboardId;
    Client ednaPng = server.as("edna", PASSWORD).header("Accept", "image/png");
    Client adminPng = server.admin().header("Accept", "image/png");
    BufferedImage mine = png(keep("thumbnail-edna.png", thumbnail(ednaPng, path,
        r -> r.status() == 200)));
    BufferedImage all = png(keep("thumbnail-admin.png", thumbnail(adminPng, path,
        r -> r.status() == 200)));
    notBlank(mine);
    notBlank(all);
    assertThat(differingPixels(mine, all)).as("edna's thumbnail is not the admin's")
        .isGreaterThan(200);
    // the render ran the chart's query as edna, under her row-level rule: one region, Europe
    boolean found = false;
    for (JsonNode q : admin.get("/api/v1/queries?limit=2000").json()) {
      if ("edna".equals(q.path("username").asText()) && !q.path("endpoint").asText()
          .equals("report") && q.path("queryText").asText().contains("customers.region")
          && !q.path("errorCode").isTextual()) {
        found = true;
        assertThat(q.path("rows").asLong()).as(q.toString()).isEqualTo(1);
      }
    }
    assertThat(found).as("a query of edna's thumbnail render in the query log").isTrue();
  }

  @Test
  void aCacheInvalidationOfItsModelQueuesItsThumbnailAgain() throws Exception {
    created(admin.post("/api/v1/users", Map.of("username", "ivy", "password", PASSWORD,
        "role", "viewer")));
    JsonNode d = created(admin.post("/api/v1/dashboards", "{\"name\": \"Invalidated\","
        + " \"charts\": [" + CHART + "]}"));
    String path = "/api/v1/thumbnails/dashboards/" + d.path("id").asLong();
    Client ivy = server.as("ivy", PASSWORD).header("Accept", "image/png");
    Client ivyJobs = server.as("ivy", PASSWORD);
    notBlank(png(thumbnail(ivy, path, r -> r.status() == 200)));
    thumbnailJobsDone(ivyJobs, java.time.Instant.EPOCH, 1);

    // a model the chart does not read: nothing to render
    java.time.Instant other = java.time.Instant.now();
    Response products = admin.post("/api/v1/cache/invalidate", Map.of("model", "products"));
    assertThat(products.status()).as(products.toString()).isEqualTo(200);
    Thread.sleep(500);
    assertThat(thumbnailJobs(ivyJobs, other)).isEmpty();

    // the chart's model (orders): ivy's thumbnail is rendered again, held back by the
    // min-interval since the one just drawn
    java.time.Instant invalidated = java.time.Instant.now();
    Response orders = admin.post("/api/v1/cache/invalidate", Map.of("model", "orders"));
    assertThat(orders.status()).as(orders.toString()).isEqualTo(200);
    List<JsonNode> queued = thumbnailJobs(ivyJobs, invalidated);
    assertThat(queued).as("a render queued by the invalidation: " + queued).hasSize(1);
    assertThat(queued.get(0).path("state").asText()).isEqualTo("queued");
  }

  // ------------------------------------------------------------------ bad input

  @Test
  void everyBadInputIsAClear400AndNothingIsSaved() throws Exception {
    int reports = admin.get("/api/v1/reports").json().size();
    int alerts = admin.get("/api/v1/alerts").json().size();
    int schedules = admin.get("/api/v1/job-schedules").json().size();
    List<Map<String, Object>> email = List.of(Map.of("type", "email", "to",
        List.of("ops@example.com")));

    badRequest(admin.post("/api/v1/reports", Map.of("name", "x", "dashboardId", dashboardId,
        "cron", "every day", "channels", email)), "INVALID_CRON", "cron");
    badRequest(admin.post("/api/v1/reports", Map.of("name", "x", "dashboardId", dashboardId,
        "cron", "0 0 7 * * *", "timeZone", "Mars/Olympus", "channels", email)),
        "INVALID_TIME_ZONE", "timeZone");
    badRequest(admin.post("/api/v1/reports", Map.of("name", "x", "dashboardId", 987654,
        "cron", "0 0 7 * * *", "channels", email)), "UNKNOWN_DASHBOARD", "dashboardId");
    badRequest(admin.post("/api/v1/reports", Map.of("name", "x", "dashboardId", dashboardId,
        "cron", "0 0 7 * * *", "channels", List.of(Map.of("type", "webhook", "url",
            "htp:/nowhere")))), "INVALID_REPORT", "channels[0].url");
    badRequest(admin.post("/api/v1/reports", Map.of("name", "x", "dashboardId", dashboardId,
        "cron", "0 0 7 * * *", "channels", List.of(Map.of("type", "email", "to",
            List.of("not an address"))))), "INVALID_REPORT", "channels[0].to[0]");
    badRequest(admin.post("/api/v1/reports", Map.of("name", "x", "dashboardId", dashboardId,
        "format", "gif", "cron", "0 0 7 * * *", "channels", email)), "INVALID_REPORT", "format");
    badRequest(admin.post("/api/v1/reports", "{\"name\": "), "INVALID_JSON", "line 1, column 10");
    badRequest(admin.post("/api/v1/alerts", Map.of("name", "two columns",
        "query", Map.of("measures", List.of("orders.count"), "dimensions",
            List.of("orders.status")), "condition", Map.of("op", ">", "value", 1),
        "cron", "0 * * * * *", "channels", email)), "ALERT_NOT_ONE_VALUE", "query");
    badRequest(admin.post("/api/v1/alerts", Map.of("name", "two SQL columns",
        "sql", "SELECT v, v + 1 AS w FROM metrics.public.metric", "condition", Map.of("op", ">",
            "value", 1), "cron", "0 * * * * *", "channels", email)), "ALERT_NOT_ONE_VALUE", "sql");
    badRequest(admin.post("/api/v1/alerts", Map.of("name", "bad op",
        "query", Map.of("measures", List.of("orders.count")), "condition", Map.of("op", "~",
            "value", 1), "cron", "0 * * * * *", "channels", email)), "INVALID_REPORT",
        "condition.op");

    // the job kinds of reports are made by their own API, never submitted as plain jobs
    badRequest(admin.post("/api/v1/jobs", Map.of("kind", "report", "query",
        Map.of("measures", List.of("orders.count")))), "INVALID_JOB", "kind");

    // the SMTP server down: an email channel is refused when saved
    mail.stop();
    try {
      badRequest(admin.post("/api/v1/reports", Map.of("name", "x", "dashboardId", dashboardId,
          "cron", "0 0 7 * * *", "channels", email)), "SMTP_UNREACHABLE", "channels[0]");
    } finally {
      mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", "smtp"));
      mail.start();
    }

    // a viewer may not create one; nobody sees an unknown one
    assertThat(vic.post("/api/v1/reports", Map.of("name", "x")).status()).isEqualTo(403);
    assertThat(admin.get("/api/v1/reports/nope").status()).isEqualTo(404);

    assertThat(admin.get("/api/v1/reports").json()).hasSize(reports);
    assertThat(admin.get("/api/v1/alerts").json()).hasSize(alerts);
    assertThat(admin.get("/api/v1/job-schedules").json()).hasSize(schedules);
    // and the server is still up and answering
    assertThat(admin.get("/api/v1/dashboards").status()).isEqualTo(200);
  }

  @Test
  void aPdfReportAndABigNumberAsText() throws Exception {
    JsonNode pdf = created(admin.post("/api/v1/reports", Map.of("name", "Regions PDF",
        "dashboardId", dashboardId, "format", "pdf", "cron", "0 0 7 * * *",
        "channels", List.of(Map.of("type", "email", "to", List.of("pdf@example.com"))))));
    String path = "/api/v1/reports/" + pdf.path("id").asText();
    admin.post(path + "/test-send", Map.of());
    assertThat(runs(admin, path, finished(1)).get(0).path("state").asText()).isEqualTo("sent");
    byte[] file = keep("report.pdf", attachment(mailTo("pdf@example.com").get(0),
        "application/pdf"));
    assertThat(new String(file, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
    assertThat(file.length).isGreaterThan(5_000);

    JsonNode d = created(admin.post("/api/v1/dashboards", "{\"name\": \"Numbers\", \"charts\": ["
        + "{\"title\": \"Orders\", \"viz\": {\"type\": \"number\"}, \"query\": {\"measures\":"
        + " [\"orders.count\"]}}]}"));
    long number = d.path("charts").get(0).path("id").asLong();
    String count = admin.post("/api/v1/query", "{\"measures\": [\"orders.count\"]}").json()
        .path("data").get(0).path("orders.count").asText();
    JsonNode text = created(admin.post("/api/v1/reports", Map.of("name", "Orders today",
        "chartId", number, "format", "text", "cron", "0 0 7 * * *",
        "channels", List.of(Map.of("type", "webhook", "url", hook() + "?text")))));
    String textPath = "/api/v1/reports/" + text.path("id").asText();
    int before = hookBodies.size();
    admin.post(textPath + "/test-send", Map.of());
    assertThat(runs(admin, textPath, finished(1)).get(0).path("state").asText())
        .isEqualTo("sent");
    assertThat(TestServer.JSON.readTree(hookBodies.get(before)).path("text").asText())
        .contains("Orders: " + count);
    // text needs a big-number chart
    badRequest(admin.post("/api/v1/reports", Map.of("name", "x", "chartId", chartId,
        "format", "text", "cron", "0 0 7 * * *", "channels", List.of(Map.of("type", "webhook",
            "url", hook())))), "INVALID_REPORT", "format");
  }

  @Test
  void anAlertWhoseWarehouseIsDownIsInErrorAndSaysSo() throws Exception {
    created(admin.post("/api/v1/datasources", Map.of("name", "nowhere_alerts", "kind",
        "postgres", "url", "jdbc:postgresql://127.0.0.1:1/nothing", "username", "postgres",
        "connectionTimeoutMs", 1000)), 200);
    Response model = admin.send("PUT", "/api/v1/models/nowhere_alert_nums", "application/yaml",
        """
        name: nowhere_alert_nums
        data_source: nowhere_alerts
        sql: SELECT 1 AS n
        measures:
          - { name: count, agg: count }
        """);
    assertThat(model.status()).as(model.toString()).isEqualTo(200);
    JsonNode a = created(admin.post("/api/v1/alerts", Map.of("name", "Unreachable metric",
        "query", Map.of("measures", List.of("nowhere_alert_nums.count")),
        "condition", Map.of("op", ">",
            "value", 10), "cron", "* * * * * *", "gracePeriod", "1h",
        "channels", List.of(Map.of("type", "webhook", "url", hook() + "?down")))));
    String path = "/api/v1/alerts/" + a.path("id").asText();
    try {
      JsonNode runs = runs(admin, path, r -> count(r, "error") >= 2);
      assertThat(runs.get(0).path("error").asText()).contains("warehouse is unavailable");
      assertThat(admin.get(path).json().path("state").asText()).isEqualTo("error");
      List<String> sent = hookBodies.stream().filter(b -> b.contains("Unreachable metric"))
          .toList();
      assertThat(sent).hasSize(1); // once, then quiet within the grace period
      assertThat(sent.get(0)).contains("could not be checked").contains("unavailable");
    } finally {
      admin.delete(path);
    }
  }

  @Test
  void aReportCanBePausedResumedChangedAndDeletedWithItsSchedule() {
    int schedules = admin.get("/api/v1/job-schedules").json().size();
    JsonNode r = created(admin.post("/api/v1/reports", Map.of("name", "Lifecycle",
        "dashboardId", dashboardId, "format", "pdf", "cron", "0 0 7 * * *",
        "channels", List.of(Map.of("type", "webhook", "url", hook())))));
    String path = "/api/v1/reports/" + r.path("id").asText();
    assertThat(admin.get("/api/v1/job-schedules").json()).hasSize(schedules + 1);
    JsonNode paused = admin.post(path + "/pause", Map.of()).json();
    assertThat(paused.path("active").asBoolean()).isFalse();
    assertThat(admin.get("/api/v1/job-schedules").json()).hasSize(schedules);
    assertThat(admin.post(path + "/resume", Map.of()).json().path("active").asBoolean()).isTrue();
    assertThat(admin.get("/api/v1/job-schedules").json()).hasSize(schedules + 1);
    JsonNode changed = admin.put(path, Map.of("name", "Lifecycle weekly", "dashboardId",
        dashboardId, "format", "pdf", "cron", "0 0 7 * * MON", "channels",
        List.of(Map.of("type", "webhook", "url", hook())))).json();
    assertThat(changed.path("name").asText()).isEqualTo("Lifecycle weekly");
    assertThat(changed.path("cron").asText()).isEqualTo("0 0 7 * * MON");
    assertThat(admin.get("/api/v1/job-schedules").json()).hasSize(schedules + 1);
    // a bad change leaves the report as it was
    badRequest(admin.put(path, Map.of("name", "broken", "dashboardId", dashboardId,
        "cron", "nope", "channels", List.of(Map.of("type", "webhook", "url", hook())))),
        "INVALID_CRON", "cron");
    assertThat(admin.get(path).json().path("name").asText()).isEqualTo("Lifecycle weekly");
    assertThat(admin.delete(path).status()).isEqualTo(204);
    assertThat(admin.get(path).status()).isEqualTo(404);
    assertThat(admin.get("/api/v1/job-schedules").json()).hasSize(schedules);
  }
}
