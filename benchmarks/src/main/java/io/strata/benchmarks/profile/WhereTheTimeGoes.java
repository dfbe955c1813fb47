package io.strata.benchmarks.profile;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.strata.benchmarks.profile.Phases.Phase;
import io.strata.server.StrataServer;
import io.strata.server.avatica.AvaticaEndpoint;
import io.strata.server.pgwire.PgWireEndpoint;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightGrpcUtils;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Where a query's time goes inside the server, per endpoint, for an L1 hit and for a miss: an
 * in-process Strata (the embedded demo on DuckDB), each endpoint driven by its stock client in a
 * loop on one thread (REST with Java's HttpClient, Avatica with {@code jdbc:strata:}, Flight SQL
 * with Arrow's {@code FlightSqlClient}, the Postgres wire with pgjdbc), recorded with JFR
 * ({@code jdk.ExecutionSample}), and each sample of a server thread attributed to a phase by
 * its frames ({@link Phases}). Client threads are told apart by name: the loop's own thread and
 * the clients' I/O threads are named {@code wttg-client-*} (the Flight client gets its own
 * channel, event loop and executor for that; it is the stock {@code FlightClient} all the
 * same), Java's HttpClient's are {@code HttpClient-*}.
 *
 * <p>µs per query of a phase = its samples × the sampling period / the queries in the window:
 * JFR samples a few running threads per period, so with one client on two cores it is about
 * that phase's CPU time. The process's CPU time per query is printed beside it as a check.
 *
 * <p>It is a report, not a test. Run (after {@code ./mvnw -B -o -q -pl
 * testkit,semantic,acceleration,demo,server,jdbc-driver,benchmarks package -DskipTests}):
 * {@code java --add-opens=java.base/java.nio=ALL-UNNAMED -XX:FlightRecorderOptions=stackdepth=256
 * -cp "benchmarks/target/classes:benchmarks/target/lib/*"
 * io.strata.benchmarks.profile.WhereTheTimeGoes [--seconds 10] [--warmup 5] [--period-ms 1]
 * [--endpoints rest,avatica,flight,pgwire] [--modes hit,miss] [--scale 0.1]
 * [--out benchmarks/results/where-the-time-goes.md]}.
 */
public final class WhereTheTimeGoes {
  static final String PASSWORD = "wttg-admin-1";
  /** The "Revenue by region" chart of the demo dashboard, as REST and as SQL. */
  static final String JSON = """
      {"measures": ["order_items.revenue"], "dimensions": ["customers.region"],
       "timeDimensions": [{"dimension": "orders.ordered_at",
                           "dateRange": ["2024-01-01", "2024-12-31"]}],
       "order": [["order_items.revenue", "desc"]]}""";
  static final String SQL = "SELECT region, MEASURE(revenue) AS revenue FROM semantic.sales"
      + " WHERE ordered_at >= TIMESTAMP '2024-01-01 00:00:00'"
      + " AND ordered_at < TIMESTAMP '2025-01-01 00:00:00' GROUP BY region ORDER BY 2 DESC";
  static final String CLIENT_THREADS = "wttg-client";
  /** The Flight clients' I/O threads and executor, as gRPC's defaults but named as clients'. */
  static final NioEventLoopGroup FLIGHT_IO = new NioEventLoopGroup(2,
      new DefaultThreadFactory(CLIENT_THREADS + "-grpc-io", true));
  static final ExecutorService FLIGHT_EXECUTOR = Executors.newCachedThreadPool(
      new DefaultThreadFactory(CLIENT_THREADS + "-grpc-exec", true));

  /** One endpoint's client: runs the chart once, returns its rows. */
  interface Client extends AutoCloseable {
    long run() throws Exception;
  }

