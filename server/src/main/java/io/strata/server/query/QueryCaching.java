package io.strata.server.query;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.strata.acceleration.cache.CacheKey;
import io.strata.acceleration.cache.CacheKeys;
import io.strata.acceleration.cache.ResultCache;
import io.strata.semantic.compile.CompiledQuery;
import io.strata.semantic.model.Model;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.server.datasource.DataSourceRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the query service needs to ask the results cache about a compiled query: its key (model
 * versions and refresh-key values included) and how long its result stays fresh.
 *
 * <p>Freshness: the shortest {@code refresh.every} of the models the SQL reads, else the
 * default TTL. A model with {@code refresh.sql} has that SQL run against its data source at most
 * every {@code refreshKeyInterval}; its value is part of the key, so a changed value means new
 * results at once.
 */
final class QueryCaching {
  private static final Logger LOG = LoggerFactory.getLogger(QueryCaching.class);

  /** The models' versions of one catalog, computed once per catalog. */
  private record Versions(SemanticCatalog catalog, Map<String, String> byModel) {}

  private record RefreshValue(String value, Instant checkedAt) {}

  private final ResultCache cache;
  private final DataSourceRegistry registry;
  private final Map<String, RefreshValue> refreshValues = new ConcurrentHashMap<>();
  private volatile Versions versions;

  QueryCaching(ResultCache cache, DataSourceRegistry registry) {
    this.cache = cache;
    this.registry = registry;
  }

  ResultCache cache() {
    return cache;
  }

  /** A query's key and freshness. */
  record Plan(CacheKey key, Duration ttl, String sourceVersion) {}

  /**
   * @param securityContext the canonical form of the row-level security rules the query was
   *     compiled under ("" for none): their filters are in the SQL already, and the key says so
   *     too, so that no cached answer reaches a user with other rules
   * @throws IllegalStateException when a refresh key cannot be read and no earlier value is
   *     known (the query then runs without the cache)
   */
  Plan plan(CompiledQuery compiled, SemanticCatalog catalog, Duration timeout,
      String securityContext) {
    Static st = remember ? statics(compiled, catalog, securityContext) : null;
    if (st == null) {
      st = computeStatic(compiled, catalog, securityContext);
    }
    Map<String, String> refreshKeys = st.refresh().isEmpty() ? Map.of() : new TreeMap<>();
    for (Refreshed r : st.refresh()) {
      refreshKeys.put(r.model(), refreshValue(r.dataSource(), r.sql(), timeout));
    }
    CacheKey key = remember ? cache.key(st.stem(), refreshKeys)
        : cache.key(new CacheKeys.Parts(compiled.dataSource(), compiled.dialect().id(),
            compiled.sql(), List.of(), st.modelVersions(), securityContext, refreshKeys));
    return new Plan(key, st.ttl(), refreshKeys.isEmpty() ? null : refreshKeys.values().toString());
  }

  /** A model whose {@code refresh.sql} is part of the key. */
  private record Refreshed(String model, String dataSource, String sql) {}

  /**
   * What a compiled query's key and freshness take from the catalog, computed once per compiled
   * query, catalog and security context: the key's stem, the TTL, the refresh keys to read.
   */
  private record Static(SemanticCatalog catalog, CacheKeys.Stem stem,
      Map<String, String> modelVersions, Duration ttl, List<Refreshed> refresh) {}

  /**
   * The statics of each compiled query, by identity: the compiler's plan cache hands out the
   * same instance for a repeated query, and a reloaded catalog compiles new ones, so an entry
   * goes with its compiled query (weak keys) and never outlives the catalog it was made from.
   */
  private final Cache<CompiledQuery, Map<String, Static>> statics = Caffeine.newBuilder()
      .weakKeys().maximumSize(10_000).build();
  private volatile boolean remember = true;

  /** Whether keys are remembered per compiled query (off: every key is made from scratch). */
  void remember(boolean on) {
    remember = on;
    statics.invalidateAll();
  }

  private Static statics(CompiledQuery compiled, SemanticCatalog catalog, String rules) {
    Map<String, Static> byRules = statics.get(compiled, k -> new ConcurrentHashMap<>());
    Static st = byRules.get(rules);
    if (st == null || st.catalog() != catalog) {
      if (byRules.size() >= 1_000) {
        byRules.clear(); // one query shape asked by very many users with distinct rules
      }
      st = computeStatic(compiled, catalog, rules);
      byRules.put(rules, st);
    }
    return st;
  }

  private Static computeStatic(CompiledQuery compiled, SemanticCatalog catalog, String rules) {
    Map<String, String> modelVersions = new LinkedHashMap<>();
    List<Refreshed> refresh = new ArrayList<>();
    Duration ttl = null;
    Map<String, String> known = versions(catalog);
    for (String name : compiled.models()) {
      Optional<Model> m = catalog.model(name);
      modelVersions.put(name, known.getOrDefault(name, "?"));
      if (m.isEmpty() || m.get().refresh() == null) {
        continue;
      }
      var r = m.get().refresh();
      if (r.every() != null && (ttl == null || r.every().compareTo(ttl) < 0)) {
        ttl = r.every();
      }
      if (r.sql() != null) {
        refresh.add(new Refreshed(name, m.get().dataSource(), r.sql()));
      }
    }
    CacheKeys.Stem stem = CacheKeys.stem(new CacheKeys.Parts(compiled.dataSource(),
        compiled.dialect().id(), compiled.sql(), List.of(), modelVersions, rules, Map.of()));
    return new Static(catalog, stem, modelVersions,
        ttl == null ? cache.settings().defaultTtl() : ttl, List.copyOf(refresh));
  }

  private Map<String, String> versions(SemanticCatalog catalog) {
    Versions v = versions;
    if (v == null || v.catalog() != catalog) {
      Map<String, String> map = new ConcurrentHashMap<>();
      catalog.models().forEach(m -> map.put(m.name(), CacheKeys.modelVersion(m)));
      v = new Versions(catalog, map);
      versions = v;
    }
    return v.byModel();
  }

  private String refreshValue(String dataSource, String sql, Duration timeout) {
    String id = dataSource + "\u0000" + sql;
    Instant now = cache.clock().instant();
    RefreshValue known = refreshValues.get(id);
    if (known != null
        && now.isBefore(known.checkedAt().plus(cache.settings().refreshKeyInterval()))) {
      return known.value();
    }
    try (Connection c = registry.connect(dataSource); Statement s = c.createStatement()) {
      s.setQueryTimeout((int) Math.max(1, Math.min(timeout.toSeconds(), 60)));
      String value;
      try (ResultSet rs = s.executeQuery(sql)) {
        value = rs.next() ? String.valueOf(rs.getObject(1)) : "";
      }
      refreshValues.put(id, new RefreshValue(value, now));
      return value;
    } catch (SQLException | RuntimeException e) {
      if (known != null) {
        LOG.warn("refresh key of data source '{}' failed ({}); keeping its last value",
            dataSource, e.getMessage());
        refreshValues.put(id, new RefreshValue(known.value(), now));
        return known.value();
      }
      throw new IllegalStateException("the refresh key of data source '" + dataSource
          + "' could not be read: " + e.getMessage(), e);
    }
  }
}
