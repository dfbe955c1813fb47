package io.strata.acceleration.cache;

import java.util.List;

/**
 * The identity of one cached result.
 *
 * @param hash hex SHA-256 over everything that decides the result (see {@link CacheKeys})
 * @param dataSource the data source the result was read from (for invalidation)
 * @param models the models the query read (for invalidation)
 * @param sqlHash hex SHA-256 of the warehouse SQL alone (reported with the entry)
 */
public record CacheKey(String hash, String dataSource, List<String> models, String sqlHash) {
  public CacheKey {
    models = List.copyOf(models);
  }
}
