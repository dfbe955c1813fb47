package io.strata.server.reports;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.core.order.Ordered;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import io.strata.server.auth.AuthService;
import io.strata.server.config.StrataConfig;
import io.strata.server.dashboard.DashboardService;
import io.strata.server.jobs.Jobs;
import io.strata.server.jobs.JobsConfig;
import io.strata.server.metadata.MetadataDatabase;
import io.strata.server.metadata.SessionStore;
import io.strata.server.metadata.UserStore;
import io.strata.server.query.QueryService;
import io.strata.server.security.AccessPolicy;
import io.strata.server.sql.SqlService;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

/** Wires reports into Micronaut; the only class of the package that knows Micronaut. */
@Factory
public class ReportsFactory {
  @Singleton
  ReportsSettings reportsSettings(Environment env) {
    return ReportsSettings.from(env);
  }

  @Singleton
  @Bean(preDestroy = "close")
  Reports reports(MetadataDatabase db, Jobs jobs, DashboardService dashboards,
      QueryService queries, SqlService sql, AccessPolicy access, UserStore users,
      SessionStore sessions, AuthService auth, ReportsSettings settings, StrataConfig config,
      JobsConfig jobsConfig, Clock clock, ServerAddress server,
      io.micrometer.core.instrument.MeterRegistry meters,
      io.strata.server.jobs.SignedLinks signed, io.strata.server.cache.CacheHolder cache) {
    ImageCache images = ImageCache.open(config.cache().enabled() ? config.cache().redisUri()
        : null, config.cache().redisPrefix(), jobsConfig.storeDir().resolve("images"));
    Reports reports = new Reports(new ReportStore(db.dataSource()), jobs, dashboards, queries,
        sql, access, users, sessions, auth, settings, images, clock, server.url::get, meters,
        new ThumbnailStore(db.dataSource()), signed);
    if (cache.cache() != null) {
      cache.cache().onInvalidated(reports::cacheInvalidated);
    }
    return reports;
  }

  /**
   * This process's own HTTP address once its server is up, for the browser to open the UI; it
   * stays null in a {@code strata worker}, which serves no UI (it needs
   * {@code strata.reports.base-url}).
   */
  @Singleton
  static final class ServerAddress implements ApplicationEventListener<ServerStartupEvent> {
    final AtomicReference<String> url = new AtomicReference<>();

    @Override
    public void onApplicationEvent(ServerStartupEvent event) {
      url.set("http://127.0.0.1:" + event.getSource().getPort());
    }
  }

  /**
   * Creates {@link Reports} at start-up, so that a worker process, which serves no route, has the
   * handlers of the report, alert and thumbnail jobs registered too: after Bootstrap has loaded
   * the data sources and models (order 0), before the job workers start (the lowest order).
   * Creating it any earlier (with the context) builds the query path before Bootstrap.
   */
  @Singleton
  static final class Registrar implements ApplicationEventListener<StartupEvent>, Ordered {
    private final BeanProvider<Reports> reports;

    Registrar(BeanProvider<Reports> reports) {
      this.reports = reports;
    }

    @Override
    public void onApplicationEvent(StartupEvent event) {
      reports.get();
    }

    @Override
    public int getOrder() {
      return Ordered.LOWEST_PRECEDENCE - 1;
    }
  }
}
