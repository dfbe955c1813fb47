package io.strata.acceleration.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.acceleration.cache.ResultCache.Hit;
import io.strata.acceleration.cache.ResultCache.Lead;
import io.strata.acceleration.cache.ResultCache.Lookup;
import io.strata.testkit.Redises;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Redis taken away mid-test (a private redis-server, killed and started again on its port). */
class RedisOutageTest {
  private static final Duration TTL = Duration.ofMinutes(10);

  private final RootAllocator allocator = new RootAllocator();
  private final TestClock clock = new TestClock();
  private Redises.OwnRedis redis;
  private byte[] ipc;

  @BeforeEach
  void setUp() {
    redis = Redises.startOwn();
    ipc = Results.ipc(allocator, 2, 100);
  }

  @AfterEach
  void tearDown() {
    redis.close();
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  private ResultCache cache() {
    return new ResultCache(Results.settings(64L << 20, redis.uri(), "strata-test:"), clock);
  }

  /** A lookup of a cold key, which asks Redis; its lead is given up at once. */
  private static long coldLookupMillis(ResultCache c, String sql) {
    long t0 = System.nanoTime();
    Lookup l = c.lookup(c.key(Results.parts("x", sql)), CacheMode.ON, Duration.ofSeconds(2));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(l).isInstanceOf(Lead.class);
    ((Lead) l).abandon();
    return ms;
  }

  @Test
  void withRedisGoneTheCacheRunsOnL1AndComesBack() {
    try (ResultCache c = cache()) {
      CacheKey k1 = c.key(Results.parts("x", "SELECT 1"));
      CacheEntry stored = ((Lead) c.lookup(k1, CacheMode.ON, Duration.ofSeconds(2)))
          .complete(ipc, 200, 1, TTL, null);
      assertThat(c.redisStatus()).isEqualTo("up");

      redis.stop();

      Hit h = (Hit) c.lookup(k1, CacheMode.ON, Duration.ofSeconds(2));
      assertThat(h.entry()).isSameAs(stored);
      assertThat(h.tier()).isEqualTo(CacheTier.L1);
      for (int i = 0; i < 5; i++) {
        assertThat(coldLookupMillis(c, "SELECT cold " + i)).isLessThan(1_500);
      }
      assertThat(c.redisStatus()).startsWith("down");
      assertThat(c.stats().l2Errors()).isPositive();
      // a result computed meanwhile is kept in L1
      CacheKey k2 = c.key(Results.parts("x", "SELECT 2"));
      CacheEntry during = ((Lead) c.lookup(k2, CacheMode.ON, Duration.ofSeconds(2)))
          .complete(ipc, 200, 1, TTL, null);
      assertThat(during).isNotNull();
      assertThat(((Hit) c.lookup(k2, CacheMode.ON, Duration.ofSeconds(2))).tier()).isEqualTo(CacheTier.L1);
      // invalidation still works here
      c.invalidateDataSource("x");
      assertThat(c.key(Results.parts("x", "SELECT 2"))).isNotEqualTo(k2);

      redis.start();
      Waiting.until("the cache sees Redis up again", Duration.ofSeconds(10), () -> {
        coldLookupMillis(c, "SELECT probe");
        return c.redisStatus().equals("up");
      });

      // L2 is used again: another server reads what this one stores
      CacheKey k3 = c.key(Results.parts("x", "SELECT 3"));
      ((Lead) c.lookup(k3, CacheMode.ON, Duration.ofSeconds(2))).complete(ipc, 200, 1, TTL, null);
      try (ResultCache other = cache()) {
        Hit fromRedis = (Hit) other.lookup(k3, CacheMode.ON, Duration.ofSeconds(2));
        assertThat(fromRedis.tier()).isEqualTo(CacheTier.L2);
      }
    }
  }

  @Test
  void aServerStartedWhileRedisIsDownRunsOnL1ThenConnects() {
    redis.stop();
    long t0 = System.nanoTime();
    try (ResultCache c = cache()) {
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5_000);
      assertThat(c.redisStatus()).startsWith("down");
      CacheKey k = c.key(Results.parts("x", "SELECT 1"));
      ((Lead) c.lookup(k, CacheMode.ON, Duration.ofSeconds(2))).complete(ipc, 200, 1, TTL, null);
      assertThat(((Hit) c.lookup(k, CacheMode.ON, Duration.ofSeconds(2))).tier()).isEqualTo(CacheTier.L1);

      redis.start();
      Waiting.until("the cache connects to Redis", Duration.ofSeconds(10), () -> {
        coldLookupMillis(c, "SELECT probe");
        return c.redisStatus().equals("up");
      });
    }
  }

  @Test
  void invalidationAfterARedisRestartStillChangesKeys() {
    // Redis here keeps nothing on disk: a restart loses the generation counters
    try (ResultCache a = cache(); ResultCache b = cache()) {
      a.invalidateDataSource("x");
      CacheKey before = a.key(Results.parts("x", "SELECT 1"));
      Waiting.until("B hears the first invalidation", Duration.ofSeconds(5),
          () -> b.key(Results.parts("x", "SELECT 1")).equals(before));

      redis.stop();
      redis.start();
      for (ResultCache c : new ResultCache[] {a, b}) {
        Waiting.until("the cache sees Redis up again", Duration.ofSeconds(10), () -> {
          coldLookupMillis(c, "SELECT probe");
          return c.redisStatus().equals("up");
        });
      }
      // A stores a result computed before the next invalidation
      CacheKey k = a.key(Results.parts("x", "SELECT 1"));
      assertThat(k).isEqualTo(before);
      ((Lead) a.lookup(k, CacheMode.ON, Duration.ofSeconds(2))).complete(ipc, 200, 1, TTL, null);

      b.invalidateDataSource("x");

      assertThat(b.key(Results.parts("x", "SELECT 1"))).as("B's key after B invalidated").isNotEqualTo(k);
      Waiting.until("A's key changes too", Duration.ofSeconds(5),
          () -> !a.key(Results.parts("x", "SELECT 1")).equals(k));
      Lookup l = b.lookup(b.key(Results.parts("x", "SELECT 1")), CacheMode.ON, Duration.ofSeconds(2));
      assertThat(l).as("the result from before the invalidation is not served").isInstanceOf(Lead.class);
      ((Lead) l).abandon();
    }
  }
}
