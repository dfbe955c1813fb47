package io.strata.server.flight;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageChannelReader;
import org.apache.arrow.vector.ipc.message.MessageResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;

/**
 * The record batches of a cached result's Arrow IPC stream, one at a time, as they are stored:
 * nothing is decoded into vectors. Each batch's body is read into one buffer of
 * {@code allocator} (the one copy, from the entry's bytes to memory gRPC can send without
 * another), and its buffers are slices of it. A batch whose buffers are compressed with a codec
 * the client did not say it reads ({@link FlightSessions}'s {@code strata-ipc-compression}) is
 * decompressed, buffer by buffer, once; else it goes as stored.
 *
 * <p>Use from one thread; close it. A batch returned by {@link #next()} belongs to the caller.
 */
final class CachedStream implements AutoCloseable {
  private final MessageChannelReader reader;
  private final BufferAllocator allocator;
  private final Set<CompressionUtil.CodecType> accepted;
  private long rows;

  /**
   * @param accepted the body compressions the client reads
   */
  CachedStream(byte[] ipc, BufferAllocator allocator, Set<CompressionUtil.CodecType> accepted) {
    this.reader = new MessageChannelReader(new ReadChannel(Channels.newChannel(
        new ByteArrayInputStream(ipc))), allocator);
    this.allocator = allocator;
    this.accepted = accepted;
  }

  /** Rows in the batches returned so far. */
  long rows() {
    return rows;
  }

  /**
   * The next record batch, or null at the end of the stream. The schema message is skipped (the
   * caller sends its own, with its column names and metadata).
   *
   * @throws IllegalStateException the stream holds a message Strata's cache never writes (a
   *     dictionary batch)
   */
  ArrowRecordBatch next() throws IOException {
    while (true) {
      MessageResult m = reader.readNext();
      if (m == null) {
        return null;
      }
      ArrowBuf body = m.getBodyBuffer();
      byte type = m.getMessage().headerType();
      if (type != MessageHeader.RecordBatch) {
        if (body != null) {
          body.close();
        }
        if (type == MessageHeader.Schema) {
          continue;
        }
        throw new IllegalStateException("a cached result holds an IPC message of type "
            + MessageHeader.name(type) + "; only record batches are sent as stored");
      }
      // the batch's buffers are slices of the body; deserializing hands the body over to them
      ArrowRecordBatch batch = MessageSerializer.deserializeRecordBatch(m.getMessage(),
          body == null ? allocator.getEmpty() : body);
      rows += batch.getLength();
      return plain(batch);
    }
  }

  /** The batch as it may be sent: as it is, or decompressed when the client cannot read it. */
  private ArrowRecordBatch plain(ArrowRecordBatch batch) {
    CompressionUtil.CodecType type = CompressionUtil.CodecType.fromCompressionType(
        batch.getBodyCompression().getCodec());
    if (type == CompressionUtil.CodecType.NO_COMPRESSION || accepted.contains(type)) {
      return batch;
    }
    CompressionCodec codec = CommonsCompressionFactory.INSTANCE.createCodec(type);
    List<ArrowBuf> buffers = new ArrayList<>();
    try {
      for (ArrowBuf b : batch.getBuffers()) {
        // decompress releases the buffer it is given: one reference of its own
        b.getReferenceManager().retain();
        buffers.add(b.writerIndex() > 0 ? codec.decompress(allocator, b) : b);
      }
      return new ArrowRecordBatch(batch.getLength(), batch.getNodes(), buffers,
          NoCompressionCodec.DEFAULT_BODY_COMPRESSION, batch.getVariadicBufferCounts(), true);
    } finally {
      buffers.forEach(ArrowBuf::close); // the new batch holds its own references
      batch.close();
    }
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      // a byte array: nothing to fail
    }
  }
}
