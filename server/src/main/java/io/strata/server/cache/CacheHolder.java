package io.strata.server.cache;

import io.strata.acceleration.cache.ResultCache;

/**
 * The server's results cache as a bean: Micronaut cannot inject null, and the cache is off when
 * {@code strata.cache.enabled} is false.
 */
public record CacheHolder(ResultCache cache) implements AutoCloseable {
  public boolean enabled() {
    return cache != null;
  }

  @Override
  public void close() {
    if (cache != null) {
      cache.close();
    }
  }
}
