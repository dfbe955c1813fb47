package io.strata.server.query;

import io.strata.semantic.compile.CompiledQuery;
import java.util.Collections;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A query's whole result, collected by {@link QueryService#execute(QueryRequest)}: its batches
 * in order. Owns their Arrow memory until {@link #close()}; batches must not be used after.
 */
public final class QueryResult implements AutoCloseable {
  private final String queryId;
  private final CompiledQuery compiled;
  private final Schema schema;
  private final List<VectorSchemaRoot> batches;
  private final long rows;
  private final StageTimings timings;
  private final BufferAllocator allocator;
  private final CacheInfo cacheInfo;
  private final String rollup;
  private boolean closed;

  QueryResult(String queryId, CompiledQuery compiled, Schema schema,
      List<VectorSchemaRoot> batches, long rows, StageTimings timings,
      BufferAllocator allocator, CacheInfo cacheInfo, String rollup) {
    this.cacheInfo = cacheInfo;
    this.rollup = rollup;
    this.queryId = queryId;
    this.compiled = compiled;
    this.schema = schema;
    this.batches = Collections.unmodifiableList(batches);
    this.rows = rows;
    this.timings = timings;
    this.allocator = allocator;
  }

  public String queryId() {
    return queryId;
  }

  public CompiledQuery compiled() {
    return compiled;
  }

  public Schema schema() {
    return schema;
  }

  /** The batches, in result order; none when the result is empty. */
  public List<VectorSchemaRoot> batches() {
    return batches;
  }

  public long rows() {
    return rows;
  }

  public StageTimings timings() {
    return timings;
  }

  /** Where the result came from: a cache tier with its age, or the warehouse. */
  /** The rollup that answered ({@code model.rollup@version}), or null when the source did. */
  public String rollup() {
    return rollup;
  }

  public CacheInfo cacheInfo() {
    return cacheInfo;
  }

  /** Frees the batches' memory. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    batches.forEach(VectorSchemaRoot::close);
    allocator.close();
  }
}
