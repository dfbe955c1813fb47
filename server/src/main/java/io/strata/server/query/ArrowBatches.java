package io.strata.server.query;

import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A result read as Arrow batches, one in memory at a time: what an endpoint encodes, whether it
 * came from a semantic query ({@link QueryCursor}) or a SQL statement.
 */
public interface ArrowBatches extends AutoCloseable {
  /** The id under which the query appears in the query log and the running-queries list. */
  String queryId();

  Schema schema();

  /** Loads the next batch; false at the end. */
  boolean next();

  /** The current batch, owned by the result and valid until the next {@code next()}. */
  VectorSchemaRoot batch();

  @Override
  void close();
}
