package io.strata.server.api;

import io.strata.server.query.ArrowBatches;
import io.strata.server.query.RowWriters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
public final class BatchStream extends ChunkStream {
  /** Writes one part of the encoding: the start, a batch, or the end. */
  private interface Encoder {
    void start(ArrowBatches cursor, ByteArrayOutputStream out) throws IOException;

    void batch(VectorSchemaRoot batch, ByteArrayOutputStream out) throws IOException;

    void end(ByteArrayOutputStream out) throws IOException;
  }

  private final ArrowBatches cursor;
  private final Encoder encoder;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream(64 * 1024);
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

  /** Encodes the next part: the start, a batch or the end; null once everything was read. */
  @Override
  protected byte[] nextChunk() throws IOException {
    if (closed || finished) {
      return null;
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
    byte[] chunk = pending.toByteArray();
    if (finished) {
      cursor.close();
    }
    return chunk;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      cursor.close();
    }
  }
}
