package io.strata.benchmarks.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A mixed load through the balancer: REST ({@code /api/v1/sql}, API token), pgjdbc on the
 * Postgres wire (a connection per request, as a pool that validates would reconnect) and
 * Arrow's FlightSqlClient (one client per thread, signed in once by a Basic handshake, so its
 * bearer token must be accepted by whichever server its connection reaches). Every answer is
 * checked against the warehouse's own ({@code expected}); a failed request is retried through
 * the balancer until it is answered (up to 20 s) and each attempt is recorded.
 */
final class LoadMix implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request: when it started and ended (nanoTime), protocol, and its outcome. */
  record Sample(long start, long end, String protocol, boolean ok, boolean wrong, boolean retry,
      String error) {
    double millis() {
      return (end - start) / 1e6;
    }
  }

  private final String host;
  private final Balancer lb;
  private final String token;
  private final String user;
  private final String password;
  private final Map<Integer, long[]> expected;
  private final List<Integer> keys;
  private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  private final BufferAllocator allocator = new RootAllocator();
  private final ConcurrentLinkedQueue<org.apache.arrow.flight.FlightClient> flights =
      new ConcurrentLinkedQueue<>();
  private volatile boolean running;
  private final java.util.concurrent.atomic.AtomicInteger gaveUp =
      new java.util.concurrent.atomic.AtomicInteger();

  LoadMix(Balancer lb, String token, String user, String password, Map<Integer, long[]> expected) {
    this.host = "127.0.0.1";
    this.lb = lb;
    this.token = token;
    this.user = user;
    this.password = password;
    this.expected = expected;
    this.keys = List.copyOf(expected.keySet());
  }

  static String sql(int k) {
    return "SELECT count(*) AS n, sum(v) AS s FROM wh.public.t WHERE k <= " + k;
  }

  /** Starts {@code perProtocol} threads of each protocol. */
  void start(int perProtocol) {
    running = true;
    for (int i = 0; i < perProtocol; i++) {
      threads.add(loop("rest", this::rest));
      threads.add(loop("pgjdbc", this::pg));
      threads.add(loop("flight", new FlightQuery()));
    }
    threads.forEach(Thread::start);
  }

  void stop() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(60_000);
    }
    threads.clear();
  }

  /** Requests still failing after 20 s of retries through the balancer. */
  int gaveUp() {
    return gaveUp.get();
  }

  List<Sample> samples() {
    return List.copyOf(samples);
  }

  interface Query {
    long[] run(int k) throws Exception;
  }

  private Thread loop(String protocol, Query q) {
    Thread t = new Thread(() -> {
      while (running) {
        int k = keys.get(ThreadLocalRandom.current().nextInt(keys.size()));
        boolean retry = false;
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
          long start = System.nanoTime();
          try {
            long[] got = q.run(k);
            long[] want = expected.get(k);
            boolean wrong = got[0] != want[0] || got[1] != want[1];
            samples.add(new Sample(start, System.nanoTime(), protocol, !wrong, wrong, retry,
                wrong ? "wrong answer for k=" + k + ": " + got[0] + "," + got[1] : null));
            break;
          } catch (Exception e) {
            samples.add(new Sample(start, System.nanoTime(), protocol, false, false, retry,
                String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString())));
            if (System.nanoTime() > until) {
              gaveUp.incrementAndGet();
              break;
            }
            retry = true;
            sleep(250);
          }
        }
        sleep(15);
      }
    }, "load-" + protocol);
    t.setDaemon(true);
    return t;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ------------------------------------------------------------------ the three clients

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private long[] rest(int k) throws Exception {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(
            URI.create("http://" + host + ":" + lb.httpPort + "/api/v1/sql"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(120))
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("sql", sql(k)))))
        .build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("REST HTTP " + r.statusCode() + ": "
          + new String(r.body(), StandardCharsets.UTF_8));
    }
    JsonNode row = JSON.readTree(r.body()).path("data").path(0);
    return new long[] {row.path(0).asLong(), row.path(1).asLong()};
  }

  private long[] pg(int k) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("connectTimeout", "5");
    p.setProperty("socketTimeout", "120");
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":"
        + lb.pgwirePort + "/strata", p); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql(k))) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    }
  }

  private final class FlightQuery implements Query {
    private org.apache.arrow.flight.FlightClient client;
    private FlightSqlClient sql;
    private CredentialCallOption bearer;

    @Override
    public long[] run(int k) throws Exception {
      if (client == null) {
        org.apache.arrow.flight.FlightClient c = org.apache.arrow.flight.FlightClient.builder(
            allocator, Location.forGrpcInsecure(host, lb.flightPort)).build();
        try {
          bearer = c.authenticateBasicToken(user, password).orElseThrow();
        } catch (RuntimeException e) {
          c.close();
          throw e;
        }
        client = c;
        flights.add(c);
        sql = new FlightSqlClient(c);
      }
      FlightInfo info = sql.execute(sql(k), bearer);
      long n = -1;
      long s = -1;
      for (FlightEndpoint e : info.getEndpoints()) {
        try (FlightStream stream = sql.getStream(e.getTicket(), bearer)) {
          VectorSchemaRoot root = stream.getRoot();
          while (stream.next()) {
            if (root.getRowCount() > 0) {
              FieldVector a = root.getVector(0);
              FieldVector b = root.getVector(1);
              n = ((Number) a.getObject(0)).longValue();
              s = ((Number) b.getObject(0)).longValue();
            }
          }
        }
      }
      return new long[] {n, s};
    }
  }

  @Override
  public void close() throws Exception {
    stop();
    for (org.apache.arrow.flight.FlightClient c : flights) {
      c.close();
    }
    allocator.close();
  }
}
