package io.strata.acceleration.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CacheEntryTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123Z");

  static CacheEntry entry(String version, byte[] ipc) {
    return new CacheEntry("abc123", "warehouse", List.of("orders", "customers"), "sqlhash",
        version, T0, T0.plus(Duration.ofMinutes(10)), 42, 1234, ipc);
  }

  @Test
  void encodeDecodeRoundTrip() {
    byte[] ipc = new byte[1000];
    Arrays.fill(ipc, (byte) 7);
    ipc[999] = 1;
    for (String version : new String[] {null, "[2026-02-28 23:59:59]"}) {
      CacheEntry e = entry(version, ipc);
      CacheEntry d = CacheEntry.decode(e.encode());
      assertThat(d.keyHash()).isEqualTo("abc123");
      assertThat(d.dataSource()).isEqualTo("warehouse");
      assertThat(d.models()).containsExactly("orders", "customers");
      assertThat(d.sqlHash()).isEqualTo("sqlhash");
      assertThat(d.sourceVersion()).isEqualTo(version);
      assertThat(d.createdAt()).isEqualTo(T0);
      assertThat(d.expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
      assertThat(d.rows()).isEqualTo(42);
      assertThat(d.computeMicros()).isEqualTo(1234);
      assertThat(d.ipc()).isEqualTo(ipc);
    }
  }

  @Test
  void freshnessAndAge() {
    CacheEntry e = entry(null, new byte[1]);
    assertThat(e.freshAt(T0.plusSeconds(599))).isTrue();
    assertThat(e.freshAt(T0.plusSeconds(600))).isFalse();
    assertThat(e.age(T0.plusSeconds(5))).isEqualTo(Duration.ofSeconds(5));
    assertThat(e.age(T0.minusSeconds(5))).isEqualTo(Duration.ZERO);
    assertThat(e.weight()).isEqualTo(1 + 256);
  }

  @Test
  void garbageIsRejectedClearly() {
    assertThatThrownBy(() -> CacheEntry.decode("hello world, not an entry".getBytes()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a Strata cache entry");
    assertThatThrownBy(() -> CacheEntry.decode(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated or corrupt");
  }

  @Test
  void everyTruncationIsRejectedClearly() {
    byte[] full = entry("v", new byte[64]).encode();
    for (int n = 0; n < full.length; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      assertThatThrownBy(() -> CacheEntry.decode(cut)).as("truncated to %d bytes", n)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageMatching("(?s).*(truncated or corrupt|not a Strata cache entry).*");
    }
  }

  @Test
  void corruptLengthsAreRejectedWithoutHugeAllocations() {
    byte[] full = entry(null, new byte[64]).encode();
    // models count sits after magic, version and the three UTF strings; find it by re-encoding
    int modelsAt = 4 + 4 + (2 + "abc123".length()) + (2 + "warehouse".length());
    int ipcLengthAt = full.length - 64 - 4;
    for (int bad : new int[] {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 1 << 28}) {
      byte[] models = full.clone();
      ByteBuffer.wrap(models).putInt(modelsAt, bad);
      assertThatThrownBy(() -> CacheEntry.decode(models)).as("models count %d", bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("corrupt");
      byte[] ipc = full.clone();
      ByteBuffer.wrap(ipc).putInt(ipcLengthAt, bad);
      assertThatThrownBy(() -> CacheEntry.decode(ipc)).as("ipc length %d", bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("corrupt");
    }
  }

  @Test
  void trailingBytesAreRejected() {
    byte[] full = entry(null, new byte[8]).encode();
    byte[] longer = Arrays.copyOf(full, full.length + 3);
    assertThatThrownBy(() -> CacheEntry.decode(longer))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("corrupt");
  }
}
