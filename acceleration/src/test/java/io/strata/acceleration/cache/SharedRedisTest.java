package io.strata.acceleration.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.acceleration.cache.ResultCache.Hit;
import io.strata.acceleration.cache.ResultCache.Lead;
import io.strata.acceleration.cache.ResultCache.Lookup;
import io.strata.testkit.Redises;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two servers (two caches, each with its own L1) sharing one real Redis. */
class SharedRedisTest {
  private static final Duration TTL = Duration.ofMinutes(10);

  private final RootAllocator allocator = new RootAllocator();
  private final TestClock clock = new TestClock();
  private final String uri = Redises.uri();
  private final String prefix = Redises.uniquePrefix();
  private ResultCache a;
  private ResultCache b;
  private byte[] ipc;

  @BeforeEach
  void setUp() {
    a = new ResultCache(Results.settings(64L << 20, uri, prefix), clock);
    b = new ResultCache(Results.settings(64L << 20, uri, prefix), clock);
    ipc = Results.ipc(allocator, 2, 100);
    assertThat(a.redisStatus()).isEqualTo("up");
    assertThat(b.redisStatus()).isEqualTo("up");
  }

  @AfterEach
  void tearDown() {
    a.close();
    b.close();
    Redises.deleteByPrefix(uri, prefix);
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  private static Lead lead(ResultCache c, CacheKey k) {
    Lookup l = c.lookup(k, CacheMode.ON, Duration.ofSeconds(5));
    assertThat(l).isInstanceOf(Lead.class);
    return (Lead) l;
  }

  private static Hit hit(ResultCache c, CacheKey k) {
    Lookup l = c.lookup(k, CacheMode.ON, Duration.ofSeconds(5));
    assertThat(l).isInstanceOf(Hit.class);
    return (Hit) l;
  }

  /**
   * Whether the thread is in the cache's wait for another server's lock (not merely in some
   * Redis call: a lookup whose first GET is in flight while the lead completes finds no entry and
   * no lock, and rightly leads).
   */
  private static boolean waitsForOtherServer(Thread t) {
    if (t == null) {
      return false;
    }
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getMethodName().equals("waitForOtherServer")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void anEntryStoredByOneServerIsAnL2HitOnTheOther() {
    CacheKey ka = a.key(Results.parts("x", "SELECT 1"));
    CacheKey kb = b.key(Results.parts("x", "SELECT 1"));
    assertThat(kb).isEqualTo(ka);
    CacheEntry stored = lead(a, ka).complete(ipc, 200, 3_000, TTL, "[1]");

    Hit first = hit(b, kb);
    assertThat(first.tier()).isEqualTo(CacheTier.L2);
    assertThat(first.stale()).isFalse();
    assertThat(first.entry().ipc()).isEqualTo(stored.ipc());
    assertThat(first.entry().sourceVersion()).isEqualTo("[1]");
    assertThat(first.entry().expiresAt()).isEqualTo(stored.expiresAt());
    assertThat(Results.read(first.entry().ipc(), allocator).batches())
        .isEqualTo(Results.expected(allocator, 2, 100));
    Hit second = hit(b, kb);
    assertThat(second.tier()).isEqualTo(CacheTier.L1);

    CacheStats s = b.stats();
    assertThat(s.l2Hits()).isEqualTo(1);
    assertThat(s.l1Hits()).isEqualTo(1);
    assertThat(s.misses()).isZero();
    assertThat(s.redis()).isEqualTo("up");
    assertThat(s.l2Errors()).isZero();
    assertThat(a.stats().misses()).isEqualTo(1);
    // Redis keeps it for the TTL plus the stale windows
    Object pttl = Redises.command(uri, "PTTL", prefix + "entry:" + ka.hash());
    assertThat((Long) pttl).isGreaterThan(TTL.plus(Duration.ofMinutes(59)).toMillis());
  }

  @Test
  void invalidationOnOneServerReachesTheOther() {
    CacheKey kx = b.key(Results.parts("x", "SELECT 1"));
    CacheKey ky = b.key(Results.parts("y", "SELECT 1"));
    lead(a, kx).complete(ipc, 200, 1, TTL, null);
    lead(a, ky).complete(ipc, 200, 1, TTL, null);
    hit(b, kx);
    hit(b, ky);
    assertThat(b.stats().l1Entries()).isEqualTo(2);

    a.invalidateDataSource("x");

    Waiting.until("B's key for data source x changes", Duration.ofSeconds(5),
        () -> !b.key(Results.parts("x", "SELECT 1")).equals(kx));
    Waiting.until("B drops its L1 entry for data source x", Duration.ofSeconds(5),
        () -> b.stats().l1Entries() == 1);
    assertThat(b.key(Results.parts("y", "SELECT 1"))).isEqualTo(ky);
    assertThat(b.key(Results.parts("x", "SELECT 1"))).isEqualTo(a.key(Results.parts("x", "SELECT 1")));
    assertThat(hit(b, ky).tier()).isEqualTo(CacheTier.L1);
    lead(b, b.key(Results.parts("x", "SELECT 1"))).abandon();
  }

  @Test
  void aLookupOnAnotherServerWaitsForTheRunningQuery() throws Exception {
    CacheKey k = a.key(Results.parts("x", "SELECT 2"));
    Lead running = lead(a, k);
    AtomicReference<Thread> waiter = new AtomicReference<>();
    CompletableFuture<Lookup> onB = CompletableFuture.supplyAsync(() -> {
      waiter.set(Thread.currentThread());
      return b.lookup(k, CacheMode.ON, Duration.ofSeconds(10));
    });
    Waiting.until("B's lookup waits", Duration.ofSeconds(5),
        () -> waitsForOtherServer(waiter.get()));
    assertThat(onB).isNotDone();

    CacheEntry stored = running.complete(ipc, 200, 4_000, TTL, null);
    Lookup l = onB.get(5, TimeUnit.SECONDS);
    assertThat(l).isInstanceOf(Hit.class);
    Hit h = (Hit) l;
    assertThat(h.tier()).isEqualTo(CacheTier.L2);
    assertThat(h.joined()).isTrue();
    assertThat(h.entry().ipc()).isEqualTo(stored.ipc());
    assertThat(h.entry().createdAt()).isEqualTo(stored.createdAt());
    assertThat(b.stats().joins()).isEqualTo(1);
    assertThat(hit(b, k).tier()).isEqualTo(CacheTier.L1);
  }

  @Test
  void whenTheOtherServerAbandonsThisOneLeads() throws Exception {
    CacheKey k = a.key(Results.parts("x", "SELECT 3"));
    Lead running = lead(a, k);
    AtomicReference<Thread> waiter = new AtomicReference<>();
    CompletableFuture<Lookup> onB = CompletableFuture.supplyAsync(() -> {
      waiter.set(Thread.currentThread());
      return b.lookup(k, CacheMode.ON, Duration.ofSeconds(10));
    });
    Waiting.until("B's lookup waits", Duration.ofSeconds(5),
        () -> waitsForOtherServer(waiter.get()));
    running.abandon();
    assertThat(Redises.command(uri, "EXISTS", prefix + "lock:" + k.hash())).isIn(0L, 1L);

    Lookup l = onB.get(5, TimeUnit.SECONDS);
    assertThat(l).isInstanceOf(Lead.class);
    // B holds the lock now: A waits for B
    assertThat(Redises.command(uri, "EXISTS", prefix + "lock:" + k.hash())).isEqualTo(1L);
    ((Lead) l).complete(ipc, 200, 1, TTL, null);
    assertThat(Redises.command(uri, "EXISTS", prefix + "lock:" + k.hash())).isEqualTo(0L);
    assertThat(hit(a, k).tier()).isEqualTo(CacheTier.L2);
  }

  @Test
  void aDeadHoldersLockIsTakenOverWhenItExpires() {
    CacheKey k = b.key(Results.parts("x", "SELECT 4"));
    Redises.command(uri, "SET", prefix + "lock:" + k.hash(), "a-dead-server", "PX", "500");
    long t0 = System.nanoTime();
    Lookup l = b.lookup(k, CacheMode.ON, Duration.ofSeconds(5));
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(l).isInstanceOf(Lead.class);
    assertThat(waited).isBetween(300L, 4_000L);
    assertThat(Redises.command(uri, "GET", prefix + "lock:" + k.hash())).isNotEqualTo("a-dead-server");
    ((Lead) l).abandon();
  }

  @Test
  void aLeadRenewsItsLockWhileItsQueryRuns() throws Exception {
    b.close();
    b = new ResultCache(new CacheSettings(true, 64L << 20, uri, prefix, 8L << 20, TTL,
        Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofSeconds(10),
        CacheSettings.Compression.LZ4, Duration.ofMillis(250), Duration.ofMillis(500)), clock);
    CacheKey k = b.key(Results.parts("x", "SELECT 5"));
    Lead l = lead(b, k);
    String lock = prefix + "lock:" + k.hash();
    // well past the lock timeout, the lock is still there because it is renewed
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_200);
    while (System.nanoTime() - until < 0) {
      assertThat(Redises.command(uri, "EXISTS", lock)).isEqualTo(1L);
      Thread.sleep(50);
    }
    l.abandon();
    assertThat(Redises.command(uri, "EXISTS", lock)).isEqualTo(0L);
  }

  @Test
  void anUnreadableRedisValueIsDroppedNotServed() {
    CacheKey k = b.key(Results.parts("x", "SELECT 6"));
    Redises.command(uri, "SET", prefix + "entry:" + k.hash(), "garbage");
    Lookup l = b.lookup(k, CacheMode.ON, Duration.ofSeconds(2));
    assertThat(l).isInstanceOf(Lead.class);
    assertThat(Redises.command(uri, "EXISTS", prefix + "entry:" + k.hash())).isEqualTo(0L);
    ((Lead) l).abandon();
  }
}
