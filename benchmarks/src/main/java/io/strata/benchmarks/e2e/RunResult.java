package io.strata.benchmarks.e2e;

/**
 * What one query run returned: rows read, bytes (Arrow buffer bytes where the client sees Arrow,
 * else -1), and the cache tier the server reported (REST JSON only; null when not reported).
 */
record RunResult(long rows, long bytes, String tier) {}
