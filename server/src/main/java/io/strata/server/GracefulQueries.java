package io.strata.server;

import io.micronaut.runtime.graceful.GracefulShutdownCapable;
import io.strata.server.config.StrataConfig;
import io.strata.server.query.QueryService;
import jakarta.inject.Singleton;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Takes part in Micronaut's graceful shutdown (SIGTERM, Ctrl-C): new queries are refused,
 * running ones get {@code strata.shutdown.grace-period} to finish and are then cancelled, while
 * the HTTP server lets their responses go out. The pools close afterwards, when the beans are
 * destroyed.
 */
@Singleton
final class GracefulQueries implements GracefulShutdownCapable {
  private final QueryService queries;
  private final StrataConfig config;

  GracefulQueries(QueryService queries, StrataConfig config) {
    this.queries = queries;
    this.config = config;
  }

  @Override
  public CompletionStage<?> shutdownGracefully() {
    return CompletableFuture.runAsync(() -> queries.shutdown(config.shutdownGrace()));
  }

  @Override
  public OptionalLong reportActiveTasks() {
    return OptionalLong.of(queries.running().size());
  }
}
