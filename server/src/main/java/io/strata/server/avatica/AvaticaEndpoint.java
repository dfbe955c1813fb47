package io.strata.server.avatica;

import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import io.strata.server.auth.AuthService;
import io.strata.server.config.StrataConfig;
import io.strata.server.query.QueryService;
import io.strata.server.sql.SqlService;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC endpoint: Avatica's remote protocol (protobuf and JSON on one port) served by an
 * embedded Jetty on {@code strata.jdbc.port}, for the stock Avatica driver
 * ({@code jdbc:avatica:remote:url=http://host:8765;serialization=protobuf;authentication=BASIC})
 * and Strata's own {@code jdbc:strata:} driver. Starts once the HTTP server is up (not for
 * command-line tools that only build the context) and stops before the SQL and query services
 * close, since it depends on them: open results are closed, which cancels their queries.
 */
@Singleton
public final class AvaticaEndpoint implements ApplicationEventListener<ServerStartupEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(AvaticaEndpoint.class);

  private final StrataConfig config;
  private final SqlService sql;
  private final QueryService queries;
  private final AuthService auth;
  private Server server;
  private StrataMeta meta;
  private ScheduledExecutorService timers;
  private volatile int port = -1;
  /** strata.bind-host (field-injected: the constructor stays the endpoint's own). */
  @jakarta.inject.Inject io.strata.server.cluster.ClusterSettings cluster;

  public AvaticaEndpoint(StrataConfig config, SqlService sql, QueryService queries,
      AuthService auth) {
    this.config = config;
    this.sql = sql;
    this.queries = queries;
    this.auth = auth;
  }

  @Override
  public void onApplicationEvent(ServerStartupEvent event) {
    start();
  }

  /** Starts listening, unless {@code strata.jdbc.enabled} is false or it already listens. */
  public synchronized void start() {
    if (!config.jdbcEnabled() || server != null) {
      return;
    }
    timers = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "strata-jdbc-timer");
      t.setDaemon(true);
      return t;
    });
    Duration idle = config.jdbcIdleTimeout();
    meta = new StrataMeta(sql, idle);
    long sweep = Math.max(1_000, Math.min(idle.toMillis() / 2, 60_000));
    timers.scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);

    QueuedThreadPool threads = new QueuedThreadPool(100, 2, 60_000);
    threads.setName("strata-jdbc");
    threads.setDaemon(true);
    Server s = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setRequestHeaderSize(64 * 1024); // the JSON driver may send a request as a header
    ServerConnector connector = new ServerConnector(s, new HttpConnectionFactory(http));
    connector.setHost(io.strata.server.cluster.ClusterSettings.bindHostOf(cluster));
    connector.setPort(config.jdbcPort());
    // a request may wait for the warehouse up to the query timeout
    connector.setIdleTimeout(Math.max(60_000, config.queryTimeout().toMillis() + 30_000));
    s.addConnector(connector);
    AvaticaHttpHandler handler = new AvaticaHttpHandler(auth, meta);
    s.setHandler(handler);
    s.setStopTimeout(5_000);
    try {
      s.start();
    } catch (Exception e) {
      try {
        s.stop();
      } catch (Exception ignored) {
        // start failed: nothing to stop
      }
      timers.shutdownNow();
      throw new IllegalStateException("cannot start the JDBC endpoint on port "
          + config.jdbcPort() + " (strata.jdbc.port): " + e.getMessage(), e);
    }
    server = s;
    port = connector.getLocalPort();
    handler.setServerAddress(hostName() + ":" + port);
    LOG.info("JDBC (Avatica) listening on port {}", port);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  private void sweep() {
    try {
      meta.expireIdle();
    } catch (RuntimeException e) {
      LOG.warn("closing idle JDBC connections failed: {}", e.toString());
    }
  }

  /** The port it listens on, or -1 when it does not. */
  public int port() {
    return port;
  }

  /** Connections open now. */
  public int openConnections() {
    StrataMeta m = meta;
    return m == null ? 0 : m.openConnections();
  }

  @PreDestroy
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("stopping the JDBC endpoint: {}", e.toString());
    }
    meta.closeAll();
    timers.shutdownNow();
    server = null;
    port = -1;
    LOG.info("JDBC (Avatica) endpoint stopped");
  }
}
