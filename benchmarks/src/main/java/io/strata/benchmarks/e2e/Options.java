package io.strata.benchmarks.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The harness's command line. Defaults are the full run (scale 40: {@code order_items} ≈ 10M
 * rows); {@code --quick} is the CI smoke test's small scale and short runs, written under
 * {@code benchmarks/target/e2e-quick} so that it never replaces the committed results.
 */
record Options(boolean quick, double scale, Path out, Path root, Path work, int slowIterations,
    int hitIterations, double durationSeconds, double warmupSeconds, List<Integer> clients,
    int largeIterations, long largeRows, boolean reload, String pgDatabase, String heap,
    boolean keepServerDirs, List<String> sections, String pgRollupStore, List<String> args) {

  static final String DUCKDB = "duckdb";
  static final String POSTGRES = "postgres";
  /** Both of the above: the dashboard's direct/miss/hit series on each warehouse. */
  static final String DASHBOARD = "dashboard";
  static final String THROUGHPUT = "throughput";
  static final String CONCURRENCY = "concurrency";
  static final String ROLLUPS = "rollups";
  /** The harness's sections, in the order they run; {@code --only} picks some. */
  static final List<String> SECTIONS = List.of(DUCKDB, POSTGRES, THROUGHPUT, CONCURRENCY, ROLLUPS);

  /** Whether the run includes {@code section}. */
  boolean runs(String section) {
    return section.equals(DASHBOARD) ? sections.contains(DUCKDB) || sections.contains(POSTGRES)
        : sections.contains(section);
  }

  static final String USAGE = """
      usage: benchmarks/run-e2e [--quick] [--scale S] [--out DIR] [options]
        --quick              small scale (0.2), few iterations, under two minutes; writes to
                             benchmarks/target/e2e-quick unless --out is given
        --scale S            retail demo scale (default 40: order_items ≈ 10M rows; 1 = 250k)
        --out DIR            where e2e.md, e2e.json and e2e.svg go (default benchmarks/results)
        --iterations N       timed runs per query for direct and miss (default 5, quick 1)
        --hits N             timed runs per query for L1 and L2 hits (default 50, quick 2)
        --duration SECONDS   measured time per concurrency level (default 10, quick 0.3)
        --clients LIST       concurrency levels (default 1,8,32,64)
        --rows N             rows of the large result (default 1000000, quick 5000)
        --reload             regenerate the data even if the same scale is already loaded
        --pg-db NAME         Postgres database for the data (default strata_bench, quick strata_bench_quick)
        --work DIR           DuckDB file and server data directories (default benchmarks/target/e2e-work)
        --heap SIZE          -Xmx of each Strata process (default 4g, quick 1g)
        --keep-server-dirs   keep the servers' data directories (logs) after the run
        --only LIST          run only these sections: duckdb, postgres (or dashboard for both:
                             the dashboard's direct/miss/hit series), throughput, concurrency,
                             rollups (default all; --sections is the same); a partial run writes
                             rollups.md/json, and e2e.* only when --out is given (never over the
                             full run's results)
        --pg-rollup-store S  store of the Postgres models' rollups in the rollups section:
                             source (default: a schema of the Postgres warehouse) or local
      Postgres: $STRATA_BENCH_POSTGRES_URL (+ _USER, _PASSWORD), else 127.0.0.1:5432 user postgres.
      Redis: $STRATA_BENCH_REDIS_URI, else redis://127.0.0.1:6379.""";

  /** Null for --help. */
  static Options parse(String[] args) {
    boolean quick = List.of(args).contains("--quick");
    Double scale = null;
    Path out = null;
    Path root = null;
    Path work = null;
    Integer slow = null;
    Integer hits = null;
    Double duration = null;
    List<Integer> clients = List.of(1, 8, 32, 64);
    Long rows = null;
    boolean reload = false;
    String pgDb = null;
    String heap = null;
    boolean keep = false;
    List<String> sections = SECTIONS;
    String pgStore = "source";
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick" -> { }
        case "--scale" -> scale = Double.parseDouble(value(args, ++i, a));
        case "--out" -> out = Path.of(value(args, ++i, a));
        case "--root" -> root = Path.of(value(args, ++i, a));
        case "--work" -> work = Path.of(value(args, ++i, a));
        case "--iterations" -> slow = Integer.parseInt(value(args, ++i, a));
        case "--hits" -> hits = Integer.parseInt(value(args, ++i, a));
        case "--duration" -> duration = Double.parseDouble(value(args, ++i, a));
        case "--clients" -> {
          List<Integer> l = new ArrayList<>();
          for (String c : value(args, ++i, a).split(",")) {
            l.add(Integer.parseInt(c.trim()));
          }
          clients = List.copyOf(l);
        }
        case "--rows" -> rows = Long.parseLong(value(args, ++i, a));
        case "--reload" -> reload = true;
        case "--pg-db" -> pgDb = value(args, ++i, a);
        case "--heap" -> heap = value(args, ++i, a);
        case "--keep-server-dirs" -> keep = true;
        case "--only", "--sections" -> {
          List<String> l = new ArrayList<>();
          for (String sec : value(args, ++i, a).split(",")) {
            String name = sec.trim().toLowerCase(Locale.ROOT);
            List<String> names = name.equals(DASHBOARD) ? List.of(DUCKDB, POSTGRES) : List.of(name);
            if (!name.equals(DASHBOARD) && !SECTIONS.contains(name)) {
              throw new IllegalArgumentException(a + ": unknown section '" + sec.trim()
                  + "'; the sections are " + String.join(", ", SECTIONS) + " (and dashboard)");
            }
            for (String x : names) {
              if (!l.contains(x)) {
                l.add(x);
              }
            }
          }
          sections = SECTIONS.stream().filter(l::contains).toList();
        }
        case "--pg-rollup-store" -> {
          pgStore = value(args, ++i, a);
          if (!pgStore.equals("source") && !pgStore.equals("local")) {
            throw new IllegalArgumentException("--pg-rollup-store must be source or local, got '"
                + pgStore + "'");
          }
        }
        case "-h", "--help" -> {
          return null;
        }
        default -> throw new IllegalArgumentException("unknown argument: " + a);
      }
    }
    if (pgDb != null && !pgDb.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("--pg-db must be a plain lower-case name: " + pgDb);
    }
    Path r = root != null ? root : findRoot();
    return new Options(quick, scale != null ? scale : quick ? 0.2 : 40,
        out != null ? out : r.resolve(quick ? "benchmarks/target/e2e-quick" : "benchmarks/results"),
        r, work != null ? work : r.resolve("benchmarks/target/e2e-work"),
        slow != null ? slow : quick ? 1 : 5, hits != null ? hits : quick ? 2 : 50,
        duration != null ? duration : quick ? 0.3 : 10.0, quick ? 0.1 : 2.0, clients,
        quick ? 1 : 3, rows != null ? rows : quick ? 5_000 : 1_000_000, reload, pgDb != null ? pgDb : quick ? "strata_bench_quick" : "strata_bench",
        heap != null ? heap : quick ? "1g" : "4g", keep, sections, pgStore, List.of(args));
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  /** The repository root: the nearest directory up from here with bin/strata and benchmarks/. */
  static Path findRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null) {
      if (Files.isRegularFile(p.resolve("bin/strata")) && Files.isDirectory(p.resolve("benchmarks"))) {
        return p;
      }
      p = p.getParent();
    }
    throw new IllegalArgumentException("cannot find the Strata checkout (bin/strata) above "
        + Path.of("").toAbsolutePath() + "; give --root");
  }

  /** All sections run: the e2e.* files are the whole report. */
  boolean complete() {
    return sections.size() == SECTIONS.size();
  }

  /** Whether e2e.{md,json,svg} are written: a partial run writes them only to an --out given. */
  boolean writesE2e() {
    return complete() || args.contains("--out");
  }

  static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%s", d);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s, scale %s, sections %s, %d direct/miss and %d hit runs"
        + " per query, concurrency %s for %.0f s each, out %s", quick ? "quick" : "full",
        fmt(scale), String.join(",", sections), slowIterations, hitIterations, clients,
        durationSeconds, out);
  }
}
