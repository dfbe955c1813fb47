package io.strata.acceleration.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.acceleration.cache.ResultCache.Hit;
import io.strata.acceleration.cache.ResultCache.Lead;
import io.strata.acceleration.cache.ResultCache.Lookup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

/** Identical lookups arriving together in one process: one runs the query, the rest wait for it. */
class SingleFlightTest {
  private static final int THREADS = 50;
  private static final Duration TTL = Duration.ofMinutes(10);

  private static final class Crowd {
    final List<Thread> threads = new ArrayList<>();
    final AtomicReferenceArray<Lookup> results = new AtomicReferenceArray<>(THREADS);
    final BlockingQueue<Lead> leads = new LinkedBlockingQueue<>();
    final CountDownLatch go = new CountDownLatch(1);
    final java.util.concurrent.atomic.AtomicInteger entered = new java.util.concurrent.atomic.AtomicInteger();

    Crowd(ResultCache cache, CacheKey key) {
      for (int i = 0; i < THREADS; i++) {
        int n = i;
        Thread t = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          entered.incrementAndGet();
          Lookup l = cache.lookup(key, CacheMode.ON, Duration.ofSeconds(30));
          results.set(n, l);
          if (l instanceof Lead lead) {
            leads.add(lead);
          }
        }, "lookup-" + i);
        threads.add(t);
        t.start();
      }
      go.countDown();
    }

    /** The threads still inside lookup. */
    List<Thread> running() {
      List<Thread> out = new ArrayList<>();
      if (entered.get() < THREADS) {
        return threads; // some have not reached lookup yet
      }
      for (int i = 0; i < THREADS; i++) {
        if (results.get(i) == null) {
          out.add(threads.get(i));
        }
      }
      return out;
    }

    Lead nextLead() throws InterruptedException {
      Lead l = leads.poll(10, TimeUnit.SECONDS);
      assertThat(l).as("a lead").isNotNull();
      return l;
    }

    void join() throws InterruptedException {
      for (Thread t : threads) {
        t.join(10_000);
        assertThat(t.isAlive()).as("%s finished", t.getName()).isFalse();
      }
    }
  }

  @Test
  void fiftyColdLookupsRunTheQueryOnce() throws Exception {
    try (RootAllocator allocator = new RootAllocator();
        ResultCache cache = new ResultCache(Results.l1Only(), new TestClock())) {
      byte[] ipc = Results.ipc(allocator, 2, 50);
      CacheKey key = cache.key(Results.parts("warehouse", "SELECT 1"));
      Crowd crowd = new Crowd(cache, key);

      Lead lead = crowd.nextLead();
      Waiting.until("the other 49 lookups wait", Duration.ofSeconds(10),
          () -> crowd.running().size() == THREADS - 1 && Waiting.allParked(crowd.running()));
      CacheEntry entry = lead.complete(ipc, 100, 900, TTL, null);
      crowd.join();

      int leads = 0;
      for (int i = 0; i < THREADS; i++) {
        Lookup l = crowd.results.get(i);
        if (l instanceof Lead) {
          leads++;
        } else {
          Hit h = (Hit) l;
          assertThat(h.entry()).isSameAs(entry);
          assertThat(h.joined()).isTrue();
          assertThat(h.tier()).isEqualTo(CacheTier.L1);
          assertThat(h.stale()).isFalse();
        }
      }
      assertThat(leads).isEqualTo(1);
      CacheStats s = cache.stats();
      assertThat(s.joins()).isEqualTo(THREADS - 1);
      assertThat(s.l1Hits()).isEqualTo(THREADS - 1);
      assertThat(s.misses()).isEqualTo(1);
      assertThat(s.warehouseMicrosSaved()).isEqualTo(900L * (THREADS - 1));
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void whenTheLeadAbandonsExactlyOneWaiterLeadsNext() throws Exception {
    try (RootAllocator allocator = new RootAllocator();
        ResultCache cache = new ResultCache(Results.l1Only(), new TestClock())) {
      byte[] ipc = Results.ipc(allocator, 2, 50);
      CacheKey key = cache.key(Results.parts("warehouse", "SELECT 2"));
      Crowd crowd = new Crowd(cache, key);

      Lead first = crowd.nextLead();
      Waiting.until("the other 49 lookups wait", Duration.ofSeconds(10),
          () -> crowd.running().size() == THREADS - 1 && Waiting.allParked(crowd.running()));
      first.abandon();

      Lead second = crowd.nextLead();
      Waiting.until("the other 48 lookups wait again", Duration.ofSeconds(10),
          () -> crowd.running().size() == THREADS - 2 && Waiting.allParked(crowd.running()));
      assertThat(crowd.leads).isEmpty();
      CacheEntry entry = second.complete(ipc, 100, 900, TTL, null);
      crowd.join();

      assertThat(crowd.leads).isEmpty();
      int hits = 0;
      for (int i = 0; i < THREADS; i++) {
        if (crowd.results.get(i) instanceof Hit h) {
          hits++;
          assertThat(h.entry()).isSameAs(entry);
          // most joined the second flight; a waiter woken by the abandon but not yet run when the
          // second lead completed finds the entry in L1 instead (thread states cannot tell apart
          // "parked" from "unparked, not yet scheduled")
          assertThat(h.tier()).isEqualTo(CacheTier.L1);
        }
      }
      assertThat(hits).isEqualTo(THREADS - 2);
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void aWaiterWhoseWaitRunsOutLeadsWithoutTheFlight() throws Exception {
    try (ResultCache cache = new ResultCache(Results.l1Only(), new TestClock())) {
      CacheKey key = cache.key(Results.parts("warehouse", "SELECT 3"));
      Lead first = (Lead) cache.lookup(key, CacheMode.ON, Duration.ofSeconds(1));
      long t0 = System.nanoTime();
      Lookup second = cache.lookup(key, CacheMode.ON, Duration.ofMillis(200));
      long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(second).isInstanceOf(Lead.class);
      assertThat(waited).isBetween(150L, 5_000L);
      ((Lead) second).abandon();
      first.abandon();
    }
  }
}
