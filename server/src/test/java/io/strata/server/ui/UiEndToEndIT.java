package io.strata.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.TestServer;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The web UI end to end: a real server with the demo (in this JVM, serving the built UI from
 * the strata-ui jar), and {@code ui/e2e/ui.e2e.mjs} (then every other {@code ui/e2e/*.e2e.mjs},
 * in name order, each with the helpers of {@code ui/e2e/lib.mjs}) driving Debian's Chromium through
 * playwright-core: log in, the demo dashboard draws every chart, a filter changes them, a chart
 * is built and saved, a model error is shown at its line and nothing is saved, SQL runs. The
 * script's output is forwarded; screenshots and {@code render.json} (the warm-cache render
 * time, reported, never asserted) land in {@code server/target/ui-e2e}. Runs after
 * {@code package} (failsafe), when {@code ui/node_modules} has been installed by the ui module.
 */
class UiEndToEndIT {
  static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

  /**
   * A dashboard of two fast charts and one whose query sleeps 6 s in Postgres ({@code pg_sleep}:
   * DuckDB cannot sleep), for the script's slow-chart scenario; its id.
   */
  static long slowDashboard(TestServer s) {
    Warehouse pg = Warehouses.postgres();
    TestServer.Client admin = s.admin();
    TestServer.Response ds = admin.post("/api/v1/datasources", Map.of("name", "pg_e2e",
        "kind", "postgres", "url", pg.jdbcUrl(), "username", pg.user() == null ? "" : pg.user(),
        "password", pg.password() == null ? "" : pg.password()));
    assertThat(ds.status()).as(ds.toString()).isIn(200, 201);
    for (String[] m : new String[][] {
        {"quick", "name: quick\ndata_source: pg_e2e\nsql: SELECT g AS n, g % 4 AS bucket FROM"
            + " generate_series(1, 50) g\ndimensions:\n  - { name: bucket, type: number }\n"
            + "measures:\n  - { name: count, agg: count }\n"},
        {"sleepy", "name: sleepy\ndata_source: pg_e2e\nsql: SELECT 1 AS n FROM pg_sleep(6)\n"
            + "measures:\n  - { name: count, agg: count }\n"}}) {
      TestServer.Response r = admin.send("PUT", "/api/v1/models/" + m[0], "application/yaml", m[1]);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }
    TestServer.Response d = admin.post("/api/v1/dashboards", """
        {"name": "Slow and fast", "charts": [
          {"title": "Fast count", "viz": {"type": "number"}, "layout": {"x": 0, "y": 0, "w": 4, "h": 3},
           "query": {"measures": ["quick.count"]}},
          {"title": "Slow", "viz": {"type": "number"}, "layout": {"x": 4, "y": 0, "w": 4, "h": 3},
           "query": {"measures": ["sleepy.count"]}},
          {"title": "Fast by bucket", "viz": {"type": "number"}, "layout": {"x": 8, "y": 0, "w": 4, "h": 3},
           "query": {"measures": ["quick.count"], "filters": [{"member": "quick.bucket", "operator": "equals", "values": ["1"]}]}}
        ]}""");
    assertThat(d.status()).as(d.toString()).isEqualTo(201);
    return d.json().path("id").asLong();
  }

  @Test
  void theUiWorksInABrowser() throws Exception {
    assertThat(Files.isExecutable(CHROMIUM))
        .as(CHROMIUM + " is missing: install Debian's Chromium (apt-get install -y chromium; .ci/run does)."
            + " The UI end-to-end test needs it and is never skipped.")
        .isTrue();
    Path server = Path.of(System.getProperty("basedir", "server")).toAbsolutePath();
    Path ui = server.getParent().resolve("ui");
    Path script = ui.resolve("e2e/ui.e2e.mjs");
    assertThat(script).exists();
    assertThat(ui.resolve("node_modules/playwright-core"))
        .as("ui/node_modules is not installed: build the ui module first (./mvnw -pl ui,server -am verify)")
        .exists();
    Path out = server.resolve("target/ui-e2e");
    Files.createDirectories(out);
    Files.deleteIfExists(out.resolve("render.json"));

    try (TestServer s = TestServer.start(Map.of())) {
      // The UI is served at / without a session, with SPA routing, and the API stays protected.
      TestServer.Response index = s.anonymous().get("/dashboards/1");
      assertThat(index.status()).isEqualTo(200);
      assertThat(index.header("Content-Type")).startsWith("text/html");
      assertThat(index.text()).contains("<div id=\"root\">");

      long slow = slowDashboard(s);

      // ui.e2e.mjs first (the demo dashboard's render figures), then each area's own script.
      List<Path> scripts = new ArrayList<>(List.of(script));
      try (Stream<Path> files = Files.list(ui.resolve("e2e"))) {
        files.filter(f -> f.getFileName().toString().endsWith(".e2e.mjs") && !f.equals(script))
            .sorted().forEach(scripts::add);
      }
      for (Path each : scripts) {
        runScript(each, ui, s, out, slow);
      }
    }
    assertThat(out.resolve("dashboard.png")).isNotEmptyFile();
    assertThat(out.resolve("chart-editor.png")).isNotEmptyFile();
    assertThat(out.resolve("slow-chart.png")).isNotEmptyFile();
    String render = Files.readString(out.resolve("render.json"));
    assertThat(render).contains("\"warmMedianMs\"");
    System.out.println("[ui-e2e] render.json: " + render);
  }

  private static void runScript(Path script, Path ui, TestServer s, Path out, long slow)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder("node", script.toString())
        .directory(ui.toFile())
        .redirectErrorStream(true);
    pb.environment().put("STRATA_URL", s.uri("/").toString());
    pb.environment().put("STRATA_USER", "admin");
    pb.environment().put("STRATA_PASSWORD", TestServer.ADMIN_PASSWORD);
    pb.environment().put("E2E_OUT", out.toString());
    pb.environment().put("CHROMIUM", CHROMIUM.toString());
    pb.environment().put("E2E_SLOW_DASHBOARD", Long.toString(slow));
    Process p = pb.start();
    String name = script.getFileName().toString();
    StringBuilder log = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        System.out.println("[ui-e2e " + name + "] " + line);
        log.append(line).append('\n');
      }
    }
    assertThat(p.waitFor(10, TimeUnit.MINUTES)).as(name + " finished").isTrue();
    assertThat(p.exitValue()).as(name + " exit status; its output:\n" + log).isZero();
  }
}
