package io.strata.server.jobs;

import io.strata.server.query.ArrowBatches;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A query job's stored result (an Arrow IPC stream) read back one batch at a time, so the
 * endpoints encode it exactly as they encode a live query's cursor.
 */
final class StoredResult implements ArrowBatches {
  private final String id;
  private final BufferAllocator allocator;
  private final ArrowStreamReader reader;
  private final Schema schema;

  StoredResult(String id, InputStream in, BufferAllocator parent) throws IOException {
    this.id = id;
    this.allocator = parent.newChildAllocator("job-result-" + id, 0, parent.getLimit());
    this.reader = new ArrowStreamReader(in, allocator);
    try {
      this.schema = reader.getVectorSchemaRoot().getSchema();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  @Override
  public String queryId() {
    return id;
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public boolean next() {
    try {
      return reader.loadNextBatch();
    } catch (IOException e) {
      throw new UncheckedIOException("reading the stored result of job " + id + " failed", e);
    }
  }

  @Override
  public VectorSchemaRoot batch() {
    try {
      return reader.getVectorSchemaRoot();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      // nothing left to release but memory, freed below
    } finally {
      allocator.close();
    }
  }
}
