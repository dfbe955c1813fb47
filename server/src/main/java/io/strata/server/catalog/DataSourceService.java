package io.strata.server.catalog;

import io.strata.server.datasource.DataSourceKind;
import io.strata.server.datasource.DataSourceRegistry;
import io.strata.server.datasource.DataSourceSpec;
import io.strata.server.datasource.PoolSettings;
import io.strata.server.metadata.DataSourceRecord;
import io.strata.server.metadata.DataSourceStore;
import io.strata.server.metadata.NotFoundException;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data sources of the server: stored in the metadata database, pooled by the
 * {@link DataSourceRegistry}. Every change goes to the store first and then to the registry;
 * {@link #refreshIfChanged()} brings the registry in line with changes other servers made.
 */
@Singleton
public final class DataSourceService {
  private static final Logger LOG = LoggerFactory.getLogger(DataSourceService.class);
  private final DataSourceStore store;
  private final DataSourceRegistry registry;
  /** What the registry was last given, by name, to notice changes made elsewhere. */
  private final Map<String, DataSourceRecord> applied = new HashMap<>();
  /** The store revision {@link #applied} reflects; -1 before the first refresh. */
  private long revision = -1;

  public DataSourceService(DataSourceStore store, DataSourceRegistry registry) {
    this.store = store;
    this.registry = registry;
  }

  public DataSourceRegistry registry() {
    return registry;
  }

  public Set<String> names() {
    return new TreeSet<>(registry.names());
  }

  public List<DataSourceRecord> list() {
    return store.list();
  }

  public Optional<DataSourceRecord> find(String name) {
    return store.find(name);
  }

  /** The pool spec of a stored record; invalid records throw INVALID_CONFIG naming every problem. */
  public static DataSourceSpec spec(DataSourceRecord r) {
    DataSourceKind kind;
    try {
      kind = DataSourceKind.parse(r.kind());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("kind: " + e.getMessage());
    }
    PoolSettings d = PoolSettings.defaults();
    PoolSettings pool = new PoolSettings(r.poolSize() > 0 ? r.poolSize() : d.maxSize(),
        r.connectionTimeoutMs() > 0 ? Duration.ofMillis(r.connectionTimeoutMs()) : d.connectionTimeout(),
        d.idleTimeout(), d.maxLifetime());
    DataSourceSpec spec = new DataSourceSpec(r.name(), kind, r.url(), r.username(), r.password(),
        r.properties() == null ? Map.of() : r.properties(), pool);
    List<String> problems = spec.problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return spec;
  }

  private volatile java.util.function.Consumer<String> changed = name -> { };

  /**
   * Tells {@code listener} the name of every data source changed or deleted, here or (seen by
   * {@link #refreshIfChanged()}) on another server: the results cache drops what it read.
   */
  public void onChange(java.util.function.Consumer<String> listener) {
    this.changed = listener;
  }

  public synchronized DataSourceRecord create(DataSourceRecord r) {
    if (registry.isInternal(r.name())) {
      throw new IllegalArgumentException("name: '" + r.name() + "' is the name of a data source"
          + " Strata keeps for itself (the local rollup store); choose another");
    }
    DataSourceSpec spec = spec(r);
    DataSourceRecord saved = store.create(r);
    registry.put(spec);
    applied.put(saved.name(), saved);
    return saved;
  }

  /** Updates a data source; a null password keeps the stored one (the API never returns it). */
  public synchronized DataSourceRecord update(DataSourceRecord r) {
    DataSourceRecord old = store.find(r.name()).orElseThrow(() ->
        new NotFoundException("data source '" + r.name() + "' does not exist"));
    DataSourceRecord merged = r.password() == null ? withPassword(r, old.password()) : r;
    DataSourceSpec spec = spec(merged);
    DataSourceRecord saved = store.update(merged);
    registry.put(spec);
    applied.put(saved.name(), saved);
    changed.accept(saved.name());
    return saved;
  }

  public synchronized void delete(String name) {
    store.delete(name);
    registry.remove(name);
    applied.remove(name);
    changed.accept(name);
  }

  /** Loads every stored data source into the registry, and drops the ones deleted elsewhere. */
  public synchronized void refreshIfChanged() {
    long current = store.revision();
    if (current == revision) {
      return;
    }
    revision = current;
    Map<String, DataSourceRecord> stored = new HashMap<>();
    store.list().forEach(r -> stored.put(r.name(), r));
    for (DataSourceRecord r : stored.values()) {
      DataSourceRecord seen = applied.get(r.name());
      if (seen == null || !seen.updatedAt().equals(r.updatedAt())) {
        try {
          registry.put(spec(r));
          applied.put(r.name(), r);
          if (seen != null) {
            changed.accept(r.name());
          }
        } catch (RuntimeException e) {
          LOG.error("stored data source '{}' cannot be used: {}", r.name(), e.getMessage());
        }
      }
    }
    for (String name : Set.copyOf(applied.keySet())) {
      if (!stored.containsKey(name)) {
        registry.remove(name);
        applied.remove(name);
        changed.accept(name);
      }
    }
  }

  static DataSourceRecord withPassword(DataSourceRecord r, String password) {
    return new DataSourceRecord(r.name(), r.kind(), r.url(), r.username(), password,
        r.properties(), r.poolSize(), r.connectionTimeoutMs(), r.createdAt(), r.updatedAt());
  }
}
