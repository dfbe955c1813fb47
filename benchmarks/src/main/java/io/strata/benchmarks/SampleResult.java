package io.strata.benchmarks;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A realistic result for the encoding benchmarks: order lines with an id, two low-cardinality
 * strings (status, region), a quantity, a revenue and a timestamp, generated from a fixed seed.
 * The same rows exist as an Arrow batch (what Strata caches and Flight sends) and as JDBC-style
 * row arrays (what Avatica frames carry), so the two encodings are compared on equal data.
 */
final class SampleResult {
  static final String[] STATUS = {"completed", "shipped", "processing", "cancelled", "returned"};
  static final String[] REGION = {"North America", "Europe", "Asia Pacific", "Latin America",
      "Middle East & Africa"};
  static final long START_MICROS = 1_704_067_200_000_000L; // 2024-01-01T00:00Z

  private SampleResult() {}

  /** {@code rows} rows in one batch; the caller closes it. */
  static VectorSchemaRoot arrow(BufferAllocator allocator, int rows) {
    BigIntVector id = new BigIntVector("order_id", allocator);
    VarCharVector status = new VarCharVector("status", allocator);
    VarCharVector region = new VarCharVector("region", allocator);
    IntVector quantity = new IntVector("quantity", allocator);
    Float8Vector revenue = new Float8Vector("revenue", allocator);
    TimeStampMicroVector orderedAt = new TimeStampMicroVector("ordered_at", allocator);
    VectorSchemaRoot root = VectorSchemaRoot.of(id, status, region, quantity, revenue, orderedAt);
    root.allocateNew();
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < rows; i++) {
      Row r = row(random, i);
      id.setSafe(i, r.id);
      status.setSafe(i, r.status.getBytes(StandardCharsets.UTF_8));
      region.setSafe(i, r.region.getBytes(StandardCharsets.UTF_8));
      quantity.setSafe(i, r.quantity);
      revenue.setSafe(i, r.revenue);
      orderedAt.setSafe(i, r.orderedAtMicros);
    }
    root.setRowCount(rows);
    return root;
  }

  /**
   * The same rows as Avatica's server builds them for a frame: one {@code Object[]} per row,
   * values in Avatica's JDBC conventions (a timestamp as epoch milliseconds).
   */
  static List<Object> jdbcRows(int rows) {
    List<Object> out = new ArrayList<>(rows);
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < rows; i++) {
      Row r = row(random, i);
      out.add(new Object[] {r.id, r.status, r.region, r.quantity,
          BigDecimal.valueOf(r.revenue).doubleValue(), r.orderedAtMicros / 1000});
    }
    return out;
  }

  private record Row(long id, String status, String region, int quantity, double revenue,
      long orderedAtMicros) {}

  private static Row row(SplittableRandom random, int i) {
    int quantity = 1 + random.nextInt(5);
    double price = Math.round(random.nextDouble(2, 500) * 100) / 100.0;
    return new Row(1_000_000L + i, STATUS[random.nextInt(STATUS.length)],
        REGION[random.nextInt(REGION.length)], quantity,
        Math.round(quantity * price * 100) / 100.0,
        START_MICROS + random.nextLong(366L * 86_400_000_000L));
  }
}
