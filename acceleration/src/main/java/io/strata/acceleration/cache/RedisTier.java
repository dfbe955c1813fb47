package io.strata.acceleration.cache;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared tier: entries, single-flight locks and generation counters in Redis, through one
 * Lettuce connection (binary values) plus one pub/sub connection for invalidations.
 *
 * <p>Redis is never allowed to fail a query: every command waits at most
 * {@link CacheSettings#redisTimeout()}; a failure marks Redis down (a warning in health, the
 * cache runs on L1 alone) and commands are not tried again for a second. Lettuce reconnects by
 * itself; a server that started while Redis was down keeps trying to connect.
 */
final class RedisTier implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisTier.class);
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final String UNLOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then "
      + "return redis.call('del', KEYS[1]) else return 0 end";
  private static final String RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then "
      + "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
  /** HINCRBY, but never to a value the caller already has (Redis may have lost the counter). */
  private static final String BUMP = "local v = redis.call('hincrby', KEYS[1], ARGV[1], 1) "
      + "if v <= tonumber(ARGV[2]) then v = tonumber(ARGV[2]) + 1 "
      + "redis.call('hset', KEYS[1], ARGV[1], v) end return v";
  /** Raises each counter named in ARGV (scope, value pairs) to at least the value given. */
  private static final String RAISE = "for i = 1, #ARGV, 2 do "
      + "local cur = tonumber(redis.call('hget', KEYS[1], ARGV[i]) or '0') "
      + "if cur == nil or cur < tonumber(ARGV[i + 1]) then "
      + "redis.call('hset', KEYS[1], ARGV[i], ARGV[i + 1]) end end return 0";

  private final CacheSettings settings;
  private final String prefix;
  private final ClientResources resources;
  private final RedisClient client;
  private final Consumer<String> onInvalidation;
  private final Runnable onReconnect;
  private final ScheduledExecutorService scheduler;
  private final LongAdder errors = new LongAdder();

  private volatile StatefulRedisConnection<byte[], byte[]> connection;
  private volatile StatefulRedisPubSubConnection<String, String> pubsub;
  private volatile String down;
  private volatile long retryAt;
  private volatile boolean closed;

  /**
   * @param onInvalidation called with the scope of every invalidation any server publishes
   * @param onReconnect called when Redis answers again after being down
   */
  RedisTier(CacheSettings settings, ScheduledExecutorService scheduler,
      Consumer<String> onInvalidation, Runnable onReconnect) {
    this.settings = settings;
    this.prefix = settings.redisPrefix();
    this.scheduler = scheduler;
    this.onInvalidation = onInvalidation;
    this.onReconnect = onReconnect;
    this.resources = DefaultClientResources.builder()
        .reconnectDelay(Delay.constant(Duration.ofMillis(500)))
        .build();
    this.client = RedisClient.create(resources, RedisURI.create(settings.redisUri()));
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(settings.redisTimeout()))
        .build());
    client.setDefaultTimeout(settings.redisTimeout().multipliedBy(4));
    connect();
  }

  /** Connects, or schedules another try in a second. */
  private void connect() {
    if (closed) {
      return;
    }
    try {
      StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE);
      StatefulRedisPubSubConnection<String, String> ps = client.connectPubSub();
      ps.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          // not on Lettuce's event loop: the handler talks to Redis and waits for its answer
          try {
            scheduler.execute(() -> onInvalidation.accept(message));
          } catch (RuntimeException rejected) {
            // shutting down
          }
        }
      });
      ps.sync().subscribe(channel());
      connection = c;
      pubsub = ps;
      up();
      LOG.info("results cache: Redis L2 at {} (prefix '{}')", redacted(), prefix);
    } catch (RuntimeException e) {
      markDown(e);
      try {
        scheduler.schedule(this::connect, 1, TimeUnit.SECONDS);
      } catch (RuntimeException rejected) {
        // shutting down
      }
    }
  }

  private String redacted() {
    return settings.redisUri().replaceAll("//[^@/]*@", "//***@");
  }

  private String channel() {
    return prefix + "invalidate";
  }

  /** {@code up}, or {@code down: <why>}. */
  String status() {
    String d = down;
    return d == null ? "up" : "down: " + d;
  }

  long errors() {
    return errors.sum();
  }

  /** Whether to try Redis now: it is up, or it was down long enough ago to try again. */
  boolean usable() {
    return connection != null && (down == null || System.nanoTime() - retryAt >= 0);
  }

  private void markDown(Throwable e) {
    errors.increment();
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (down == null) {
      LOG.warn("results cache: Redis at {} is unavailable ({}); serving from L1 alone until it"
          + " answers again", redacted(), why);
    }
    down = why;
    retryAt = System.nanoTime() + RETRY_NANOS;
  }

  private void up() {
    if (down != null) {
      down = null;
      LOG.info("results cache: Redis at {} answers again", redacted());
      onReconnect.run();
    }
  }

  /** Runs a command with the timeout; null (and Redis marked down) when it fails. */
  private <T> T call(Supplier<RedisFuture<T>> command) {
    if (!usable()) {
      return null;
    }
    try {
      T value = command.get().get(settings.redisTimeout().toMillis(), TimeUnit.MILLISECONDS);
      up();
      return value;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      markDown(e);
      return null;
    }
  }

  private RedisAsyncCommands<byte[], byte[]> async() {
    return connection.async();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private byte[] entryKey(String hash) {
    return b(prefix + "entry:" + hash);
  }

  private byte[] lockKey(String hash) {
    return b(prefix + "lock:" + hash);
  }

  private byte[] generationsKey() {
    return b(prefix + "generations");
  }

  /** The stored entry, or null (absent, unreadable, or Redis unavailable). */
  CacheEntry get(String hash) {
    byte[] data = call(() -> async().get(entryKey(hash)));
    if (data == null) {
      return null;
    }
    try {
      return CacheEntry.decode(data);
    } catch (IllegalArgumentException e) {
      LOG.warn("results cache: dropping unreadable Redis entry {}: {}", hash, e.getMessage());
      call(() -> async().del(entryKey(hash)));
      return null;
    }
  }

  /** Stores an entry for {@code ttl} (not waiting longer than the timeout). */
  void put(CacheEntry entry, Duration ttl) {
    if (ttl.isNegative() || ttl.isZero()) {
      return;
    }
    byte[] data = entry.encode();
    call(() -> async().set(entryKey(entry.keyHash()), data, SetArgs.Builder.px(ttl.toMillis())));
  }

  /**
   * Tries to take the single-flight lock of a key.
   *
   * @return true when taken (or when Redis cannot be asked: then this server just runs the
   *     query), false when another server holds it
   */
  boolean tryLock(String hash, String owner) {
    if (!usable()) {
      return true;
    }
    String ok = call(() -> async().set(lockKey(hash), b(owner),
        SetArgs.Builder.nx().px(settings.lockTimeout().toMillis())));
    return ok != null || !usable();
  }

  void renew(String hash, String owner) {
    call(() -> async().<Long>eval(RENEW, ScriptOutputType.INTEGER,
        new byte[][] {lockKey(hash)}, b(owner), b(String.valueOf(settings.lockTimeout().toMillis()))));
  }

  void unlock(String hash, String owner) {
    call(() -> async().<Long>eval(UNLOCK, ScriptOutputType.INTEGER,
        new byte[][] {lockKey(hash)}, b(owner)));
  }

  /** Whether another server holds the key's lock; false when Redis cannot say. */
  boolean locked(String hash) {
    Long n = call(() -> async().exists(lockKey(hash)));
    return n != null && n > 0;
  }

  /**
   * Bumps a generation counter past {@code local} (this server's value, which is ahead of Redis's
   * when Redis restarted and lost its counters) and tells every server; null when Redis is
   * unavailable.
   */
  Long bump(String scope, long local) {
    Long value = call(() -> async().<Long>eval(BUMP, ScriptOutputType.INTEGER,
        new byte[][] {generationsKey()}, b(scope), b(Long.toString(local))));
    if (value != null && pubsub != null) {
      call(() -> async().publish(b(channel()), b(scope)));
    }
    return value;
  }

  /** Raises Redis's counters to these values where they are lower (after Redis lost them). */
  void raise(Map<String, Long> counters) {
    if (counters.isEmpty()) {
      return;
    }
    byte[][] args = new byte[counters.size() * 2][];
    int i = 0;
    for (Map.Entry<String, Long> e : counters.entrySet()) {
      args[i++] = b(e.getKey());
      args[i++] = b(Long.toString(e.getValue()));
    }
    call(() -> async().<Long>eval(RAISE, ScriptOutputType.INTEGER,
        new byte[][] {generationsKey()}, args));
  }

  /** Every generation counter; null when Redis is unavailable. */
  Map<String, Long> generations() {
    Map<byte[], byte[]> raw = call(() -> async().hgetall(generationsKey()));
    if (raw == null) {
      return null;
    }
    Map<String, Long> out = new HashMap<>();
    raw.forEach((k, v) -> {
      try {
        out.put(new String(k, StandardCharsets.UTF_8),
            Long.parseLong(new String(v, StandardCharsets.UTF_8)));
      } catch (NumberFormatException e) {
        // not ours
      }
    });
    return out;
  }

  @Override
  public void close() {
    closed = true;
    try {
      if (pubsub != null) {
        pubsub.close();
      }
      if (connection != null) {
        connection.close();
      }
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }
}
