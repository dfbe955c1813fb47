package io.strata.benchmarks;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.IpcOption;
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
 * Arrow IPC stream encode and decode of a 10,000-row, 6-column result ({@link SampleResult}),
 * uncompressed and with the two buffer codecs Arrow's IPC format defines (LZ4 frame, ZSTD, from
 * {@code arrow-compression}). This is what a cache entry costs to write and read back (L2 stores
 * IPC bytes) and what Flight and the REST Arrow stream put on the wire. {@link EncodingReport}
 * puts the encoded sizes beside the times, so speed and ratio can be weighed together.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "-Darrow.memory.debug.allocator=false"})
public class ArrowIpcBenchmark {
  @Param({"10000"})
  public int rows;

  @Param({"none", "lz4", "zstd"})
  public String codec;

  private BufferAllocator allocator;
  private VectorSchemaRoot batch;
  private byte[] encoded;


  @Setup(Level.Trial)
  public void setUp() throws IOException {
    allocator = new RootAllocator();
    batch = SampleResult.arrow(allocator, rows);
    encoded = encode(batch, codec);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    batch.close();
    allocator.close();
  }

  static CompressionUtil.CodecType codecType(String codec) {
    return switch (codec) {
      case "none" -> CompressionUtil.CodecType.NO_COMPRESSION;
      case "lz4" -> CompressionUtil.CodecType.LZ4_FRAME;
      case "zstd" -> CompressionUtil.CodecType.ZSTD;
      default -> throw new IllegalArgumentException("codec must be none, lz4 or zstd: " + codec);
    };
  }

  static CompressionCodec.Factory factory(String codec) {
    return codec.equals("none") ? NoCompressionCodec.Factory.INSTANCE
        : CommonsCompressionFactory.INSTANCE;
  }

  /** One batch as an Arrow IPC stream with {@code codec}'s buffer compression. */
  static byte[] encode(VectorSchemaRoot batch, String codec) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
    try (ArrowStreamWriter writer = new ArrowStreamWriter(batch, null, Channels.newChannel(out),
        IpcOption.DEFAULT, factory(codec), codecType(codec))) {
      writer.start();
      writer.writeBatch();
      writer.end();
    }
    return out.toByteArray();
  }

  @Benchmark
  public byte[] encode() throws IOException {
    return encode(batch, codec);
  }

  @Benchmark
  public long decode() throws IOException {
    long checksum = 0;
    try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(encoded),
        allocator, factory(codec))) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        checksum += root.getRowCount() + ((BigIntVector) root.getVector(0))
            .get(root.getRowCount() - 1);
      }
    }
    return checksum;
  }
}
