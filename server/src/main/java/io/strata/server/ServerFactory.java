package io.strata.server;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import io.strata.acceleration.cache.CacheSettings;
import io.strata.acceleration.cache.ResultCache;
import io.strata.server.audit.AuditLog;
import io.strata.server.auth.throttle.LoginThrottle;
import io.strata.server.metadata.AuditStore;
import java.util.Map;
import io.strata.server.cache.CacheHolder;
import io.strata.server.cache.CacheMetrics;
import io.strata.server.catalog.CatalogService;
import io.strata.server.catalog.DataSourceService;
import io.strata.server.config.StrataConfig;
import io.strata.server.datasource.DataSourceRegistry;
import io.strata.server.metadata.DashboardStore;
import io.strata.server.metadata.DataSourceStore;
import io.strata.server.metadata.MetadataConfig;
import io.strata.server.metadata.MetadataDatabase;
import io.strata.server.metadata.ModelStore;
import io.strata.server.metadata.QueryLogEntry;
import io.strata.server.metadata.QueryLogStore;
import io.strata.server.metadata.SavedQueryStore;
import io.strata.server.metadata.SessionStore;
import io.strata.server.metadata.TokenStore;
import io.strata.server.metadata.SecurityStore;
import io.strata.server.metadata.UserStore;
import io.strata.server.security.AccessPolicy;
import io.strata.server.query.QueryEvent;
import io.strata.server.query.QueryLimits;
import io.strata.server.query.QueryLogger;
import io.strata.server.query.QueryService;
import io.strata.server.secret.SecretKeys;
import jakarta.inject.Singleton;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import io.strata.server.sql.SqlService;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the server's plain components (metadata stores, data-source pools, the query service)
 * into Micronaut. Those classes know nothing of Micronaut; this is the only place that does.
 */
@Factory
public class ServerFactory {
  private static final Logger LOG = LoggerFactory.getLogger(ServerFactory.class);

  @Singleton
  StrataConfig config(Environment env) {
    return StrataConfig.from(env);
  }

  @Singleton
  Clock clock() {
    return Clock.systemUTC();
  }

  /** Login throttling: in this server's memory, on the server's clock; lockouts are audited. */
  @Singleton
  LoginThrottle loginThrottle(StrataConfig config, Clock clock, MeterRegistry meters,
      AuditLog audit) {
    return new LoginThrottle(config.throttle(), clock, meters, l -> audit.record(null,
        l.client().addressText(), "lockout", l.kind(), l.name(), Map.of("failures",
            l.failures(), "until", l.until().toString(), "endpoint", l.client().endpoint())));
  }

  @Singleton
  AuditLog auditLog(MetadataDatabase db, Clock clock) {
    return new AuditLog(new AuditStore(db), clock);
  }

  @Singleton
  @Bean(preDestroy = "close")
  MetadataDatabase metadata(StrataConfig config) {
    return MetadataDatabase.open(new MetadataConfig(config.metadataUrl(), config.metadataUser(),
        config.metadataPassword(), config.metadataPoolSize()));
  }

  @Singleton
  UserStore users(MetadataDatabase db) {
    return new UserStore(db);
  }

  @Singleton
  io.strata.server.metadata.ScramVerifierStore scramVerifiers(MetadataDatabase db) {
    return new io.strata.server.metadata.ScramVerifierStore(db);
  }

  @Singleton
  TokenStore tokens(MetadataDatabase db) {
    return new TokenStore(db);
  }

  @Singleton
  SavedQueryStore savedQueries(MetadataDatabase db) {
    return new SavedQueryStore(db);
  }

  @Singleton
  SessionStore sessions(MetadataDatabase db) {
    return new SessionStore(db);
  }

  @Singleton
  ModelStore models(MetadataDatabase db) {
    return new ModelStore(db);
  }

  /** The secret keys: a bad or missing key stops the start naming the setting. */
  @Singleton
  SecretKeys secretKeys(Environment env, StrataConfig config) {
    return SecretKeys.load(env, config.dataDir());
  }

  /**
   * The data-source store; created by checking that every stored secret decrypts with the
   * configured keys (else the start fails naming the settings) and encrypting what an older
   * version stored in plaintext or a previous key encrypted.
   */
  @Singleton
  DataSourceStore dataSources(MetadataDatabase db, SecretKeys keys) {
    DataSourceStore store = new DataSourceStore(db, keys.box());
    int sealed = store.sealAll();
    if (sealed > 0) {
      LOG.info("encrypted {} data-source secret(s) under key {}", sealed, keys.box().current().id());
    }
    return store;
  }

  @Singleton
  DashboardStore dashboards(MetadataDatabase db) {
    return new DashboardStore(db);
  }

