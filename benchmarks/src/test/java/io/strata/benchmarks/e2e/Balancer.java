package io.strata.benchmarks.e2e;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's HAProxy in front of the servers, configured as {@code deploy/haproxy.cfg} (HTTP with
 * L7 retries and {@code /health/ready} checks, TCP for the Postgres wire and Flight SQL with the
 * same check on the HTTP port), on loopback ports, with a stats socket the test reads each
 * server's state from. Runs in the foreground as a child process.
 */
final class Balancer implements AutoCloseable {
  static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

  /** One Strata server as the balancer sees it. */
  record Node(String name, String host, int http, int pgwire, int flight) {}

  final int httpPort;
  final int pgwirePort;
  final int flightPort;
  private final Path socket;
  private final Process process;

  private Balancer(Process process, Path socket, int http, int pgwire, int flight) {
    this.process = process;
    this.socket = socket;
    this.httpPort = http;
    this.pgwirePort = pgwire;
    this.flightPort = flight;
  }

  static Balancer start(Path dir, List<Node> nodes) throws IOException, InterruptedException {
    if (!Files.isExecutable(HAPROXY)) {
      throw new IllegalStateException(HAPROXY + " is missing: apt-get install -y haproxy");
    }
    Files.createDirectories(dir);
    int http = StrataProcess.freePort("127.0.0.1");
    int pg = StrataProcess.freePort("127.0.0.1");
    int flight = StrataProcess.freePort("127.0.0.1");
    Path socket = dir.resolve("haproxy.sock");
    Files.deleteIfExists(socket);
    StringBuilder c = new StringBuilder();
    c.append("global\n  maxconn 4000\n  stats socket ").append(socket).append(" level admin\n\n")
        .append("defaults\n  timeout connect 2s\n  timeout client 5m\n  timeout server 5m\n")
        .append("  timeout check 2s\n  retries 3\n  option redispatch 1\n")
        .append("  default-server inter 500ms fall 2 rise 2\n\n");
    c.append("frontend http\n  mode http\n  bind 127.0.0.1:").append(http)
        .append("\n  default_backend http\n\n")
        .append("backend http\n  mode http\n  balance roundrobin\n")
        .append("  option httpchk GET /health/ready\n  http-check expect status 200\n")
        .append("  retry-on conn-failure empty-response\n");
    for (Node n : nodes) {
      c.append("  server ").append(n.name()).append(' ').append(n.host()).append(':')
          .append(n.http()).append(" check\n");
    }
    for (String[] p : List.of(new String[] {"pgwire", Integer.toString(pg)},
        new String[] {"flight", Integer.toString(flight)})) {
      c.append("\nfrontend ").append(p[0]).append("\n  mode tcp\n  bind 127.0.0.1:").append(p[1])
          .append("\n  default_backend ").append(p[0]).append("\n\nbackend ").append(p[0])
          .append("\n  mode tcp\n  balance roundrobin\n")
          .append("  option httpchk GET /health/ready\n  http-check expect status 200\n");
      for (Node n : nodes) {
        int port = p[0].equals("pgwire") ? n.pgwire() : n.flight();
        c.append("  server ").append(n.name()).append(' ').append(n.host()).append(':')
            .append(port).append(" check port ").append(n.http()).append('\n');
      }
    }
    Path cfg = dir.resolve("haproxy.cfg");
    Files.writeString(cfg, c.toString());
    Process check = new ProcessBuilder(HAPROXY.toString(), "-c", "-f", cfg.toString())
        .redirectErrorStream(true).start();
    String checked = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!check.waitFor(30, TimeUnit.SECONDS) || check.exitValue() != 0) {
      throw new IllegalStateException("haproxy -c refused " + cfg + ":\n" + checked);
    }
    Process p = new ProcessBuilder(HAPROXY.toString(), "-db", "-f", cfg.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
    Balancer b = new Balancer(p, socket, http, pg, flight);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(socket)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("haproxy did not start; see " + dir.resolve("haproxy.log"));
      }
      Thread.sleep(100);
    }
    return b;
  }

  /** {@code backend/server -> status} (UP, DOWN, MAINT, "UP 1/2"...) from {@code show stat}. */
  Map<String, String> states() throws IOException {
    String csv = command("show stat");
    Map<String, String> out = new HashMap<>();
    for (String line : csv.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      String[] f = line.split(",", -1);
      if (f.length > 17 && !f[1].equals("FRONTEND") && !f[1].equals("BACKEND")) {
        out.put(f[0] + "/" + f[1], f[17]);
      }
    }
    return out;
  }

  /** Sessions {@code backend/server} has had since HAProxy started ({@code stot}). */
  long sessions(String backend, String server) throws IOException {
    for (String line : command("show stat").split("\n")) {
      String[] f = line.split(",", -1);
      if (f.length > 17 && f[0].equals(backend) && f[1].equals(server)) {
        return Long.parseLong(f[7]);
      }
    }
    throw new IllegalStateException("HAProxy has no server " + backend + "/" + server);
  }

  /** Waits until {@code server} is UP in every backend. */
  void awaitUp(String server, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, String> s = Map.of();
    while (System.nanoTime() < deadline) {
      s = states();
      boolean up = true;
      for (String backend : List.of("http", "pgwire", "flight")) {
        up &= s.getOrDefault(backend + "/" + server, "").equals("UP");
      }
      if (up) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("HAProxy did not mark " + server + " UP in every backend"
        + " within " + timeout + ": " + s);
  }

  private String command(String cmd) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.write(ByteBuffer.wrap((cmd + "\n").getBytes(StandardCharsets.UTF_8)));
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      StringBuilder out = new StringBuilder();
      while (ch.read(buf) > 0) {
        buf.flip();
        out.append(StandardCharsets.UTF_8.decode(buf));
        buf.clear();
      }
      return out.toString();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
