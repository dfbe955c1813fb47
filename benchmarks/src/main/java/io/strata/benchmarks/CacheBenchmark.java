package io.strata.benchmarks;

import io.strata.acceleration.cache.ArrowIpc;
import io.strata.acceleration.cache.CacheEntry;
import io.strata.acceleration.cache.CacheKey;
import io.strata.acceleration.cache.CacheKeys;
import io.strata.acceleration.cache.CacheMode;
import io.strata.acceleration.cache.CacheSettings;
import io.strata.acceleration.cache.CacheSettings.Compression;
import io.strata.acceleration.cache.ResultCache;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The results cache's hot paths, L1 only (no Redis, so no network in the figures):
 * {@code key}: {@link ResultCache#key} for a ~600-character warehouse SQL reading 3 models with 3
 * parameters and a security context; {@code l1Hit}: a lookup answered by a fresh 100-row entry in
 * L1; {@code l1Put}: a NO_CACHE lookup (which leads) plus {@code complete} storing a 100-row entry;
 * {@code ipcEncode} / {@code ipcDecode}: a 10,000-row × 6-column result (int, bigint, varchar,
 * float8, date, timestamp) to and from the Arrow IPC stream the cache stores, per compression.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(java.util.concurrent.TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "--add-opens=java.base/java.nio=ALL-UNNAMED"})
public class CacheBenchmark {

  static final String SQL = """
      SELECT "orders"."status" AS "status", "orders"."channel" AS "channel", \
      "customers"."region" AS "region", DATE_TRUNC('month', "orders"."ordered_at") AS "month", \
      COUNT(*) AS "count", SUM("order_items"."quantity" * "order_items"."unit_price") AS "revenue", \
      COUNT(DISTINCT "orders"."customer_id") AS "customer_count" \
      FROM "retail"."orders" AS "orders" \
      LEFT JOIN "retail"."customers" AS "customers" ON "orders"."customer_id" = "customers"."customer_id" \
      LEFT JOIN (SELECT "order_id", SUM("quantity") AS "quantity", MAX("unit_price") AS "unit_price" \
      FROM "retail"."order_items" GROUP BY "order_id") AS "order_items" \
      ON "orders"."order_id" = "order_items"."order_id" \
      WHERE "orders"."ordered_at" >= ? AND "orders"."ordered_at" < ? AND "customers"."region" = ? \
      GROUP BY 1, 2, 3, 4 ORDER BY "count" DESC LIMIT 100""";

  static CacheKeys.Parts parts() {
    return new CacheKeys.Parts("demo", "postgres", SQL, List.of("2024-01-01", "2024-07-01", "EU"),
        Map.of("orders", "3f2a9c1d0b7e4a55", "customers", "91ab0c7d2e3f4a10",
            "order_items", "5c6d7e8f90a1b2c3"),
        "user=alice;roles=analyst;region=EU", Map.of());
  }

  static CacheSettings l1Settings() {
    return CacheSettings.defaults();
  }

