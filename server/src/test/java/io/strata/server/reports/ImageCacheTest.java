package io.strata.server.reports;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.testkit.Redises;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The image caches on both of their stores: the results cache's Redis (a real one) and files.
 * A picture comes back with its version and time, replaces the one before it, and is kept apart
 * from the other cache and from other keys.
 */
class ImageCacheTest {
  static void roundTrips(ImageCache cache) {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\n', 0, 1, 2, '\n', 3};
    Instant at = Instant.ofEpochMilli(1_700_000_000_123L);
    assertThat(cache.get("thumbnails", "dashboard-1-vic")).isEmpty();
    cache.put("thumbnails", "dashboard-1-vic", new ImageCache.Image(png, "v1", at), Duration.ZERO);
    ImageCache.Image got = cache.get("thumbnails", "dashboard-1-vic").orElseThrow();
    assertThat(got.bytes()).isEqualTo(png);
    assertThat(got.version()).isEqualTo("v1");
    assertThat(got.renderedAt()).isEqualTo(at);
    assertThat(cache.get("images", "dashboard-1-vic")).isEmpty();
    assertThat(cache.get("thumbnails", "dashboard-1-ann")).isEmpty();
    cache.put("thumbnails", "dashboard-1-vic", new ImageCache.Image(new byte[] {7}, "v2",
        at.plusSeconds(1)), Duration.ZERO);
    assertThat(cache.get("thumbnails", "dashboard-1-vic").orElseThrow().version())
        .isEqualTo("v2");
  }

  @Test
  void filesUnderTheJobStore() throws Exception {
    Path dir = Files.createTempDirectory("strata-images");
    try (ImageCache cache = ImageCache.open("", "strata:", dir)) {
      roundTrips(cache);
      assertThat(Files.list(dir.resolve("thumbnails")).map(p -> p.getFileName().toString())
          .toList()).isEqualTo(List.of("dashboard-1-vic"));
    }
  }

  @Test
  void redisWithTheResultsCachePrefixAndATimeToLive() {
    String uri = Redises.uri();
    String prefix = Redises.uniquePrefix();
    try (ImageCache cache = ImageCache.open(uri, prefix, Path.of("unused"))) {
      roundTrips(cache);
      assertThat(Redises.command(uri, "EXISTS", prefix + "thumbnails:dashboard-1-vic"))
          .isEqualTo(1L);
      cache.put("images", "k", new ImageCache.Image(new byte[] {1}, "v", Instant.now()),
          Duration.ofMinutes(5));
      Object ttl = Redises.command(uri, "PTTL", prefix + "images:k");
      assertThat(((Number) ttl).longValue()).isBetween(1L, 300_000L);
    } finally {
      Redises.deleteByPrefix(uri, prefix);
    }
  }
}
