package io.strata.benchmarks.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rollups section (issue 16's speed target): the demo dashboard's queries with the results
 * cache bypassed ({@code ?cache=no-cache}), on a Strata server with rollups off (raw: server A,
 * {@code strata.rollups.enabled=false}) against one with rollups on (server R, its own metadata
 * database, after every demo rollup has been built), on DuckDB and on Postgres, in the same run.
 *
 * <p>For each query: p50/p99 raw and rollup, the ratio raw/rollup, and which rollup answered
 * (the answer's {@code rollup}, and EXPLAIN's first reason per candidate when none did: such a
 * query is shown as not matched, its ratio measured as it is, never taken for a rollup's). Each
 * query's first rollup answer is compared with the raw one, value by value. For each rollup:
 * store, state, partitions, rows, bytes and build time from {@code GET /api/v1/rollups}. The
 * targets (≥ 100x on Postgres, ≥ 20x on DuckDB, median over the dashboard) are reported met or
 * not met, never asserted.
 */
final class RollupSection {
  static final String RAW = "raw";
  static final String ROLLUP = "rollup";
  static final Map<String, Double> TARGETS = Map.of("postgres", 100.0, "duckdb", 20.0);

  /** One dashboard query measured both ways. */
  static final class Row {
    final String warehouse;
    final String query;
    final Series raw;
    final Series rollup;
    String explained; // the rollup EXPLAIN names, or null
    List<String> rejections = List.of();
    String answerDiff; // null: the rollup answer equals the raw one
    JsonNode rawTimings; // the server's stage timings of one answer after the timed runs
    JsonNode rollupTimings;
    String rollupSql; // what the rollup server ran

    Row(String warehouse, String query) {
      this.warehouse = warehouse;
      this.query = query;
      this.raw = new Series(warehouse, query, E2e.PROTO_REST, RAW);
      this.rollup = new Series(warehouse, query, E2e.PROTO_REST, ROLLUP);
    }

    /** The rollup every timed rollup run reported, or null when any run was the source's. */
    String usedRollup() {
      if (rollup.rollups.isEmpty() || rollup.rollups.containsKey(Series.SOURCE)) {
        return null;
      }
      return String.join(", ", rollup.rollups.keySet());
    }

    double ratio() {
      if (raw.error != null || rollup.error != null || raw.nanos.isEmpty()
          || rollup.nanos.isEmpty()) {
        return Double.NaN;
      }
      return raw.stats().p50() / rollup.stats().p50();
    }
  }

  private final Options options;
  StrataApi api; // server R's, once its data sources and models are in
  long pushedAt = System.nanoTime(); // when R got its models
  final List<Row> rows = new ArrayList<>();
  JsonNode builds; // GET /api/v1/rollups after the wait
  double buildWaitSeconds = Double.NaN;
  String buildError;
  String loadBefore;
  String loadAfter;
  final List<String> errors = new ArrayList<>();

  RollupSection(Options options) {
    this.options = options;
  }

  // ------------------------------------------------------------------ models

  private static final Pattern ROLLUP_ENTRY = Pattern.compile("(?m)^  - name: (\\w+)\\s*$");

  /**
   * The models with {@code store: source} added to every rollup that names none (the Postgres
   * copy's rollups, written into a schema of the Postgres warehouse).
   */
  static Map<String, String> withSourceStore(Map<String, String> models) {
    Map<String, String> out = new LinkedHashMap<>();
    models.forEach((file, yaml) -> {
      Matcher start = Pattern.compile("(?m)^rollups:\\s*$").matcher(yaml);
      if (!start.find()) {
        out.put(file, yaml);
        return;
      }
      Matcher next = Pattern.compile("(?m)^\\w").matcher(yaml);
      int end = next.find(start.end()) ? next.start() : yaml.length();
      String block = yaml.substring(start.end(), end);
      if (block.contains("store:")) {
        out.put(file, yaml);
        return;
      }
      block = ROLLUP_ENTRY.matcher(block).replaceAll("  - name: $1\n    store: source");
      out.put(file, yaml.substring(0, start.end()) + block + yaml.substring(end));
    });
    return out;
  }

  /** How many rollups a model file declares. */
  static int declaredRollups(String yaml) {
    Matcher start = Pattern.compile("(?m)^rollups:\\s*$").matcher(yaml);
    if (!start.find()) {
      return 0;
    }
    Matcher next = Pattern.compile("(?m)^\\w").matcher(yaml);
    int end = next.find(start.end()) ? next.start() : yaml.length();
    Matcher m = ROLLUP_ENTRY.matcher(yaml.substring(start.end(), end));
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  // ------------------------------------------------------------------ builds

  /**
   * Waits until every rollup of the server's models is {@code built}; on timeout records what
   * is not, as errors. Returns the last status.
   */
  void awaitBuilds(StrataApi api, int expected, Duration timeout) throws Exception {
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    String last = "";
    JsonNode status = api.rollups();
    while (true) {
      int built = 0;
      List<String> pending = new ArrayList<>();
      for (JsonNode r : status) {
        String state = r.path("state").asText();
        if (state.equals("built")) {
          built++;
        } else {
          pending.add(r.path("model").asText() + "." + r.path("rollup").asText() + " " + state
              + (r.path("lastError").isTextual() ? " (" + r.path("lastError").asText() + ")" : ""));
        }
      }
      String now = built + " of " + status.size() + " built";
      if (!now.equals(last)) {
        E2e.log("rollups: %s after %.0f s", now, (System.nanoTime() - t0) / 1e9);
        last = now;
      }
      if (status.size() >= expected && pending.isEmpty()) {
        break;
      }
      if (System.nanoTime() > deadline) {
        buildError = "not built within " + timeout.toSeconds() + " s (" + status.size() + " of "
            + expected + " rollups listed): " + String.join("; ", pending);
        errors.add("rollup builds: " + buildError);
        break;
      }
      Thread.sleep(1000);
      status = api.rollups();
    }
    buildWaitSeconds = (System.nanoTime() - pushedAt) / 1e9;
    builds = status;
  }

  // ------------------------------------------------------------------ queries

  /** Measures the dashboard of one warehouse: raw on {@code rawUrl}, rollup on {@code rollupApi}'s server. */
  void measure(String warehouse, String prefix, RestClient raw, RestClient rollup,
      StrataApi rollupApi) throws IOException {
    List<Row> mine = new ArrayList<>();
    List<BenchQuery> queries = QuerySet.dashboard(prefix);
    for (BenchQuery q : queries) {
      Row row = new Row(warehouse, q.name());
      mine.add(row);
      rows.add(row);
      try {
        JsonNode e = rollupApi.explain(q.json());
        row.explained = e.path("rollup").isTextual() ? e.path("rollup").asText() : null;
        List<String> reasons = new ArrayList<>();
        e.path("rollupRejections").forEach(r -> reasons.add(r.asText()));
        row.rejections = reasons;
      } catch (Exception ex) {
        row.rollup.error = "EXPLAIN: " + E2e.message(ex);
      }
      // warm-up (JIT, pools, warehouse caches), untimed, and the answers compared
      try {
        JsonNode a = raw.answer(q).body().path("data");
        JsonNode b = rollup.answer(q).body().path("data");
        row.answerDiff = difference(a, b);
      } catch (Exception ex) {
        row.answerDiff = "could not compare: " + E2e.message(ex);
      }
    }
    // raw and rollup interleaved query by query, so that the machine's noise falls on both
    for (int i = 0; i < options.slowIterations(); i++) {
      for (int j = 0; j < queries.size(); j++) {
        mine.get(j).raw.run(raw, queries.get(j), true);
        mine.get(j).rollup.run(rollup, queries.get(j), true);
      }
      E2e.log("rollups, %s: raw and rollup, round %d of %d", warehouse, i + 1,
          options.slowIterations());
    }
    // more rollup runs for its p99, up to --hits in all and ~20 s per query once 3 are in
    for (int j = 0; j < queries.size(); j++) {
      Series s = mine.get(j).rollup;
      long t0 = System.nanoTime();
      for (int i = s.nanos.size(); i < options.hitIterations()
          && (i < 3 || System.nanoTime() - t0 < E2e.HIT_SERIES_NANOS); i++) {
        s.run(rollup, queries.get(j), true);
      }
    }
    // one more answer each, for the server's own stage timings (where the time goes) and SQL
    for (int j = 0; j < queries.size(); j++) {
      Row row = mine.get(j);
      try {
        row.rawTimings = raw.answer(queries.get(j)).body().path("timings");
        JsonNode b = rollup.answer(queries.get(j)).body();
        row.rollupTimings = b.path("timings");
        row.rollupSql = b.path("sql").asText(null);
      } catch (Exception ex) {
        // the timed runs have their errors; these figures are only shown when present
      }
    }
    for (Row r : mine) {
      if (r.raw.error == null && r.rollup.error == null && r.raw.rows != r.rollup.rows) {
        r.rollup.error = "returned " + r.rollup.rows + " rows, raw " + r.raw.rows;
      }
      if (r.answerDiff != null && r.rollup.error == null) {
        r.rollup.error = "answer differs from raw: " + r.answerDiff;
      }
      E2e.log("rollups, %s: %-30s raw %s ms, rollup %s ms, %s, %s", warehouse, r.query,
          fmtMs(r.raw.stats().p50()), fmtMs(r.rollup.stats().p50()), times(r.ratio()),
          r.usedRollup() == null ? "NOT MATCHED" : r.usedRollup());
    }
  }

  /**
   * The first difference between two answers' rows (as sets: row order is only compared where
   * the query orders), numbers compared to 1e-9 relative; null when equal.
   */
  static String difference(JsonNode a, JsonNode b) {
    if (a.size() != b.size()) {
      return a.size() + " rows raw, " + b.size() + " from the rollup";
    }
    List<JsonNode> left = sorted(a);
    List<JsonNode> right = sorted(b);
    for (int i = 0; i < left.size(); i++) {
      JsonNode x = left.get(i);
      JsonNode y = right.get(i);
      Iterator<String> names = x.fieldNames();
      while (names.hasNext()) {
        String f = names.next();
        if (!same(x.get(f), y.get(f))) {
          return "row " + x + ": " + f + " is " + y.get(f) + " from the rollup";
        }
      }
      if (x.size() != y.size()) {
        return "row " + x + " has other columns from the rollup: " + y;
      }
    }
    return null;
  }

  private static List<JsonNode> sorted(JsonNode rows) {
    List<JsonNode> out = new ArrayList<>();
    rows.forEach(out::add);
    // by the row's non-numeric fields (dimensions), then its text: rounding in measures must not reorder
    out.sort((p, q) -> key(p).compareTo(key(q)));
    return out;
  }

  private static String key(JsonNode row) {
    StringBuilder b = new StringBuilder();
    row.fields().forEachRemaining(e -> {
      if (!e.getValue().isNumber()) {
        b.append(e.getKey()).append('=').append(e.getValue()).append('\u0001');
      }
    });
    return b.toString();
  }

  private static boolean same(JsonNode x, JsonNode y) {
    if (x == null || y == null) {
      return x == y;
    }
    if (x.isNumber() && y.isNumber()) {
      BigDecimal p = x.decimalValue();
      BigDecimal q = y.decimalValue();
      if (p.compareTo(q) == 0) {
        return true;
      }
      double d = Math.abs(p.doubleValue() - q.doubleValue());
      return d <= 1e-9 * Math.max(Math.abs(p.doubleValue()), Math.abs(q.doubleValue()));
    }
    return x.equals(y);
  }

  // ------------------------------------------------------------------ figures

  List<String> warehouses() {
    List<String> out = new ArrayList<>();
    for (Row r : rows) {
      if (!out.contains(r.warehouse)) {
        out.add(r.warehouse);
      }
    }
    return out;
  }

  private List<Row> rows(String warehouse) {
    return rows.stream().filter(r -> r.warehouse.equals(warehouse)).toList();
  }

  double median(String warehouse) {
    List<Double> v = rows(warehouse).stream().map(Row::ratio).filter(d -> !Double.isNaN(d))
        .sorted().toList();
    if (v.isEmpty()) {
      return Double.NaN;
    }
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  double min(String warehouse) {
    return rows(warehouse).stream().mapToDouble(Row::ratio).filter(d -> !Double.isNaN(d)).min()
        .orElse(Double.NaN);
  }

  long matched(String warehouse) {
    return rows(warehouse).stream().filter(r -> r.usedRollup() != null).count();
  }

  /** The speed targets: median over the dashboard of raw p50 / rollup p50, every query matched. */
  List<Report.Target> targets() {
    List<Report.Target> out = new ArrayList<>();
    for (String w : warehouses()) {
      Double goal = TARGETS.get(w);
      if (goal == null) {
        continue;
      }
      double med = median(w);
      long n = rows(w).size();
      long m = matched(w);
      out.add(new Report.Target(String.format(Locale.ROOT,
          "rollup ≥ %.0fx faster than raw, cache bypassed (%s, dashboard median)", goal, w),
          String.format(Locale.ROOT, "median %s, min %s; %d of %d queries answered by a rollup",
              times(med), times(min(w)), m, n), med,
          Double.isNaN(med) ? null : med >= goal && m == n));
    }
    return out;
  }

  long errorCount() {
    long n = errors.size();
    for (Row r : rows) {
      n += (r.raw.error != null ? 1 : 0) + (r.rollup.error != null ? 1 : 0);
    }
    return n;
  }

  List<String> errorLines() {
    List<String> out = new ArrayList<>(errors);
    for (Row r : rows) {
      for (Series s : List.of(r.raw, r.rollup)) {
        if (s.error != null) {
          out.add("rollups / " + r.warehouse + " / " + r.query + " / " + s.mode + ": " + s.error);
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ writing

  ObjectNode json() {
    ObjectNode o = StrataApi.JSON.createObjectNode();
    o.put("rawServer", "A (strata.rollups.enabled=false)");
    o.put("rollupServer", "R (strata.rollups.enabled=true, its own metadata database)");
    o.put("cacheMode", "no-cache");
    o.put("postgresRollupStore", options.pgRollupStore());
    o.put("loadAverageBefore", loadBefore);
    o.put("loadAverageAfter", loadAfter);
    o.put("buildWaitSeconds", buildWaitSeconds);
    o.put("buildError", buildError);
    ArrayNode q = o.putArray("queries");
    for (Row r : rows) {
      ObjectNode x = q.addObject();
      x.put("warehouse", r.warehouse);
      x.put("query", r.query);
      x.put("rows", r.raw.rows);
      putStats(x.putObject("raw"), r.raw);
      putStats(x.putObject("rollup"), r.rollup);
      x.put("ratio", r.ratio());
      x.put("rollupUsed", r.usedRollup());
      ObjectNode used = x.putObject("rollupsReported");
      r.rollup.rollups.forEach(used::put);
      x.put("explainRollup", r.explained);
      ArrayNode rej = x.putArray("explainRejections");
      r.rejections.forEach(rej::add);
      x.set("rawServerTimings", r.rawTimings);
      x.set("rollupServerTimings", r.rollupTimings);
      x.put("rollupSql", r.rollupSql);
      x.put("sameAnswer", r.answerDiff == null);
      x.put("answerDifference", r.answerDiff);
    }
    ArrayNode s = o.putArray("summary");
    for (String w : warehouses()) {
      ObjectNode x = s.addObject();
      x.put("warehouse", w);
      x.put("medianRatio", median(w));
      x.put("minRatio", min(w));
      x.put("matched", matched(w));
      x.put("queries", rows(w).size());
    }
    ArrayNode b = o.putArray("builds");
    if (builds != null) {
      for (JsonNode r : builds) {
        ObjectNode x = b.addObject();
        x.put("warehouse", warehouseOf(r.path("model").asText()));
        for (String f : List.of("model", "rollup", "store", "location", "state", "version", "rows",
            "bytes", "buildMillis", "builtAt", "builds", "failures", "lastError")) {
          x.set(f, r.path(f).isMissingNode() ? null : r.get(f));
        }
        x.put("partitions", r.path("partitions").size());
      }
    }
    ArrayNode t = o.putArray("targets");
    for (Report.Target tg : targets()) {
      ObjectNode x = t.addObject();
      x.put("target", tg.target());
      x.put("measured", tg.measured());
      x.put("value", tg.value());
      if (tg.met() == null) {
        x.putNull("met");
      } else {
        x.put("met", tg.met());
      }
    }
    o.put("errors", errorCount());
    return o;
  }

  private static void putStats(ObjectNode o, Series s) {
    Stats st = s.stats();
    o.put("n", st.n());
    o.put("p50Ms", st.p50());
    o.put("p99Ms", st.p99());
    o.put("meanMs", st.mean());
    o.put("rows", s.rows);
    o.put("error", s.error);
  }

  private static String warehouseOf(String model) {
    return model.startsWith(QuerySet.PG_PREFIX) ? "postgres" : "duckdb";
  }

  /** The section's Markdown, headed at {@code level} ("##"). */
  String markdown(String level) {
    StringBuilder md = new StringBuilder();
    String sub = level + "#";
    md.append(level).append(" Rollups: raw vs rollup, cache bypassed\n\n");
    md.append("Each of the demo dashboard's nine queries over REST with `?cache=no-cache` (the"
        + " warehouse, or the rollup store, answers every time), on server A with"
        + " `strata.rollups.enabled=false` (**raw**) and on server R with rollups on (**rollup**),"
        + " once every demo rollup had been built. DuckDB models' rollups in the `local` store"
        + " (R's embedded DuckDB file), Postgres models' (`pg_*`) in the `")
        .append(options.pgRollupStore()).append("` store")
        .append(options.pgRollupStore().equals("source")
            ? " (a schema of the Postgres warehouse, as the README recommends for several servers)"
            : " (R's embedded DuckDB file)")
        .append(". Raw and rollup runs are interleaved query by query (")
        .append(options.slowIterations()).append(" rounds after an untimed warm-up; the rollup"
            + " side then runs up to ").append(options.hitIterations())
        .append(" times in all for its p99). × is raw p50 / rollup p50. **Rollup used** is what"
            + " the answers reported (`rollup` in the JSON); a query no rollup answered is marked"
            + " *not matched* with EXPLAIN's reasons, and its ratio is not a rollup's. Each"
            + " query's rollup answer was compared with the raw answer, value by value. **Server"
            + " execute / total** is what one rollup answer's `timings` said: the rollup store's"
            + " execute + fetch, and the whole query inside the server (compile, match, cache,"
            + " query log); the rest of the p50 is HTTP and JSON.\n\n");
    if (loadBefore != null) {
      md.append("Load average (1/5/15 min) before the section: ").append(loadBefore)
          .append("; after: ").append(loadAfter).append(".\n\n");
    }
    md.append("| target | measured | met |\n|---|---|---|\n");
    for (Report.Target t : targets()) {
      md.append("| ").append(t.target()).append(" | ").append(t.measured()).append(" | ")
          .append(t.met() == null ? "n/a" : t.met() ? "met" : "**not met**").append(" |\n");
    }
    for (String w : warehouses()) {
      md.append("\n").append(sub).append(" ").append(w).append(" (p50 / p99 ms)\n\n");
      md.append("| chart | rows | raw | rollup | × | rollup: server execute / total ms | rollup used |\n"
          + "|---|---:|---:|---:|---:|---:|---|\n");
      for (Row r : rows(w)) {
        String used = r.usedRollup();
        String usedCell;
        if (used != null) {
          usedCell = "`" + used + "`";
        } else {
          usedCell = "*not matched*" + (r.rejections.isEmpty() ? ""
              : ": " + escape(String.join("; ", r.rejections)));
        }
        md.append("| ").append(r.query).append(" | ").append(r.raw.rows).append(" | ")
            .append(cell(r.raw)).append(" | ").append(cell(r.rollup)).append(" | ")
            .append(used == null ? "(" + times(r.ratio()) + ")" : times(r.ratio())).append(" | ")
            .append(serverTimes(r.rollupTimings)).append(" | ").append(usedCell).append(" |\n");
      }
      md.append(String.format(Locale.ROOT, "%nOver the dashboard: median %s, min %s; %d of %d"
          + " queries answered by a rollup.%n", times(median(w)), times(min(w)), matched(w),
          rows(w).size()));
    }
    md.append("\n").append(sub).append(" Builds (`GET /api/v1/rollups` on R)\n\n");
    if (builds == null) {
      md.append("No status: the builds were not reached.\n");
    } else {
      md.append(String.format(Locale.ROOT, "Every rollup built %.0f s after the models were"
          + " pushed (builds queued by R itself, one at a time per rollup).%n%n", buildWaitSeconds));
      md.append("| warehouse | rollup | store | state | partitions | rows | bytes | build s |\n");
      md.append("|---|---|---|---|---:|---:|---:|---:|\n");
      for (JsonNode r : builds) {
        md.append(String.format(Locale.ROOT, "| %s | %s.%s | %s | %s | %d | %,d | %,d | %.1f |%n",
            warehouseOf(r.path("model").asText()), r.path("model").asText(),
            r.path("rollup").asText(), r.path("store").asText(), r.path("state").asText(),
            r.path("partitions").size(), r.path("rows").asLong(), r.path("bytes").asLong(),
            r.path("buildMillis").asLong() / 1000.0));
      }
    }
    List<String> errs = errorLines();
    md.append("\n").append(sub).append(" Errors of the section\n\n");
    md.append(errs.isEmpty() ? "None.\n" : "");
    for (String e : errs) {
      md.append("- ").append(escape(e.length() > 300 ? e.substring(0, 300) + " …" : e)).append("\n");
    }
    return md.toString();
  }

  /** rollups.md and rollups.json in {@code dir}: the section on its own. */
  void write(Path dir, ObjectNode head, String headMarkdown) throws IOException {
    Files.createDirectories(dir);
    ObjectNode o = head.deepCopy();
    o.set("rollups", json());
    Files.writeString(dir.resolve("rollups.json"),
        StrataApi.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n");
    Files.writeString(dir.resolve("rollups.md"), "# Rollups benchmark\n\n" + headMarkdown
        + markdown("##"));
  }

  private static String serverTimes(JsonNode t) {
    if (t == null || !t.has("totalMs")) {
      return "–";
    }
    return fmtMs(t.path("executeMs").asDouble() + t.path("fetchMs").asDouble()) + " / "
        + fmtMs(t.path("totalMs").asDouble());
  }

  private static String cell(Series s) {
    if (s.error != null) {
      return "error (see Errors)";
    }
    Stats st = s.stats();
    return fmtMs(st.p50()) + " / " + fmtMs(st.p99());
  }

  static String fmtMs(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : v >= 1
        ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
  }

  static String times(double x) {
    return Double.isNaN(x) ? "n/a" : x >= 10 ? String.format(Locale.ROOT, "%.0fx", x)
        : String.format(Locale.ROOT, "%.2fx", x);
  }

  private static String escape(String s) {
    return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
  }

  /** {@code /proc/loadavg}'s three averages, or "n/a" off Linux. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + ", " + f[1] + ", " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }
}
