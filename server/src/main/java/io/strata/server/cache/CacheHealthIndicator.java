package io.strata.server.cache;

import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * The results cache in {@code /health}: {@code UP}, or — when Redis (L2) does not answer —
 * {@code DEGRADED}, which still counts as operational (HTTP 200): the cache serves from L1 alone
 * and queries are answered.
 */
@Singleton
public class CacheHealthIndicator implements HealthIndicator {
  /**
   * Impaired but serving: Redis is down and results come from L1 and the warehouse. Micronaut
   * orders statuses by "operational" before severity, so this one leaves "operational" unset:
   * it then outranks UP in the overall status while the answer stays HTTP 200.
   */
  public static final HealthStatus DEGRADED = new HealthStatus("DEGRADED",
      "Redis (L2) is unavailable; the results cache serves from this server's memory alone",
      null, 500);

  private final CacheHolder holder;

  public CacheHealthIndicator(CacheHolder holder) {
    this.holder = holder;
  }

  @Override
  public Publisher<HealthResult> getResult() {
    Map<String, Object> details = new LinkedHashMap<>();
    String redis = holder.enabled() ? holder.cache().redisStatus() : "off";
    details.put("enabled", holder.enabled());
    details.put("redis", redis);
    HealthStatus status = redis.startsWith("down") ? DEGRADED : HealthStatus.UP;
    return Mono.just(HealthResult.builder("resultsCache", status).details(details).build());
  }
}
