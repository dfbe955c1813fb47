package io.strata.server.sql;

import io.strata.server.query.ArrowBatches;
import java.util.List;

/**
 * The result of one SQL statement, read as Arrow batches while it streams. Use from one thread,
 * except {@link #cancel()}, which any thread may call; always close.
 *
 * <p>{@link #next()} loads the next batch into {@link #batch()}, valid until the next call to
 * {@code next()} or {@code close()}. Failures while reading are the query service's
 * {@code QueryExecutionException} (timeout, cancelled, row limit, warehouse error).
 */
public interface SqlCursor extends ArrowBatches {
  /**
   * The result's columns as JDBC describes them, in order; {@link #schema()} names its fields
   * after them.
   */
  List<SqlColumn> columns();

  /** Rows read so far. */
  long rows();

  /** Cancels the query at the warehouse; the reader's next {@code next()} fails CANCELLED. */
  void cancel();

  /**
   * Where the result came from when it is one semantic query's (the results cache's tier and
   * age); empty for what Strata computes itself from several queries or a data source's tables.
   */
  default java.util.Optional<io.strata.server.query.CacheInfo> cacheInfo() {
    return java.util.Optional.empty();
  }

  /**
   * The cached Arrow IPC stream this whole result is, column for column in the order of
   * {@link #schema()} (whose names and metadata may differ from the stream's own schema), while
   * none of it has been read: an endpoint may send its record batches as they are instead of
   * reading this cursor (see {@code QueryCursor.takeEntry}). Empty otherwise; once taken, the
   * cursor is at its end.
   */
  default java.util.Optional<io.strata.acceleration.cache.CacheEntry> takeCachedEntry() {
    return java.util.Optional.empty();
  }
}
