package io.strata.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.testkit.Redises;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Two processes' buses on one Redis (a private redis-server, so that it can be stopped): a
 * message one publishes makes the other refresh and not itself; while Redis is down publishing
 * neither throws nor blocks, and once Redis is back the buses resubscribe and carry messages.
 */
class ChangeBusTest {
  private static final Duration TIMEOUT = Duration.ofMillis(250);

  @Test
  void aChangeAnnouncedByOneNodeRefreshesTheOtherAndSurvivesARedisRestart() throws Exception {
    try (Redises.OwnRedis redis = Redises.startOwn()) {
      String prefix = Redises.uniquePrefix();
      AtomicInteger refreshedA = new AtomicInteger();
      AtomicInteger refreshedB = new AtomicInteger();
      AtomicInteger refreshedElsewhere = new AtomicInteger();
      try (ChangeBus a = new ChangeBus(redis.uri(), prefix, TIMEOUT, refreshedA::incrementAndGet);
          ChangeBus b = new ChangeBus(redis.uri(), prefix, TIMEOUT, refreshedB::incrementAndGet);
          ChangeBus elsewhere = new ChangeBus(redis.uri(), prefix + "other:", TIMEOUT,
              refreshedElsewhere::incrementAndGet)) {
        await(() -> a.subscribed() && b.subscribed() && elsewhere.subscribed(), "subscribed");
        await(() -> refreshedA.get() >= 1 && refreshedB.get() >= 1, "the refresh on subscribing");
        int a0 = refreshedA.get();
        int b0 = refreshedB.get();
        a.publish("POST /api/v1/datasources");
        await(() -> refreshedB.get() > b0, "B refreshed after A's change");
        Thread.sleep(500);
        assertThat(refreshedA.get()).as("A ignores its own message").isEqualTo(a0);
        assertThat(refreshedElsewhere.get()).as("another prefix (deployment) hears nothing but"
            + " its own subscribing").isEqualTo(1);

        redis.stop();
        long t = System.nanoTime();
        a.publish("PUT /api/v1/models/orders");
        assertThat(System.nanoTime() - t).as("publishing with Redis down does not wait")
            .isLessThan(Duration.ofSeconds(5).toNanos());
        redis.start();
        int b1 = refreshedB.get();
        // Lettuce reconnects and resubscribes; publish until B hears one
        await(() -> {
          a.publish("PUT /api/v1/users/bob");
          return refreshedB.get() > b1;
        }, "B hears A again after Redis restarted");
      }
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("within 60 s: %s", what).isLessThan(deadline);
      Thread.sleep(200);
    }
  }
}
