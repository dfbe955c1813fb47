package io.strata.acceleration.cache;

import io.strata.acceleration.cache.CacheSettings.Compression;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.util.Arrays;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Cached results are Arrow IPC streams: the schema (with Strata's field metadata) and the record
 * batches, their buffers compressed with LZ4 (frame) or ZSTD as Arrow's IPC format allows, so
 * any Arrow reader can read an entry.
 */
public final class ArrowIpc {
  private ArrowIpc() {}

  static CompressionCodec codec(Compression c) {
    return switch (c) {
      case NONE -> NoCompressionCodec.INSTANCE;
      case LZ4 -> CommonsCompressionFactory.INSTANCE.createCodec(CompressionUtil.CodecType.LZ4_FRAME);
      case ZSTD -> CommonsCompressionFactory.INSTANCE.createCodec(CompressionUtil.CodecType.ZSTD);
    };
  }

  /** Reads an entry's stream; its batches are decompressed into {@code allocator}. */
  public static ArrowStreamReader reader(byte[] ipc, BufferAllocator allocator) {
    return new ArrowStreamReader(new ByteArrayInputStream(ipc), allocator,
        CommonsCompressionFactory.INSTANCE);
  }

  /**
   * Encodes batches as they stream past, up to a byte budget: the result of a query is captured
   * while it is sent to its client, and dropped (not stored) once it grows past the budget, so a
   * large result costs no more memory than the budget.
   *
   * <p>Batches are captured uncompressed (a copy, cheap enough not to slow the stream), and the
   * whole stream is compressed once by {@link #finish(BufferAllocator)}: a result that turns out
   * too large has then cost no compression at all.
   */
  public static final class Writer implements AutoCloseable {
    private final Bounded out;
    private final WriteChannel channel;
    private final CompressionCodec codec;
    private final Compression compression;
    private boolean overflowed;
    private boolean finished;
    private long rows;

    /** @param maxBytes budget of the uncompressed stream */
    public Writer(Schema schema, Compression compression, long maxBytes) {
      this.out = new Bounded(maxBytes);
      this.channel = new WriteChannel(Channels.newChannel(out));
      this.compression = compression;
      this.codec = NoCompressionCodec.INSTANCE;
      try {
        MessageSerializer.serialize(channel, schema);
      } catch (IOException e) {
        overflow();
      }
    }

    /**
     * Appends a batch (the root is only read).
     *
     * @return false once the budget is exceeded: nothing more is kept
     */
    public boolean write(VectorSchemaRoot root) {
      if (overflowed || finished) {
        return !overflowed;
      }
      VectorUnloader unloader = new VectorUnloader(root, true, codec, true);
      try (ArrowRecordBatch batch = unloader.getRecordBatch()) {
        MessageSerializer.serialize(channel, batch);
        rows += root.getRowCount();
      } catch (IOException e) {
        overflow();
      }
      return !overflowed;
    }

    public boolean overflowed() {
      return overflowed;
    }

    public long rows() {
      return rows;
    }

    /**
     * Ends the stream and compresses it.
     *
     * @param allocator for decoding the captured batches while compressing them
     * @return the stream's bytes, or null when it overflowed
     */
    public byte[] finish(BufferAllocator allocator) {
      if (overflowed) {
        return null;
      }
      finished = true;
      try {
        ArrowStreamWriter.writeEndOfStream(channel, IpcOption.DEFAULT);
      } catch (IOException e) {
        overflow();
        return null;
      }
      byte[] raw = out.bytes();
      out.drop();
      return compressed(raw, compression, allocator);
    }

    private void overflow() {
      overflowed = true;
      out.drop();
    }

    @Override
    public void close() {
      out.drop();
    }
  }

  /**
   * A stream below this many bytes is stored as it is: compressing it saves little memory, and
   * every hit would pay the decompression (a 100-row entry: microseconds of ZSTD against a
   * lookup of half a microsecond).
   */
  public static final int SMALL_ENTRY_BYTES = 64 << 10;

  /**
   * The stream as it is stored: uncompressed when it is small ({@link #SMALL_ENTRY_BYTES}) or
   * when compressing it saves less than a tenth of its size (random or already dense data),
   * else with its buffers compressed. Readers tell the two apart by the stream itself.
   */
  static byte[] compressed(byte[] raw, Compression compression, BufferAllocator allocator) {
    if (compression == Compression.NONE || raw.length < SMALL_ENTRY_BYTES) {
      return raw;
    }
    byte[] packed = compress(raw, compression, allocator);
    return packed.length > raw.length - raw.length / 10 ? raw : packed;
  }

  /** Re-encodes an uncompressed IPC stream with its buffers compressed. */
  static byte[] compress(byte[] raw, Compression compression, BufferAllocator allocator) {
    try (ArrowStreamReader reader = reader(raw, allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      Bounded out = new Bounded(Integer.MAX_VALUE - 16);
      WriteChannel channel = new WriteChannel(Channels.newChannel(out));
      MessageSerializer.serialize(channel, root.getSchema());
      CompressionCodec codec = codec(compression);
      while (reader.loadNextBatch()) {
        VectorUnloader unloader = new VectorUnloader(root, true, codec, true);
        try (ArrowRecordBatch batch = unloader.getRecordBatch()) {
          MessageSerializer.serialize(channel, batch);
        }
      }
      ArrowStreamWriter.writeEndOfStream(channel, IpcOption.DEFAULT);
      return out.bytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A byte buffer that refuses to grow past its bound. */
  private static final class Bounded extends OutputStream {
    private final long max;
    private byte[] buf = new byte[8192];
    private int count;

    Bounded(long max) {
      this.max = Math.min(max, Integer.MAX_VALUE - 16);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (buf == null || (long) count + len > max) {
        drop();
        throw new IOException("over budget");
      }
      if (count + len > buf.length) {
        buf = Arrays.copyOf(buf, (int) Math.min(max, Math.max((long) buf.length * 2, count + len)));
      }
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    void drop() {
      buf = null;
      count = 0;
    }

    byte[] bytes() {
      return buf == null ? null : Arrays.copyOf(buf, count);
    }
  }
}
