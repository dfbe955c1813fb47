package io.strata.server.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Response;
import io.strata.testkit.Redises;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two Strata servers sharing a real Redis: the second answers from L2 what the first computed,
 * an invalidation on one is seen by the other, concurrent identical cold queries across both run
 * once, and a Redis that goes away (one this test started on its own port, then stopped) leaves
 * both answering from L1 and the warehouse, then used again when it is back.
 */
class SharedCacheTest {

  /**
   * Rollups off: each server builds the demo's into a local store of its own, so the same
   * query would compile to each server's versioned view and not share an L2 entry.
   */
  static Map<String, Object> shared(String uri, String prefix) {
    return Map.of("strata.cache.redis.uri", uri, "strata.cache.redis.prefix", prefix,
        "strata.rollups.enabled", "false");
  }

  static String uniqueQuery() {
    return "{\"measures\":[\"orders.count\"],\"dimensions\":[\"orders.channel\"],"
        + "\"filters\":[{\"member\":\"orders.status\",\"operator\":\"notEquals\",\"values\":[\""
        + UUID.randomUUID() + "\"]}]}";
  }

  static JsonNode post(TestServer s, String body) {
    Response r = s.admin().send("POST", "/api/v1/query", "application/json", body);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  static String tier(JsonNode answer) {
    return answer.path("cache").path("tier").asText();
  }

  @Test
  void aSecondServerReadsL2AndSeesInvalidations() throws Exception {
    String prefix = "strata-test:" + UUID.randomUUID() + ":";
    try (TestServer a = TestServer.start(shared(Redises.uri(), prefix));
        TestServer b = TestServer.start(shared(Redises.uri(), prefix))) {
      String q = uniqueQuery();
      JsonNode first = post(a, q);
      assertThat(tier(first)).isEqualTo("miss");
      JsonNode fromB = post(b, q);
      assertThat(tier(fromB)).isEqualTo("l2");
      assertThat(fromB.path("data")).isEqualTo(first.path("data"));
      assertThat(tier(post(b, q))).isEqualTo("l1");

      // an invalidation on A reaches B at once (pub/sub): B's next answer is not its L1 entry
      Response inv = a.admin().post("/api/v1/cache/invalidate", Map.of("dataSource", "demo"));
      assertThat(inv.status()).isEqualTo(200);
      String afterInvalidation = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (System.nanoTime() < deadline) {
        afterInvalidation = tier(post(b, q));
        if (!afterInvalidation.equals("l1")) {
          break;
        }
        Thread.sleep(50);
      }
      assertThat(afterInvalidation).isEqualTo("miss");
      assertThat(tier(post(a, q))).isEqualTo("l2"); // A reads what B just computed

      JsonNode stats = b.admin().get("/api/v1/cache/stats").json();
      assertThat(stats.path("redis").asText()).isEqualTo("up");
      assertThat(stats.path("l2Hits").asLong()).isPositive();
    } finally {
      Redises.deleteByPrefix(Redises.uri(), prefix);
    }
  }

  @Test
  void concurrentColdQueriesOnTwoServersRunOnce() throws Exception {
    String prefix = "strata-test:" + UUID.randomUUID() + ":";
    try (TestServer a = TestServer.start(shared(Redises.uri(), prefix));
        TestServer b = TestServer.start(shared(Redises.uri(), prefix))) {
      String q = uniqueQuery();
      int n = 50;
      ExecutorService pool = Executors.newFixedThreadPool(n);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<JsonNode>> answers = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        TestServer s = i % 2 == 0 ? a : b;
        answers.add(pool.submit(() -> {
          go.await();
          return post(s, q);
        }));
      }
      go.countDown();
      List<String> tiers = new ArrayList<>();
      JsonNode data = null;
      for (Future<JsonNode> f : answers) {
        JsonNode answer = f.get(120, TimeUnit.SECONDS);
        tiers.add(tier(answer));
        if (data == null) {
          data = answer.path("data");
        }
        assertThat(answer.path("data")).isEqualTo(data);
      }
      pool.shutdown();
      // exactly one warehouse execution, counted from both servers' query logs
      long misses = 0;
      for (TestServer s : List.of(a, b)) {
        for (JsonNode e : s.admin().get("/api/v1/queries?limit=200").json()) {
          if (e.path("queryText").asText("").equals(q)
              && "miss".equals(e.path("cacheTier").asText(null))) {
            misses++;
          }
        }
      }
      assertThat(misses).as("warehouse executions among " + tiers).isEqualTo(1);
      assertThat(tiers).filteredOn("miss"::equals).hasSize(1);
    } finally {
      Redises.deleteByPrefix(Redises.uri(), prefix);
    }
  }

  @Test
  void whenRedisGoesAwayQueriesAreStillAnsweredAndItIsUsedAgainWhenBack() throws Exception {
    try (Redises.OwnRedis redis = Redises.startOwn();
        TestServer a = TestServer.start(shared(redis.uri(), "strata:"))) {
      String q = uniqueQuery();
      JsonNode first = post(a, q);
      assertThat(tier(first)).isEqualTo("miss");
      assertThat(a.anonymous().get("/health").json().path("status").asText()).isEqualTo("UP");

      redis.stop();
      // stored in L1: still served; a new query is answered by the warehouse, no client error
      assertThat(tier(post(a, q))).isEqualTo("l1");
      String other = uniqueQuery();
      JsonNode cold = post(a, other);
      assertThat(tier(cold)).isEqualTo("miss");
      assertThat(cold.path("data")).isEqualTo(first.path("data"));
      assertThat(tier(post(a, other))).isEqualTo("l1");
      Response health = a.anonymous().get("/health");
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.json().path("status").asText()).isEqualTo("DEGRADED");
      assertThat(a.admin().get("/api/v1/cache/stats").json().path("redis").asText())
          .startsWith("down");

      redis.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      String status = "";
      while (System.nanoTime() < deadline) {
        post(a, uniqueQuery()); // traffic lets the cache notice Redis is back
        status = a.admin().get("/api/v1/cache/stats").json().path("redis").asText();
        if (status.equals("up")) {
          break;
        }
        Thread.sleep(200);
      }
      assertThat(status).isEqualTo("up");
      assertThat(a.anonymous().get("/health").json().path("status").asText()).isEqualTo("UP");
      // and L2 is written again: a second server on the same Redis reads it
      String again = uniqueQuery();
      post(a, again);
      try (TestServer b = TestServer.start(shared(redis.uri(), "strata:"))) {
        assertThat(tier(post(b, again))).isEqualTo("l2");
      }
    }
  }
}
