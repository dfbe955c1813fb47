package io.strata.server.cluster;

import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.core.order.Ordered;
import io.micronaut.runtime.graceful.GracefulShutdownCapable;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this server should be sent work, for a load balancer's health check on {@code
 * /health/ready} (liveness stays {@code /health} and {@code /health/live}).
 *
 * <p>{@link State#STARTING} until every start-up step has run: migrations and the catalog
 * (Bootstrap, on the context's start), then the HTTP server and the JDBC, Flight SQL and
 * Postgres wire listeners ({@link ServerStartupEvent}; this listener runs last). {@link
 * State#DRAINING} from SIGTERM: with {@code strata.shutdown.drain-delay} above zero, a SIGTERM
 * handler marks the node draining and keeps it serving for that long, so the balancer's checks
 * see 503 and stop sending it new work, and only then starts the graceful shutdown (listeners
 * close, running queries get {@code strata.shutdown.grace-period}). Without a delay the
 * graceful shutdown starts at once, as before, and the node is draining from its first step.
 */
@Singleton
public final class Readiness implements ApplicationEventListener<ServerStartupEvent>, Ordered,
    GracefulShutdownCapable {
  private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);

  /** The node's state, as {@code /health/ready} reports it. */
  public enum State { STARTING, READY, DRAINING }

  /** The readiness the SIGTERM handler drains: one server per JVM outside tests. */
  private static volatile Readiness current;
  private static boolean handlerInstalled;

  private final ClusterSettings settings;
  private volatile State state = State.STARTING;
  private final java.util.List<Runnable> onDrain = new java.util.concurrent.CopyOnWriteArrayList<>();

  public Readiness(ClusterSettings settings) {
    this.settings = settings;
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE; // after the endpoints that start on the same event
  }

  @Override
  public void onApplicationEvent(ServerStartupEvent event) {
    if (state == State.STARTING) {
      state = State.READY;
      LOG.info("node {} is ready", settings.nodeId());
    }
    current = this;
    if (!settings.drainDelay().isZero()) {
      installTermHandler(settings.drainDelay());
    }
  }

  public State state() {
    return state;
  }

  public boolean ready() {
    return state == State.READY;
  }

  public String nodeId() {
    return settings.nodeId();
  }

  /**
   * Adds {@code action}, run when the node starts draining: a protocol whose clients keep one
   * connection (Flight SQL's gRPC) tells them to move (GOAWAY) while the node still serves.
   */
  public void onDrain(Runnable action) {
    onDrain.add(action);
  }

  /** Stops reporting ready; the node keeps serving what it is sent. */
  public synchronized void drain() {
    if (state != State.DRAINING) {
      state = State.DRAINING;
      LOG.info("node {} is draining: /health/ready answers 503", settings.nodeId());
      for (Runnable r : onDrain) {
        try {
          r.run();
        } catch (RuntimeException e) {
          LOG.warn("draining: {}", e.toString());
        }
      }
    }
  }

  @Override
  public CompletionStage<?> shutdownGracefully() {
    drain();
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public java.util.OptionalLong reportActiveTasks() {
    return java.util.OptionalLong.empty();
  }

  /**
   * Replaces the JVM's SIGTERM handler (which would start the shutdown hooks at once) by one
   * that drains first. {@code System.exit} then runs the hooks, and so Micronaut's graceful
   * shutdown; the exit status is the usual 143 of a SIGTERM.
   */
  private static synchronized void installTermHandler(Duration delay) {
    if (handlerInstalled) {
      return;
    }
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> {
        Readiness r = current;
        if (r != null) {
          r.drain();
        }
        LOG.info("SIGTERM: draining for {} ms (strata.shutdown.drain-delay) before shutting down",
            delay.toMillis());
        try {
          Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        System.exit(143);
      });
      handlerInstalled = true;
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      LOG.warn("cannot handle SIGTERM here ({}); strata.shutdown.drain-delay is not applied",
          e.toString());
    }
  }
}
