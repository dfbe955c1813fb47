package io.strata.jdbc.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
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
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A million-row result passes through a server whose heap is far smaller than the result:
 * {@code bin/strata serve} started as a process with {@code -Xmx128m}, read through both the
 * stock Avatica driver and the shaded {@code jdbc:strata:} driver. The server streams frame by
 * frame; if it held the result it would run out of memory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SmallHeapStreamIT {
  static final String PASSWORD = "small-heap-secret-1";
  static final long ROWS = 1_000_000;
  static final String WIDE_MODEL = """
      name: wide
      data_source: demo
      sql: >-
        SELECT a.x AS n, 'row number ' || a.x AS label,
        TIMESTAMP '2024-01-01 00:00:00' + a.x * INTERVAL '1' SECOND AS created_at
        FROM UNNEST(generate_series(0, 999999)) AS a(x)
      dimensions:
        - { name: n, type: number }
        - { name: label, type: string }
        - { name: created_at, type: time }
      measures:
        - { name: count, agg: count }
      """;

  Process server;
  Path work;
  Path log;
  int httpPort;
  int jdbcPort;

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @BeforeAll
  void start() throws Exception {
    Path root = Path.of(System.getProperty("strata.root", "..")).toAbsolutePath().normalize();
    work = Files.createTempDirectory("strata-small-heap");
    log = work.resolve("server.log");
    httpPort = freePort();
    jdbcPort = freePort();
    ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/strata").toString(), "serve")
        .directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("STRATA_HTTP_PORT", Integer.toString(httpPort));
    pb.environment().put("STRATA_JDBC_PORT", Integer.toString(jdbcPort));
    pb.environment().put("STRATA_FLIGHT_PORT", "0");
    pb.environment().put("STRATA_ADMIN_PASSWORD", PASSWORD);
    pb.environment().put("STRATA_DEMO_SCALE", "0.01");
    pb.environment().put("STRATA_QUERY_MAX_ROWS", "2000000");
    pb.environment().put("STRATA_JAVA_OPTS", "-Xmx128m -XX:+ExitOnOutOfMemoryError");
    server = pb.start();
    HttpClient http = HttpClient.newHttpClient();
    URI base = URI.create("http://127.0.0.1:" + httpPort);
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    boolean up = false;
    while (!up && System.nanoTime() < deadline) {
      assertThat(server.isAlive()).as("server exited:\n" + Files.readString(log)).isTrue();
      try {
        up = http.send(HttpRequest.newBuilder(base.resolve("/health")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
      } catch (IOException e) {
        Thread.sleep(250);
      }
    }
    assertThat(up).as("healthy within 3 minutes:\n" + Files.readString(log)).isTrue();
    String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD)
        .getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> saved = http.send(HttpRequest.newBuilder(
        base.resolve("/api/v1/models/wide")).header("Authorization", auth)
        .header("Content-Type", "application/yaml")
        .PUT(HttpRequest.BodyPublishers.ofString(WIDE_MODEL)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
  }

  @AfterAll
  void stop() throws Exception {
    if (server != null) {
      server.destroy();
      if (!server.waitFor(60, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  /** Reads every row, checking order-independent sums, and returns the row count. */
  static long read(Connection c, String sql) throws SQLException {
    long rows = 0;
    long sum = 0;
    long labels = 0;
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        rows++;
        sum += rs.getLong(1);
        labels += rs.getString(2).length();
        assertThat(rs.getTimestamp(3)).isNotNull();
      }
    }
    assertThat(sum).isEqualTo(ROWS * (ROWS - 1) / 2);
    // "row number " is 11 characters, then the digits of 0..999999
    assertThat(labels).isEqualTo(11 * ROWS + 5_888_890);
    return rows;
  }

  void assertServerFine() throws IOException {
    assertThat(server.isAlive()).as(Files.readString(log)).isTrue();
    assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
  }

  @Test
  void throughTheStockAvaticaDriver() throws Exception {
    Class.forName("org.apache.calcite.avatica.remote.Driver");
    Properties p = new Properties();
    p.setProperty("avatica_user", "admin");
    p.setProperty("avatica_password", PASSWORD);
    try (Connection c = DriverManager.getConnection("jdbc:avatica:remote:url=http://127.0.0.1:"
        + jdbcPort + ";serialization=protobuf;authentication=BASIC", p)) {
      assertThat(read(c, "SELECT n, label, created_at FROM semantic.wide")).isEqualTo(ROWS);
    }
    assertServerFine();
  }

  @Test
  void throughTheStrataDriver() throws Exception {
    ShadedDriver shaded = ShadedDriver.load();
    try (Connection c = shaded.connect("jdbc:strata://127.0.0.1:" + jdbcPort, "admin",
        PASSWORD)) {
      assertThat(read(c, "SELECT n, label, created_at FROM semantic.wide")).isEqualTo(ROWS);
    } finally {
      shaded.loader.close();
    }
    assertServerFine();
  }
}
