package io.strata.server.reports;

import static io.strata.server.reports.ReportsTest.attachment;
import static io.strata.server.reports.ReportsTest.created;
import static io.strata.server.reports.ReportsTest.notBlank;
import static io.strata.server.reports.ReportsTest.png;
import static io.strata.server.reports.ReportsTest.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import io.strata.server.jobs.JobWorkersTest;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import jakarta.mail.internet.MimeMessage;
import java.awt.image.BufferedImage;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Reports run by a separate {@code strata worker} process (the server only enqueues): a real
 * child worker and the server share a Postgres metadata database and the job store. The worker
 * serves no UI, so it renders the server's pages at {@code strata.reports.base-url}; without
 * that setting its runs fail saying so (in the run's error and in the message sent).
 */
class ReportsWorkerTest {
  static final String MODEL = """
      name: sales
      data_source: mem
      sql: >-
        SELECT * FROM (VALUES ('North', 120), ('South', 80), ('East', 150), ('West', 60))
        AS t(region, amount)
      dimensions:
        - { name: region, type: string }
      measures:
        - { name: total, agg: sum, expr: amount }
      """;
  static final String CHART = """
      {"title": "Sales by region", "viz": {"type": "bar"}, "layout": {"x": 0, "y": 0, "w": 12, "h": 6},
       "query": {"measures": ["sales.total"], "dimensions": ["sales.region"],
                 "order": {"sales.region": "asc"}}}""";

  @Test
  void aWorkerProcessRendersAndMailsAReportAndSaysWhenItHasNoBaseUrl() throws Exception {
    Warehouse meta = Warehouses.postgresDatabase("strata_reports_worker_test", true);
    Path store = Files.createTempDirectory("strata-reports-worker-store");
    int smtpPort;
    try (ServerSocket s = new ServerSocket(0)) {
      smtpPort = s.getLocalPort();
    }
    GreenMail mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", "smtp"));
    mail.start();
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    Map<String, Object> settings = new HashMap<>();
    settings.put("strata.secret.key", java.util.Base64.getEncoder().encodeToString(key));
    settings.put("strata.metadata.url", meta.jdbcUrl());
    settings.put("strata.metadata.user", meta.user());
    settings.put("strata.metadata.password", meta.password() == null ? "" : meta.password());
    settings.put("strata.demo.enabled", "false");
    settings.put("strata.workers.poll-interval", "100ms");
    settings.put("strata.jobs.store-dir", store.toString());
    settings.put("strata.smtp.host", "127.0.0.1");
    settings.put("strata.smtp.port", String.valueOf(smtpPort));
    settings.put("strata.smtp.tls", "none");
    settings.put("strata.smtp.from", "reports@strata.test");
    settings.put("strata.reports.retry-backoff", "100ms");
    settings.put("strata.reports.render-timeout", "180s"); // a cold worker on a loaded machine
    Map<String, Object> serverSettings = new HashMap<>(settings);
    serverSettings.put("strata.workers.enabled", "false");
    Process worker = null;
    try (TestServer server = TestServer.start(serverSettings)) {
      Client admin = server.admin();
      created(admin.post("/api/v1/datasources", Map.of("name", "mem", "kind", "duckdb",
          "url", "jdbc:duckdb:")), 200);
      Response model = admin.send("PUT", "/api/v1/models/sales", "application/yaml", MODEL);
      assertThat(model.status()).as(model.toString()).isEqualTo(200);
      long dashboard = created(admin.post("/api/v1/dashboards", "{\"name\": \"Sales\","
          + " \"charts\": [" + CHART + "]}")).path("id").asLong();
      JsonNode report = created(admin.post("/api/v1/reports", Map.of("name", "Sales daily",
          "dashboardId", dashboard, "format", "png", "width", 900, "height", 600,
          "cron", "0 0 7 * * *",
          "channels", List.of(Map.of("type", "email", "to", List.of("ops@example.com"))))));
      String path = "/api/v1/reports/" + report.path("id").asText();

      // a worker that was not told where the UI is: the run fails, naming the setting
      worker = JobWorkersTest.worker("reports-no-base-url", settings, "-Xmx512m");
      assertThat(admin.post(path + "/test-send", Map.of()).status()).isEqualTo(202);
      JsonNode failed = run(admin, path, 1, worker);
      assertThat(failed.path("state").asText()).as(failed.toString()).isEqualTo("failed");
      assertThat(failed.path("error").asText()).as(failed.toString())
          .contains("strata.reports.base-url");
      MimeMessage told = mail.getReceivedMessages()[0];
      assertThat(told.getSubject()).contains("could not be produced");
      assertThat(text(told)).contains("strata.reports.base-url");
      worker.destroy();
      assertThat(worker.waitFor(60, TimeUnit.SECONDS)).isTrue();

      // a worker with it renders the server's page and mails a PNG that is not blank
      Map<String, Object> withBase = new HashMap<>(settings);
      String base = server.uri("/").toString().replaceAll("/$", "");
      withBase.put("strata.reports.base-url", base);
      worker = JobWorkersTest.worker("reports-base-url", withBase, "-Xmx512m");
      assertThat(admin.post(path + "/test-send", Map.of()).status()).isEqualTo(202);
      JsonNode sent = run(admin, path, 2, worker);
      assertThat(sent.path("state").asText()).as(sent.toString()).isEqualTo("sent");
      assertThat(sent.path("deliveries").get(0).path("ok").asBoolean()).isTrue();
      MimeMessage m = mail.getReceivedMessages()[1];
      assertThat(m.getSubject()).isEqualTo("[test] Sales daily");
      assertThat(text(m)).contains(base + "/dashboards/" + dashboard);
      BufferedImage img = png(ReportsTest.keep("worker-report.png", attachment(m, "image/png")));
      assertThat(img.getWidth()).isEqualTo(900);
      assertThat(img.getHeight()).isEqualTo(600);
      notBlank(img);
      assertThat(barPixels(img)).as("the chart's bars are drawn (not a 'slow query' note)")
          .isGreaterThan(2000);
      // the job ran on the worker, not in the server (whose workers are off)
      JsonNode job = admin.get("/api/v1/jobs/" + sent.path("jobId").asText()).json();
      assertThat(job.path("worker").asText()).as(job.toString()).isNotBlank();
    } finally {
      if (worker != null) {
        worker.destroyForcibly();
      }
      mail.stop();
    }
  }

  /** Pixels of the bars' blue: a drawn bar chart has thousands, a page of text a few. */
  static int barPixels(BufferedImage img) {
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y);
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        if (b > 150 && r < 120 && b - g > 60) {
          n++;
        }
      }
    }
    return n;
  }

  /** The newest run once {@code n} runs have finished. */
  static JsonNode run(Client admin, String path, int n, Process worker) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (true) {
      JsonNode runs = admin.get(path + "/runs").json();
      int done = 0;
      for (JsonNode r : runs) {
        if (!r.path("state").asText().equals("running")) {
          done++;
        }
      }
      if (done >= n) {
        return runs.get(0);
      }
      assertThat(worker.isAlive()).as("the worker is alive").isTrue();
      assertThat(System.nanoTime()).as(path + " runs: " + runs).isLessThan(deadline);
      Thread.sleep(200);
    }
  }
}
