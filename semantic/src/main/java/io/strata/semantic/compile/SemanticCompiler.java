package io.strata.semantic.compile;

import io.strata.semantic.dialect.Dialect;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.QueryException;
import io.strata.semantic.query.SemanticQuery;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Compiles semantic queries against a catalog into one warehouse's SQL. Thread-safe.
 * Relative date ranges ({@code last 7 days}) are resolved with the injected clock. Compiled
 * queries are cached by (query, dialect, today's date), so a repeated query costs a map lookup.
 */
public final class SemanticCompiler {
  private static final int CACHE_LIMIT = 10_000;
  private final SemanticCatalog catalog;
  private final Clock clock;
  private final Map<Key, CompiledQuery> cache = new ConcurrentHashMap<>();

  /** Relative date ranges make a plan valid for one day in the query's zone. */
  private record Key(SemanticQuery query, Dialect dialect, LocalDate today) {}

  /** The data source each query reads, so its dialect is known before the plan cache is asked. */
  private final Map<SemanticQuery, String> dataSources = new ConcurrentHashMap<>();

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
    ZoneId zone = Compilation.zone(query);
    LocalDate today = LocalDate.now(clock.withZone(zone));
    Key key = new Key(query, dialect, today);
    CompiledQuery cached = cache.get(key);
    if (cached != null) {
      return cached;
    }
    CompiledQuery compiled = new Compilation(catalog, zone, today).compile(query, ds -> dialect);
    remember(key, compiled);
    return compiled;
  }

  /**
   * Compiles a query for the dialect of the data source its models read, as {@code dialectOf}
   * maps it (the server's data-source registry). A query whose models live in two data sources
   * is refused with {@link QueryException.Code#INVALID_QUERY}; {@code dialectOf} may throw for
   * a data source it does not know, and that exception reaches the caller unchanged.
   */
  public CompiledQuery compile(SemanticQuery query, Function<String, Dialect> dialectOf) {
    String dataSource = dataSources.get(query);
    if (dataSource != null) {
      return compile(query, dialectOf.apply(dataSource));
    }
    ZoneId zone = Compilation.zone(query);
    LocalDate today = LocalDate.now(clock.withZone(zone));
    CompiledQuery compiled = new Compilation(catalog, zone, today).compile(query, dialectOf);
    if (dataSources.size() >= CACHE_LIMIT) {
      dataSources.clear();
    }
    dataSources.put(query, compiled.dataSource());
    remember(new Key(query, compiled.dialect(), today), compiled);
    return compiled;
  }

  private void remember(Key key, CompiledQuery compiled) {
    if (cache.size() >= CACHE_LIMIT) {
      cache.clear(); // crude bound; the results cache in acceleration does the real work
    }
    cache.put(key, compiled);
  }

  /** Compiles without consulting or filling the plan cache (for benchmarks of cold compiles). */
  public CompiledQuery compileUncached(SemanticQuery query, Dialect dialect) {
    ZoneId zone = Compilation.zone(query);
    return new Compilation(catalog, zone, LocalDate.now(clock.withZone(zone)))
        .compile(query, ds -> dialect);
  }
}