  @Singleton
  io.strata.server.metadata.FavouriteStore favourites(MetadataDatabase db) {
    return new io.strata.server.metadata.FavouriteStore(db);
  }

  @Singleton
  SecurityStore security(MetadataDatabase db) {
    return new SecurityStore(db);
  }

  /** Row-level security and grants: the query service applies them to every query. */
  @Singleton
  AccessPolicy accessPolicy(SecurityStore store, UserStore users, CatalogService catalog,
      DataSourceService dataSources) {
    return new AccessPolicy(store, users, catalog::catalog, dataSources::names);
  }

  @Singleton
  @Bean(preDestroy = "close")
  QueryLogStore queryLog(MetadataDatabase db, MeterRegistry meters) {
    QueryLogStore log = new QueryLogStore(db);
    FunctionCounter.builder("strata.query.log.dropped", log, QueryLogStore::dropped)
        .description("Query log entries dropped because the write-behind buffer was full")
        .register(meters);
    FunctionCounter.builder("strata.query.log.failed", log, QueryLogStore::failed)
        .description("Query log entries the metadata database refused").register(meters);
    Gauge.builder("strata.query.log.pending", log, QueryLogStore::pending)
        .description("Query log entries waiting to be written").register(meters);
    return log;
  }

  @Singleton
  @Bean(preDestroy = "close")
  DataSourceRegistry registry() {
    return new DataSourceRegistry();
  }

  @Singleton
  @Bean(preDestroy = "close")
  BufferAllocator allocator() {
    return new RootAllocator();
  }

  /** The results cache (L1 always, L2 when Redis is configured); null when turned off. */
  @Singleton
  @Bean(preDestroy = "close")
  CacheHolder resultCache(StrataConfig config, Clock clock, MeterRegistry meters,
      CatalogService catalog, DataSourceService dataSources) {
    CacheSettings s = config.cache();
    if (!s.enabled()) {
      return new CacheHolder(null);
    }
    ResultCache cache = new ResultCache(s, clock);
    CacheMetrics.register(cache, meters);
    catalog.onModelsChanged(names -> names.forEach(cache::invalidateModel));
    dataSources.onChange(cache::invalidateDataSource);
    LOG.info("results cache: L1 {}, L2 {}", s.hasL1() ? s.l1MaxBytes() / (1 << 20) + " MB" : "off",
        s.hasRedis() ? "Redis" : "off");
    return new CacheHolder(cache);
  }

  /** Closed before the pools and the allocator it uses: Micronaut destroys dependents first. */
  @Singleton
  @Bean(preDestroy = "close")
  QueryService queryService(CatalogService catalog, DataSourceRegistry registry,
      BufferAllocator allocator, StrataConfig config, QueryLogStore log, Clock clock,
      MeterRegistry meters, CacheHolder cache, AccessPolicy access) {
    QueryLimits limits = new QueryLimits(config.queryTimeout(), config.queryMaxRows(),
        config.queryBatchRows());
    QueryLogger logger = e -> {
      Timer.builder("strata.query")
          .description("Queries run, by data source, endpoint and outcome (ok or an error code)")
          .tag("data_source", String.valueOf(e.dataSource()))
          .tag("endpoint", String.valueOf(e.endpoint()))
          .tag("outcome", e.errorCode() == null ? "ok" : e.errorCode())
          .register(meters).record(e.timings().totalMicros(), TimeUnit.MICROSECONDS);
      meters.counter("strata.query.rows", "data_source", String.valueOf(e.dataSource()))
          .increment(e.rows());
      try {
        log.append(entry(e)); // queued: written behind the query, never waited for
      } catch (RuntimeException failure) {
        // The query's answer matters more than its log line.
        LOG.warn("could not log query {}: {}", e.queryId(), failure.toString());
      }
    };
    QueryService queries = new QueryService(catalog::compiler, registry, allocator, limits,
        logger, clock, cache.cache());
    queries.access(access);
    return queries;
  }

  /** SQL over the semantic layer and the data sources, for the JDBC, Flight SQL and REST endpoints. */
  @Singleton
  @Bean(preDestroy = "close")
  SqlService sqlService(CatalogService catalog, DataSourceRegistry registry,
      QueryService queries, BufferAllocator allocator, StrataConfig config) {
    return new SqlService(catalog::catalog, registry, queries, allocator, config.sqlLimits());
  }

  static QueryLogEntry entry(QueryEvent e) {
    return new QueryLogEntry(e.queryId(), e.user(), e.endpoint(), e.queryText(), e.sql(),
        e.dataSource(), e.startedAt(), e.timings().compileMicros(), e.timings().executeMicros(),
        e.timings().fetchMicros(), e.timings().totalMicros(), e.rows(), e.bytes(), e.cacheTier(),
        e.errorCode(), e.error(), e.rollup());
  }
}
