package io.strata.benchmarks.e2e;

/**
 * What one query run returned: rows read, bytes (Arrow buffer bytes where the client sees Arrow,
 * else -1), the cache tier the server reported and the rollup that answered
 * ({@code model.rollup@version}; REST JSON only, null when not reported or when the source
 * answered).
 */
record RunResult(long rows, long bytes, String tier, String rollup) {
  RunResult(long rows, long bytes, String tier) {
    this(rows, bytes, tier, null);
  }
}
