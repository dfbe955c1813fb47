package io.strata.benchmarks.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The timed runs of one query by one client in one mode, with what they returned. */
final class Series {
  static final String SOURCE = "(source)";
  final String warehouse;
  final String query;
  final String protocol;
  final String mode;
  final List<Long> nanos = new ArrayList<>();
  final Map<String, Integer> tiers = new TreeMap<>();
  /** Per timed run, the rollup that answered ({@link #SOURCE} when the source did; REST only). */
  final Map<String, Integer> rollups = new TreeMap<>();
  long rows = -1;
  String error;

  Series(String warehouse, String query, String protocol, String mode) {
    this.warehouse = warehouse;
    this.query = query;
    this.protocol = protocol;
    this.mode = mode;
  }

  /** Runs once, timed; a failure is kept as this series' error and ends its measurement. */
  void run(QueryClient client, BenchQuery q, boolean record) {
    if (error != null) {
      return;
    }
    try {
      long t0 = System.nanoTime();
      RunResult r = client.run(q);
      long t = System.nanoTime() - t0;
      if (record) {
        nanos.add(t);
        if (r.tier() != null) {
          tiers.merge(r.tier(), 1, Integer::sum);
        }
        rollups.merge(r.rollup() == null ? SOURCE : r.rollup(), 1, Integer::sum);
      }
      rows = r.rows();
    } catch (Exception e) {
      error = E2e.message(e);
    }
  }

  Stats stats() {
    return Stats.ofNanos(nanos);
  }
}
