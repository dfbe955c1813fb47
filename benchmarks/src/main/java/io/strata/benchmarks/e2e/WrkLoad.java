package io.strata.benchmarks.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A REST load driven by Debian's {@code wrk}, a C load generator: {@code POST /api/v1/query} with
 * the query's JSON, {@code clients} connections on two threads. The harness's own Java clients
 * share the two cores with the server, so at 32 clients they measure the client as much as the
 * server; {@code wrk} costs a fraction of that, which is what the issue asks of the REST figure.
 * Latency percentiles are {@code wrk --latency}'s (p50 and p99); a run with any non-2xx answer
 * or socket error counts those as errors.
 */
final class WrkLoad {
  static final String WRK = "/usr/bin/wrk";

  private WrkLoad() {}

  /** Whether {@code wrk} is installed (the series is reported as missing otherwise). */
  static boolean available() {
    return Files.isExecutable(Path.of(WRK));
  }

  static Report.Load run(String label, String baseUrl, String user, String password,
      BenchQuery q, int clients, double warmupSeconds, double durationSeconds) {
    Path script = null;
    try {
      script = Files.createTempFile("strata-wrk-", ".lua");
      String auth = "Basic " + Base64.getEncoder().encodeToString(
          (user + ":" + password).getBytes(StandardCharsets.UTF_8));
      Files.writeString(script, "wrk.method = \"POST\"\n"
          + "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
          + "wrk.headers[\"Authorization\"] = " + lua(auth) + "\n"
          + "wrk.body = " + lua(q.json()) + "\n");
      String url = baseUrl + "/api/v1/query";
      int threads = Math.min(2, clients);
      if (warmupSeconds > 0) {
        wrk(script, url, threads, clients, Math.max(1, (int) Math.ceil(warmupSeconds)));
      }
      int seconds = Math.max(1, (int) Math.round(durationSeconds));
      String out = wrk(script, url, threads, clients, seconds);
      return parse(label, clients, out);
    } catch (Exception e) {
      return new Report.Load(label, clients, 0, 0, Stats.EMPTY, 1, e.getMessage());
    } finally {
      if (script != null) {
        try {
          Files.deleteIfExists(script);
        } catch (IOException ignored) {
          // a temporary file
        }
      }
    }
  }

  private static String wrk(Path script, String url, int threads, int clients, int seconds)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(WRK, "-t" + threads, "-c" + clients,
        "-d" + seconds + "s", "--latency", "--timeout", "30s", "-s", script.toString(), url));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("wrk did not finish: " + out);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException("wrk exited " + p.exitValue() + ": " + out);
    }
    return out;
  }

  private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m)");
  private static final Pattern PERCENTILE = Pattern.compile("^\\s*(50|99)(?:\\.000)?%\\s+([\\d.]+)(us|ms|s|m)\\s*$",
      Pattern.MULTILINE);
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
  private static final Pattern SOCKET = Pattern.compile(
      "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

  /** Reads wrk's report; package-private for the parser's test. */
  static Report.Load parse(String label, int clients, String out) {
    Matcher r = REQUESTS.matcher(out);
    if (!r.find()) {
      throw new IllegalStateException("no request count in wrk's output: " + out);
    }
    long requests = Long.parseLong(r.group(1));
    double seconds = millis(r.group(2), r.group(3)) / 1e3;
    double p50 = Double.NaN;
    double p99 = Double.NaN;
    Matcher m = PERCENTILE.matcher(out);
    while (m.find()) {
      double v = millis(m.group(2), m.group(3));
      if (m.group(1).equals("50")) {
        p50 = v;
      } else {
        p99 = v;
      }
    }
    int errors = 0;
    String first = null;
    Matcher n = NON_2XX.matcher(out);
    if (n.find()) {
      errors += Integer.parseInt(n.group(1));
      first = n.group(1) + " non-2xx answers";
    }
    Matcher s = SOCKET.matcher(out);
    if (s.find()) {
      int e = 0;
      for (int i = 1; i <= 4; i++) {
        e += Integer.parseInt(s.group(i));
      }
      errors += e;
      if (first == null && e > 0) {
        first = s.group();
      }
    }
    Stats st = new Stats((int) Math.min(Integer.MAX_VALUE, requests), p50, p99, Double.NaN, Double.NaN,
        Double.NaN);
    return new Report.Load(label, clients, requests, seconds, st, errors, first);
  }

  private static double millis(String value, String unit) {
    double v = Double.parseDouble(value);
    return switch (unit.toLowerCase(Locale.ROOT)) {
      case "us" -> v / 1e3;
      case "ms" -> v;
      case "s" -> v * 1e3;
      case "m" -> v * 60e3;
      default -> throw new IllegalArgumentException(unit);
    };
  }

  /** A Lua long-bracket string literal that cannot be closed by the text inside it. */
  static String lua(String text) {
    String eq = "";
    while (text.contains("]" + eq + "]")) {
      eq += "=";
    }
    return "[" + eq + "[" + text + "]" + eq + "]";
  }
}
