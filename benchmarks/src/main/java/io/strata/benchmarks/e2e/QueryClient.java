package io.strata.benchmarks.e2e;

/**
 * One client of one protocol, running a query the way a BI tool or notebook would and reading
 * the whole result. Not thread-safe: concurrent runs use one client per thread.
 */
interface QueryClient extends AutoCloseable {
  RunResult run(BenchQuery query) throws Exception;

  @Override
  void close() throws Exception;
}
