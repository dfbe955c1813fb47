package io.strata.acceleration.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tiered results cache: Caffeine in this process (L1), Redis shared by every server (L2),
 * and single-flight so that identical queries arriving together run once.
 *
 * <p>A caller {@linkplain #key makes the key}, then {@linkplain #lookup looks it up}: the answer
 * is a {@link Hit} to serve, or a {@link Lead}: the caller runs the query, passes the result's
 * Arrow IPC stream to {@link Lead#complete}, or calls {@link Lead#abandon} when it could not
 * (failed, cancelled, too large). Meanwhile identical lookups here wait for the lead, and other
 * servers sharing Redis wait on its lock and read the published entry; when a lead dies its
 * lock expires and another server takes over.
 *
 * <p>Invalidation bumps generation counters (everything, a data source, a model) that are part
 * of every key; with Redis the counters live there and every server hears of a bump through
 * pub/sub and drops the matching L1 entries at once.
 *
 * <p>Thread-safe. Time comes from the injected clock (entry freshness and L1 expiry), so tests
 * move time instead of sleeping.
 */
public final class ResultCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ResultCache.class);
  private static final String ALL = "all";

  private final CacheSettings settings;
  private final Clock clock;
  private final Cache<String, CacheEntry> l1;
  private final RedisTier redis;
  private final ScheduledExecutorService scheduler;
  private final String instance = UUID.randomUUID().toString();
  private final Map<String, CompletableFuture<CacheEntry>> flights = new ConcurrentHashMap<>();
  private final Set<String> revalidating = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> generations = new ConcurrentHashMap<>();
  /** Moved after every change of {@link #generations}: keys remembered under an older one are stale. */
  private volatile long epoch;

  private final LongAdder l1Hits = new LongAdder();
  private final LongAdder l2Hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder bypassed = new LongAdder();
  private final LongAdder joins = new LongAdder();
  private final LongAdder staleServed = new LongAdder();
  private final LongAdder staleOnError = new LongAdder();
  private final LongAdder tooLarge = new LongAdder();
  private final LongAdder savedMicros = new LongAdder();

  public ResultCache(CacheSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock == null ? Clock.systemUTC() : clock;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "strata-cache");
      t.setDaemon(true);
      return t;
    });
    this.l1 = settings.hasL1() ? Caffeine.newBuilder()
        .maximumWeight(settings.l1MaxBytes())
        .weigher((String k, CacheEntry e) -> e.weight())
        .expireAfter(new Retention())
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(this.clock.millis()))
        .recordStats()
        .build() : null;
    this.redis = settings.hasRedis()
        ? new RedisTier(settings, scheduler, this::heard, this::syncGenerations) : null;
    if (redis != null) {
      syncGenerations();
      // pub/sub tells of every bump at once; this catches one missed while disconnected
      scheduler.scheduleWithFixedDelay(this::syncGenerations, 5, 5, TimeUnit.SECONDS);
    }
  }

  /** L1 keeps an entry until its expiry plus the stale windows, measured on the cache's clock. */
  private final class Retention implements Expiry<String, CacheEntry> {
    private long nanos(CacheEntry e) {
      Instant until = e.expiresAt().plus(settings.retention());
      return Math.max(0, TimeUnit.MILLISECONDS.toNanos(until.toEpochMilli() - clock.millis()));
    }

    @Override
    public long expireAfterCreate(String key, CacheEntry e, long now) {
      return nanos(e);
    }

    @Override
    public long expireAfterUpdate(String key, CacheEntry e, long now, long current) {
      return nanos(e);
    }

    @Override
    public long expireAfterRead(String key, CacheEntry e, long now, long current) {
      return current;
    }
  }

  public CacheSettings settings() {
    return settings;
  }

  public Clock clock() {
    return clock;
  }

  // ======================================================================== keys

  /** The key of a query's result, under the current generation counters. */
  public CacheKey key(CacheKeys.Parts parts) {
    return key(CacheKeys.stem(parts), parts.refreshKeys());
  }

  /**
   * The key of a stem under the given refresh-key values and the current generation counters.
   * While no counter has moved and the refresh keys are the same, the stem's last key is
   * returned as it is (no hashing): a repeated query's key costs a comparison.
   */
  public CacheKey key(CacheKeys.Stem stem, Map<String, String> refreshKeys) {
    // the epoch is read before the counters (and moved after them by every change), so a key
    // remembered under an epoch never holds counters older than that epoch's
    long epoch = this.epoch;
    CacheKey known = stem.memo(this, epoch, refreshKeys);
    if (known != null) {
      return known;
    }
    Map<String, Long> gens = new java.util.HashMap<>();
    gens.put("ds:" + stem.dataSource(), generation("ds:" + stem.dataSource()));
    for (String m : stem.models()) {
      gens.put("model:" + m, generation("model:" + m));
    }
    CacheKey key = CacheKeys.key(stem, refreshKeys, generation(ALL), gens);
    stem.memo(this, epoch, refreshKeys, key);
    return key;
  }

  private long generation(String scope) {
    return generations.getOrDefault(scope, 0L);
  }

  // ======================================================================== lookup

  /** What a lookup found. */
  public sealed interface Lookup permits Hit, Lead {}

  /**
   * An entry to serve.
   *
   * @param stale past its expiry (served within the stale-while-revalidate window or because the
   *     client accepts stale results)
   * @param revalidate this caller should refresh the entry in the background (given to one
   *     caller per stale entry)
   * @param joined the caller waited for an identical query that was running
   */
  public record Hit(CacheEntry entry, CacheTier tier, boolean stale, boolean revalidate,
      boolean joined) implements Lookup {}

  /**
   * Finds a result for a request in the given mode, waiting up to {@code wait} for an identical
   * query already running (here or, through Redis, on another server).
   *
   * @param mode must {@linkplain CacheMode#writes() write}; BYPASS requests do not ask the cache
   */
  public Lookup lookup(CacheKey key, CacheMode mode, Duration wait) {
    long deadline = System.nanoTime() + Math.max(0, wait.toNanos());
    CacheEntry fallback = null;
    while (true) {
      Instant now = clock.instant();
      if (mode.reads()) {
        CacheEntry e = l1 == null ? null : l1.getIfPresent(key.hash());
        if (e != null && e.freshAt(now)) {
          return served(new Hit(e, CacheTier.L1, false, false, false));
        }
        CacheTier from = CacheTier.L1;
        if (redis != null) {
          // a stale L1 entry yields to a newer one another server stored
          CacheEntry r = redis.get(key.hash());
          if (r != null && (e == null || r.createdAt().isAfter(e.createdAt()))) {
            if (l1 != null) {
              l1.put(key.hash(), r);
            }
            e = r;
            from = CacheTier.L2;
          }
        }
        Hit hit = e == null ? null : serve(e, from, mode, now);
        if (hit != null) {
          return hit;
        }
        fallback = newer(fallback, e);
      }
      CompletableFuture<CacheEntry> mine = new CompletableFuture<>();
      CompletableFuture<CacheEntry> running = flights.putIfAbsent(key.hash(), mine);
      if (running != null) {
        // an identical query runs here: wait for it
        CacheEntry joined = await(running, deadline);
        if (joined != null) {
          joins.increment();
          return served(new Hit(joined, CacheTier.L1, false, false, true));
        }
        if (System.nanoTime() - deadline >= 0) {
          return lead(key, null, fallback);
        }
        continue; // it failed or was not stored: look again, perhaps lead
      }
      // this request leads here; across servers, the lock decides
      if (redis == null) {
        return lead(key, mine, fallback);
      }
      if (redis.tryLock(key.hash(), instance)) {
        // another server may have published it between our read and our lock
        CacheEntry r = mode.reads() ? redis.get(key.hash()) : null;
        if (r != null && r.freshAt(clock.instant())) {
          redis.unlock(key.hash(), instance);
          if (l1 != null) {
            l1.put(key.hash(), r);
          }
          flights.remove(key.hash(), mine);
          mine.complete(r);
          return served(new Hit(r, CacheTier.L2, false, false, false));
        }
        return lead(key, mine, fallback);
      }
      CacheEntry published = waitForOtherServer(key, deadline);
      if (published != null) {
        if (l1 != null) {
          l1.put(key.hash(), published);
        }
        flights.remove(key.hash(), mine);
        mine.complete(published);
        joins.increment();
        return served(new Hit(published, CacheTier.L2, false, false, true));
      }
      if (redis.tryLock(key.hash(), instance) || System.nanoTime() - deadline >= 0) {
        return lead(key, mine, fallback); // the holder died (its lock expired), or we waited enough
      }
      flights.remove(key.hash(), mine);
      mine.complete(null);
    }
  }

  private static CacheEntry newer(CacheEntry a, CacheEntry b) {
    if (a == null) {
      return b;
    }
    return b == null || a.createdAt().isAfter(b.createdAt()) ? a : b;
  }

  /** The hit an entry gives in this mode, or null when it may not be served. */
  private Hit serve(CacheEntry e, CacheTier tier, CacheMode mode, Instant now) {
    if (e.freshAt(now)) {
      return served(new Hit(e, tier, false, false, false));
    }
    if (mode == CacheMode.STALE_OK) {
      staleServed.increment();
      return served(new Hit(e, tier, true, false, false));
    }
    if (mode == CacheMode.ON
        && now.isBefore(e.expiresAt().plus(settings.staleWhileRevalidate()))) {
      staleServed.increment();
      boolean revalidate = revalidating.add(e.keyHash());
      return served(new Hit(e, tier, true, revalidate, false));
    }
    return null;
  }

  private Hit served(Hit h) {
    (h.tier() == CacheTier.L2 ? l2Hits : l1Hits).increment();
    savedMicros.add(h.entry().computeMicros());
    return h;
  }

  private static CacheEntry await(CompletableFuture<CacheEntry> f, long deadline) {
    try {
      return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException | TimeoutException e) {
      return null;
    }
  }

  /** Polls Redis for the entry another server is computing, until its lock goes. */
  private CacheEntry waitForOtherServer(CacheKey key, long deadline) {
    long pause = 5;
    while (System.nanoTime() - deadline < 0) {
      CacheEntry e = redis.get(key.hash());
      if (e != null && e.freshAt(clock.instant())) {
        return e;
      }
      if (!redis.locked(key.hash())) {
        e = redis.get(key.hash()); // it may have been published just before the unlock
        return e != null && e.freshAt(clock.instant()) ? e : null;
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return null;
      }
      pause = Math.min(50, pause * 2);
    }
    return null;
  }

  private Lead lead(CacheKey key, CompletableFuture<CacheEntry> flight, CacheEntry fallback) {
    return new Lead(key, flight, fallback);
  }

  /**
   * This caller runs the query. Exactly one of {@link #complete} or {@link #abandon} must be
   * called (abandon after complete does nothing).
   */
  public final class Lead implements Lookup {
    private final CacheKey key;
    private final CompletableFuture<CacheEntry> flight;
    private final CacheEntry fallback;
    private final ScheduledFuture<?> renewal;
    private volatile boolean done;

    private Lead(CacheKey key, CompletableFuture<CacheEntry> flight, CacheEntry fallback) {
      this.key = key;
      this.flight = flight;
      this.fallback = fallback;
      long every = Math.max(100, settings.lockTimeout().toMillis() / 3);
      this.renewal = redis != null && flight != null
          ? scheduler.scheduleWithFixedDelay(() -> redis.renew(key.hash(), instance), every,
              every, TimeUnit.MILLISECONDS)
          : null;
    }

    public CacheKey key() {
      return key;
    }

    /** An expired entry kept for stale-if-error, or null. */
    public CacheEntry staleFallback() {
      if (fallback == null) {
        return null;
      }
      Instant now = clock.instant();
      return now.isBefore(fallback.expiresAt().plus(settings.staleIfError())) ? fallback : null;
    }

    /** The fallback was served because the warehouse failed. */
    public Hit servedStale(CacheEntry e) {
      staleOnError.increment();
      abandon();
      return served(new Hit(e, CacheTier.L1, true, false, false));
    }

    /**
     * Stores the result and hands it to every request waiting for it.
     *
     * @param ipc the result's Arrow IPC stream, or null when it was too large to keep (a stream
     *     longer than {@link CacheSettings#maxEntryBytes()} is not kept either)
     * @param ttl how long it is fresh
     * @return the stored entry, or null when nothing was stored
     */
    public CacheEntry complete(byte[] ipc, long rows, long computeMicros, Duration ttl,
        String sourceVersion) {
      if (done) {
        return null;
      }
      if (ipc == null || ipc.length > settings.maxEntryBytes()) {
        tooLarge.increment();
        abandon();
        return null;
      }
      Instant now = clock.instant();
      CacheEntry entry = new CacheEntry(key.hash(), key.dataSource(), key.models(), key.sqlHash(),
          sourceVersion, now, now.plus(ttl), rows, computeMicros, ipc);
      misses.increment();
      if (l1 != null) {
        l1.put(key.hash(), entry);
      }
      if (redis != null) {
        redis.put(entry, ttl.plus(settings.retention()));
      }
      finish(entry);
      return entry;
    }

    /** Nothing to store: waiting requests look again (and one of them leads). */
    public void abandon() {
      finish(null);
    }

    private void finish(CacheEntry entry) {
      if (done) {
        return;
      }
      done = true;
      if (renewal != null) {
        renewal.cancel(false);
      }
      if (flight != null) {
        flights.remove(key.hash(), flight);
        flight.complete(entry);
        if (redis != null) {
          redis.unlock(key.hash(), instance);
        }
      }
      revalidating.remove(key.hash());
    }
  }

  /** Counts a request that did not use the cache. */
  public void bypassed() {
    bypassed.increment();
  }

  /** A background revalidation ended without a {@link Lead} (it failed to start). */
  public void revalidationEnded(String keyHash) {
    revalidating.remove(keyHash);
  }

  // ======================================================================== invalidation

  /** Drops every result. */
  public void invalidateAll() {
    bump(ALL);
  }

  /** Drops the results read from a data source. */
  public void invalidateDataSource(String dataSource) {
    bump("ds:" + dataSource);
  }

  /** Drops the results that read a model. */
  public void invalidateModel(String model) {
    bump("model:" + model);
  }

  private void bump(String scope) {
    Long shared = redis == null ? null : redis.bump(scope, generation(scope));
    raise(scope, shared == null ? generation(scope) + 1 : shared);
    drop(scope);
    for (java.util.function.Consumer<String> l : invalidationListeners) {
      try {
        l.accept(scope);
      } catch (RuntimeException e) {
        // a listener's failure is its own; the invalidation is done
      }
    }
  }

  private final java.util.List<java.util.function.Consumer<String>> invalidationListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * Calls {@code listener} after each invalidation asked of this cache (not those heard from
   * other servers) with its scope: {@code all}, {@code ds:<data source>} or
   * {@code model:<model>}.
   */
  public void onInvalidated(java.util.function.Consumer<String> listener) {
    invalidationListeners.add(listener);
  }

  /** Raises a generation counter (never lowers it), then moves the epoch if it changed. */
  private synchronized void raise(String scope, long value) {
    Long before = generations.get(scope);
    if (before == null || value > before) {
      generations.put(scope, value);
      epoch++;
    }
  }

  /** Another server (or this one) published an invalidation. */
  private void heard(String scope) {
    syncGenerations();
    drop(scope);
  }

  private void syncGenerations() {
    if (redis == null) {
      return;
    }
    Map<String, Long> shared = redis.generations();
    if (shared != null) {
      // never go back: a counter bumped here while Redis was away stays ahead
      shared.forEach(this::raise);
      // and Redis learns of it (it is behind after a bump here while it was away, or after it
      // restarted without its data): otherwise the next bump elsewhere could land on a value this
      // server already has, and leave its keys, and the results stored under them, unchanged
      Map<String, Long> ahead = new java.util.HashMap<>();
      generations.forEach((scope, v) -> {
        if (v > shared.getOrDefault(scope, 0L)) {
          ahead.put(scope, v);
        }
      });
      redis.raise(ahead);
    }
  }

  /** Drops the L1 entries an invalidation scope covers. */
  private void drop(String scope) {
    if (l1 == null) {
      return;
    }
    if (scope.equals(ALL)) {
      l1.invalidateAll();
    } else if (scope.startsWith("ds:")) {
      String ds = scope.substring(3);
      l1.asMap().values().removeIf(e -> e.dataSource().equals(ds));
    } else if (scope.startsWith("model:")) {
      String m = scope.substring(6);
      l1.asMap().values().removeIf(e -> e.models().contains(m));
    }
  }

  // ======================================================================== stats

  public CacheStats stats() {
    long entries = 0;
    long bytes = 0;
    long evictions = 0;
    if (l1 != null) {
      l1.cleanUp();
      entries = l1.estimatedSize();
      bytes = l1.policy().eviction().map(ev -> ev.weightedSize().orElse(0L)).orElse(0L);
      evictions = l1.stats().evictionCount();
    }
    return new CacheStats(l1Hits.sum(), l2Hits.sum(), misses.sum(), bypassed.sum(), joins.sum(),
        staleServed.sum(), staleOnError.sum(), tooLarge.sum(), entries, bytes, evictions,
        redis == null ? 0 : redis.errors(), savedMicros.sum(),
        redis == null ? "off" : redis.status());
  }

  /** {@code off}, {@code up} or {@code down: <why>}. */
  public String redisStatus() {
    return redis == null ? "off" : redis.status();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    if (redis != null) {
      try {
        redis.close();
      } catch (RuntimeException e) {
        LOG.debug("closing the Redis tier failed", e);
      }
    }
  }
}
