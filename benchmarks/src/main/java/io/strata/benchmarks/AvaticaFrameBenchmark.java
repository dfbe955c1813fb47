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
 * Building the row arrays from Arrow is not included; the figure is the protocol's own cost.
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


  @Setup
  public void setUp() throws IOException {
    List<Object> data = SampleResult.jdbcRows(rows);
    frame = Meta.Frame.create(0, true, data);
    encoded = encodeOnce();
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
}