  /** What one series measured. */
  record Series(String endpoint, String mode, long queries, double seconds, double p50Ms,
      double meanMs, double cpuUsPerQuery, Map<Phase, Long> server, long clientSamples,
      long samples, Map<String, Long> topFrames, Map<String, Long> threads) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = options(args);
    double seconds = Double.parseDouble(o.getOrDefault("seconds", "10"));
    double warmup = Double.parseDouble(o.getOrDefault("warmup", "5"));
    int periodMs = Integer.parseInt(o.getOrDefault("period-ms", "1"));
    List<String> endpoints = List.of(o.getOrDefault("endpoints", "rest,avatica,flight,pgwire")
        .split(","));
    List<String> modes = List.of(o.getOrDefault("modes", "hit,miss").split(","));
    String scale = o.getOrDefault("scale", "0.1");
    Path out = Path.of(o.getOrDefault("out", "benchmarks/results/where-the-time-goes.md"));
    Map<String, String> flightHeaders = new LinkedHashMap<>();
    if (o.containsKey("flight-header")) { // name=value, e.g. for a baseline path
      String[] kv = o.get("flight-header").split("=", 2);
      flightHeaders.put(kv[0], kv[1]);
    }

    List<Integer> clients = o.containsKey("clients") ? Arrays.stream(o.get("clients")
        .split(",")).map(Integer::valueOf).toList() : List.of();
    Path dir = Files.createTempDirectory("strata-wttg");
    Map<String, Object> props = new HashMap<>();
    props.put("micronaut.server.port", -1);
    props.put("strata.data-dir", dir.toString());
    props.put("strata.admin.password", PASSWORD);
    props.put("strata.demo.scale", scale);
    props.put("strata.jdbc.port", 0);
    props.put("strata.flight.port", 0);
    props.put("strata.pgwire.port", 0);
    Instant started = Instant.now();
    ApplicationContext server = StrataServer.start(props);
    List<Series> results = new ArrayList<>();
    List<String> throughput = new ArrayList<>();
    try (BufferAllocator memory = new RootAllocator()) {
      System.err.printf("server up in %ds%n", Duration.between(started, Instant.now())
          .toSeconds());
      for (String endpoint : endpoints) {
        for (String mode : modes) {
          String cache = mode.equals("hit") ? null : "refresh";
          try (Client c = client(endpoint, server, memory, cache, flightHeaders)) {
            results.add(measure(endpoint, mode, c, warmup, seconds, periodMs));
          }
          Series s = results.get(results.size() - 1);
          System.err.printf("%s %s: %d queries, p50 %.3f ms, cpu %.0f µs/query%n", endpoint,
              mode, s.queries(), s.p50Ms(), s.cpuUsPerQuery());
        }
        for (int n : clients) {
          String line = throughput(endpoint, n, server, memory, flightHeaders, warmup, seconds);
          System.err.println(line);
          throughput.add(line);
        }
      }
    } finally {
      server.close();
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    String report = report(results, periodMs, scale, seconds, warmup, String.join(" ", args));
    if (!throughput.isEmpty()) {
      report += "## L1 hits from several clients (no recording)\n\n| endpoint | clients |"
          + " queries/s | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|\n"
          + String.join("\n", throughput) + "\n";
    }
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Files.writeString(out, report);
    System.out.println(report);
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("argument " + (i + 1) + " '" + args[i]
            + "': expected --name value");
      }
      o.put(args[i].substring(2), args[++i]);
    }
    return o;
  }

  // --------------------------------------------------------------------------- clients

  static Client client(String endpoint, ApplicationContext server, BufferAllocator memory,
      String cache, Map<String, String> flightHeaders) throws Exception {
    return switch (endpoint) {
      case "rest" -> rest(server.getBean(EmbeddedServer.class).getURI(), cache);
      case "avatica" -> jdbc("jdbc:strata://127.0.0.1:" + server.getBean(AvaticaEndpoint.class)
          .port(), props("user", "admin", "password", PASSWORD, "strata_cache", cache), null);
      case "pgwire" -> jdbc("jdbc:postgresql://127.0.0.1:" + server.getBean(PgWireEndpoint.class)
          .port() + "/strata", props("user", "admin", "password", PASSWORD),
          cache == null ? null : "SET strata_cache = '" + cache + "'");
      case "flight" -> flight(server.getBean(
          io.strata.server.flight.FlightEndpoint.class).port(), memory, cache,
          flightHeaders);
      default -> throw new IllegalArgumentException("unknown endpoint '" + endpoint
          + "': rest, avatica, flight or pgwire");
    };
  }

  private static Properties props(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i + 1] != null) {
        p.setProperty(kv[i], kv[i + 1]);
      }
    }
    return p;
  }

  static Client rest(URI base, String cache) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI url = base.resolve("/api/v1/query" + (cache == null ? "" : "?cache=" + cache));
    String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD)
        .getBytes(StandardCharsets.UTF_8));
    return new Client() {
      @Override
      public long run() throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(url)
            .header("Authorization", auth).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
          throw new IllegalStateException("REST answered " + r.statusCode() + ": "
              + new String(r.body(), StandardCharsets.UTF_8));
        }
        return r.body().length;
      }

      @Override
      public void close() {}
    };
  }

  static Client jdbc(String url, Properties p, String setUp) throws Exception {
    Connection c = DriverManager.getConnection(url, p);
    if (setUp != null) {
      try (Statement st = c.createStatement()) {
        st.execute(setUp);
      }
    }
    return new Client() {
      @Override
      public long run() throws Exception {
        long rows = 0;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(SQL)) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            for (int i = 1; i <= n; i++) {
              rs.getObject(i);
            }
            rows++;
          }
        }
        return rows;
      }

      @Override
      public void close() throws Exception {
        c.close();
      }
    };
  }

  /**
   * Arrow's stock {@link FlightClient} and {@link FlightSqlClient}, over a channel of its own
   * (the only difference from {@code FlightClient.builder()}: named I/O threads, so that its
   * samples are not the server's, which shares gRPC's default event loop otherwise).
   */
  static Client flight(int port, BufferAllocator memory, String cache,
      Map<String, String> headers) {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
        .eventLoopGroup(FLIGHT_IO).channelType(NioSocketChannel.class).executor(FLIGHT_EXECUTOR)
        .maxTraceEvents(0).maxInboundMessageSize(Integer.MAX_VALUE).build();
    FlightClient client = FlightGrpcUtils.createFlightClient(memory, channel);
    CallOption bearer = client.authenticateBasicToken("admin", PASSWORD).orElseThrow();
    List<CallOption> options = new ArrayList<>(List.of(bearer));
    CallHeaders sent = new FlightCallHeaders();
    if (cache != null) {
      sent.insert("strata_cache", cache);
    }
    headers.forEach(sent::insert);
    if (!sent.keys().isEmpty()) {
      options.add(new HeaderCallOption(sent));
    }
    CallOption[] o = options.toArray(CallOption[]::new);
    FlightSqlClient sql = new FlightSqlClient(client);
    return new Client() {
      @Override
      public long run() throws Exception {
        FlightInfo info = sql.execute(SQL, o);
        long rows = 0;
        for (FlightEndpoint e : info.getEndpoints()) {
          try (FlightStream stream = sql.getStream(e.getTicket(), o)) {
            while (stream.next()) {
              rows += stream.getRoot().getRowCount();
            }
          }
        }
        return rows;
      }

      @Override
      public void close() throws Exception {
        sql.close();
        channel.shutdownNow();
      }
    };
  }

  // --------------------------------------------------------------------------- measuring

  /** L1 hits from {@code n} clients at once, each its own connection, for {@code seconds}. */
  static String throughput(String endpoint, int n, ApplicationContext server,
      BufferAllocator memory, Map<String, String> flightHeaders, double warmup, double seconds)
      throws Exception {
    List<Client> cs = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        cs.add(client(endpoint, server, memory, null, flightHeaders));
      }
      long warm = System.nanoTime() + (long) (warmup * 1e9);
      long start = warm;
      long end = start + (long) (seconds * 1e9);
      List<List<Long>> latencies = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      java.util.concurrent.atomic.AtomicReference<Exception> failed =
          new java.util.concurrent.atomic.AtomicReference<>();
      for (Client c : cs) {
        List<Long> mine = new ArrayList<>();
        latencies.add(mine);
        Thread t = new Thread(() -> {
          try {
            long now = System.nanoTime();
            while (now < end && failed.get() == null) {
              c.run();
              long after = System.nanoTime();
              if (now >= start) {
                mine.add(after - now);
              }
              now = after;
            }
          } catch (Exception e) {
            failed.compareAndSet(null, e);
          }
        }, CLIENT_THREADS + "-" + endpoint + "-" + threads.size());
        threads.add(t);
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      if (failed.get() != null) {
        throw failed.get();
      }
      long[] all = latencies.stream().flatMap(List::stream).mapToLong(Long::longValue).sorted()
          .toArray();
      return String.format(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f |", endpoint, n,
          all.length / seconds, all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6);
    } finally {
      for (Client c : cs) {
        c.close();
      }
    }
  }

  static Series measure(String endpoint, String mode, Client client, double warmup,
      double seconds, int periodMs) throws Exception {
    Thread.currentThread().setName(CLIENT_THREADS + "-loop");
    long rows = client.run();
    if (rows <= 0) {
      throw new IllegalStateException(endpoint + " " + mode + " answered nothing");
    }
    long end = System.nanoTime() + (long) (warmup * 1e9);
    while (System.nanoTime() < end) {
      client.run();
    }
    com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean();
    Path jfr = Files.createTempFile("wttg-" + endpoint + "-" + mode, ".jfr");
    List<Long> latencies = new ArrayList<>();
    long cpu0;
    long t0;
    long t1;
    long cpu1;
    try (Recording r = new Recording()) {
      r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(periodMs));
      r.start();
      cpu0 = os.getProcessCpuTime();
      t0 = System.nanoTime();
      end = t0 + (long) (seconds * 1e9);
      long now = t0;
      while (now < end) {
        client.run();
        long after = System.nanoTime();
        latencies.add(after - now);
        now = after;
      }
      t1 = now;
      cpu1 = os.getProcessCpuTime();
      r.stop();
      r.dump(jfr);
    }
    Map<Phase, Long> phases = new EnumMap<>(Phase.class);
    Map<String, Long> frames = new HashMap<>();
    Map<String, Long> threads = new HashMap<>();
    long clientSamples = 0;
    long samples = 0;
    try (RecordingFile f = new RecordingFile(jfr)) {
      while (f.hasMoreEvents()) {
        RecordedEvent e = f.readEvent();
        if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
          continue;
        }
        long at = e.getStartTime().toEpochMilli();
        samples++;
        RecordedThread t = e.getThread("sampledThread");
        String name = t == null || t.getJavaName() == null ? "?" : t.getJavaName();
        if (name.startsWith(CLIENT_THREADS) || name.startsWith("HttpClient-")) {
          clientSamples++;
          continue;
        }
        List<String> stack = frames(e.getStackTrace());
        Phase p = Phases.classify(stack);
        phases.merge(p, 1L, Long::sum);
        threads.merge(name.replaceAll("\\d+", "N"), 1L, Long::sum);
        if (p != Phase.BACKGROUND) {
          frames.merge(p.label + "  " + (stack.isEmpty() ? "?" : stack.get(0)), 1L, Long::sum);
        }
      }
    } finally {
      Files.deleteIfExists(jfr);
    }
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    double p50 = sorted[sorted.length / 2] / 1e6;
    double mean = Arrays.stream(sorted).average().orElse(0) / 1e6;
    return new Series(endpoint, mode, sorted.length, (t1 - t0) / 1e9, p50, mean,
        (cpu1 - cpu0) / 1e3 / sorted.length, phases, clientSamples, samples, top(frames, 12),
        top(threads, 6));
  }

  static List<String> frames(RecordedStackTrace trace) {
    if (trace == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(trace.getFrames().size());
    for (RecordedFrame f : trace.getFrames()) {
      if (f.isJavaFrame()) {
        out.add(f.getMethod().getType().getName() + "." + f.getMethod().getName());
      }
    }
    return out;
  }

  static Map<String, Long> top(Map<String, Long> counts, int n) {
    Map<String, Long> out = new LinkedHashMap<>();
    counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(n).forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  // --------------------------------------------------------------------------- report

  static String report(List<Series> results, int periodMs, String scale, double seconds,
      double warmup, String args) {
    StringBuilder b = new StringBuilder();
    b.append("# Where the time goes (issue 18)\n\n");
    b.append("Generated by `io.strata.benchmarks.profile.WhereTheTimeGoes` on ")
        .append(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
        .append(" (").append(Runtime.getRuntime().availableProcessors()).append(" cores, load ")
        .append(String.format(Locale.ROOT, "%.1f",
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()))
        .append(" at the end, Java ").append(System.getProperty("java.version")).append(").\n\n");
    b.append("```sh\n./mvnw -B -o -q -pl testkit,semantic,acceleration,demo,server,jdbc-driver,"
        + "benchmarks package -DskipTests\n")
        .append("java --add-opens=java.base/java.nio=ALL-UNNAMED "
            + "-XX:FlightRecorderOptions=stackdepth=256 \\\n  -cp \"benchmarks/target/classes:"
            + "benchmarks/target/lib/*\" io.strata.benchmarks.profile.WhereTheTimeGoes ")
        .append(args).append("\n```\n\n");
    b.append("One in-process server (embedded demo on DuckDB, scale ").append(scale)
        .append("), one client thread per series running the \"Revenue by region\" chart in a"
            + " loop (").append(warmup).append(" s warm-up, ").append(seconds)
        .append(" s recorded): REST `POST /api/v1/query` with Java's HttpClient, Avatica with"
            + " `jdbc:strata:`, Flight SQL with Arrow's `FlightSqlClient` (GetFlightInfo +"
            + " DoGet), the Postgres wire with pgjdbc. *hit*: every answer from L1; *miss*: cache"
            + " mode `refresh` (the warehouse answers, the result is stored). JFR"
            + " `jdk.ExecutionSample` every ").append(periodMs).append(" ms; each sample of a"
            + " server thread goes to the phase of the innermost frame a rule of"
            + " `profile.Phases` names. µs/query = samples × period / queries (CPU time of that"
            + " phase, roughly: JFR samples a few running threads per period); *process CPU* is"
            + " the JVM's CPU time per query (server, client and JIT/GC) as a check. Client"
            + " samples (the loop, its I/O threads) are counted apart.\n\n");
    b.append("Phases: ");
    for (Phase p : Phase.values()) {
      b.append("**").append(p.label).append("** ").append(p.what).append("; ");
    }
    b.setLength(b.length() - 2);
    b.append(".\n\n");
    b.append("| endpoint | mode | queries | p50 ms | mean ms | process CPU µs/query |"
        + " server samples µs/query | client samples µs/query |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (Series s : results) {
      long server = s.server().values().stream().mapToLong(Long::longValue).sum()
          - s.server().getOrDefault(Phase.BACKGROUND, 0L);
      b.append(String.format(Locale.ROOT, "| %s | %s | %d | %.3f | %.3f | %.0f | %.0f | %.0f |%n",
          s.endpoint(), s.mode(), s.queries(), s.p50Ms(), s.meanMs(), s.cpuUsPerQuery(),
          server * periodMs * 1000.0 / s.queries(),
          s.clientSamples() * periodMs * 1000.0 / s.queries()));
    }
    b.append('\n');
    for (Series s : results) {
      b.append("## ").append(s.endpoint()).append(", ").append(s.mode()).append("\n\n");
      long total = s.server().values().stream().mapToLong(Long::longValue).sum();
      b.append(String.format(Locale.ROOT, "%d queries in %.1f s, p50 %.3f ms; %d server samples,"
          + " %d client samples.%n%n", s.queries(), s.seconds(), s.p50Ms(), total,
          s.clientSamples()));
      b.append("| phase | share of server samples | µs per query |\n|---|---:|---:|\n");
      for (Phase p : Phase.values()) {
        long n = s.server().getOrDefault(p, 0L);
        b.append(String.format(Locale.ROOT, "| %s | %.1f%% | %.1f |%n", p.label,
            total == 0 ? 0 : 100.0 * n / total, n * periodMs * 1000.0 / s.queries()));
      }
      b.append("\nTop leaf frames (phase, frame: samples): ");
      s.topFrames().forEach((k, v) -> b.append('`').append(k).append("` ").append(v)
          .append("; "));
      b.append("\nServer threads sampled: ");
      s.threads().forEach((k, v) -> b.append('`').append(k).append("` ").append(v).append("; "));
      b.append("\n\n");
    }
    return b.toString();
  }
}
