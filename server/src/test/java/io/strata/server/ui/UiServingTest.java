package io.strata.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.TestServer;
import java.nio.charset.StandardCharsets;
import io.strata.server.TestServer.Response;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The built UI served at {@code /} by a real server: its files without a session, SPA routes
 * answered with index.html, and the API, health, metrics and OpenAPI untouched by it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiServingTest {
  TestServer server;

  @BeforeAll
  void start() {
    server = TestServer.start(Map.of());
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theAppAndItsAssetsAreServedWithoutASession() {
    Response index = server.anonymous().get("/");
    assertThat(index.status()).isEqualTo(200);
    assertThat(index.header("Content-Type")).startsWith("text/html");
    assertThat(index.header("Cache-Control")).isEqualTo("no-cache");
    Matcher script = Pattern.compile("src=\"/(assets/[^\"]+\\.js)\"").matcher(index.text());
    assertThat(script.find()).as("index.html loads a bundled script: " + index.text()).isTrue();
    // Nothing from outside the server: no CDN, no web fonts.
    assertThat(index.text()).doesNotContain("http://", "https://");

    Response js = server.anonymous().get("/" + script.group(1));
    assertThat(js.status()).isEqualTo(200);
    assertThat(js.header("Content-Type")).startsWith("text/javascript");
    assertThat(js.header("Cache-Control")).contains("immutable");
    assertThat(js.bytes().length).isGreaterThan(1000);
    assertThat(server.anonymous().get("/favicon.svg").header("Content-Type")).startsWith("image/svg+xml");
  }

  @Test
  void appRoutesAnswerIndexHtmlAndMissingFilesAre404() {
    String index = server.anonymous().get("/").text();
    for (String route : new String[] {"/dashboards", "/dashboards/1", "/charts/new", "/models/orders", "/sql"}) {
      Response r = server.anonymous().get(route);
      assertThat(r.status()).as(route).isEqualTo(200);
      assertThat(r.text()).as(route).isEqualTo(index);
    }
    Response missing = server.anonymous().get("/assets/no-such-file.js");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().path("error").path("code").asText()).isEqualTo("NOT_FOUND");
    assertThat(server.anonymous().get("/../etc/passwd").status()).isNotEqualTo(200);
  }

  @Test
  void apiHealthMetricsAndOpenApiAreNotTheUis() {
    assertThat(server.anonymous().get("/health").json().path("status").asText()).isEqualTo("UP");
    for (String path : new String[] {"/api/v1/dashboards", "/api/v1/no-such-endpoint", "/metrics", "/openapi/strata-v1.yml"}) {
      assertThat(server.anonymous().get(path).status()).as(path).isEqualTo(401);
    }
    // The UI's own calls get no Basic challenge, so the browser shows the login page, not a dialog.
    Response ui = server.anonymous().header("X-Requested-With", "XMLHttpRequest").get("/api/v1/auth/me");
    assertThat(ui.status()).isEqualTo(401);
    assertThat(ui.header("WWW-Authenticate")).isNull();
    assertThat(server.anonymous().get("/api/v1/auth/me").header("WWW-Authenticate")).startsWith("Basic");

    assertThat(server.admin().get("/openapi/strata-v1.yml").text()).contains("/api/v1/dashboards");
    assertThat(server.admin().get("/metrics").status()).isEqualTo(200);
    Response unknown = server.admin().get("/api/v1/no-such-endpoint");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.header("Content-Type")).startsWith("application/json");
    // A write to an app route is not the UI's either.
    assertThat(server.anonymous().send("POST", "/dashboards", "application/json", "{}").status()).isEqualTo(401);
  }

  /** A response read off a raw socket: what a client that sends any bytes as the URL gets. */
  record Raw(int status, String contentType, String body) {}

  /** Sends the request line as given: java.net.http refuses URLs such as {@code ?x=%zz}. */
  Raw raw(String target, boolean admin) throws Exception {
    var uri = server.uri("/");
    try (var socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      String auth = admin ? "Authorization: Basic " + java.util.Base64.getEncoder().encodeToString(
          ("admin:" + TestServer.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n" : "";
      socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + auth
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int end = all.indexOf("\r\n\r\n");
      String head = all.substring(0, end);
      String type = head.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("content-type:"))
          .map(l -> l.substring(13).trim()).findFirst().orElse("");
      return new Raw(Integer.parseInt(head.split(" ")[1]), type, all.substring(end + 4));
    }
  }

  @Test
  void apiUrlsTheRouterCannotDecodeOrMatchAreJsonErrorsNeverTheUi() throws Exception {
    for (String path : new String[] {"/api/v1/meta?x=%zz", "/api/v1/dashboards?x=%", "/api/v1/%zz",
        "/api/v1/dashboards/%zz", "/api/v1/dashboards/abc", "/api/v1/dashboards/99999999999999999999",
        "/api/v1/charts?dashboardId=1.5", "/api/v1/charts?dashboardId=%zz", "/api/%E0%A4%A",
        "/api/v1/no/such/route?x=%zz", "/api/v1/meta?%zz=1"}) {
      Raw r = raw(path, true);
      assertThat(r.status()).as(path + " answered " + r).isBetween(400, 404);
      assertThat(r.contentType()).as(path + " answered " + r).startsWith("application/json");
      String message = TestServer.JSON.readTree(r.body()).path("error").path("message").asText();
      assertThat(message).as(path).isNotBlank().doesNotContain("java.", "Exception");
    }
    // Without credentials, the same: the API's JSON error, not the UI's page.
    Raw anonymous = raw("/api/v1/meta?x=%zz", false);
    assertThat(anonymous.status()).isIn(400, 401);
    assertThat(anonymous.contentType()).startsWith("application/json");
    // and the server still answers.
    assertThat(server.admin().get("/api/v1/meta").status()).isEqualTo(200);
  }
}
