package io.strata.server.cache;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.strata.acceleration.cache.CacheStats;
import io.strata.acceleration.cache.ResultCache;
import java.util.function.ToDoubleFunction;

/** The results cache's counters as Prometheus metrics ({@code strata_cache_*} on /metrics). */
public final class CacheMetrics {
  private CacheMetrics() {}

  public static void register(ResultCache cache, MeterRegistry meters) {
    counter(meters, cache, "strata.cache.requests", "tier", "l1",
        "Results served by tier (l1, l2), computed for the cache (miss) or without it (bypass)",
        CacheStats::l1Hits);
    counter(meters, cache, "strata.cache.requests", "tier", "l2", null, CacheStats::l2Hits);
    counter(meters, cache, "strata.cache.requests", "tier", "miss", null, CacheStats::misses);
    counter(meters, cache, "strata.cache.requests", "tier", "bypass", null, CacheStats::bypassed);
    counter(meters, cache, "strata.cache.single.flight.joins", null, null,
        "Requests that waited for an identical running query instead of running it again",
        CacheStats::joins);
    counter(meters, cache, "strata.cache.stale.served", null, null,
        "Stale results served (stale-while-revalidate or stale-ok)", CacheStats::staleServed);
    counter(meters, cache, "strata.cache.stale.on.error", null, null,
        "Stale results served because the warehouse failed", CacheStats::staleOnError);
    counter(meters, cache, "strata.cache.too.large", null, null,
        "Results not stored because they passed strata.cache.max-entry-bytes",
        CacheStats::tooLarge);
    counter(meters, cache, "strata.cache.l1.evictions", null, null,
        "Entries L1 dropped for space or expiry", CacheStats::l1Evictions);
    counter(meters, cache, "strata.cache.l2.errors", null, null,
        "Redis commands that failed or timed out", CacheStats::l2Errors);
    counter(meters, cache, "strata.cache.warehouse.seconds.saved", null, null,
        "Warehouse time that cache hits did not spend",
        s -> s.warehouseMicrosSaved() / 1e6);
    Gauge.builder("strata.cache.l1.bytes", cache, c -> c.stats().l1Bytes())
        .description("Bytes of results held in L1").register(meters);
    Gauge.builder("strata.cache.l1.entries", cache, c -> c.stats().l1Entries())
        .description("Results held in L1").register(meters);
    Gauge.builder("strata.cache.l2.up", cache, c -> c.redisStatus().equals("up") ? 1 : 0)
        .description("1 when Redis (L2) answers, 0 when it is down or not configured")
        .register(meters);
  }

  private static void counter(MeterRegistry meters, ResultCache cache, String name, String tag,
      String value, String description, ToDoubleFunction<CacheStats> f) {
    FunctionCounter.Builder<ResultCache> b =
        FunctionCounter.builder(name, cache, c -> f.applyAsDouble(c.stats()));
    if (tag != null) {
      b.tag(tag, value);
    }
    if (description != null) {
      b.description(description);
    }
    b.register(meters);
  }
}
