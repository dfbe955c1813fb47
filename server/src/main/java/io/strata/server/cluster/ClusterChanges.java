package io.strata.server.cluster;

import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.StartupEvent;
import io.strata.acceleration.cache.CacheSettings;
import io.strata.server.auth.AuthService;
import io.strata.server.catalog.CatalogService;
import io.strata.server.catalog.DataSourceService;
import io.strata.server.config.StrataConfig;
import io.strata.server.security.AccessPolicy;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

/**
 * The entry point of near-instant change propagation between nodes: a {@link ChangeBus} on
 * the cache's Redis when one is configured (else nothing: the metadata poll alone carries
 * changes). What a message triggers is the poll's own refresh (data sources, models, grants)
 * plus forgetting remembered credentials, so a revoked token or disabled user stops working on
 * every node at once. {@link ChangeAnnouncer} publishes after each successful change request.
 */
@Singleton
public final class ClusterChanges implements ApplicationEventListener<StartupEvent> {
  private final StrataConfig config;
  private final DataSourceService dataSources;
  private final CatalogService catalog;
  private final AccessPolicy access;
  private final AuthService auth;
  private volatile ChangeBus bus;

  public ClusterChanges(StrataConfig config, DataSourceService dataSources,
      CatalogService catalog, AccessPolicy access, AuthService auth) {
    this.config = config;
    this.dataSources = dataSources;
    this.catalog = catalog;
    this.access = access;
    this.auth = auth;
  }

  @Override
  public synchronized void onApplicationEvent(StartupEvent event) {
    CacheSettings cache = config.cache();
    if (bus != null || cache.redisUri() == null || cache.redisUri().isBlank()) {
      return;
    }
    bus = new ChangeBus(cache.redisUri(), cache.redisPrefix(), cache.redisTimeout(),
        this::refresh);
  }

  private void refresh() {
    dataSources.refreshIfChanged();
    catalog.refreshIfChanged();
    access.refreshIfChanged();
    auth.credentialsChanged();
  }

  /** Tells the other nodes this one changed {@code what}; nothing without Redis. */
  public void announce(String what) {
    ChangeBus b = bus;
    if (b != null) {
      b.publish(what);
    }
  }

  /** Whether changes travel over Redis now (else only the poll carries them). */
  public boolean subscribed() {
    ChangeBus b = bus;
    return b != null && b.subscribed();
  }

  @PreDestroy
  public synchronized void close() {
    if (bus != null) {
      bus.close();
      bus = null;
    }
  }
}
