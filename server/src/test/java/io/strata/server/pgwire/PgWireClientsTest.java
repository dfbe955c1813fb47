package io.strata.server.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Postgres wire endpoint through the clients people use, run as processes: Debian's
 * {@code psql}, {@code psycopg2} (Debian's {@code python3-psycopg2}, under {@code /usr/bin/python3})
 * and node-postgres ({@code pg} from npm, installed under {@code target/} on first use). Each
 * logs in with SCRAM-SHA-256 and gets the answers REST {@code /api/v1/sql} gives.
 */
class PgWireClientsTest {
  static TestServer server;
  static final String SEMANTIC = "SELECT status, MEASURE(count) AS n FROM semantic.orders"
      + " GROUP BY status ORDER BY status";

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of());
    TestServer.Response saved = server.admin().send("PUT", "/api/v1/models/slow",
        "application/yaml", TestServer.SLOW_MODEL.replace("3999", "39999"));
    assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** REST's rows as psql's unaligned output prints them: values joined by '|'. */
  static List<String> restLines(String sql) {
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

  record Run(int exit, String out, String err) {}

  static Run run(List<String> command, Map<String, String> env, long timeoutSeconds)
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

  static Map<String, String> pgEnv() {
    return Map.of("PGPASSWORD", TestServer.ADMIN_PASSWORD, "PGHOST", "127.0.0.1", "PGPORT",
        Integer.toString(server.pgwirePort()), "PGUSER", "admin", "PGDATABASE", "strata",
        "PGCONNECT_TIMEOUT", "10");
  }

  static List<String> psql(String... args) {
    List<String> cmd = new ArrayList<>(List.of("psql", "-X", "-A", "-t", "-v",
        "ON_ERROR_STOP=1"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  static List<String> lines(String out) {
    return out.lines().filter(l -> !l.isBlank()).toList();
  }

  @Test
  void psqlSemanticAndRawQueries() throws Exception {
    Run semantic = run(psql("-c", SEMANTIC), pgEnv(), 60);
    assertThat(semantic.exit()).as(semantic.toString()).isZero();
    assertThat(lines(semantic.out())).isNotEmpty().isEqualTo(restLines(SEMANTIC));

    String raw = "SELECT channel, COUNT(*) AS n FROM demo.retail.orders GROUP BY channel"
        + " ORDER BY channel";
    Run r = run(psql("-c", raw), pgEnv(), 60);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(lines(r.out())).isNotEmpty().isEqualTo(restLines(raw));
  }

  @Test
  void psqlCopyIsRefusedClearly() throws Exception {
    Run r = run(psql("-c", "\\copy (SELECT 1) to '/tmp/pgwire-copy.csv'"), pgEnv(), 60);
    assertThat(r.exit()).as(r.toString()).isNotZero();
    assertThat(r.err()).contains("cannot execute COPY in a read-only transaction");
  }

  @Test
  void psqlWrongPassword() throws Exception {
    Map<String, String> env = new LinkedHashMap<>(pgEnv());
    env.put("PGPASSWORD", "wrong-password");
    env.put("PGUSER", "someone");
    Run r = run(psql("-c", "SELECT 1"), env, 60);
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("password authentication failed for user \"someone\"");
  }

  @Test
  void psqlCancelWithSigint() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(psql("-c", "SET strata_cache = off", "-c",
        "SELECT MEASURE(matches) FROM semantic.slow"));
    pb.environment().putAll(pgEnv());
    Path err = Files.createTempFile("pgwire-err", ".txt");
    pb.redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    long started = System.nanoTime();
    try {
      waitForRunning(server);
    } catch (AssertionError e) {
      p.destroyForcibly();
      throw new AssertionError(e.getMessage() + "; psql said: " + Files.readString(err), e);
    }
    new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String text = Files.readString(err, StandardCharsets.UTF_8);
    Files.deleteIfExists(err);
    assertThat(text).contains("canceling statement due to user request");
    assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(30));
    // and the server still answers
    Run after = run(psql("-c", "SELECT 1 AS x"), pgEnv(), 60);
    assertThat(after.out().trim()).isEqualTo("1");
  }

  /** Waits until the running-queries list shows a query. */
  static void waitForRunning(TestServer server) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      TestServer.Response r = server.admin().get("/api/v1/queries/running");
      if (r.status() == 200 && r.json().size() > 0) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no query is running");
  }

  @Test
  void psycopg2QueryAndTypedParameter() throws Exception {
    String script = """
        import psycopg2, sys, datetime, decimal
        c = psycopg2.connect(host='127.0.0.1', port=int(sys.argv[1]), user='admin',
                             password=sys.argv[2], dbname='strata')
        cur = c.cursor()
        cur.execute(sys.argv[3])
        for row in cur.fetchall():
            print('|'.join('' if v is None else str(v) for v in row))
        cur.execute("SELECT COUNT(*) AS n FROM demo.retail.orders WHERE order_id <= %s"
                    " AND channel <> %s", (250, 'nowhere'))
        print('count', cur.fetchone()[0])
        c.close()
        """;
    Path file = Files.createTempFile("pgwire", ".py");
    Files.writeString(file, script);
    Run r = run(List.of("/usr/bin/python3", file.toString(),
        Integer.toString(server.pgwirePort()), TestServer.ADMIN_PASSWORD, SEMANTIC), Map.of(), 120);
    Files.deleteIfExists(file);
    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> out = lines(r.out());
    assertThat(out.subList(0, out.size() - 1)).isNotEmpty().isEqualTo(restLines(SEMANTIC));
    List<String> count = restLines("SELECT COUNT(*) AS n FROM demo.retail.orders WHERE"
        + " order_id <= 250 AND channel <> 'nowhere'");
    assertThat(out.get(out.size() - 1)).isEqualTo("count " + count.get(0));
  }

  @Test
  void nodePostgresExtendedProtocolWithTypedParameter() throws Exception {
    Path dir = Path.of("target", "pgwire-node").toAbsolutePath();
    if (!Files.isDirectory(dir.resolve("node_modules/pg"))) {
      Files.createDirectories(dir);
      Run install = run(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix",
          dir.toString(), "pg@8"), Map.of(), 300);
      assertThat(install.exit()).as("npm install pg failed (node-postgres comes from the npm"
          + " registry): " + install).isZero();
    }
    String script = """
        const { Client } = require('pg');
        (async () => {
          const c = new Client({ host: '127.0.0.1', port: +process.argv[2], user: 'admin',
                                 password: process.argv[3], database: 'strata' });
          await c.connect();
          const r = await c.query({ text: process.argv[4] + ' WHERE order_id <= $1',
                                    values: [250], types: undefined });
          for (const row of r.rows) console.log(Object.values(row).join('|'));
          const s = await c.query({ name: 'by-status', text:
            'SELECT status, MEASURE(count) AS n FROM semantic.orders WHERE status <> $1'
            + ' GROUP BY status ORDER BY status', values: ['nothing'] });
          for (const row of s.rows) console.log(Object.values(row).join('|'));
          await c.end();
        })().catch(e => { console.error(e.message); process.exit(1); });
        """;
    Path file = dir.resolve("pgwire-test.js");
    Files.writeString(file, script);
    String raw = "SELECT COUNT(*) AS n FROM demo.retail.orders";
    Run r = run(List.of("node", file.toString(), Integer.toString(server.pgwirePort()),
        TestServer.ADMIN_PASSWORD, raw), Map.of("NODE_PATH", dir.resolve("node_modules")
        .toString()), 120);
    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> expected = new ArrayList<>(restLines(raw + " WHERE order_id <= 250"));
    expected.addAll(restLines("SELECT status, MEASURE(count) AS n FROM semantic.orders WHERE"
        + " status <> 'nothing' GROUP BY status ORDER BY status"));
    assertThat(lines(r.out())).isEqualTo(expected);
  }
}