  static final Schema SCHEMA = new Schema(List.of(
      new Field("id", FieldType.notNullable(new ArrowType.Int(32, true)), null),
      new Field("customer_id", FieldType.nullable(new ArrowType.Int(64, true)), null),
      new Field("status", FieldType.nullable(ArrowType.Utf8.INSTANCE), null),
      new Field("amount", FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), null),
      new Field("order_date", FieldType.nullable(new ArrowType.Date(DateUnit.DAY)), null),
      new Field("ordered_at", FieldType.nullable(new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC")), null)));

  private static final byte[][] STATUSES = {
      "completed".getBytes(StandardCharsets.UTF_8), "shipped".getBytes(StandardCharsets.UTF_8),
      "returned".getBytes(StandardCharsets.UTF_8), "pending".getBytes(StandardCharsets.UTF_8)};

  /** A demo-like result: ids ascend, a few statuses, amounts and dates that vary. */
  static VectorSchemaRoot result(BufferAllocator allocator, int rows) {
    VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
    root.allocateNew();
    IntVector id = (IntVector) root.getVector(0);
    BigIntVector customer = (BigIntVector) root.getVector(1);
    VarCharVector status = (VarCharVector) root.getVector(2);
    Float8Vector amount = (Float8Vector) root.getVector(3);
    DateDayVector day = (DateDayVector) root.getVector(4);
    TimeStampMilliTZVector at = (TimeStampMilliTZVector) root.getVector(5);
    java.util.Random r = new java.util.Random(42);
    for (int i = 0; i < rows; i++) {
      id.setSafe(i, i);
      customer.setSafe(i, 1 + r.nextInt(5_000));
      status.setSafe(i, STATUSES[r.nextInt(STATUSES.length)]);
      amount.setSafe(i, Math.round(r.nextDouble() * 50_000) / 100.0);
      int d = 19_700 + r.nextInt(365);
      day.setSafe(i, d);
      at.setSafe(i, d * 86_400_000L + r.nextInt(86_400_000));
    }
    root.setRowCount(rows);
    return root;
  }

  static byte[] encode(VectorSchemaRoot root, Compression c, BufferAllocator allocator) {
    try (ArrowIpc.Writer w = new ArrowIpc.Writer(root.getSchema(), c, Long.MAX_VALUE)) {
      w.write(root);
      return w.finish(allocator);
    }
  }

  // ------------------------------------------------------------------ key

  @State(Scope.Benchmark)
  public static class KeyState {
    ResultCache cache;
    CacheKeys.Parts parts;
    CacheKeys.Stem stem;

    @Setup
    public void setUp() {
      cache = new ResultCache(l1Settings(), null);
      parts = parts();
      stem = CacheKeys.stem(parts);
    }

    @TearDown
    public void tearDown() {
      cache.close();
    }
  }

  /** The parts record is rebuilt each time, as the server made it per request before. */
  @Benchmark
  public CacheKey key(KeyState s) {
    return s.cache.key(parts());
  }

  /**
   * A repeated query's key as the server makes it now: the stem kept with the compiled query,
   * the key remembered under the cache's generations (no hashing while nothing moved).
   */
  @Benchmark
  public CacheKey keyRemembered(KeyState s) {
    return s.cache.key(s.stem, Map.of());
  }

  // ------------------------------------------------------------------ L1

  @State(Scope.Benchmark)
  public static class L1State {
    BufferAllocator allocator;
    ResultCache cache;
    CacheKey hitKey;
    CacheKey putKey;
    byte[] ipc;

    @Setup
    public void setUp() {
      allocator = new RootAllocator();
      cache = new ResultCache(l1Settings(), null);
      try (VectorSchemaRoot root = result(allocator, 100)) {
        ipc = encode(root, Compression.ZSTD, allocator);
      }
      hitKey = cache.key(parts());
      putKey = cache.key(new CacheKeys.Parts("demo", "postgres", SQL + " -- put", List.of(),
          Map.of("orders", "v"), "", Map.of()));
      ((ResultCache.Lead) cache.lookup(hitKey, CacheMode.ON, Duration.ZERO))
          .complete(ipc, 100, 10_000, Duration.ofHours(1), null);
    }

    @TearDown
    public void tearDown() {
      cache.close();
      allocator.close();
    }
  }

  @Benchmark
  public ResultCache.Lookup l1Hit(L1State s) {
    return s.cache.lookup(s.hitKey, CacheMode.ON, Duration.ZERO);
  }

  @Benchmark
  public CacheEntry l1Put(L1State s) {
    ResultCache.Lead lead = (ResultCache.Lead) s.cache.lookup(s.putKey, CacheMode.NO_CACHE, Duration.ZERO);
    return lead.complete(s.ipc, 100, 10_000, Duration.ofHours(1), null);
  }

  // ------------------------------------------------------------------ Arrow IPC

  @State(Scope.Benchmark)
  public static class IpcState {
    @Param({"NONE", "LZ4", "ZSTD"})
    public Compression compression;

    BufferAllocator allocator;
    VectorSchemaRoot root;
    byte[] ipc;

    @Setup
    public void setUp() {
      allocator = new RootAllocator();
      root = result(allocator, 10_000);
      ipc = encode(root, compression, allocator);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      System.out.println("\n" + compression + ": " + ipc.length + " bytes for 10,000 rows");
      root.close();
      allocator.close();
    }
  }

  @Benchmark
  public byte[] ipcEncode(IpcState s) {
    return encode(s.root, s.compression, s.allocator);
  }

  @Benchmark
  public long ipcDecode(IpcState s) throws IOException {
    long rows = 0;
    try (ArrowStreamReader r = ArrowIpc.reader(s.ipc, s.allocator)) {
      while (r.loadNextBatch()) {
        rows += r.getVectorSchemaRoot().getRowCount();
      }
    }
    return rows;
  }
}
