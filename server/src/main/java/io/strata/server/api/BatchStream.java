package io.strata.server.api;

import io.strata.server.query.ArrowBatches;
import io.strata.server.query.RowWriters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;

/**
 * A query's result as bytes, encoded one record batch at a time as the HTTP layer reads: only
 * one batch is in memory however large the result. Closing the stream (at the end, or when the
 * client goes away) closes the cursor, which releases the warehouse connection and logs the
 * query. An error after the first bytes were sent can only cut the response short; the query
 * log records it.
 */
public final class BatchStream extends InputStream {
  /** Writes one part of the encoding: the start, a batch, or the end. */
  private interface Encoder {
    void start(ArrowBatches cursor, ByteArrayOutputStream out) throws IOException;

    void batch(VectorSchemaRoot batch, ByteArrayOutputStream out) throws IOException;

    void end(ByteArrayOutputStream out) throws IOException;
  }

  private final ArrowBatches cursor;
  private final Encoder encoder;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream(64 * 1024);
  private byte[] buffer = new byte[0];
  private int position;
  private boolean started;
  private boolean finished;
  private boolean closed;

  private BatchStream(ArrowBatches cursor, Encoder encoder) {
    this.cursor = cursor;
    this.encoder = encoder;
  }

  public static BatchStream arrow(ArrowBatches cursor) {
    return new BatchStream(cursor, new Encoder() {
      @Override
      public void start(ArrowBatches c, ByteArrayOutputStream out) throws IOException {
        MessageSerializer.serialize(new WriteChannel(Channels.newChannel(out)), c.schema());
      }

      @Override
      public void batch(VectorSchemaRoot batch, ByteArrayOutputStream out) throws IOException {
        try (ArrowRecordBatch rb = new VectorUnloader(batch).getRecordBatch()) {
          MessageSerializer.serialize(new WriteChannel(Channels.newChannel(out)), rb);
        }
      }

      @Override
      public void end(ByteArrayOutputStream out) throws IOException {
        ArrowStreamWriter.writeEndOfStream(new WriteChannel(Channels.newChannel(out)),
            IpcOption.DEFAULT);
      }
    });
  }

  /** CSV with a header; {@code neutraliseFormulas}: see {@link RowWriters#writeCsv}. */
  public static BatchStream csv(ArrowBatches cursor, boolean neutraliseFormulas) {
    return new BatchStream(cursor, new Encoder() {
      @Override
      public void start(ArrowBatches c, ByteArrayOutputStream out) throws IOException {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        RowWriters.writeCsvHeader(c.schema().getFields().stream()
            .map(org.apache.arrow.vector.types.pojo.Field::getName).toList(), w, neutraliseFormulas);
        w.flush();
      }

      @Override
      public void batch(VectorSchemaRoot batch, ByteArrayOutputStream out) throws IOException {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        RowWriters.writeCsv(batch, w, neutraliseFormulas);
        w.flush();
      }

      @Override
      public void end(ByteArrayOutputStream out) {}
    });
  }

  /** Encodes the next part into the buffer; false when everything was read. */
  private boolean fill() throws IOException {
    if (finished) {
      return false;
    }
    pending.reset();
    try {
      if (!started) {
        started = true;
        encoder.start(cursor, pending);
      } else if (cursor.next()) {
        encoder.batch(cursor.batch(), pending);
      } else {
        encoder.end(pending);
        finished = true;
      }
    } catch (RuntimeException e) {
      finished = true;
      close();
      throw new IOException("query " + cursor.queryId() + " failed while streaming: "
          + e.getMessage(), e);
    }
    buffer = pending.toByteArray();
    position = 0;
    if (finished) {
      cursor.close();
    }
    return true;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (position >= buffer.length) {
      if (closed || !fill()) {
        return -1;
      }
    }
    int n = Math.min(len, buffer.length - position);
    System.arraycopy(buffer, position, b, off, n);
    position += n;
    return n;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      cursor.close();
    }
  }
}
