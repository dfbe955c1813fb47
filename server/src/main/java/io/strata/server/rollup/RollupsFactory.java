package io.strata.server.rollup;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.core.order.Ordered;
import io.strata.server.catalog.CatalogService;
import io.strata.server.config.StrataConfig;
import io.strata.server.datasource.DataSourceRegistry;
import io.strata.server.jobs.Jobs;
import io.strata.server.metadata.MetadataDatabase;
import io.strata.server.query.QueryService;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import org.apache.arrow.memory.BufferAllocator;

/** Wires the rollup service into Micronaut; the only class of the package that knows it. */
@Factory
public class RollupsFactory {
  @Singleton
  RollupConfig rollupConfig(Environment env, StrataConfig config) {
    return RollupConfig.from(env, config.dataDir());
  }

  /** Registered with the query service (routing) and the job system (builds) on creation. */
  @Singleton
  @Bean(preDestroy = "close")
  RollupService rollups(RollupConfig config, CatalogService catalog, DataSourceRegistry registry,
      BufferAllocator allocator, MetadataDatabase db, Jobs jobs, Clock clock,
      MeterRegistry meters, QueryService queries) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    RollupService service = new RollupService(catalog::catalog, registry, allocator,
        db.dataSource(), jobs, clock, meters, config, host + ":" + config.localFile());
    queries.rollups(service);
    catalog.onModelsAddedOrChanged(service::modelsChanged);
    return service;
  }

  /** Starts the checks for due builds once models and data sources are loaded. */
  @Singleton
  static final class Starter implements ApplicationEventListener<StartupEvent>, Ordered {
    private final RollupService rollups;

    Starter(RollupService rollups) {
      this.rollups = rollups;
    }

    @Override
    public void onApplicationEvent(StartupEvent event) {
      rollups.start();
    }

    @Override
    public int getOrder() {
      return Ordered.LOWEST_PRECEDENCE;
    }
  }
}
