package io.strata.server.query;

/**
 * Receives one {@link QueryEvent} per query, successful or not, when the query is finished.
 * Called on the thread that finished the query; implementations must be fast and thread-safe
 * (queue the event if writing it is slow). Exceptions thrown here are logged and ignored.
 */
@FunctionalInterface
public interface QueryLogger {
  QueryLogger NONE = e -> {};

  void record(QueryEvent e);
}
