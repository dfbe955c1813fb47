package io.strata.acceleration.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.acceleration.cache.CacheSettings.Compression;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ArrowIpcTest {
  private final RootAllocator allocator = new RootAllocator();

  @AfterEach
  void allocatorIsEmpty() {
    assertThat(allocator.getAllocatedMemory()).as("Arrow memory left allocated").isZero();
    allocator.close();
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void roundTripKeepsValuesSchemaAndFieldMetadata(Compression c) {
    byte[] ipc = Results.ipc(allocator, c, 4, 500, Long.MAX_VALUE);
    assertThat(ipc).isNotNull();

    Results.Read read = Results.read(ipc, allocator);

    assertThat(read.schema()).isEqualTo(Results.SCHEMA);
    assertThat(read.schema().findField("status").getMetadata())
        .containsEntry("strata.member", "orders.status").containsEntry("strata.kind", "dimension");
    assertThat(read.schema().findField("id").getMetadata()).containsEntry("strata.member", "orders.order_id");
    assertThat(read.schema().getCustomMetadata()).containsEntry("strata.query", "q-1");
    assertThat(read.batches()).hasSize(4).isEqualTo(Results.expected(allocator, 4, 500));
    assertThat(read.batches().get(0)).contains("completed").contains("1.25");
  }

  @Test
  void writerCountsRows() {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(Results.SCHEMA, allocator);
        ArrowIpc.Writer w = new ArrowIpc.Writer(Results.SCHEMA, Compression.ZSTD, Long.MAX_VALUE)) {
      for (int b = 0; b < 3; b++) {
        Results.fill(root, b, 100);
        assertThat(w.write(root)).isTrue();
      }
      assertThat(w.rows()).isEqualTo(300);
      assertThat(w.finish(allocator)).isNotNull();
      assertThat(w.overflowed()).isFalse();
    }
  }

  @Test
  void emptyResultIsASchemaOnlyStream() {
    byte[] ipc = Results.ipc(allocator, Compression.LZ4, 0, 0, Long.MAX_VALUE);
    Results.Read read = Results.read(ipc, allocator);
    assertThat(read.schema()).isEqualTo(Results.SCHEMA);
    assertThat(read.batches()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void streamOverBudgetIsDropped(Compression c) {
    // the budget bounds the uncompressed capture (compression happens once, at the end)
    byte[] whole = Results.ipc(allocator, Compression.NONE, 4, 500, Long.MAX_VALUE);
    try (VectorSchemaRoot root = VectorSchemaRoot.create(Results.SCHEMA, allocator);
        ArrowIpc.Writer w = new ArrowIpc.Writer(Results.SCHEMA, c, whole.length / 2)) {
      int accepted = 0;
      for (int b = 0; b < 4; b++) {
        Results.fill(root, b, 500);
        if (w.write(root)) {
          accepted++;
        }
      }
      assertThat(accepted).isBetween(0, 2);
      assertThat(w.overflowed()).isTrue();
      assertThat(w.finish(allocator)).isNull();
      assertThat(w.write(root)).as("once over, further batches are refused").isFalse();
    }
    // one byte short: the batches fit, the end-of-stream marker does not
    try (VectorSchemaRoot root = VectorSchemaRoot.create(Results.SCHEMA, allocator);
        ArrowIpc.Writer w = new ArrowIpc.Writer(Results.SCHEMA, c, whole.length - 1)) {
      for (int b = 0; b < 4; b++) {
        Results.fill(root, b, 500);
        w.write(root);
      }
      assertThat(w.finish(allocator)).isNull();
      assertThat(w.overflowed()).isTrue();
    }
    // exactly the size fits, and compresses to what an unbounded writer gives
    assertThat(Results.ipc(allocator, c, 4, 500, whole.length))
        .isEqualTo(Results.ipc(allocator, c, 4, 500, Long.MAX_VALUE));
  }

  @Test
  void budgetSmallerThanTheSchemaOverflowsAtOnce() {
    try (ArrowIpc.Writer w = new ArrowIpc.Writer(Results.SCHEMA, Compression.NONE, 16)) {
      assertThat(w.overflowed()).isTrue();
      assertThat(w.finish(allocator)).isNull();
    }
  }

  @Test
  void theDefaultCompressionIsZstd() {
    // Arrow's LZ4 codec (commons-compress, pure Java) took ~25 s for a 450 KB result in
    // CacheBenchmark; the default must not be it
    assertThat(CacheSettings.defaults().compression()).isEqualTo(Compression.ZSTD);
    assertThat(new CacheSettings(true, 1, null, null, 1, null, null, null, null, null, null, null)
        .compression()).isEqualTo(Compression.ZSTD);
  }

  @Test
  void compressionShrinksRepetitiveData() {
    int none = Results.ipc(allocator, Compression.NONE, 4, 2000, Long.MAX_VALUE).length;
    int lz4 = Results.ipc(allocator, Compression.LZ4, 4, 2000, Long.MAX_VALUE).length;
    int zstd = Results.ipc(allocator, Compression.ZSTD, 4, 2000, Long.MAX_VALUE).length;
    assertThat(lz4).isLessThan(none);
    assertThat(zstd).isLessThan(none);
  }

  @Test
  void smallStreamsAreStoredUncompressedLargeOnesCompressedWhereItPays() {
    // a hit on a small entry never decompresses: below SMALL_ENTRY_BYTES the stream is kept as
    // it is, whatever the compression setting
    byte[] small = Results.ipc(allocator, Compression.NONE, 1, 100, Long.MAX_VALUE);
    assertThat(small.length).isLessThan(ArrowIpc.SMALL_ENTRY_BYTES);
    assertThat(Results.ipc(allocator, Compression.ZSTD, 1, 100, Long.MAX_VALUE)).isEqualTo(small);
    byte[] large = Results.ipc(allocator, Compression.NONE, 4, 2000, Long.MAX_VALUE);
    assertThat(large.length).isGreaterThanOrEqualTo(ArrowIpc.SMALL_ENTRY_BYTES);
    byte[] zstd = Results.ipc(allocator, Compression.ZSTD, 4, 2000, Long.MAX_VALUE);
    assertThat(zstd.length).isLessThan(large.length - large.length / 10);
    assertThat(Results.read(zstd, allocator)).isEqualTo(Results.read(large, allocator));
  }
}
