package io.strata.benchmarks.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Strata server started as a child process through its real start path, {@code bin/strata
 * serve}, with its own data directory, free ports and {@code strata.*} settings given as system
 * properties in {@code STRATA_JAVA_OPTS}. {@link #start} returns at once; {@link #awaitHealthy}
 * waits for it. {@link #close()} sends SIGTERM (Strata's graceful
 * shutdown) and kills it if it has not ended after 20 s; a JVM shutdown hook does the same if
 * the harness dies first.
 */
final class StrataProcess implements AutoCloseable {
  final String name;
  final int httpPort;
  final int jdbcPort;
  final int flightPort;
  final int pgwirePort;
  final Path log;
  /** The address its listeners bind (strata.bind-host), and {@link #baseUrl()}'s host. */
  final String host;
  private final Process process;
  private final Thread hook;

  private StrataProcess(String name, Process process, Path log, int http, int jdbc, int flight,
      int pgwire) {
    this(name, "127.0.0.1", process, log, http, jdbc, flight, pgwire);
  }

  private StrataProcess(String name, String host, Process process, Path log, int http, int jdbc,
      int flight, int pgwire) {
    this.host = host;
    this.name = name;
    this.process = process;
    this.log = log;
    this.httpPort = http;
    this.jdbcPort = jdbc;
    this.flightPort = flight;
    this.pgwirePort = pgwire;
    this.hook = new Thread(this::stop, "stop-" + name);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Checks that {@code bin/strata} will not need to build (it would run {@code mvn install}) and
   * says how to build otherwise.
   */
  static void requireBuilt(Path root) throws IOException {
    Path target = root.resolve("server/target");
    boolean jar = Files.isDirectory(target) && Files.list(target).anyMatch(p -> {
      String f = p.getFileName().toString();
      return f.startsWith("strata-server-") && f.endsWith(".jar") && !f.endsWith("-tests.jar")
          && !f.endsWith("-sources.jar");
    });
    if (!jar || !Files.isDirectory(target.resolve("lib"))) {
      throw new IllegalStateException("the packaged server is missing (server/target/strata-server-*.jar"
          + " and server/target/lib); build it first: cd " + root
          + " && ./mvnw -B -pl server,benchmarks -am package -DskipTests");
    }
  }

  static StrataProcess start(Path root, String name, Path dataDir, Map<String, String> settings,
      String heap) throws IOException, InterruptedException {
    Files.createDirectories(dataDir);
    int http = freePort();
    int jdbc = freePort();
    int flight = freePort();
    List<String> opts = new ArrayList<>();
    opts.add("-Xmx" + heap);
    opts.add("-Dstrata.http.port=" + http);
    opts.add("-Dstrata.jdbc.port=" + jdbc);
    opts.add("-Dstrata.flight.port=" + flight);
    int pgwire = freePort();
    opts.add("-Dstrata.pgwire.port=" + pgwire);
    opts.add("-Dstrata.data-dir=" + dataDir.toAbsolutePath());
    settings.forEach((k, v) -> opts.add("-D" + k + "=" + v));
    for (String o : opts) {
      if (o.contains(" ")) {
        throw new IllegalArgumentException("STRATA_JAVA_OPTS is split on spaces; no spaces allowed: " + o);
      }
    }
    Path log = dataDir.resolve("strata.log");
    ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/strata").toString(), "serve")
        .directory(dataDir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("STRATA_JAVA_OPTS", String.join(" ", opts));
    return new StrataProcess(name, pb.start(), log, http, jdbc, flight, pgwire);
  }

  /**
   * Starts {@code bin/strata <command>} ({@code serve} or {@code worker}) with every listener on
   * {@code host} and the given ports (a restart reuses them, as a balancer's configuration
   * names them); for a worker, {@code http} is its health port. Appends to the log.
   */
  static StrataProcess start(Path root, String name, String command, Path dataDir,
      Map<String, String> settings, String heap, String host, int http, int jdbc, int flight,
      int pgwire) throws IOException {
    Files.createDirectories(dataDir);
    List<String> opts = new ArrayList<>();
    opts.add("-Xmx" + heap);
    opts.add("-Dstrata.bind-host=" + host);
    if (command.equals("worker")) {
      opts.add("-Dstrata.workers.health-port=" + http);
    } else {
      opts.add("-Dstrata.http.port=" + http);
      opts.add("-Dstrata.jdbc.port=" + jdbc);
      opts.add("-Dstrata.flight.port=" + flight);
      opts.add("-Dstrata.pgwire.port=" + pgwire);
    }
    opts.add("-Dstrata.data-dir=" + dataDir.toAbsolutePath());
    opts.add("-Dstrata.node-id=" + name);
    settings.forEach((k, v) -> opts.add("-D" + k + "=" + v));
    for (String o : opts) {
      if (o.contains(" ")) {
        throw new IllegalArgumentException("STRATA_JAVA_OPTS is split on spaces; no spaces allowed: " + o);
      }
    }
    Path log = dataDir.resolve("strata.log");
    ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/strata").toString(), command)
        .directory(dataDir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("STRATA_JAVA_OPTS", String.join(" ", opts));
    return new StrataProcess(name, host, pb.start(), log, http, jdbc, flight, pgwire);
  }

  /** A free port on {@code host}. */
  static int freePort(String host) throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new java.net.InetSocketAddress(host, 0));
      return s.getLocalPort();
    }
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL, and waits until the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM (graceful: drain, then finish running work); its exit status, or -1 if it did not end. */
  int terminate(java.time.Duration timeout) throws InterruptedException {
    process.destroy();
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  /** Waits for {@code GET path} to answer 200 ({@code /health/ready}, a worker's {@code /health}). */
  void awaitOk(String path, java.time.Duration timeout) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Strata (" + name + ") exited with " + process.exitValue()
            + " during start; its log " + log + " ends:\n" + tail(log));
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("Strata (" + name + ") did not answer 200 on " + path
        + " within " + timeout + "; its log " + log + " ends:\n" + tail(log));
  }

  String baseUrl() {
    return "http://" + host + ":" + httpPort;
  }

  /** Waits for {@code GET /health} to answer 200; fails with the log's end if the process exits. */
  void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Strata (" + name + ") exited with " + process.exitValue()
            + " during start; its log " + log + " ends:\n" + tail(log));
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/health"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    stop();
    throw new IllegalStateException("Strata (" + name + ") was not healthy within " + timeout
        + "; its log " + log + " ends:\n" + tail(log));
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private void stop() {
    if (!process.isAlive()) {
      return;
    }
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy(); // SIGTERM: Strata shuts down gracefully
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs stop() anyway
    }
  }
}
