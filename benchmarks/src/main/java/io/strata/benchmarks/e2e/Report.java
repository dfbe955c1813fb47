package io.strata.benchmarks.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.benchmarks.Machine;
import io.strata.demo.LoadResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Collects the run's figures and writes them as {@code e2e.json} (everything), {@code e2e.md}
 * (tables, each figure beside its same-run baseline as a ratio, and the targets with met / not
 * met) and {@code e2e.svg} (median latency per mode and protocol, log scale). Reports timings,
 * never judges the run by them: a target not met is a row, not a failure.
 */
final class Report {
  /** A concurrency level's outcome. */
  record Load(String protocol, int clients, long queries, double seconds, Stats latency,
      int errors, String firstError) {
    double qps() {
      return seconds > 0 ? queries / seconds : 0;
    }
  }

  private final Options options;
  private final ObjectNode root = StrataApi.JSON.createObjectNode();
  private final List<Series> dashboard = new ArrayList<>();
  private final List<Object[]> throughput = new ArrayList<>(); // Series, bytes
  private final List<Load[]> concurrency = new ArrayList<>(); // load, baseline
  private final List<String> notes = new ArrayList<>();
  private final Map<String, JsonNode> cacheStats = new LinkedHashMap<>();
  private BenchQuery concurrencyQuery;
  private RollupSection rollups;
  private double elapsedSeconds;

  Report(Options options) {
    this.options = options;
    root.put("generatedAt", Instant.now().toString());
    root.put("mode", options.quick() ? "quick" : "full");
    List<String> shown = new ArrayList<>(options.args());
    int r = shown.indexOf("--root"); // run-e2e adds it
    if (r >= 0 && r + 1 < shown.size()) {
      shown.subList(r, r + 2).clear();
    }
    root.put("command", ("benchmarks/run-e2e " + String.join(" ", shown)).strip());
    root.put("scale", options.scale());
    ObjectNode m = root.putObject("machine");
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("cpu", Machine.cpuModel());
    m.put("memoryGiB", Math.round(Machine.memoryGiB() * 10) / 10.0);
    m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    m.put("description", Machine.describe());
    root.putObject("data");
  }

  void data(String warehouse, String where, long orderItems, LoadResult load) {
    ObjectNode d = ((ObjectNode) root.get("data")).putObject(warehouse);
    d.put("location", where);
    d.put("orderItems", orderItems);
    d.put("generated", load.loaded());
    d.put("loadSeconds", load.elapsed().toMillis() / 1000.0);
  }

  void settings(Map<String, String> settings, String password) {
    ObjectNode s = root.putObject("strataSettings");
    settings.forEach((k, v) -> s.put(k, v.equals(password) ? "(random per run)" : v));
    s.put("strata.cache.l1.max-bytes (server B)", "0");
  }

  void cacheStats(String when, JsonNode stats) {
    cacheStats.put(when, stats);
  }

  void note(String note) {
    notes.add(note);
  }

  void elapsed(double seconds) {
    elapsedSeconds = seconds;
  }

  void add(Series s) {
    dashboard.add(s);
  }

  void throughput(Series s, long arrowBytes) {
    throughput.add(new Object[] {s, arrowBytes});
  }

  void rollups(RollupSection section) {
    rollups = section;
  }

  void concurrencyQuery(BenchQuery q) {
    concurrencyQuery = q;
  }

  void concurrency(Load load, Load baseline) {
    concurrency.add(new Load[] {load, baseline});
  }

  // ------------------------------------------------------------------ lookups

  private Series find(String warehouse, String query, String protocol, String mode) {
    for (Series s : dashboard) {
      if (s.warehouse.equals(warehouse) && s.query.equals(query) && s.protocol.equals(protocol)
          && s.mode.equals(mode)) {
        return s;
      }
    }
    return null;
  }

  private List<String> queries(String warehouse) {
    List<String> out = new ArrayList<>();
    for (Series s : dashboard) {
      if (s.warehouse.equals(warehouse) && !out.contains(s.query)) {
        out.add(s.query);
      }
    }
    return out;
  }

  private List<String> warehouses() {
    List<String> out = new ArrayList<>();
    for (Series s : dashboard) {
      if (!out.contains(s.warehouse)) {
        out.add(s.warehouse);
      }
    }
    return out;
  }

