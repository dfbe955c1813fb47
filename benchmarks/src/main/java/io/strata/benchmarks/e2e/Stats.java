package io.strata.benchmarks.e2e;

import java.util.Arrays;
import java.util.List;

/** Latency summary of one series of timed runs, in milliseconds. */
record Stats(int n, double p50, double p99, double mean, double min, double max) {
  static final Stats EMPTY = new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

  /** From nanosecond samples; percentiles by nearest rank (p99 of fewer than 100 is the max). */
  static Stats ofNanos(List<Long> nanos) {
    if (nanos.isEmpty()) {
      return EMPTY;
    }
    long[] s = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    double sum = Arrays.stream(s).sum();
    return new Stats(s.length, rank(s, 0.50) / 1e6, rank(s, 0.99) / 1e6, sum / s.length / 1e6,
        s[0] / 1e6, s[s.length - 1] / 1e6);
  }

  private static double rank(long[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
