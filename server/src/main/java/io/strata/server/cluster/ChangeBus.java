package io.strata.server.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the other servers and workers at once that this one changed shared metadata (models,
 * data sources, dashboards, users, tokens, grants), over Redis pub/sub on the channel {@code
 * <strata.cache.redis.prefix>cluster:changes}. A process that hears it runs {@code refresh} (the
 * same refresh the poll of {@code strata.models.poll-interval} runs), so a change made on one
 * node takes effect on all within a round trip instead of a poll interval.
 *
 * <p>Best effort by design: the metadata database is the truth and the poll stays the fallback.
 * While Redis is down, publishing fails fast (commands are rejected, not queued) and is only
 * logged; the subscription is made again when Redis is back (Lettuce reconnects and
 * resubscribes; a bus that could not connect at start retries every 5 s). A message names the
 * process that sent it, which ignores its own.
 */
public final class ChangeBus implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeBus.class);

  private final String channel;
  private final String self = UUID.randomUUID().toString();
  private final Runnable refresh;
  private final RedisClient client;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean refreshQueued = new AtomicBoolean();
  private volatile StatefulRedisPubSubConnection<String, String> subscription;
  private volatile StatefulRedisConnection<String, String> publisher;
  private volatile boolean closed;

  /**
   * Connects to {@code redisUri} and subscribes; returns at once even when Redis is down (it
   * retries in the background).
   */
  public ChangeBus(String redisUri, String prefix, Duration timeout, Runnable refresh) {
    this.channel = prefix + "cluster:changes";
    this.refresh = refresh;
    this.client = RedisClient.create(RedisURI.create(redisUri));
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(timeout.multipliedBy(4)))
        .build());
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "strata-change-bus");
      t.setDaemon(true);
      return t;
    });
    executor.execute(this::connect);
  }

  private void connect() {
    if (closed || subscription != null) {
      return;
    }
    StatefulRedisPubSubConnection<String, String> sub = null;
    try {
      sub = client.connectPubSub();
      sub.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String ch, String message) {
          if (channel.equals(ch) && !message.startsWith(self + " ")) {
            heard(message);
          }
        }
      });
      sub.sync().subscribe(channel);
      if (publisher == null) {
        publisher = client.connect();
      }
      subscription = sub;
      LOG.info("cluster changes: subscribed to Redis channel {}", channel);
      // changes published while this process was not listening: the poll would see them later
      heard("(subscribed)");
    } catch (RuntimeException e) {
      LOG.warn("cluster changes: Redis pub/sub unavailable ({}); the metadata poll carries"
          + " changes meanwhile; retrying in 5 s", e.getMessage());
      if (sub != null) {
        sub.closeAsync();
      }
      subscription = null;
      if (!closed) {
        executor.schedule(this::connect, 5, TimeUnit.SECONDS);
      }
    }
  }

  private void heard(String message) {
    LOG.debug("cluster changes: {}", message);
    if (refreshQueued.compareAndSet(false, true)) {
      executor.execute(() -> {
        refreshQueued.set(false);
        try {
          refresh.run();
        } catch (RuntimeException e) {
          LOG.warn("cluster changes: refresh failed: {}", e.toString());
        }
      });
    }
  }

  /** Announces that this process changed {@code what} (a request path); never throws. */
  public void publish(String what) {
    StatefulRedisConnection<String, String> p = publisher;
    if (p == null) {
      return;
    }
    try {
      p.async().publish(channel, self + " " + what).whenComplete((n, e) -> {
        if (e != null) {
          LOG.debug("cluster changes: could not publish {}: {}", what, e.toString());
        }
      });
    } catch (RuntimeException e) {
      LOG.debug("cluster changes: could not publish {}: {}", what, e.toString());
    }
  }

  /** Whether the subscription is in place (Redis answered at least once). */
  public boolean subscribed() {
    StatefulRedisPubSubConnection<String, String> s = subscription;
    return s != null && s.isOpen();
  }

  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
    StatefulRedisPubSubConnection<String, String> s = subscription;
    if (s != null) {
      s.close();
    }
    StatefulRedisConnection<String, String> p = publisher;
    if (p != null) {
      p.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
