package io.strata.server.jobs;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.core.order.Ordered;
import io.strata.server.config.StrataConfig;
import io.strata.server.dashboard.DashboardService;
import io.strata.server.metadata.MetadataDatabase;
import io.strata.server.query.QueryService;
import io.strata.server.security.AccessPolicy;
import io.strata.server.sql.SqlService;
import io.strata.server.secret.SecretKeys;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Wires the job system into Micronaut; the only class of the package that knows Micronaut. */
@Factory
public class JobsFactory {
  @Singleton
  JobsConfig jobsConfig(Environment env, StrataConfig config) {
    return JobsConfig.from(env, config.dataDir());
  }

  @Singleton
  ResultStore resultStore(JobsConfig config) {
    return new DirectoryResultStore(config.storeDir());
  }

  /** Closed before the query service it runs jobs through (Micronaut closes dependents first). */
  @Singleton
  @Bean(preDestroy = "close")
  Jobs jobs(JobsConfig config, MetadataDatabase db, QueryService queries, SqlService sql,
      DashboardService dashboards, ResultStore store, Clock clock, MeterRegistry meters,
      AccessPolicy access, StrataConfig strata) {
    return new Jobs(config, db.dataSource(), new JobRunner(queries, sql, dashboards, store,
        config.neutraliseFormulas(), access, config.exportLimits()), store, clock, meters,
        strata.dataDir());
  }

  @Singleton
  SignedLinks signedLinks(SecretKeys keys, JobsConfig config, Clock clock) {
    return new SignedLinks(keys.box(), config.linkTtl(), clock);
  }

  /**
   * Starts the workers once the server has loaded its data sources and models (Bootstrap, a
   * listener of the same event ordered before this one), so no job runs against an empty catalog.
   */
  @Singleton
  static final class Starter implements ApplicationEventListener<StartupEvent>, Ordered {
    private final Jobs jobs;

    Starter(Jobs jobs) {
      this.jobs = jobs;
    }

    @Override
    public void onApplicationEvent(StartupEvent event) {
      jobs.start();
    }

    @Override
    public int getOrder() {
      return Ordered.LOWEST_PRECEDENCE;
    }
  }
}
