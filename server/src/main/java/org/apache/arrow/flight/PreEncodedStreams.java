package org.apache.arrow.flight;

import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Sends Arrow IPC record batches down a {@code DoGet} stream as they are, below
 * {@link FlightProducer.ServerStreamListener}: that listener only sends what it unloads from a
 * {@code VectorSchemaRoot} (buffers uncompressed), so a cached result would be decoded into
 * vectors to be encoded again. Here a batch read from a cached IPC stream, with its buffers
 * compressed or not and its body compression as stored, becomes the {@code FlightData} message
 * directly ({@link ArrowMessage}'s own framing, the same bytes {@code putNext} writes for an
 * uncompressed batch).
 *
 * <p>It lives in Arrow's package because {@code ArrowMessage} and the listener's gRPC response
 * observer are package-private in Arrow Java (18.x); it touches nothing else of Arrow's
 * internals. Used by Strata's Flight SQL producer (server.flight) only. Flow control stays the
 * caller's, as with {@code putNext}: wait for {@code isReady()} between batches.
 */
public final class PreEncodedStreams {
  private PreEncodedStreams() {}

  /** Whether {@code listener} is Arrow's own DoGet listener, which this class can write to. */
  public static boolean supports(FlightProducer.ServerStreamListener listener) {
    return listener instanceof OutboundStreamListenerImpl;
  }

  /** Sends the schema message that opens the stream (the schema has no dictionaries). */
  public static void start(FlightProducer.ServerStreamListener listener, Schema schema) {
    observer(listener).onNext(new ArrowMessage(null, schema, IpcOption.DEFAULT));
  }

  /**
   * Sends one record batch as it is and takes it over: its buffers are handed to gRPC without a
   * copy and released once written (or when the call is gone).
   */
  public static void send(FlightProducer.ServerStreamListener listener, ArrowRecordBatch batch) {
    try (ArrowMessage message = new ArrowMessage(batch, null, true, IpcOption.DEFAULT)) {
      observer(listener).onNext(message);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("could not free a sent Arrow message", e);
    }
  }

  private static io.grpc.stub.CallStreamObserver<ArrowMessage> observer(
      FlightProducer.ServerStreamListener listener) {
    if (!(listener instanceof OutboundStreamListenerImpl o)) {
      throw new IllegalArgumentException("not Arrow's DoGet listener: "
          + listener.getClass().getName());
    }
    return o.responseObserver;
  }
}
