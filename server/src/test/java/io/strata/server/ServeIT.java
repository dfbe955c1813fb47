package io.strata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Starts the server exactly as the README's run command does ({@code bin/strata serve}, no
 * configuration but a free port and a fresh data directory), waits for it, queries the demo
 * with the generated admin password, and stops it with SIGTERM. Runs after {@code package}
 * (failsafe), against the packaged jar.
 */
class ServeIT {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theReadmeCommandServesTheDemo() throws Exception {
    Path root = Path.of(System.getProperty("basedir", "server")).toAbsolutePath().getParent();
    Path script = root.resolve("bin/strata");
    assertThat(script).exists();
    Path work = Files.createTempDirectory("strata-serve-it");
    int port;
    int jdbcPort;
    try (ServerSocket s = new ServerSocket(0); ServerSocket j = new ServerSocket(0)) {
      port = s.getLocalPort();
      jdbcPort = j.getLocalPort();
    }
    Path log = work.resolve("server.log");
    ProcessBuilder pb = new ProcessBuilder(script.toString(), "serve")
        .directory(work.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("STRATA_HTTP_PORT", Integer.toString(port));
    pb.environment().put("STRATA_JDBC_PORT", Integer.toString(jdbcPort));
    pb.environment().remove("STRATA_ADMIN_PASSWORD");
    // A hyphenated setting from its environment variable: strata.query.max-rows.
    pb.environment().put("STRATA_QUERY_MAX_ROWS", "10");
    pb.environment().put("STRATA_FLIGHT_PORT", "0");
    pb.environment().put("STRATA_PGWIRE_PORT", "0");
    Process server = pb.start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      URI base = URI.create("http://127.0.0.1:" + port);
      waitForHealth(http, base, server, log);

      // The generated admin password is in the log once and in an owner-only file.
      Path passwordFile = work.resolve("data/admin-password");
      assertThat(passwordFile).exists();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile)))
          .isEqualTo("rw-------");
      String password = Files.readString(passwordFile).trim();
      assertThat(Files.readString(log)).contains(password);
      assertThat(work.resolve("data/demo.duckdb")).exists();

      String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + password)
          .getBytes(StandardCharsets.UTF_8));
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/query"))
          .header("Authorization", auth).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"measures\":[\"orders.count\",\"order_items.revenue\"],\"dimensions\":[\"customers.region\"]}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode data = JSON.readTree(r.body()).path("data");
      long orders = 0;
      for (JsonNode row : data) {
        orders += row.path("orders.count").asLong();
      }
      assertThat(orders).isEqualTo(100_000); // scale 1, the default

      HttpResponse<String> tooMany = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/query"))
          .header("Authorization", auth).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"measures\":[\"orders.count\"],\"dimensions\":[\"customers.region\",\"orders.status\"]}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(tooMany.statusCode()).as(tooMany.body()).isEqualTo(400);
      assertThat(tooMany.body()).contains("ROW_LIMIT_EXCEEDED").contains("10");

      // JDBC through Avatica's stock driver, on the packaged server's classpath (Jetty 9.4)
      assertThat(Files.readString(log)).contains("JDBC (Avatica) listening on port " + jdbcPort);
      Class.forName("org.apache.calcite.avatica.remote.Driver");
      java.util.Properties p = new java.util.Properties();
      p.setProperty("avatica_user", "admin");
      p.setProperty("avatica_password", password);
      try (java.sql.Connection c = java.sql.DriverManager.getConnection(
          "jdbc:avatica:remote:url=http://127.0.0.1:" + jdbcPort
              + ";serialization=protobuf;authentication=BASIC", p);
          java.sql.Statement st = c.createStatement();
          java.sql.ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM semantic.orders")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(100_000);
      }

      // Flight SQL on the port the log names (0 = a free one), with the packaged classpath
      java.util.regex.Matcher m = java.util.regex.Pattern
          .compile("Flight SQL listening on port (\\d+)").matcher(Files.readString(log));
      assertThat(m.find()).as("the log names the Flight SQL port").isTrue();
      try (org.apache.arrow.memory.BufferAllocator memory =
          new org.apache.arrow.memory.RootAllocator();
          org.apache.arrow.flight.FlightClient client = org.apache.arrow.flight.FlightClient
              .builder(memory, org.apache.arrow.flight.Location.forGrpcInsecure("127.0.0.1",
                  Integer.parseInt(m.group(1)))).build()) {
        org.apache.arrow.flight.CallOption token =
            client.authenticateBasicToken("admin", password).orElseThrow();
        org.apache.arrow.flight.sql.FlightSqlClient sql =
            new org.apache.arrow.flight.sql.FlightSqlClient(client);
        org.apache.arrow.flight.FlightInfo info = sql.execute(
            "SELECT status, MEASURE(count) FROM semantic.orders GROUP BY status", token);
        long rows = 0;
        try (org.apache.arrow.flight.FlightStream stream =
            sql.getStream(info.getEndpoints().get(0).getTicket(), token)) {
          while (stream.next()) {
            rows += stream.getRoot().getRowCount();
          }
        }
        assertThat(rows).isBetween(2L, 10L);
      }

      // the Postgres wire, on by default, through pgjdbc with SCRAM-SHA-256
      java.util.regex.Matcher pg = java.util.regex.Pattern
          .compile("Postgres wire listening on port (\\d+)").matcher(Files.readString(log));
      assertThat(pg.find()).as("the log names the Postgres wire port").isTrue();
      try (java.sql.Connection c = java.sql.DriverManager.getConnection(
          "jdbc:postgresql://127.0.0.1:" + pg.group(1) + "/strata", "admin", password);
          java.sql.Statement st = c.createStatement();
          java.sql.ResultSet rs = st.executeQuery("SELECT MEASURE(count) FROM semantic.orders")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(100_000);
      }
    } finally {
      server.destroy(); // SIGTERM: graceful shutdown
      boolean exited = server.waitFor(60, TimeUnit.SECONDS);
      if (!exited) {
        server.destroyForcibly();
      }
      assertThat(exited).as("server stopped within 60 s of SIGTERM").isTrue();
    }
    assertThat(Files.readString(log)).doesNotContain("Exception in thread");
  }

  static void waitForHealth(HttpClient http, URI base, Process server, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new AssertionError("server exited with " + server.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/health"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(250);
    }
    throw new AssertionError("server not healthy within 3 minutes:\n" + Files.readString(log));
  }
}
