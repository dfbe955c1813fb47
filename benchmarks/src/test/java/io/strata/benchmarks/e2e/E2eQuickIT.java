package io.strata.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The harness's smoke test, as CI runs it: {@code benchmarks/run-e2e --quick} end to end as a
 * process (real DuckDB, Postgres, Redis and two Strata servers started through bin/strata), then
 * checks that the table, the JSON and the chart were written with every section present and no
 * error row. It asserts nothing about timings. It leaves no process behind (the harness stops
 * its servers; a harness that overruns is killed with its children) and no state a rerun trips
 * on (the run's metadata database and Redis keys are removed; the data is reused by scale).
 */
class E2eQuickIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void quickRunWritesEverySection() throws Exception {
    Path root = Options.findRoot();
    Path out = root.resolve("benchmarks/target/e2e-quick-it");
    Files.createDirectories(out);
    for (String f : List.of("e2e.md", "e2e.json", "e2e.svg", "rollups.md", "rollups.json")) {
      Files.deleteIfExists(out.resolve(f));
    }
    Path log = out.resolve("run-e2e.log");
    Process p = new ProcessBuilder(root.resolve("benchmarks/run-e2e").toString(), "--quick",
        "--out", out.toString()).directory(root.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    boolean ended = p.waitFor(8, TimeUnit.MINUTES);
    List<ProcessHandle> left = p.descendants().toList();
    if (!ended) {
      left.forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    assertThat(ended).as("run-e2e --quick ended within 8 minutes; log:\n%s", tail(log)).isTrue();
    assertThat(p.exitValue()).as("run-e2e --quick exit status; log:\n%s", tail(log)).isZero();
    assertThat(left.stream().filter(ProcessHandle::isAlive))
        .as("no Strata server outlives the harness").isEmpty();
    Matcher pids = Pattern.compile("Strata [ABR] \\(pid (\\d+)\\)").matcher(Files.readString(log));
    int servers = 0;
    while (pids.find()) {
      servers++;
      long pid = Long.parseLong(pids.group(1));
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("Strata server pid %d stopped with the harness", pid).isFalse();
    }
    assertThat(servers).as("the log names the three servers' pids (A, B, R)").isEqualTo(3);

    String md = Files.readString(out.resolve("e2e.md"));
    assertThat(md).contains("# End-to-end benchmark", "Machine: ", "## Targets",
        "## Dashboard query set", "### duckdb, REST", "### duckdb, Avatica JDBC",
        "### duckdb, Flight SQL", "### postgres, REST", "### postgres, Avatica JDBC",
        "### postgres, Flight SQL", "## Large result: throughput",
        "## Cached queries under concurrency", "## Rollups: raw vs rollup, cache bypassed",
        "### duckdb (p50 / p99 ms)", "### postgres (p50 / p99 ms)", "### Builds",
        "## Errors\n\nNone.");
    assertThat(md).doesNotContain("error (see Errors)");

    JsonNode json = JSON.readTree(out.resolve("e2e.json").toFile());
    assertThat(json.get("errors").asLong()).as("error rows").isZero();
    assertThat(json.get("machine").get("cores").asInt()).isPositive();
    JsonNode dashboard = json.get("dashboard");
    // 2 warehouses x 9 charts x (direct + 5 protocols (REST, Avatica JDBC, jdbc:strata:, Flight
    // SQL, Postgres wire) x {miss, L1, L2})
    assertThat(dashboard.size()).isEqualTo(2 * 9 * 16);
    for (JsonNode s : dashboard) {
      assertThat(s.get("error").isNull()).as("%s", s).isTrue();
      assertThat(s.get("n").asInt()).as("%s", s).isPositive();
      assertThat(s.get("rows").asLong()).as("%s", s).isPositive();
      if (!s.get("mode").asText().equals("direct")) {
        assertThat(s.has("speedupVsDirect")).as("ratio to the baseline: %s", s).isTrue();
      }
    }
    JsonNode throughput = json.get("throughput");
    // uncached: direct JDBC, stock Avatica, jdbc:strata:, FlightSqlClient, Flight SQL JDBC,
    // pgjdbc; from the results cache: FlightSqlClient (plain and ZSTD), Flight SQL JDBC,
    // jdbc:strata:, pgjdbc
    assertThat(throughput.size()).isEqualTo(11);
    for (JsonNode t : throughput) {
      assertThat(t.get("error").isNull()).as("%s", t).isTrue();
      assertThat(t.get("rows").asLong()).as("%s", t).isPositive();
    }
    JsonNode concurrency = json.get("concurrency");
    // 1, 8, 32, 64 clients x direct, Flight, REST (Java client), REST (wrk)
    assertThat(concurrency.size()).isEqualTo(4 * 4);
    for (JsonNode c : concurrency) {
      assertThat(c.get("errors").asInt()).as("%s", c).isZero();
      assertThat(c.get("queries").asLong()).as("%s", c).isPositive();
    }
    assertThat(json.get("targets").size()).isGreaterThanOrEqualTo(7);

    // the rollups section: every dashboard query measured raw and from a rollup, on both
    // warehouses, each answered by a rollup (the demo declares rollups for all of them) with
    // the raw answer's values; every demo rollup built, with its size and build time
    JsonNode rollups = json.get("rollups");
    assertThat(rollups.get("errors").asLong()).as("rollup section errors").isZero();
    JsonNode queries = rollups.get("queries");
    assertThat(queries.size()).isEqualTo(2 * 9);
    for (JsonNode q : queries) {
      assertThat(q.get("raw").get("error").isNull()).as("%s", q).isTrue();
      assertThat(q.get("rollup").get("error").isNull()).as("%s", q).isTrue();
      assertThat(q.get("raw").get("n").asInt()).as("%s", q).isPositive();
      assertThat(q.get("rollup").get("n").asInt()).as("%s", q).isPositive();
      assertThat(q.get("rollupUsed").isTextual()).as("answered by a rollup: %s", q).isTrue();
      assertThat(q.get("explainRollup").asText()).as("EXPLAIN names the rollup: %s", q)
          .isEqualTo(q.get("rollupUsed").asText());
      assertThat(q.get("sameAnswer").asBoolean()).as("%s", q).isTrue();
      assertThat(q.get("ratio").asDouble()).as("%s", q).isPositive();
    }
    JsonNode builds = rollups.get("builds");
    assertThat(builds.size()).as("the demo's 4 rollups on each warehouse").isEqualTo(8);
    for (JsonNode b : builds) {
      assertThat(b.get("state").asText()).as("%s", b).isEqualTo("built");
      assertThat(b.get("rows").asLong()).as("%s", b).isPositive();
      assertThat(b.get("bytes").asLong()).as("%s", b).isPositive();
      assertThat(b.get("partitions").asInt()).as("%s", b).isPositive();
    }
    assertThat(builds.findValuesAsText("store")).contains("local", "source");
    assertThat(rollups.get("targets").size()).isEqualTo(2);
    assertThat(Files.readString(out.resolve("rollups.md"))).contains("# Rollups benchmark",
        "Machine: ", "### Builds", "### Errors of the section\n\nNone.");
    assertThat(Files.readString(out.resolve("e2e.svg"))).startsWith("<svg").contains("</svg>");
  }

  private static String tail(Path log) throws IOException {
    if (!Files.exists(log)) {
      return "(no log)";
    }
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }
}
