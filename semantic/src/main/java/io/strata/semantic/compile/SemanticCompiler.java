package io.strata.semantic.compile;

import io.strata.semantic.dialect.Dialect;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.QueryException;
import io.strata.semantic.query.SemanticQuery;
import java.time.Clock;

/**
 * Compiles semantic queries against a catalog into one warehouse's SQL. Thread-safe; relative
 * date ranges ({@code last 7 days}) are resolved with the injected clock.
 */
public final class SemanticCompiler {
  private final SemanticCatalog catalog;
  private final Clock clock;

  public SemanticCompiler(SemanticCatalog catalog) {
    this(catalog, Clock.systemUTC());
  }

  public SemanticCompiler(SemanticCatalog catalog, Clock clock) {
    this.catalog = catalog;
    this.clock = clock;
  }

  public SemanticCatalog catalog() {
    return catalog;
  }

  /**
   * Compiles a query. Throws {@link QueryException} naming the problem and where it is when the
   * query cannot be answered (unknown member, granularity on a non-time dimension, no join path).
   */
  public CompiledQuery compile(SemanticQuery query, Dialect dialect) {
    throw new UnsupportedOperationException("not yet");
  }
}
