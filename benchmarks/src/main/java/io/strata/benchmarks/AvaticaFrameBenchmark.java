package io.strata.benchmarks;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.remote.ProtobufTranslation;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.apache.calcite.avatica.remote.Service;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Avatica's protobuf wire encoding of one 10,000-row frame of the same result as
 * {@link ArrowIpcBenchmark}: a {@link Meta.Frame} of row arrays wrapped in a
 * {@link Service.FetchResponse} and serialised by {@link ProtobufTranslationImpl} (the path
 * Avatica's protobuf handler takes for every fetch), and the client's parse back to a frame.
 * {@code encode}/{@code decode} leave out building the row arrays from Arrow (the protocol's
 * own cost). The Arrow-to-bytes pairs compare the server's two ways from an Arrow batch:
 * {@code encodeBoxedFromArrow} (rows boxed by JdbcValues' readers, then Avatica's
 * serialisation: the path before direct frames) against {@code encodeFromArrow} (Strata's
 * {@code FrameWriter}, straight from the vectors); {@code decodeStrata} is the
 * {@code jdbc:strata:} driver's reading of those bytes, against Avatica's {@code decode}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class AvaticaFrameBenchmark {
  @Param({"10000"})
  public int rows;

  private final ProtobufTranslation translation = new ProtobufTranslationImpl();
  private Meta.Frame frame;
  private byte[] encoded;
  private org.apache.arrow.memory.BufferAllocator allocator;
  private org.apache.arrow.vector.VectorSchemaRoot batch;
  private List<io.strata.server.sql.SqlColumn> columns;
  private byte[] encodedFromArrow;


  @Setup
  public void setUp() throws IOException {
    List<Object> data = SampleResult.jdbcRows(rows);
    frame = Meta.Frame.create(0, true, data);
    encoded = encodeOnce();
    allocator = new org.apache.arrow.memory.RootAllocator();
    batch = SampleResult.arrow(allocator, rows);
    columns = List.of(
        new io.strata.server.sql.SqlColumn("order_id", java.sql.Types.BIGINT, "BIGINT", false, 0, 0, null),
        new io.strata.server.sql.SqlColumn("status", java.sql.Types.VARCHAR, "VARCHAR", true, 0, 0, null),
        new io.strata.server.sql.SqlColumn("region", java.sql.Types.VARCHAR, "VARCHAR", true, 0, 0, null),
        new io.strata.server.sql.SqlColumn("quantity", java.sql.Types.INTEGER, "INTEGER", true, 0, 0, null),
        new io.strata.server.sql.SqlColumn("revenue", java.sql.Types.DOUBLE, "DOUBLE", true, 0, 0, null),
        new io.strata.server.sql.SqlColumn("ordered_at", java.sql.Types.TIMESTAMP, "TIMESTAMP", true, 0, 0, null));
    encodedFromArrow = io.strata.server.avatica.ArrowFrames.fetchResponse(columns, batch);
  }

  @org.openjdk.jmh.annotations.TearDown
  public void tearDown() {
    batch.close();
    allocator.close();
  }

  /** Before: rows boxed from Arrow, then Avatica's TypedValue serialisation. */
  @Benchmark
  public byte[] encodeBoxedFromArrow() throws IOException {
    return encode(translation, Meta.Frame.create(0, true,
        io.strata.server.avatica.ArrowFrames.boxedRows(columns, batch)));
  }

  /** After: the same rows written straight from the vectors into the wire format. */
  @Benchmark
  public byte[] encodeFromArrow() {
    return io.strata.server.avatica.ArrowFrames.fetchResponse(columns, batch);
  }

  /** The jdbc:strata: driver's reading of the bytes encodeFromArrow sends. */
  @Benchmark
  public Object decodeStrata() throws IOException {
    long n = 0;
    for (Object row : io.strata.jdbc.FrameDecoder.fetchRows(encodedFromArrow)) {
      n += ((List<?>) row).size();
    }
    return n;
  }

  /** Avatica's reading of the same bytes (the stock driver's). */
  @Benchmark
  public Object decodeFromArrow() throws IOException {
    Service.FetchResponse r = (Service.FetchResponse) translation.parseResponse(encodedFromArrow);
    long n = 0;
    for (Object row : r.frame.rows) {
      n += ((List<?>) row).size();
    }
    return n;
  }

  private byte[] encodeOnce() throws IOException {
    return encode(translation, frame);
  }

  /** One frame as the protobuf body of a fetch response, as Avatica's server sends it. */
  static byte[] encode(ProtobufTranslation translation, Meta.Frame frame) throws IOException {
    return translation.serializeResponse(new Service.FetchResponse(frame, false, false,
        new Service.RpcMetadataResponse("localhost:8765")));
  }

  @Benchmark
  public byte[] encode() throws IOException {
    return encodeOnce();
  }

  @Benchmark
  public Object decode() throws IOException {
    Service.FetchResponse r = (Service.FetchResponse) translation.parseResponse(encoded);
    long n = 0;
    for (Object row : r.frame.rows) {
      n += ((List<?>) row).size();
    }
    return n;
  }

  /**
   * The same six operations timed by this thread's CPU time rather than the wall clock: on a
   * machine shared with other builds (load far above its cores) JMH's wall-clock figures vary
   * several-fold between iterations, while the CPU time an operation consumes stays put.
   * {@code java -cp "benchmarks/target/classes:benchmarks/target/lib/*" 
   * io.strata.benchmarks.AvaticaFrameBenchmark [iterations]}
   */
  public static void main(String[] args) throws Exception {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    AvaticaFrameBenchmark b = new AvaticaFrameBenchmark();
    b.rows = 10_000;
    b.setUp();
    java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
    java.util.Map<String, java.util.concurrent.Callable<Object>> ops = new java.util.LinkedHashMap<>();
    ops.put("encode (Avatica, boxed rows given)", b::encode);
    ops.put("encodeBoxedFromArrow (before)", b::encodeBoxedFromArrow);
    ops.put("encodeFromArrow (after)", b::encodeFromArrow);
    ops.put("decode (Avatica)", b::decode);
    ops.put("decodeFromArrow (Avatica, stock driver)", b::decodeFromArrow);
    ops.put("decodeStrata (jdbc:strata:)", b::decodeStrata);
    System.out.printf("frame bytes: Avatica %,d, from Arrow %,d%n", b.encoded.length,
        b.encodedFromArrow.length);
    for (var e : ops.entrySet()) {
      for (int i = 0; i < iterations; i++) {
        e.getValue().call(); // warm-up
      }
      long[] t = new long[iterations];
      for (int i = 0; i < iterations; i++) {
        long t0 = cpu.getCurrentThreadCpuTime();
        e.getValue().call();
        t[i] = cpu.getCurrentThreadCpuTime() - t0;
      }
      java.util.Arrays.sort(t);
      System.out.printf("%-42s median %8.2f ms CPU (min %.2f)%n", e.getKey(),
          t[iterations / 2] / 1e6, t[0] / 1e6);
    }
    b.tearDown();
  }
}
