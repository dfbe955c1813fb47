package io.strata.acceleration.cache;

import io.strata.acceleration.cache.CacheSettings.Compression;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** Real Arrow results for the cache tests: int, varchar, float8 and timestamp columns. */
final class Results {
  private Results() {}

  static final Schema SCHEMA = new Schema(List.of(
      new Field("id", new FieldType(false, new ArrowType.Int(32, true), null,
          Map.of("strata.member", "orders.order_id")), null),
      new Field("status", new FieldType(true, ArrowType.Utf8.INSTANCE, null,
          Map.of("strata.member", "orders.status", "strata.kind", "dimension")), null),
      new Field("amount", FieldType.nullable(
          new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), null),
      new Field("ordered_at", FieldType.nullable(
          new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC")), null)),
      Map.of("strata.query", "q-1"));

  private static final String[] STATUSES = {"completed", "shipped", "returned", "pending"};

  /** Fills {@code root} with batch {@code b} of {@code rows} rows (with a null every 7th row). */
  static void fill(VectorSchemaRoot root, int b, int rows) {
    root.allocateNew();
    IntVector id = (IntVector) root.getVector("id");
    VarCharVector status = (VarCharVector) root.getVector("status");
    Float8Vector amount = (Float8Vector) root.getVector("amount");
    TimeStampMilliTZVector at = (TimeStampMilliTZVector) root.getVector("ordered_at");
    for (int i = 0; i < rows; i++) {
      int n = b * rows + i;
      id.setSafe(i, n);
      if (n % 7 == 3) {
        status.setNull(i);
        amount.setNull(i);
        at.setNull(i);
      } else {
        status.setSafe(i, STATUSES[n % STATUSES.length].getBytes(StandardCharsets.UTF_8));
        amount.setSafe(i, (n % 100) * 1.25);
        at.setSafe(i, 1_700_000_000_000L + n * 60_000L);
      }
    }
    root.setRowCount(rows);
  }

  /** An IPC stream of {@code batches} batches; null when it passed {@code maxBytes}. */
  static byte[] ipc(BufferAllocator allocator, Compression c, int batches, int rows, long maxBytes) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
        ArrowIpc.Writer w = new ArrowIpc.Writer(SCHEMA, c, maxBytes)) {
      for (int b = 0; b < batches; b++) {
        fill(root, b, rows);
        w.write(root);
      }
      return w.finish(allocator);
    }
  }

  static byte[] ipc(BufferAllocator allocator, int batches, int rows) {
    return ipc(allocator, Compression.ZSTD, batches, rows, Long.MAX_VALUE);
  }

  /** What a reader sees: the schema and each batch as TSV. */
  record Read(Schema schema, List<String> batches) {}

  static Read read(byte[] ipc, BufferAllocator allocator) {
    try (ArrowStreamReader r = ArrowIpc.reader(ipc, allocator)) {
      VectorSchemaRoot root = r.getVectorSchemaRoot();
      List<String> batches = new ArrayList<>();
      while (r.loadNextBatch()) {
        batches.add(root.contentToTSVString());
      }
      return new Read(root.getSchema(), batches);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The batches written by {@link #ipc}, as TSV, computed without IPC. */
  static List<String> expected(BufferAllocator allocator, int batches, int rows) {
    List<String> out = new ArrayList<>();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
      for (int b = 0; b < batches; b++) {
        fill(root, b, rows);
        out.add(root.contentToTSVString());
      }
    }
    return out;
  }

  /** Settings for tests: 10 min TTL, 1 min stale-while-revalidate, 1 h stale-if-error. */
  static CacheSettings settings(long l1MaxBytes, String redisUri, String prefix) {
    return new CacheSettings(true, l1MaxBytes, redisUri, prefix, 8L << 20,
        Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofHours(1),
        Duration.ofSeconds(10), Compression.ZSTD, Duration.ofMillis(250), Duration.ofSeconds(5));
  }

  static CacheSettings l1Only() {
    return settings(64L << 20, null, null);
  }

  static CacheKeys.Parts parts(String dataSource, String sql, Object... params) {
    return new CacheKeys.Parts(dataSource, "postgres", sql, List.of(params),
        Map.of("orders", "v1", "customers", "v7"), "", Map.of());
  }
}
