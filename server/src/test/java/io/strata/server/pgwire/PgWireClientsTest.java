package io.strata.server.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.TestServer;
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

  static List<String> restLines(String sql) {
    return PgWire.restLines(server, sql);
  }

  static Map<String, String> pgEnv() {
    return PgWire.libpqEnv(server);
  }

  static List<String> lines(String out) {
    return out.lines().filter(l -> !l.isBlank()).toList();
  }

  @Test
  void psqlSemanticAndRawQueries() throws Exception {
    PgWire.Run semantic = PgWire.run(PgWire.psql("-c", SEMANTIC), pgEnv(), 60);
    assertThat(semantic.exit()).as(semantic.toString()).isZero();
    assertThat(lines(semantic.out())).isNotEmpty().isEqualTo(restLines(SEMANTIC));

    String raw = "SELECT channel, COUNT(*) AS n FROM demo.retail.orders GROUP BY channel"
        + " ORDER BY channel";
    PgWire.Run r = PgWire.run(PgWire.psql("-c", raw), pgEnv(), 60);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(lines(r.out())).isNotEmpty().isEqualTo(restLines(raw));
  }

  @Test
  void psqlCopyIsRefusedClearly() throws Exception {
    PgWire.Run r = PgWire.run(PgWire.psql("-c", "\\copy (SELECT 1) to '/tmp/pgwire-copy.csv'"),
        pgEnv(), 60);
    assertThat(r.exit()).as(r.toString()).isNotZero();
    assertThat(r.err()).contains("cannot execute COPY in a read-only transaction");
  }

  @Test
  void psqlWrongPassword() throws Exception {
    Map<String, String> env = new LinkedHashMap<>(pgEnv());
    env.put("PGPASSWORD", "wrong-password");
    env.put("PGUSER", "someone");
    PgWire.Run r = PgWire.run(PgWire.psql("-c", "SELECT 1"), env, 60);
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("password authentication failed for user \"someone\"");
  }

  @Test
  void psqlCancelWithSigint() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(PgWire.psql("-c", "SET strata_cache = off", "-c",
        "SELECT MEASURE(matches) FROM semantic.slow"));
    pb.environment().putAll(pgEnv());
    Path err = Files.createTempFile("pgwire-err", ".txt");
    pb.redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    long started = System.nanoTime();
    try {
      PgWire.waitForRunning(server);
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
    PgWire.Run after = PgWire.run(PgWire.psql("-c", "SELECT 1 AS x"), pgEnv(), 60);
    assertThat(after.out().trim()).isEqualTo("1");
  }

  @Test
  void psqlSeesOneDatabaseStrataWhateverNameItGave() throws Exception {
    Map<String, String> env = new LinkedHashMap<>(pgEnv());
    env.put("PGDATABASE", "analytics");
    PgWire.Run r = PgWire.run(PgWire.psql("-c", "SELECT current_database()",
        "-c", "SELECT current_database() AS db, 1 AS one",
        "-c", "SELECT datname FROM pg_database",
        "-c", "SELECT DISTINCT catalog_name FROM information_schema.schemata",
        "-c", "SELECT DISTINCT table_catalog FROM information_schema.columns"), env, 60);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(lines(r.out())).containsExactly("strata", "strata|1", "strata", "strata",
        "strata");
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
    PgWire.Run r = PgWire.run(List.of("/usr/bin/python3", file.toString(),
        Integer.toString(server.pgwirePort()), TestServer.ADMIN_PASSWORD, SEMANTIC), Map.of(), 120);
    Files.deleteIfExists(file);
    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> out = lines(r.out());
    assertThat(out.subList(0, out.size() - 1)).isNotEmpty().isEqualTo(restLines(SEMANTIC));
    List<String> count = restLines("SELECT COUNT(*) AS n FROM demo.retail.orders WHERE"
        + " order_id <= 250 AND channel <> 'nowhere'");
    assertThat(out.get(out.size() - 1)).isEqualTo("count " + count.get(0));
  }

  /** node-postgres ({@code pg@8} from npm) under {@code target/pgwire-node}, installed once. */
  static Path nodePostgres() throws Exception {
    Path dir = Path.of("target", "pgwire-node").toAbsolutePath();
    if (!Files.isDirectory(dir.resolve("node_modules/pg"))) {
      Files.createDirectories(dir);
      PgWire.Run install = PgWire.run(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix",
          dir.toString(), "pg@8"), Map.of(), 300);
      assertThat(install.exit()).as("npm install pg failed (node-postgres comes from the npm"
          + " registry): " + install).isZero();
    }
    return dir;
  }

  @Test
  void nodePostgresSeesTheInferredParameterTypesAndItsValuesAreRead() throws Exception {
    Path dir = nodePostgres();
    // node-postgres declares no parameter types and sends every value as text (a Date in its
    // local time with an offset); what the server infers is what a Describe of the statement
    // shows it, read here from node-postgres's own ParameterDescription message
    String script = """
        const { Client } = require('pg');
        function describe(c, text) {
          return new Promise((resolve, reject) => {
            let types = null, fields = null, error = null;
            c.query({
              submit(con) {
                con.once('parameterDescription', m => { types = m.dataTypeIDs; });
                con.parse({ text, types: [] });
                con.describe({ type: 'S', name: '' });
                con.sync();
              },
              handleRowDescription(m) { fields = m.fields.map(f => f.name + ':' + f.dataTypeID); },
              handleError(e) { error = e; },
              handleReadyForQuery() { error ? reject(error) : resolve({ types, fields }); },
              handleCommandComplete() {}, handleDataRow() {}, handleEmptyQuery() {},
              handlePortalSuspended() {},
            });
          });
        }
        (async () => {
          const c = new Client({ host: '127.0.0.1', port: +process.argv[2], user: 'admin',
                                 password: process.argv[3], database: 'strata' });
          await c.connect();
          for (const [text, values] of JSON.parse(process.argv[4])) {
            const d = await describe(c, text);
            console.log('types ' + d.types.join(','));
            console.log('fields ' + d.fields.join(','));
            const r = await c.query(text, values.map(v => v === 'DATE' ? new Date(Date.UTC(2024, 0, 1)) : v));
            for (const row of r.rows) console.log(Object.values(row)
                .map(v => v instanceof Date ? v.toISOString() : v).join('|'));
          }
          await c.end();
        })().catch(e => { console.error(e.message); process.exit(1); });
        """;
    String semantic = "SELECT status, MEASURE(count) AS n FROM semantic.orders WHERE channel = $1"
        + " AND ordered_at >= $2 GROUP BY status ORDER BY status LIMIT $3";
    String statements = TestServer.JSON.writeValueAsString(List.of(
        List.of(semantic, List.of("web", "DATE", 3))));
    Path file = dir.resolve("pgwire-types.js");
    Files.writeString(file, script);
    PgWire.Run r = PgWire.run(List.of("node", file.toString(), Integer.toString(server.pgwirePort()),
        TestServer.ADMIN_PASSWORD, statements), Map.of("NODE_PATH", dir.resolve("node_modules")
        .toString(), "TZ", "UTC"), 120);
    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> expected = new ArrayList<>();
    // varchar (the channel dimension), timestamp (ordered_at), int8 (LIMIT)
    expected.add("types 1043,1114,20");
    expected.add("fields status:1043,n:20");
    expected.addAll(restLines("SELECT status, MEASURE(count) AS n FROM semantic.orders WHERE"
        + " channel = 'web' AND ordered_at >= TIMESTAMP '2024-01-01 00:00:00' GROUP BY status"
        + " ORDER BY status LIMIT 3"));
    assertThat(lines(r.out())).isEqualTo(expected);
  }

  @Test
  void nodePostgresExtendedProtocolWithTypedParameter() throws Exception {
    Path dir = nodePostgres();
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
    PgWire.Run r = PgWire.run(List.of("node", file.toString(), Integer.toString(server.pgwirePort()),
        TestServer.ADMIN_PASSWORD, raw), Map.of("NODE_PATH", dir.resolve("node_modules")
        .toString()), 120);
    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> expected = new ArrayList<>(restLines(raw + " WHERE order_id <= 250"));
    expected.addAll(restLines("SELECT status, MEASURE(count) AS n FROM semantic.orders WHERE"
        + " status <> 'nothing' GROUP BY status ORDER BY status"));
    assertThat(lines(r.out())).isEqualTo(expected);
  }
}
