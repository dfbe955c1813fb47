package io.strata.server.flight;

import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.StartupEvent;
import io.strata.server.auth.AuthService;
import io.strata.server.config.Setting;
import io.strata.server.config.StrataConfig;
import io.strata.server.metadata.UserStore;
import io.strata.server.query.QueryService;
import io.strata.server.sql.SqlService;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.BindException;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Arrow Flight SQL endpoint: a gRPC server on {@code strata.flight.port} (TLS when
 * {@code strata.flight.tls.cert} and {@code .key} are set) answering Flight SQL through
 * {@link StrataFlightSqlProducer}, with {@link FlightAuthenticator} on every call. Started when
 * the server has started; stopped before the SQL service and the allocator it uses are closed
 * (Micronaut destroys a bean's dependents first): running statements are cancelled, results
 * nobody fetched are closed, then the gRPC server stops.
 *
 * <p>Its Arrow memory (outgoing batches until gRPC has sent them, metadata answers, parameter
 * uploads) comes from a child of the server's allocator, {@link #allocator()}; results
 * themselves live in the query service's allocators until a stream hands them over.
 */
@Singleton
public final class FlightEndpoint implements ApplicationEventListener<StartupEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(FlightEndpoint.class);

  private final StrataConfig config;
  private final SqlService sql;
  private final QueryService queries;
  private final AuthService auth;
  private final UserStore users;
  private final BufferAllocator root;
  private final java.time.Clock clock;
  private BufferAllocator allocator;
  private StrataFlightSqlProducer producer;
  private FlightServer server;
  /** strata.bind-host, strata.advertised-host (field-injected: the constructor stays the endpoint's own). */
  @jakarta.inject.Inject io.strata.server.cluster.ClusterSettings cluster;
  /** Signs handshake tokens, so any node redeems them (field-injected, as above). */
  @jakarta.inject.Inject io.strata.server.secret.SecretKeys keys;
  /** Draining sends clients GOAWAY, so they reconnect through the balancer (as above). */
  @jakarta.inject.Inject io.strata.server.cluster.Readiness readiness;

  FlightEndpoint(StrataConfig config, SqlService sql, QueryService queries, AuthService auth,
      UserStore users, BufferAllocator root, java.time.Clock clock) {
    this.config = config;
    this.sql = sql;
    this.queries = queries;
    this.auth = auth;
    this.users = users;
    this.root = root;
    this.clock = clock;
  }

  @Override
  public synchronized void onApplicationEvent(StartupEvent event) {
    if (!config.flightEnabled() || server != null) {
      return;
    }
    allocator = root.newChildAllocator("flight", 0, root.getLimit());
    producer = new StrataFlightSqlProducer(sql, allocator, config.queryTimeout(),
        new FlightUsers(users, auth));
    boolean tls = config.flightTlsCert().isPresent();
    String bind = io.strata.server.cluster.ClusterSettings.bindHostOf(cluster);
    Location location = tls ? Location.forGrpcTls(bind, config.flightPort())
        : Location.forGrpcInsecure(bind, config.flightPort());
    try {
      FlightServer.Builder b = FlightServer.builder(allocator, location, producer)
          .headerAuthenticator(new FlightAuthenticator(auth, users, config.sessionTtl(), clock)
              .signedBy(keys == null ? null : new io.strata.server.cluster.SignedTokens(
                  keys.box(), "strata flight tokens v1", FlightAuthenticator.FLIGHT_TOKEN_PREFIX)))
          .transportHint("grpc.builderConsumer",
              (java.util.function.Consumer<io.grpc.netty.NettyServerBuilder>)
                  grpc -> grpc.callExecutor(new PeerAddress()))
          .middleware(FlightSessions.KEY, new FlightSessions());
      if (tls) {
        b.useTls(config.flightTlsCert().get().toFile(), config.flightTlsKey().get().toFile());
      }
      server = b.build().start();
      if (readiness != null) {
        FlightServer started = server;
        readiness.onDrain(started::shutdown); // running calls finish; new ones go elsewhere
      }
      if (cluster != null && !cluster.advertisedHost().isEmpty()) {
        producer.advertise(tls ? Location.forGrpcTls(cluster.advertisedHost(), server.getPort())
            : Location.forGrpcInsecure(cluster.advertisedHost(), server.getPort()));
      }
    } catch (IOException | RuntimeException e) {
      producer.close();
      allocator.close();
      producer = null;
      allocator = null;
      String why = e instanceof BindException || e.getCause() instanceof BindException
          ? "port " + config.flightPort() + " is in use; set " + Setting.FLIGHT_PORT.property()
              + " (" + Setting.FLIGHT_PORT.envVar() + ") to a free port, or "
              + Setting.FLIGHT_ENABLED.property() + "=false"
          : String.valueOf(e.getMessage());
      throw new IllegalStateException("the Flight SQL endpoint cannot start: " + why, e);
    }
    LOG.info("Flight SQL listening on port {}{}", server.getPort(), tls ? " (TLS)" : "");
  }

  /** The port Flight SQL clients connect to, or -1 when the endpoint is disabled. */
  public synchronized int port() {
    return server == null ? -1 : server.getPort();
  }

  /** The endpoint's Arrow memory, or null when it is disabled. */
  public synchronized BufferAllocator allocator() {
    return allocator;
  }

  /** Statements executing, streaming, or held for a client to fetch (0 when idle). */
  public synchronized int openResults() {
    return producer == null ? 0 : producer.open();
  }

  @PreDestroy
  synchronized void close() {
    if (server == null) {
      return;
    }
    producer.close();
    if (!producer.awaitIdle(5_000)) {
      LOG.warn("Flight SQL streams still running after 5s; stopping anyway");
    }
    try {
      server.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server = null;
    try {
      allocator.close();
    } catch (IllegalStateException e) {
      LOG.warn("Flight SQL memory still allocated at shutdown: {}", e.getMessage());
    }
  }
}
