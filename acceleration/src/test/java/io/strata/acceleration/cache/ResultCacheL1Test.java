package io.strata.acceleration.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.acceleration.cache.ResultCache.Hit;
import io.strata.acceleration.cache.ResultCache.Lead;
import io.strata.acceleration.cache.ResultCache.Lookup;
import java.time.Duration;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cache with L1 alone: freshness, the stale windows and modes, sizes. Time is moved by hand. */
class ResultCacheL1Test {
  private static final Duration TTL = Duration.ofMinutes(10);
  private static final Duration WAIT = Duration.ofSeconds(2);

  private final RootAllocator allocator = new RootAllocator();
  private final TestClock clock = new TestClock();
  private ResultCache cache;
  private byte[] ipc;
  private CacheKey key;

  @BeforeEach
  void setUp() {
    cache = new ResultCache(Results.l1Only(), clock);
    ipc = Results.ipc(allocator, 3, 100);
    key = cache.key(Results.parts("warehouse", "SELECT * FROM retail.orders"));
  }

  @AfterEach
  void tearDown() {
    cache.close();
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  private Lead lead(CacheMode mode) {
    Lookup l = cache.lookup(key, mode, WAIT);
    assertThat(l).as("lookup in %s", mode).isInstanceOf(Lead.class);
    return (Lead) l;
  }

  private Hit hit(CacheMode mode) {
    Lookup l = cache.lookup(key, mode, WAIT);
    assertThat(l).as("lookup in %s", mode).isInstanceOf(Hit.class);
    return (Hit) l;
  }

  private CacheEntry store() {
    return lead(CacheMode.ON).complete(ipc, 300, 5_000, TTL, null);
  }

  @Test
  void missLeadsThenHitsFreshWithAge() {
    Lead lead = lead(CacheMode.ON);
    assertThat(lead.key()).isEqualTo(key);
    assertThat(lead.staleFallback()).isNull();
    CacheEntry stored = lead.complete(ipc, 300, 5_000, TTL, "[v1]");
    assertThat(stored.expiresAt()).isEqualTo(clock.instant().plus(TTL));
    assertThat(stored.sourceVersion()).isEqualTo("[v1]");

    clock.advance(Duration.ofSeconds(30));
    Hit h = hit(CacheMode.ON);
    assertThat(h.tier()).isEqualTo(CacheTier.L1);
    assertThat(h.stale()).isFalse();
    assertThat(h.revalidate()).isFalse();
    assertThat(h.joined()).isFalse();
    assertThat(h.entry()).isSameAs(stored);
    assertThat(h.entry().age(clock.instant())).isEqualTo(Duration.ofSeconds(30));
    assertThat(Results.read(h.entry().ipc(), allocator).batches())
        .isEqualTo(Results.expected(allocator, 3, 100));
    // a second complete does nothing
    assertThat(lead.complete(ipc, 1, 1, TTL, null)).isNull();

    CacheStats s = cache.stats();
    assertThat(s.misses()).isEqualTo(1);
    assertThat(s.l1Hits()).isEqualTo(1);
    assertThat(s.l2Hits()).isZero();
    assertThat(s.warehouseMicrosSaved()).isEqualTo(5_000);
    assertThat(s.l1Entries()).isEqualTo(1);
    assertThat(s.l1Bytes()).isEqualTo(stored.weight());
    assertThat(s.redis()).isEqualTo("off");
    assertThat(s.hitRatio()).isEqualTo(0.5);
  }

  @Test
  void staleWithinTheWindowIsServedAndOneCallerRevalidates() {
    CacheEntry old = store();
    clock.advance(TTL.plusSeconds(1));

    Hit first = hit(CacheMode.ON);
    assertThat(first.stale()).isTrue();
    assertThat(first.revalidate()).isTrue();
    assertThat(first.entry()).isSameAs(old);
    Hit second = hit(CacheMode.ON);
    assertThat(second.stale()).isTrue();
    assertThat(second.revalidate()).isFalse();

    // the revalidation: a NO_CACHE lookup leads even though an entry is there
    Lead refresh = lead(CacheMode.NO_CACHE);
    CacheEntry fresh = refresh.complete(ipc, 300, 5_000, TTL, null);
    Hit after = hit(CacheMode.ON);
    assertThat(after.entry()).isSameAs(fresh);
    assertThat(after.stale()).isFalse();

    // the next expiry gives a revalidation again
    clock.advance(TTL.plusSeconds(1));
    assertThat(hit(CacheMode.ON).revalidate()).isTrue();
    assertThat(hit(CacheMode.ON).revalidate()).isFalse();
    assertThat(cache.stats().staleServed()).isEqualTo(4);
  }

  @Test
  void revalidationThatNeverStartsHandsTheFlagOn() {
    store();
    clock.advance(TTL.plusSeconds(1));
    Hit first = hit(CacheMode.ON);
    assertThat(first.revalidate()).isTrue();
    cache.revalidationEnded(first.entry().keyHash());
    assertThat(hit(CacheMode.ON).revalidate()).isTrue();
  }

  @Test
  void mustRevalidateLeadsOnceExpired() {
    CacheEntry old = store();
    assertThat(hit(CacheMode.MUST_REVALIDATE).stale()).isFalse();
    clock.advance(TTL);
    Lead l = lead(CacheMode.MUST_REVALIDATE);
    assertThat(l.staleFallback()).isSameAs(old);
    l.abandon();
  }

  @Test
  void staleOkServesAnyKeptEntry() {
    CacheEntry old = store();
    clock.advance(TTL.plus(Duration.ofMinutes(30))); // past stale-while-revalidate
    Hit h = hit(CacheMode.STALE_OK);
    assertThat(h.entry()).isSameAs(old);
    assertThat(h.stale()).isTrue();
    assertThat(h.revalidate()).isFalse();
  }

  @Test
  void pastTheStaleWindowLeadsWithAStaleIfErrorFallback() {
    CacheEntry old = store();
    clock.advance(TTL.plus(Duration.ofMinutes(2)));
    Lead l = lead(CacheMode.ON);
    assertThat(l.staleFallback()).isSameAs(old);

    // the warehouse failed: the fallback is served
    Hit served = l.servedStale(l.staleFallback());
    assertThat(served.stale()).isTrue();
    assertThat(cache.stats().staleOnError()).isEqualTo(1);

    // later, past stale-if-error, the same lead has no fallback any more
    Lead l2 = lead(CacheMode.ON);
    assertThat(l2.staleFallback()).isSameAs(old);
    clock.advance(Duration.ofHours(1));
    assertThat(l2.staleFallback()).isNull();
    l2.abandon();
    // and the entry has left L1
    Lead l3 = lead(CacheMode.STALE_OK);
    assertThat(l3.staleFallback()).isNull();
    l3.abandon();
    assertThat(cache.stats().l1Entries()).isZero();
  }

  @Test
  void noCacheLeadsEvenWhenFreshAndReplacesTheEntry() {
    CacheEntry old = store();
    Lead l = lead(CacheMode.NO_CACHE);
    assertThat(l.staleFallback()).isNull();
    clock.advance(Duration.ofSeconds(5));
    CacheEntry replaced = l.complete(ipc, 300, 7, TTL, null);
    assertThat(hit(CacheMode.ON).entry()).isSameAs(replaced).isNotSameAs(old);
  }

  @Test
  void aResultTooLargeIsCountedAndNotStored() {
    Lead l = lead(CacheMode.ON);
    assertThat(l.complete(null, 1_000_000, 10, TTL, null)).isNull();
    assertThat(cache.stats().tooLarge()).isEqualTo(1);
    assertThat(cache.stats().l1Entries()).isZero();
    lead(CacheMode.ON).abandon();
  }

  @Test
  void anEntryOverTheMaximumSizeIsNotStored() {
    cache.close();
    cache = new ResultCache(Results.l1Only().withMaxEntryBytes(ipc.length - 1), clock);
    Lead l = lead(CacheMode.ON);
    assertThat(l.complete(ipc, 300, 10, TTL, null)).isNull();
    assertThat(cache.stats().tooLarge()).isEqualTo(1);
    assertThat(cache.stats().misses()).isZero();
    lead(CacheMode.ON).abandon();
  }

  @Test
  void l1StaysWithinItsByteBound() {
    cache.close();
    long bound = 4L * (ipc.length + 256) + 100;
    cache = new ResultCache(Results.l1Only().withL1MaxBytes(bound), clock);
    CacheKey[] keys = new CacheKey[12];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = cache.key(Results.parts("warehouse", "SELECT " + i));
      ((Lead) cache.lookup(keys[i], CacheMode.ON, WAIT)).complete(ipc, 300, 1, TTL, null);
    }
    CacheStats s = cache.stats();
    assertThat(s.l1Bytes()).isLessThanOrEqualTo(bound).isPositive();
    assertThat(s.l1Entries()).isBetween(1L, 4L);
    assertThat(s.l1Evictions()).isGreaterThanOrEqualTo(8);
    int hits = 0;
    for (CacheKey k : keys) {
      Lookup l = cache.lookup(k, CacheMode.ON, WAIT);
      if (l instanceof Hit) {
        hits++;
      } else {
        ((Lead) l).abandon();
      }
    }
    assertThat(hits).isEqualTo((int) s.l1Entries());
  }

  @Test
  void expiredEntriesLeaveL1AfterTheirRetention() {
    store();
    assertThat(cache.stats().l1Entries()).isEqualTo(1);
    clock.advance(TTL.plus(Duration.ofHours(1)).plusSeconds(1));
    assertThat(cache.stats().l1Entries()).isZero();
    assertThat(cache.stats().l1Evictions()).isEqualTo(1);
  }

  @Test
  void bypassIsCounted() {
    cache.bypassed();
    assertThat(cache.stats().bypassed()).isEqualTo(1);
    assertThat(cache.stats().hitRatio()).isZero();
  }
}
