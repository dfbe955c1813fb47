package io.strata.server.pgwire;

import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.strata.server.auth.AuthService;
import io.strata.server.config.Setting;
import io.strata.server.config.StrataConfig;
import io.strata.server.sql.SqlService;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Postgres wire endpoint: protocol 3.0 on Netty at {@code strata.pgwire.port}, for psql,
 * pgjdbc, psycopg, node-postgres and the BI tools built on them. Every statement runs through
 * {@link SqlService} as endpoint {@code pgwire}, so results cache, query log, limits and
 * row-level security are those of every other endpoint.
 *
 * <p>TLS (answering SSLRequest) with the Flight endpoint's certificate and key when they are
 * set; then passwords and API tokens are sent in clear inside TLS. Without TLS, logins use
 * SCRAM-SHA-256 against the verifiers Strata derives when it sees a password
 * ({@link io.strata.server.auth.ScramVerifier}).
 *
 * <p>Starts once the HTTP server is up (not for command-line tools that only build the
 * context); stops before the SQL service closes: open connections are closed, which cancels
 * their queries.
 */
@Singleton
public final class PgWireEndpoint implements ApplicationEventListener<ServerStartupEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(PgWireEndpoint.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final StrataConfig config;
  private final SqlService sql;
  private final AuthService auth;
  private final Map<Integer, PgConnection> connections = new ConcurrentHashMap<>();
  private EventLoopGroup group;
  private ExecutorService workers;
  private SslContext ssl;
  private Channel server;
  private volatile int port = -1;
  /** strata.bind-host (field-injected: the constructor stays the endpoint's own). */
  @jakarta.inject.Inject io.strata.server.cluster.ClusterSettings cluster;

  public PgWireEndpoint(StrataConfig config, SqlService sql, AuthService auth) {
    this.config = config;
    this.sql = sql;
    this.auth = auth;
  }

  @Override
  public void onApplicationEvent(ServerStartupEvent event) {
    start();
  }

  /** Starts listening, unless {@code strata.pgwire.enabled} is false or it already listens. */
  public synchronized void start() {
    if (!config.pgwire().enabled() || server != null) {
      return;
    }
    if (config.flightTlsCert().isPresent()) {
      try {
        ssl = SslContextBuilder.forServer(config.flightTlsCert().get().toFile(),
            config.flightTlsKey().get().toFile()).build();
      } catch (SSLException | IllegalArgumentException e) {
        throw new IllegalStateException("the Postgres wire endpoint cannot use the TLS"
            + " certificate and key of " + Setting.FLIGHT_TLS_CERT.property() + ": "
            + e.getMessage(), e);
      }
    }
    AtomicInteger threads = new AtomicInteger();
    // a worker per busy connection (a query blocks it); idle ones end after a minute
    workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "strata-pgwire-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    int max = config.pgwire().maxMessageBytes();
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            int pid = newPid();
            PgConnection c = new PgConnection(PgWireEndpoint.this, pid, RANDOM.nextInt());
            connections.put(pid, c);
            // the startup message: a length that counts itself, no type byte
            ch.pipeline().addLast("framing", new LengthFieldBasedFrameDecoder(max + 4, 0, 4, -4,
                0, true));
            ch.pipeline().addLast("connection", c);
          }
        });
    try {
      server = b.bind(new InetSocketAddress(
          io.strata.server.cluster.ClusterSettings.bindHostOf(cluster), config.pgwire().port())).sync().channel();
    } catch (Exception e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      workers.shutdownNow();
      String why = e instanceof BindException || e.getCause() instanceof BindException
          ? "port " + config.pgwire().port() + " is in use; set "
              + Setting.PGWIRE_PORT.property() + " (" + Setting.PGWIRE_PORT.envVar()
              + ") to a free port, or " + Setting.PGWIRE_ENABLED.property() + "=false"
          : String.valueOf(e.getMessage());
      throw new IllegalStateException("the Postgres wire endpoint cannot start: " + why, e);
    }
    port = ((InetSocketAddress) server.localAddress()).getPort();
    LOG.info("Postgres wire listening on port {}{}", port, ssl != null ? " (TLS offered)" : "");
  }

  private int newPid() {
    while (true) {
      int pid = 1 + RANDOM.nextInt(Integer.MAX_VALUE - 1);
      if (!connections.containsKey(pid)) {
        return pid;
      }
    }
  }

  /** The port it listens on, or -1 when it does not. */
  public int port() {
    return port;
  }

  /** Connections open now. */
  public int openConnections() {
    return connections.size();
  }

  SqlService sql() {
    return sql;
  }

  AuthService auth() {
    return auth;
  }

  SslContext ssl() {
    return ssl;
  }

  ExecutorService workers() {
    return workers;
  }

  int maxMessageBytes() {
    return config.pgwire().maxMessageBytes();
  }

  /** A CancelRequest: cancels what connection {@code pid} runs when {@code key} is its secret. */
  void cancel(int pid, int key) {
    PgConnection c = connections.get(pid);
    LOG.debug("Postgres wire: cancel request for pid {} ({})", pid,
        c == null ? "no such connection" : c.secret() == key ? "accepted" : "wrong key");
    if (c != null && c.secret() == key) {
      // cancelling reaches the warehouse's driver, which may block: not on the event loop
      workers.execute(c::cancelRunning);
    }
  }

  void closed(int pid) {
    connections.remove(pid);
  }

  @PreDestroy
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    connections.values().forEach(PgConnection::cancelRunning);
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    workers.shutdownNow();
    server = null;
    port = -1;
    LOG.info("Postgres wire endpoint stopped");
  }
}
