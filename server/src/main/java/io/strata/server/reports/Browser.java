package io.strata.server.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machine's headless Chromium, driven over the Chrome DevTools Protocol on the JDK's own
 * WebSocket client. Strata needs five commands of the protocol (a browser context, a page,
 * navigate, evaluate, screenshot or PDF), so a few hundred lines here cost less than a client
 * library that tracks every protocol version, or Selenium with a chromedriver that must match
 * the browser's version.
 *
 * <p>One browser process per server, started on first use and restarted when it died; every
 * render gets its own browser context (its own cookies), closed afterwards, so one render never
 * sees another's session. Renders run one at a time (a page of ECharts canvases is CPU-bound).
 */
final class Browser implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Browser.class);
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

  /** What the page should show, as whom, and in what form. */
  record Render(String url, String cookieName, String cookieValue, int width, int height,
      boolean pdf, double scale) {}

  /** A page that did not become ready: its charts' errors, or what it was waiting for. */
  static final class RenderException extends Exception {
    RenderException(String message) {
      super(message);
    }
  }

  /**
   * True once every chart card has finished (ready or error, not loading nor running as an
   * async job) and every ECharts canvas has drawn
   * a frame; the UI marks both ({@code data-chart-state}, {@code data-rendered}).
   */
  static final String READY = "(() => {"
      + " if (document.querySelector('.login-page')) return 'login';"
      + " const cards = [...document.querySelectorAll('.chart-card')];"
      + " if (document.querySelector('[data-empty-dashboard]')) return 'ready';"
      + " if (cards.length === 0) return 'waiting';"
      + " if (cards.some(c => c.dataset.chartState === 'loading'"
      // a slow chart runs as an async job ('async') and draws when it ends: not drawn yet
      + " || c.dataset.chartState === 'async')) return 'waiting';"
      + " const charts = [...document.querySelectorAll('.chart-card [data-echart], .chart-card"
      + " .echart')];"
      + " if (charts.some(c => c.getAttribute('data-rendered') !== 'true')) return 'waiting';"
      + " return 'ready'; })()";

  /** Each chart that could not be drawn: its title and the error the page shows. */
  static final String ERRORS = "JSON.stringify([...document.querySelectorAll("
      + "'.chart-card[data-chart-state=error]')].map(c => ({title: c.dataset.chartTitle,"
      + " error: (c.querySelector('.chart-error .ant-alert-description') || c).innerText})))";

  private final String executable;
  private final Duration timeout;
  private Process process;
  private Path profile;
  private Cdp cdp;

  Browser(String executable, Duration timeout) {
    this.executable = executable;
    this.timeout = timeout;
  }

  /** Renders a page; PNG or PDF bytes. */
  synchronized byte[] render(Render r) throws IOException, RenderException {
    Cdp c = connection();
    String context = null;
    try {
      context = c.send(null, "Target.createBrowserContext", obj()).path("browserContextId")
          .asText();
      String target = c.send(null, "Target.createTarget", obj().put("url", "about:blank")
          .put("browserContextId", context)).path("targetId").asText();
      String session = c.send(null, "Target.attachToTarget", obj().put("targetId", target)
          .put("flatten", true)).path("sessionId").asText();
      c.send(session, "Emulation.setDeviceMetricsOverride", obj().put("width", r.width())
          .put("height", r.height()).put("deviceScaleFactor", 1).put("mobile", false));
      if (r.cookieName() != null) {
        JsonNode set = c.send(session, "Network.setCookie", obj().put("name", r.cookieName())
            .put("value", r.cookieValue()).put("url", r.url()).put("httpOnly", true));
        if (!set.path("success").asBoolean(true)) {
          throw new IOException("the browser refused the session cookie for " + r.url());
        }
      }
      c.send(session, "Page.enable", obj());
      JsonNode nav = c.send(session, "Page.navigate", obj().put("url", r.url()));
      if (nav.hasNonNull("errorText")) {
        throw new RenderException("the browser could not open " + r.url() + ": "
            + nav.path("errorText").asText());
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      String state = "waiting";
      while (System.nanoTime() < deadline) {
        state = evaluate(c, session, READY);
        if (!state.equals("waiting")) {
          break;
        }
        sleep(150);
      }
      if (state.equals("login")) {
        throw new RenderException("the page asked to log in: the owner's session was refused");
      }
      if (!state.equals("ready")) {
        throw new RenderException("the page's charts were not drawn within " + timeout.toSeconds()
            + " s (strata.reports.render-timeout)");
      }
      JsonNode errors = ReportSpec.JSON.readTree(evaluate(c, session, ERRORS));
      if (!errors.isEmpty()) {
        List<String> each = new ArrayList<>();
        errors.forEach(e -> each.add("chart '" + e.path("title").asText() + "': "
            + e.path("error").asText().trim()));
        throw new RenderException(String.join("; ", each));
      }
      sleep(200); // the last animation frame after 'finished'
      JsonNode out;
      if (r.pdf()) {
        out = c.send(session, "Page.printToPDF", obj().put("printBackground", true)
            .put("preferCSSPageSize", false));
      } else {
        ObjectNode params = obj().put("format", "png");
        if (r.scale() != 1.0) {
          params.putObject("clip").put("x", 0).put("y", 0).put("width", r.width())
              .put("height", r.height()).put("scale", r.scale());
        }
        out = c.send(session, "Page.captureScreenshot", params);
      }
      return Base64.getDecoder().decode(out.path("data").asText());
    } finally {
      if (context != null) {
        try {
          c.send(null, "Target.disposeBrowserContext", obj().put("browserContextId", context));
        } catch (IOException e) {
          LOG.debug("browser context not disposed: {}", e.toString());
        }
      }
    }
  }

  private static String evaluate(Cdp c, String session, String expression) throws IOException {
    JsonNode r = c.send(session, "Runtime.evaluate", obj().put("expression", expression)
        .put("returnByValue", true));
    return r.path("result").path("value").asText("waiting");
  }

  private static ObjectNode obj() {
    return ReportSpec.JSON.createObjectNode();
  }

  private static void sleep(long ms) throws IOException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while rendering", e);
    }
  }

  /** The connection to a running browser, starting one if needed. */
  private Cdp connection() throws IOException {
    if (cdp != null && process != null && process.isAlive() && !cdp.closed) {
      return cdp;
    }
    close();
    if (!Files.isExecutable(Path.of(executable))) {
      throw new IOException("no Chromium at " + executable + ": install it (Debian: apt-get"
          + " install chromium) or set strata.reports.chromium to its path");
    }
    profile = Files.createTempDirectory("strata-chromium-");
    ProcessBuilder pb = new ProcessBuilder(executable, "--headless", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--hide-scrollbars", "--mute-audio", "--remote-debugging-port=0",
        "--remote-debugging-address=127.0.0.1", "--user-data-dir=" + profile, "about:blank");
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    process = pb.start();
    BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(),
        StandardCharsets.UTF_8));
    CompletableFuture<String> url = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try {
        String line;
        while ((line = err.readLine()) != null) {
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            url.complete(m.group(1));
          } else {
            LOG.debug("chromium: {}", line);
          }
        }
      } catch (IOException e) {
        // the process ended
      }
      url.completeExceptionally(new IOException("Chromium exited before it listened"));
    }, "strata-chromium-stderr");
    reader.setDaemon(true);
    reader.start();
    try {
      cdp = new Cdp(url.get(30, TimeUnit.SECONDS), timeout);
    } catch (ExecutionException | TimeoutException e) {
      close();
      throw new IOException("Chromium (" + executable + ") did not start: "
          + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IOException("interrupted while starting Chromium", e);
    }
    LOG.info("headless Chromium started: {}", executable);
    return cdp;
  }

  @Override
  public synchronized void close() {
    if (cdp != null) {
      cdp.close();
      cdp = null;
    }
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
      process = null;
    }
    if (profile != null) {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        LOG.debug("browser profile {} not removed: {}", profile, e.toString());
      }
      profile = null;
    }
  }

  /** One WebSocket to the browser: commands by id, answers matched back; events ignored. */
  private static final class Cdp implements WebSocket.Listener {
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final StringBuilder partial = new StringBuilder();
    private final Duration timeout;
    private final WebSocket socket;
    volatile boolean closed;

    Cdp(String url, Duration timeout) throws IOException {
      this.timeout = timeout;
      try {
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(URI.create(url), this).get(15, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new IOException("cannot connect to Chromium's DevTools at " + url + ": " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }

    JsonNode send(String session, String method, ObjectNode params) throws IOException {
      long id = ids.incrementAndGet();
      ObjectNode msg = ReportSpec.JSON.createObjectNode().put("id", id).put("method", method);
      msg.set("params", params);
      if (session != null) {
        msg.put("sessionId", session);
      }
      CompletableFuture<JsonNode> answer = new CompletableFuture<>();
      pending.put(id, answer);
      try {
        socket.sendText(msg.toString(), true).get(10, TimeUnit.SECONDS);
        JsonNode r = answer.get(timeout.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        if (r.has("error")) {
          throw new IOException("Chromium refused " + method + ": "
              + r.path("error").path("message").asText());
        }
        return r.path("result");
      } catch (ExecutionException | TimeoutException e) {
        throw new IOException("Chromium did not answer " + method + ": " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      } finally {
        pending.remove(id);
      }
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          JsonNode msg = ReportSpec.JSON.readTree(text);
          if (msg.has("id")) {
            CompletableFuture<JsonNode> f = pending.get(msg.get("id").asLong());
            if (f != null) {
              f.complete(msg);
            }
          }
        } catch (IOException e) {
          LOG.debug("unreadable DevTools message: {}", e.toString());
        }
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      closed = true;
      pending.values().forEach(f -> f.completeExceptionally(new IOException("Chromium closed"
          + " its DevTools connection: " + reason)));
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed = true;
      pending.values().forEach(f -> f.completeExceptionally(error));
    }

    void close() {
      closed = true;
      try {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        socket.abort();
      }
    }
  }
}
