package io.strata.server.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.TestServer;
import io.strata.testkit.Answers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * What a test of the Postgres wire needs around a {@link TestServer} (whose
 * {@code pgwirePort()} is the endpoint): pgjdbc connections, rows normalised as every endpoint
 * test normalises them, REST's answer to compare with, and stock clients (psql, python3,
 * node) run as processes with the server's connection settings.
 */
public final class PgWire {
  private PgWire() {}

  public static String url(TestServer server) {
    return "jdbc:postgresql://127.0.0.1:" + server.pgwirePort() + "/strata";
  }

  /** A pgjdbc connection; {@code properties} are name/value pairs of pgjdbc properties. */
  public static Connection connect(TestServer server, String user, String password,
      String... properties) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    for (int i = 0; i + 1 < properties.length; i += 2) {
      p.setProperty(properties[i], properties[i + 1]);
    }
    return DriverManager.getConnection(url(server), p);
  }

  public static Connection admin(TestServer server, String... properties) throws SQLException {
    return connect(server, "admin", TestServer.ADMIN_PASSWORD, properties);
  }

  /** The rows of a result set, each value as {@link Answers#normalise} writes it. */
  public static List<List<String>> rows(ResultSet rs) throws SQLException {
    List<List<String>> out = new ArrayList<>();
    int n = rs.getMetaData().getColumnCount();
    while (rs.next()) {
      List<String> row = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        row.add(Answers.normalise(rs.getObject(i), null));
      }
      out.add(row);
    }
    return out;
  }

  /** What REST {@code /api/v1/sql} answers as admin, normalised the same way. */
  public static List<List<String>> rest(TestServer server, String sql, Object... parameters) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sql", sql);
    body.put("parameters", List.of(parameters));
    TestServer.Response r = server.admin().post("/api/v1/sql", body);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return TestServer.rows(r);
  }

  /** REST's rows as psql's unaligned output prints them: values joined by '|'. */
  public static List<String> restLines(TestServer server, String sql) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sql", sql);
    TestServer.Response r = server.admin().post("/api/v1/sql", body);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    List<String> lines = new ArrayList<>();
    r.json().path("data").forEach(row -> {
      List<String> values = new ArrayList<>();
      row.forEach(v -> values.add(v.isNull() ? "" : v.asText()));
      lines.add(String.join("|", values));
    });
    return lines;
  }

  /** libpq's environment for the admin (psql, psycopg2). */
  public static Map<String, String> libpqEnv(TestServer server) {
    return Map.of("PGPASSWORD", TestServer.ADMIN_PASSWORD, "PGHOST", "127.0.0.1", "PGPORT",
        Integer.toString(server.pgwirePort()), "PGUSER", "admin", "PGDATABASE", "strata",
        "PGCONNECT_TIMEOUT", "10");
  }

  /** psql, unaligned and tuples only, stopping at the first error, then {@code args}. */
  public static List<String> psql(String... args) {
    List<String> cmd = new ArrayList<>(List.of("psql", "-X", "-A", "-t", "-v",
        "ON_ERROR_STOP=1"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** A finished process: its exit code and what it printed. */
  public record Run(int exit, String out, String err) {
    /** The non-blank lines of its standard output. */
    public List<String> lines() {
      return out.lines().filter(l -> !l.isBlank()).toList();
    }
  }

  /** Runs {@code command} to its end (failing the test past {@code timeoutSeconds}). */
  public static Run run(List<String> command, Map<String, String> env, long timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    Path outFile = Files.createTempFile("pgwire-out", ".txt");
    Path errFile = Files.createTempFile("pgwire-err", ".txt");
    pb.redirectOutput(outFile.toFile()).redirectError(errFile.toFile());
    Process p = pb.start();
    boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    Run r = new Run(done ? p.exitValue() : -1, Files.readString(outFile),
        Files.readString(errFile));
    Files.deleteIfExists(outFile);
    Files.deleteIfExists(errFile);
    assertThat(done).as("timed out: " + command + " " + r).isTrue();
    return r;
  }

  /** Waits until the server's running-queries list shows a query. */
  public static void waitForRunning(TestServer server) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      TestServer.Response r = server.admin().get("/api/v1/queries/running");
      if (r.status() == 200 && r.json().size() > 0) {
        return;
      }
      Thread.sleep(100); // polling for the query to start, not a timed assertion
    }
    throw new AssertionError("no query is running");
  }
}
