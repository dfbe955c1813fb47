package io.strata.server.query;

import java.time.Duration;

/**
 * Limits every query runs under.
 *
 * @param timeout the longest a query may take from {@code open} to its last batch
 *     ({@code strata.query.timeout})
 * @param maxRows the most rows a query may return ({@code strata.query.max-rows}); a query
 *     asking for more is refused, one returning more fails rather than being cut short
 * @param batchRows rows per Arrow record batch
 */
public record QueryLimits(Duration timeout, long maxRows, int batchRows) {
  public QueryLimits {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("strata.query.timeout must be positive, got " + timeout);
    }
    if (maxRows < 1 || maxRows >= Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "strata.query.max-rows must be between 1 and " + (Integer.MAX_VALUE - 1) + ", got "
              + maxRows);
    }
    if (batchRows < 1) {
      throw new IllegalArgumentException("batch rows must be positive, got " + batchRows);
    }
  }

  /** 60 s, 100,000 rows, 4,096 rows per batch. */
  public static QueryLimits defaults() {
    return new QueryLimits(Duration.ofSeconds(60), 100_000, 4096);
  }

  public QueryLimits withTimeout(Duration t) {
    return new QueryLimits(t, maxRows, batchRows);
  }

  public QueryLimits withMaxRows(long rows) {
    return new QueryLimits(timeout, rows, batchRows);
  }

  public QueryLimits withBatchRows(int rows) {
    return new QueryLimits(timeout, maxRows, rows);
  }
}