  private static double median(List<Double> values) {
    List<Double> v = values.stream().filter(d -> !Double.isNaN(d)).sorted().toList();
    if (v.isEmpty()) {
      return Double.NaN;
    }
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  /** Median over the warehouse's queries of direct p50 / mode p50 (how many times faster). */
  private double medianSpeedup(String warehouse, String protocol, String mode, boolean factOnly) {
    List<Double> r = new ArrayList<>();
    for (String q : queries(warehouse)) {
      if (factOnly && !readsFactTable(warehouse, q)) {
        continue;
      }
      Series d = find(warehouse, q, "-", E2e.DIRECT);
      Series s = find(warehouse, q, protocol, mode);
      if (d != null && s != null && d.error == null && s.error == null && !s.nanos.isEmpty()) {
        r.add(d.stats().p50() / s.stats().p50());
      }
    }
    return median(r);
  }

  /** Whether the chart reads order_items (the 10M-row fact table): all but the orders-only ones. */
  private static boolean readsFactTable(String warehouse, String query) {
    return !query.equals("Orders") && !query.equals("Orders by channel");
  }

  private long errorCount() {
    long n = dashboard.stream().filter(s -> s.error != null).count();
    n += throughput.stream().filter(t -> ((Series) t[0]).error != null).count();
    n += concurrency.stream().filter(l -> l[0].errors() > 0).count();
    if (rollups != null) {
      n += rollups.errorCount();
    }
    return n;
  }

  // ------------------------------------------------------------------ writing

  /**
   * Writes e2e.{md,json,svg} (unless a partial run has no --out: the full run's files stay) and,
   * when the rollups section ran, rollups.{md,json}.
   */
  void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    fill();
    if (rollups != null) {
      ObjectNode head = StrataApi.JSON.createObjectNode();
      for (String f : List.of("generatedAt", "command", "scale", "machine", "data", "elapsedSeconds")) {
        head.set(f, root.get(f));
      }
      rollups.write(dir, head, header());
    }
    if (!options.writesE2e()) {
      E2e.log("a partial run (--only) without --out: e2e.md/json/svg not written, so that the"
          + " full run's results stay");
      return;
    }
    Files.writeString(dir.resolve("e2e.json"),
        StrataApi.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
    Files.writeString(dir.resolve("e2e.md"), markdown());
    Files.writeString(dir.resolve("e2e.svg"), svg());
  }

  private void fill() {
    root.put("elapsedSeconds", Math.round(elapsedSeconds));
    root.put("errors", errorCount());
    ArrayNode d = root.putArray("dashboard");
    for (Series s : dashboard) {
      ObjectNode o = d.addObject();
      o.put("warehouse", s.warehouse);
      o.put("query", s.query);
      o.put("protocol", s.protocol);
      o.put("mode", s.mode);
      putStats(o, s.stats());
      o.put("rows", s.rows);
      Series base = find(s.warehouse, s.query, "-", E2e.DIRECT);
      if (base != null && base != s && base.error == null && !s.nanos.isEmpty()) {
        o.put("baselineP50Ms", base.stats().p50());
        o.put("speedupVsDirect", base.stats().p50() / s.stats().p50());
      }
      if (!s.tiers.isEmpty()) {
        ObjectNode t = o.putObject("cacheTiersReported");
        s.tiers.forEach(t::put);
      }
      o.put("error", s.error);
    }
    ArrayNode t = root.putArray("throughput");
    double directRate = directRowsPerSecond();
    for (Object[] row : throughput) {
      Series s = (Series) row[0];
      ObjectNode o = t.addObject();
      o.put("client", s.protocol);
      o.put("query", s.query);
      o.put("rows", s.rows);
      putStats(o, s.stats());
      o.put("rowsPerSecond", rowsPerSecond(s));
      o.put("arrowBytes", arrowBytes());
      o.put("mbPerSecond", mbPerSecond(s));
      o.put("ratioVsDirect", rowsPerSecond(s) / directRate);
      o.put("error", s.error);
    }
    ArrayNode c = root.putArray("concurrency");
    if (concurrencyQuery != null) {
      root.put("concurrencyQuery", concurrencyQuery.name());
      root.put("concurrencyQuerySql", concurrencyQuery.semanticSql());
    }
    for (Load[] l : concurrency) {
      ObjectNode o = c.addObject();
      o.put("protocol", l[0].protocol());
      o.put("clients", l[0].clients());
      o.put("queries", l[0].queries());
      o.put("seconds", l[0].seconds());
      o.put("queriesPerSecond", l[0].qps());
      putStats(o, l[0].latency());
      if (l[1] != null) {
        o.put("baselineQueriesPerSecond", l[1].qps());
        o.put("ratioVsDirect", l[1].qps() > 0 ? l[0].qps() / l[1].qps() : Double.NaN);
      }
      o.put("errors", l[0].errors());
      o.put("firstError", l[0].firstError());
    }
    ArrayNode targets = root.putArray("targets");
    for (Target tg : targets()) {
      ObjectNode o = targets.addObject();
      o.put("target", tg.target);
      o.put("measured", tg.measured);
      o.put("value", tg.value);
      if (tg.met == null) {
        o.putNull("met");
      } else {
        o.put("met", tg.met);
      }
    }
    ObjectNode cs = root.putObject("cacheStats");
    cacheStats.forEach((k, v) -> cs.set(k, v));
    ArrayNode n = root.putArray("notes");
    notes.forEach(n::add);
    root.put("sections", String.join(",", options.sections()));
    if (rollups != null) {
      root.set("rollups", rollups.json());
    }
  }

  private static void putStats(ObjectNode o, Stats s) {
    o.put("n", s.n());
    o.put("p50Ms", s.p50());
    o.put("p99Ms", s.p99());
    o.put("meanMs", s.mean());
  }

  private double directRowsPerSecond() {
    for (Object[] row : throughput) {
      Series s = (Series) row[0];
      if (s.protocol.startsWith("direct")) {
        return rowsPerSecond(s);
      }
    }
    return Double.NaN;
  }

  private static double rowsPerSecond(Series s) {
    return s.nanos.isEmpty() ? Double.NaN : s.rows / (s.stats().p50() / 1e3);
  }

  private long arrowBytes() {
    for (Object[] row : throughput) {
      if ((long) row[1] > 0) {
        return (long) row[1];
      }
    }
    return -1;
  }

  private double mbPerSecond(Series s) {
    long bytes = arrowBytes();
    return s.nanos.isEmpty() || bytes <= 0 ? Double.NaN : bytes / 1e6 / (s.stats().p50() / 1e3);
  }

  private Series throughputOf(String prefix) {
    for (Object[] row : throughput) {
      Series s = (Series) row[0];
      if (s.protocol.startsWith(prefix)) {
        return s;
      }
    }
    return null;
  }

  record Target(String target, String measured, double value, Boolean met) {}

  private List<Target> targets() {
    List<Target> out = new ArrayList<>();
    for (String w : warehouses()) {
      long items = root.path("data").path(w).path("orderItems").asLong();
      for (String p : E2e.PROTOCOLS) {
        double x = medianSpeedup(w, p, E2e.L1, true);
        out.add(new Target(String.format(Locale.ROOT, "L1 hit ≥ 50x faster than direct (%s, %,d-row fact table)",
            w, items), String.format(Locale.ROOT, "%s: median over the fact-table charts %s", p, times(x)),
            x, Double.isNaN(x) ? null : x >= 50));
      }
    }
    for (String w : warehouses()) {
      for (String p : E2e.PROTOCOLS) {
        double x = medianSpeedup(w, p, E2e.MISS, false);
        double overhead = (1 / x - 1) * 100;
        out.add(new Target("miss overhead ≤ 10% (" + w + ")", String.format(Locale.ROOT,
            "%s: median over the charts %+.0f%%", p, overhead), overhead,
            Double.isNaN(x) ? null : overhead <= 10));
      }
    }
    Series flight = throughputOf(E2e.PROTO_FLIGHT + " (");
    Series flightJdbc = throughputOf(E2e.PROTO_FLIGHT + " JDBC");
    Series avatica = throughputOf(E2e.PROTO_AVATICA);
    if (flight != null && avatica != null) {
      double x = rowsPerSecond(flight) / rowsPerSecond(avatica);
      double xj = flightJdbc == null ? Double.NaN : rowsPerSecond(flightJdbc) / rowsPerSecond(avatica);
      out.add(new Target("Flight SQL ≥ 5x the rows/s of Avatica JDBC (" + String.format(Locale.ROOT,
          "%,d", flight.rows) + " rows)", String.format(Locale.ROOT,
          "FlightSqlClient %s, Flight SQL JDBC driver %s", times(x), times(xj)), x,
          Double.isNaN(x) ? null : x >= 5));
      double mb = mbPerSecond(flight);
      double direct = directRowsPerSecond();
      double share = rowsPerSecond(flight) / direct;
      out.add(new Target("uncached large result over Flight SQL ≥ 70% of the direct JDBC read rate",
          String.format(Locale.ROOT, "%.0f%% (%,.0f MB/s)", share * 100, mb), share,
          Double.isNaN(share) ? null : share >= 0.7));
    }
    for (String which : List.of(" (FlightSqlClient)", " (FlightSqlClient, ZSTD bodies as stored)")) {
      Series cachedFlight = throughputOf(E2e.CACHED + E2e.PROTO_FLIGHT + which);
      if (cachedFlight != null && cachedFlight.protocol.endsWith(which)) {
        double mb = mbPerSecond(cachedFlight);
        out.add(new Target("cached large result over Flight SQL ≥ 500 MB/s" + which,
            String.format(Locale.ROOT, "%,.0f MB/s of Arrow data", mb), mb,
            Double.isNaN(mb) || cachedFlight.error != null ? null : mb >= 500));
      }
    }
    Series strataJdbc = throughputOf(E2e.PROTO_AVATICA + " (jdbc:strata:");
    if (strataJdbc != null) {
      double rps = rowsPerSecond(strataJdbc);
      out.add(new Target("Avatica with the jdbc:strata: driver ≥ 1M rows/s (" + String.format(
          Locale.ROOT, "%,d", strataJdbc.rows) + " rows)", String.format(Locale.ROOT,
          "%,.0f rows/s (stock Avatica driver %s, Flight SQL JDBC driver %s)", rps,
          avatica == null ? "-" : String.format(Locale.ROOT, "%,.0f", rowsPerSecond(avatica)),
          flightJdbc == null ? "-" : String.format(Locale.ROOT, "%,.0f", rowsPerSecond(flightJdbc))),
          rps, Double.isNaN(rps) ? null : rps >= 1_000_000));
    }
    Series pgwire = throughputOf(E2e.PROTO_PGWIRE);
    if (pgwire != null && flightJdbc != null) {
      double x = rowsPerSecond(pgwire) / rowsPerSecond(flightJdbc);
      out.add(new Target("Postgres wire (pgjdbc) ≥ the rows/s of the Flight SQL JDBC driver ("
          + String.format(Locale.ROOT, "%,d", pgwire.rows) + " rows)", times(x), x,
          Double.isNaN(x) ? null : x >= 1));
    }
    Series pgCached = throughputOf(E2e.CACHED + E2e.PROTO_PGWIRE + " (pgjdbc)");
    Series flightJdbcCached = throughputOf(E2e.CACHED + E2e.PROTO_FLIGHT + " JDBC (stock driver)");
    if (pgCached != null && flightJdbcCached != null) {
      double x = rowsPerSecond(pgCached) / rowsPerSecond(flightJdbcCached);
      out.add(new Target("Postgres wire (pgjdbc) ≥ the rows/s of the Flight SQL JDBC driver,"
          + " from the results cache (" + String.format(Locale.ROOT, "%,d", pgCached.rows)
          + " rows)", times(x), x, Double.isNaN(x) ? null : x >= 1));
    }
    for (Load[] l : concurrency) {
      if (l[0].protocol().equals(E2e.PROTO_FLIGHT) && l[0].clients() == 32) {
        out.add(new Target("≥ 5,000 cached queries/s at 32 clients over Flight SQL",
            String.format(Locale.ROOT, "%,.0f q/s (p99 %.1f ms)", l[0].qps(), l[0].latency().p99()),
            l[0].qps(), l[0].errors() > 0 ? null : l[0].qps() >= 5000));
      }
    }
    out.addAll(hitPathTargets());
    if (rollups != null) {
      out.addAll(rollups.targets());
    }
    return out;
  }

  /** The hit-path targets (issue 18), per warehouse and protocol. */
  private List<Target> hitPathTargets() {
    List<Target> out = new ArrayList<>();
    for (String w : warehouses()) {
      for (String p : E2e.PROTOCOLS) {
        if (p.equals(E2e.PROTO_AVATICA)) {
          continue; // the stock driver: the target is for jdbc:strata:
        }
        double limit = p.equals(E2e.PROTO_STRATA_JDBC) ? 2 : 1;
        Worst l1 = worst(w, p, E2e.L1, (d, x) -> x.stats().p50());
        if (l1 != null) {
          out.add(new Target(String.format(Locale.ROOT, "L1 hit p50 ≤ %.0f ms at one client (%s, %s)",
              limit, w, p), String.format(Locale.ROOT, "median over the charts %s ms, worst %s ms (%s)",
              ms(l1.median), ms(l1.value), l1.query), l1.value, l1.value <= limit));
        }
        Worst l2 = worst(w, p, E2e.L2, (d, x) -> {
          Series one = find(w, x.query, p, E2e.L1);
          return one == null || one.nanos.isEmpty() ? Double.NaN
              : x.stats().p50() - one.stats().p50();
        });
        if (l2 != null) {
          out.add(new Target(String.format(Locale.ROOT, "L2 hit p50 ≤ L1 + 1 ms (%s, %s)", w, p),
              String.format(Locale.ROOT, "L2 − L1: median %+.2f ms, worst %+.2f ms (%s)", l2.median,
                  l2.value, l2.query), l2.value, l2.value <= 1));
        }
        Worst slower = worst(w, p, E2e.L1, (d, x) -> x.stats().p50() / d.stats().p50());
        if (slower != null && w.equals(Options.DUCKDB)) {
          long n = count(w, p, E2e.L1, (d, x) -> x.stats().p50() > d.stats().p50());
          out.add(new Target(String.format(Locale.ROOT,
              "an L1 hit is never slower than the direct query, every chart (%s, %s)", w, p),
              String.format(Locale.ROOT, "%d of %d charts slower; worst hit/direct %.2f (%s)", n,
                  queries(w).size(), slower.value, slower.query), n, n == 0));
        }
        Worst miss = worst(w, p, E2e.MISS, (d, x) -> x.stats().p50() - d.stats().p50()
            - Math.max(0.1 * d.stats().p50(), 2));
        if (miss != null) {
          long n = count(w, p, E2e.MISS, (d, x) -> x.stats().p50() - d.stats().p50()
              > Math.max(0.1 * d.stats().p50(), 2));
          out.add(new Target(String.format(Locale.ROOT,
              "miss within 10%% or 2 ms of the direct query, every chart (%s, %s)", w, p),
              String.format(Locale.ROOT, "%d of %d charts over; worst %+.1f ms past the allowance (%s)",
                  n, queries(w).size(), miss.value, miss.query), n, n == 0));
        }
      }
    }
    for (Load[] l : concurrency) {
      if (l[0].protocol().equals(E2e.PROTO_REST_WRK) && l[0].clients() == 32) {
        out.add(new Target("≥ 5,000 cached queries/s at 32 clients over REST (driven by wrk)",
            String.format(Locale.ROOT, "%,.0f q/s (p50 %s ms, p99 %s ms)", l[0].qps(),
                ms(l[0].latency().p50()), ms(l[0].latency().p99())),
            l[0].qps(), l[0].errors() > 0 ? null : l[0].qps() >= 5000));
      }
    }
    return out;
  }

  /** The largest of {@code f(direct, series)} over a warehouse's charts, with their median. */
  private record Worst(double value, String query, double median) {}

  private Worst worst(String w, String protocol, String mode,
      java.util.function.BiFunction<Series, Series, Double> f) {
    List<Double> all = new ArrayList<>();
    double max = Double.NEGATIVE_INFINITY;
    String at = null;
    for (String q : queries(w)) {
      Series d = find(w, q, "-", E2e.DIRECT);
      Series x = find(w, q, protocol, mode);
      if (d == null || x == null || d.error != null || x.error != null || x.nanos.isEmpty()
          || d.nanos.isEmpty()) {
        continue;
      }
      double v = f.apply(d, x);
      if (Double.isNaN(v)) {
        continue;
      }
      all.add(v);
      if (v > max) {
        max = v;
        at = q;
      }
    }
    return at == null ? null : new Worst(max, at, median(all));
  }

  private long count(String w, String protocol, String mode,
      java.util.function.BiPredicate<Series, Series> p) {
    long n = 0;
    for (String q : queries(w)) {
      Series d = find(w, q, "-", E2e.DIRECT);
      Series x = find(w, q, protocol, mode);
      if (d != null && x != null && d.error == null && x.error == null && !x.nanos.isEmpty()
          && !d.nanos.isEmpty() && p.test(d, x)) {
        n++;
      }
    }
    return n;
  }

  private static String times(double x) {
    return Double.isNaN(x) ? "n/a" : x >= 10 ? String.format(Locale.ROOT, "%.0fx", x)
        : String.format(Locale.ROOT, "%.2fx", x);
  }

  private static String ms(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : v >= 1
        ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
  }

  /** Command, date, machine and data: the head of e2e.md and rollups.md. */
  private String header() {
    StringBuilder md = new StringBuilder();
    JsonNode data = root.get("data");
    md.append("Command: `").append(root.get("command").asText()).append("` (")
        .append(options.quick() ? "quick smoke run: small scale, few iterations; the figures mean little"
            : "full run").append("), ").append(root.get("generatedAt").asText())
        .append(String.format(Locale.ROOT, ", %.0f s in all.%n%n", elapsedSeconds));
    md.append("Machine: ").append(root.get("machine").get("description").asText())
        .append(". Shared with other work and noisy: read ratios, not absolute times.\n\n");
    md.append("Data: retail demo at scale ").append(Options.fmt(options.scale())).append(": ");
    List<String> parts = new ArrayList<>();
    data.fields().forEachRemaining(e -> parts.add(String.format(Locale.ROOT,
        "%s `order_items` %,d rows (%s %.0f s)", e.getKey(), e.getValue().get("orderItems").asLong(),
        e.getValue().get("generated").asBoolean() ? "generated in" : "already loaded; checked in",
        e.getValue().get("loadSeconds").asDouble())));
    md.append(String.join("; ", parts)).append(".\n\n");
    return md.toString();
  }

  private String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# End-to-end benchmark\n\n");
    md.append(header());
    md.append("Setup: Strata started twice through `bin/strata serve` (each `-Xmx").append(options.heap())
        .append("`): server A with L1 (Caffeine) and L2 (Redis), server B with `strata.cache.l1.max-bytes=0`,"
            + " the same Redis prefix and the same metadata database (Postgres), so B's hits come from L2."
            + " Both warehouses are registered on the same servers: DuckDB as `demo` (each server reads its own copy of the file),"
            + " Postgres as `demo_pg` with the demo models renamed `pg_*`. Clients run in the harness's"
            + " JVM over loopback: REST `POST /api/v1/query` (JSON), the stock Avatica remote driver"
            + " (protobuf), Arrow's `FlightSqlClient`. Modes: **direct** = the SQL Strata compiles"
            + " (`POST /api/v1/query/sql`) run with the warehouse's own JDBC driver; **miss** = REST"
            + " `?cache=no-cache`, JDBC/Flight `strata_cache=refresh`; **L1 hit** = default mode on A"
            + " after a warm-up; **L2 hit** = default mode on B. Direct and miss runs are interleaved"
            + " query by query. Ratios are direct p50 / p50 (× faster than direct; below 1 is slower).\n\n");

    md.append("## Targets\n\n| target | measured | met |\n|---|---|---|\n");
    for (Target t : targets()) {
      md.append("| ").append(t.target).append(" | ").append(t.measured).append(" | ")
          .append(t.met == null ? "n/a" : t.met ? "met" : "**not met**").append(" |\n");
    }
    if (options.quick()) {
      md.append("\nQuick run: the targets are stated for a 10M-row fact table; at this scale they are"
          + " shown only to prove the report is complete.\n");
    }

    md.append("\n## Dashboard query set (p50 / p99 ms, × = faster than direct)\n\n");
    md.append("The nine charts of the demo dashboard `retail-overview.json` (2024, month grain where"
        + " charted). n per cell: ").append(options.slowIterations()).append(" for direct and miss, ")
        .append(options.hitIterations()).append(" for hits (fewer, at least 3, where a series"
            + " would take over 20 s: see n in e2e.json), after untimed hits of all nine charts for "
            + (options.quick() ? "0.5" : "5") + " s per protocol and server (JIT warm-up).\n\n");
    md.append("Summary, median over the charts of each cell's ratio to direct:\n\n");
    md.append("| warehouse | protocol | miss | L1 hit | L2 hit |\n|---|---|---:|---:|---:|\n");
    for (String w : warehouses()) {
      for (String p : E2e.PROTOCOLS) {
        md.append("| ").append(w).append(" | ").append(p).append(" | ")
            .append(times(medianSpeedup(w, p, E2e.MISS, false))).append(" | ")
            .append(times(medianSpeedup(w, p, E2e.L1, false))).append(" | ")
            .append(times(medianSpeedup(w, p, E2e.L2, false))).append(" |\n");
      }
    }
    for (String w : warehouses()) {
      for (String p : E2e.PROTOCOLS) {
        md.append("\n### ").append(w).append(", ").append(p).append("\n\n");
        md.append("| chart | rows | direct p50 / p99 | miss p50 / p99 | × | L1 hit p50 / p99 | × | L2 hit p50 / p99 | × |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String q : queries(w)) {
          Series d = find(w, q, "-", E2e.DIRECT);
          md.append("| ").append(q).append(" | ").append(d == null ? "–" : d.rows).append(" | ")
              .append(cell(d)).append(" | ");
          for (String m : List.of(E2e.MISS, E2e.L1, E2e.L2)) {
            Series s = find(w, q, p, m);
            md.append(cell(s)).append(" | ").append(ratio(d, s)).append(" | ");
          }
          md.setLength(md.length() - 1);
          md.append("\n");
        }
      }
    }
    md.append("\nCache tiers the REST answers reported (`cache.tier`): ").append(tiersSummary()).append("\n");

    md.append("\n## Large result: throughput\n\n");
    Series first = throughput.isEmpty() ? null : (Series) throughput.get(0)[0];
    md.append(first == null ? "" : "Query: `" + first.query + "` from DuckDB (a raw-table SELECT: `demo.retail.order_items`),"
        + " cache bypassed so every client reads the warehouse; p50 of " + options.largeIterations()
        + " timed runs after a warm-up. MB/s is the result's Arrow size (" + String.format(Locale.ROOT,
        "%,.1f MB", arrowBytes() / 1e6) + ", as Flight received it) over the time, for every client alike."
        + " JDBC clients read every value with `getObject`. Clients marked `cached:` read as many rows of"
        + " a semantic query (`SELECT order_id, line_no, quantity, discount, MEASURE(revenue) FROM"
        + " semantic.order_items GROUP BY 1, 2, 3, 4 LIMIT n`) from the results cache (server A keeps"
        + " entries up to " + E2e.CACHED_ENTRY_BYTES + "); their MB/s uses the raw query's size.\n\n");
    md.append("| client | rows | p50 s | rows/s | MB/s | vs direct JDBC |\n|---|---:|---:|---:|---:|---:|\n");
    double directRate = directRowsPerSecond();
    for (Object[] row : throughput) {
      Series s = (Series) row[0];
      if (s.error != null) {
        md.append("| ").append(s.protocol).append(" | error: ").append(escape(shorten(s.error))).append(" | | | | |\n");
        continue;
      }
      md.append(String.format(Locale.ROOT, "| %s | %,d | %.2f | %,.0f | %,.0f | %s |%n", s.protocol, s.rows,
          s.stats().p50() / 1e3, rowsPerSecond(s), mbPerSecond(s), times(rowsPerSecond(s) / directRate)));
    }

    md.append("\n## Cached queries under concurrency\n\n");
    if (concurrencyQuery != null) {
      md.append("Query: the chart \"").append(concurrencyQuery.name()).append("\" on DuckDB (Flight: `")
          .append(concurrencyQuery.semanticSql()).append("`), default cache mode on server A after a"
              + " warm-up, so every Strata answer is a hit. Each client is its own connection and"
              + " thread, running the query back to back for ")
          .append(Options.fmt(options.durationSeconds())).append(" s after ")
          .append(Options.fmt(options.warmupSeconds())).append(" s of warm-up. Baseline: the same"
              + " number of clients running the compiled SQL directly on DuckDB.\n\n");
    }
    md.append("| protocol | clients | queries/s | p50 ms | p99 ms | vs direct at same clients | errors |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Load[] l : concurrency) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %s | %s | %s | %s |%n", l[0].protocol(),
          l[0].clients(), l[0].qps(), ms(l[0].latency().p50()), ms(l[0].latency().p99()),
          l[1] == null ? "baseline" : times(l[0].qps() / l[1].qps()),
          l[0].errors() == 0 ? "0" : l[0].errors() + ": " + escape(shorten(l[0].firstError()))));
    }

    if (rollups != null) {
      md.append("\n").append(rollups.markdown("##"));
    }

    List<String> errors = new ArrayList<>();
    if (rollups != null) {
      errors.addAll(rollups.errorLines());
    }
    for (Series s : dashboard) {
      if (s.error != null) {
        errors.add(s.warehouse + " / " + s.query + " / " + s.protocol + " / " + s.mode + ": " + shorten(s.error));
      }
    }
    for (Object[] row : throughput) {
      Series s = (Series) row[0];
      if (s.error != null) {
        errors.add("throughput / " + s.protocol + ": " + shorten(s.error));
      }
    }
    for (Load[] l : concurrency) {
      if (l[0].errors() > 0) {
        errors.add(String.format(Locale.ROOT, "concurrency / %s / %d clients: %d failed queries, the first: %s",
            l[0].protocol(), l[0].clients(), l[0].errors(), shorten(l[0].firstError())));
      }
    }
    md.append("\n## Errors\n\n");
    md.append(errors.isEmpty() ? "None.\n" : "");
    for (String e : errors) {
      md.append("- ").append(escape(e)).append("\n");
    }
    if (!notes.isEmpty()) {
      md.append("\n## Notes\n\n");
      for (String n : notes) {
        md.append("- ").append(n).append("\n");
      }
    }
    md.append("\nChart: [`e2e.svg`](e2e.svg). Every figure: [`e2e.json`](e2e.json).\n");
    return md.toString();
  }

  private static String cell(Series s) {
    if (s == null) {
      return "–";
    }
    if (s.error != null) {
      return "error (see Errors)";
    }
    Stats st = s.stats();
    return ms(st.p50()) + " / " + ms(st.p99());
  }

  private static String ratio(Series direct, Series s) {
    if (direct == null || s == null || direct.error != null || s.error != null || s.nanos.isEmpty()) {
      return "–";
    }
    return times(direct.stats().p50() / s.stats().p50());
  }

  private String tiersSummary() {
    Map<String, Map<String, Integer>> byMode = new LinkedHashMap<>();
    for (Series s : dashboard) {
      s.tiers.forEach((t, n) -> byMode.computeIfAbsent(s.mode, k -> new LinkedHashMap<>()).merge(t, n, Integer::sum));
    }
    if (byMode.isEmpty()) {
      return "none (this server build reports no cache tier: the results cache is not in it, so"
          + " miss, L1 and L2 all ran at the warehouse).";
    }
    List<String> parts = new ArrayList<>();
    byMode.forEach((m, t) -> parts.add(m + " " + t));
    return String.join("; ", parts) + ".";
  }

  private static String shorten(String s) {
    return s == null || s.length() <= 200 ? s : s.substring(0, 200) + " …";
  }

  private static String escape(String s) {
    return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
  }

  // ------------------------------------------------------------------ chart

  /** Horizontal bars, log scale: median p50 over the charts per warehouse, protocol and mode. */
  private String svg() {
    String[] modes = {E2e.DIRECT, E2e.MISS, E2e.L1, E2e.L2};
    String[] colors = {"#7f7f7f", "#d62728", "#2ca02c", "#1f77b4"};
    List<String[]> groups = new ArrayList<>();
    for (String w : warehouses()) {
      for (String p : E2e.PROTOCOLS) {
        groups.add(new String[] {w, p});
      }
    }
    int bar = 9;
    int groupH = modes.length * bar + 14;
    int left = 190;
    int width = 760;
    int plotW = width - left - 30;
    int top = 50;
    int height = top + groups.size() * groupH + 50;
    double lo = 0.1;
    double hi = 1;
    List<double[]> values = new ArrayList<>();
    for (String[] g : groups) {
      double[] v = new double[modes.length];
      for (int i = 0; i < modes.length; i++) {
        List<Double> p50 = new ArrayList<>();
        for (String q : queries(g[0])) {
          Series s = find(g[0], q, i == 0 ? "-" : g[1], modes[i]);
          if (s != null && s.error == null && !s.nanos.isEmpty()) {
            p50.add(s.stats().p50());
          }
        }
        v[i] = median(p50);
        if (!Double.isNaN(v[i])) {
          hi = Math.max(hi, v[i]);
          lo = Math.min(lo, v[i]);
        }
      }
      values.add(v);
    }
    double logLo = Math.floor(Math.log10(lo));
    double logHi = Math.ceil(Math.log10(hi));
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
        + " font-family=\"sans-serif\" font-size=\"11\">%n", width, height));
    s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
    s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"18\" font-size=\"13\" font-weight=\"bold\">Dashboard"
        + " query latency, median of per-chart p50 (ms, log scale) — scale %s%s</text>%n",
        Options.fmt(options.scale()), options.quick() ? " (quick run)" : ""));
    for (int i = 0; i < modes.length; i++) {
      s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"28\" width=\"10\" height=\"10\" fill=\"%s\"/>"
          + "<text x=\"%d\" y=\"37\">%s</text>%n", 10 + i * 110, colors[i], 24 + i * 110, modes[i]));
    }
    for (double e = logLo; e <= logHi; e++) {
      double x = left + (e - logLo) / Math.max(1, logHi - logLo) * plotW;
      s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
          + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, top - 4, x,
          height - 40, x, height - 28, ms(Math.pow(10, e))));
    }
    for (int g = 0; g < groups.size(); g++) {
      int y0 = top + g * groupH;
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s, %s</text>%n",
          left - 6, y0 + groupH / 2, groups.get(g)[0], groups.get(g)[1]));
      for (int i = 0; i < modes.length; i++) {
        double v = values.get(g)[i];
        if (Double.isNaN(v)) {
          continue;
        }
        double w = Math.max(1, (Math.log10(v) - logLo) / Math.max(1, logHi - logLo) * plotW);
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
            + "<text x=\"%.1f\" y=\"%d\" font-size=\"9\">%s</text>%n", left, y0 + i * bar, w, bar - 1,
            colors[i], left + w + 3, y0 + i * bar + bar - 2, ms(v)));
      }
    }
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#555\">%s</text>%n", 10, height - 10,
        escapeXml(root.get("machine").get("description").asText())));
    s.append("</svg>\n");
    return s.toString();
  }

  private static String escapeXml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
