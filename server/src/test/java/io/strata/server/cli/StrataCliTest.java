package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.demo.DemoModels;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs the command line in-process with captured output. */
class StrataCliTest {

  @TempDir
  Path tmp;

  record Run(int status, String out, String err) {}

  static Run runWithInput(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
    CommandLine cli = StrataCli.commandLine(in);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int status = cli.execute(args);
    return new Run(status, out.toString(), err.toString());
  }

  static Run run(String... args) {
    return runWithInput("", args);
  }

  /** The demo models, written out of the strata-demo jar into a directory. */
  Path demoModels() {
    return DemoModels.copyTo(tmp.resolve("demo"));
  }

  Path brokenModels() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("broken/models"));
    Files.writeString(dir.resolve("orders.yml"), """
        name: orders
        data_source: demo
        table: retail.orders
        dimensions:
          - { name: status, type: string }
        measures:
          - { name: count, agg: count }
          - { name: rate, agg: number, expr: "{completed} / {count}" }
        """);
    Files.writeString(dir.resolve("sales.yml"), """
        name: sales
        members:
          - orders.*
          - { member: customers.region }
        """);
    return tmp.resolve("broken");
  }

  @Test
  void validateDemoModels() throws IOException {
    Run r = run("validate", demoModels().toString());
    assertThat(r.err()).isEmpty();
    assertThat(r.out().strip()).isEqualTo("4 models, 1 views: OK");
    assertThat(r.status()).isZero();
  }

  @Test
  void validateReportsEveryErrorWithPathsRelativeToDir() throws IOException {
    Run r = run("validate", brokenModels().toString());
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().toList()).containsExactly(
        "models/orders.yml:8:39: measure 'orders.rate': {completed} is not a member of model"
            + " 'orders'",
        "models/sales.yml:4:15: view 'sales': unknown model 'customers' in 'customers.region'"
            + " (models: orders)");
  }

  @Test
  void validateWithoutDirIsAUsageError() {
    Run r = run("validate");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required parameter: 'DIR'").contains("Usage:");
  }

  @Test
  void validateOfAMissingDirectoryIsAUsageError() {
    Run r = run("validate", tmp.resolve("nope").toString());
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("DIR '" + tmp.resolve("nope") + "' is not a directory");
  }

  @Test
  void unknownCommandOrOptionIsAUsageError() {
    assertThat(run("frobnicate").status()).isEqualTo(2);
    assertThat(run("validate", "--bogus", tmp.toString()).status()).isEqualTo(2);
    Run none = run();
    assertThat(none.status()).isEqualTo(2);
    assertThat(none.err()).contains("missing command");
  }

  @Test
  void aWorkerWithoutASharedMetadataDatabaseRefusesToStart() {
    Run r = run("worker", "--threads", "1");
    assertThat(r.status()).isEqualTo(StrataCli.INVALID);
    assertThat(r.err()).contains("STRATA_METADATA_URL").contains("strata worker");
  }

  @Test
  void helpAndVersion() {
    Run help = run("--help");
    assertThat(help.status()).isZero();
    assertThat(help.out()).contains("validate").contains("compile");
    assertThat(run("--version").out()).startsWith("strata ");
  }

  @Test
  void compileWithUnknownDialect() throws IOException {
    Path q = Files.writeString(tmp.resolve("q.json"), "{\"measures\": [\"orders.count\"]}");
    Run r = run("compile", "--models", demoModels().toString(), "--dialect", "oracle",
        q.toString());
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).contains("unknown dialect 'oracle'").contains("postgres");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void compileWithBadJsonFromStdin() throws IOException {
    Run r = runWithInput("{\"measures\": [", "compile", "--models", demoModels().toString(),
        "--dialect", "duckdb", "-");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).startsWith("strata compile: <stdin>: invalid query: ");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void compileWithInvalidModels() throws IOException {
    Path q = Files.writeString(tmp.resolve("q.json"), "{\"measures\": [\"orders.count\"]}");
    Run r = run("compile", "--models", brokenModels().toString(), "--dialect", "postgres",
        q.toString());
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).contains("models/orders.yml:8:39: measure 'orders.rate'");
  }

  @Test
  void compileWithMissingQueryFile() throws IOException {
    Run r = run("compile", "--models", demoModels().toString(), "--dialect", "postgres",
        tmp.resolve("missing.json").toString());
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).contains("cannot read query file");
  }

  @Test
  void compileWithoutRequiredOptionsIsAUsageError() {
    Run r = run("compile", "q.json");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("--models").contains("--dialect");
  }

  @Test
  void compilePrintsTheSqlForEachDialect() throws IOException {
    String query = "{\"measures\":[\"orders.count\"],\"dimensions\":[\"customers.region\"],"
        + "\"limit\":5}";
    Run pg = runWithInput(query, "compile", "--models", demoModels().toString(), "--dialect",
        "postgres", "-");
    assertThat(pg.status()).as(pg.err()).isZero();
    assertThat(pg.out()).contains("FROM retail.orders AS orders")
        .contains("LEFT JOIN retail.customers AS customers")
        .contains("LIMIT 5");
    Run mysql = runWithInput(query, "compile", "--models", demoModels().toString(), "--dialect",
        "mysql", "-");
    assertThat(mysql.status()).as(mysql.err()).isZero();
    assertThat(mysql.out()).contains("LIMIT 5");
  }

  @Test
  void compileReportsAnUnknownMemberWithItsLocation() throws IOException {
    Run r = runWithInput("{\"measures\":[\"orders.nope\"]}", "compile", "--models",
        demoModels().toString(), "--dialect", "duckdb", "-");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).contains("'orders' has no member 'nope'").contains("measures[0]");
  }
}
