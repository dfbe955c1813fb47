package io.strata.server.sql;

import io.strata.semantic.model.SemanticCatalog;
import io.strata.server.datasource.DataSourceRegistry;
import io.strata.server.query.QueryService;
import java.util.List;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;

/**
 * SQL over the semantic layer and the data sources: the one SQL path of the JDBC, Flight SQL
 * and REST endpoints. Thread-safe.
 */
public final class SqlService implements AutoCloseable {
  private final Supplier<SemanticCatalog> catalog;
  private final DataSourceRegistry registry;
  private final QueryService queries;
  private final BufferAllocator allocator;

  public SqlService(Supplier<SemanticCatalog> catalog, DataSourceRegistry registry,
      QueryService queries, BufferAllocator allocator) {
    this.catalog = catalog;
    this.registry = registry;
    this.queries = queries;
    this.allocator = allocator;
  }

  /**
   * Parses and checks one statement without running it.
   *
   * @throws SqlQueryException not valid SQL, not read-only, unknown names
   */
  public PreparedSql prepare(String sql) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Runs a prepared statement with its parameter values (JDBC values: String, Integer, Long,
   * BigDecimal, Double, Boolean, java.sql.Date/Timestamp, LocalDate, LocalDateTime...). The
   * first batch is read before this returns, so warehouse errors surface here.
   *
   * @throws SqlQueryException the statement does not translate, or a parameter is missing
   * @throws RuntimeException the query service's exceptions ({@code QueryException},
   *     {@code DataSourceException}, {@code QueryExecutionException})
   */
  public SqlCursor execute(PreparedSql statement, List<Object> parameters, SqlSession session) {
    throw new UnsupportedOperationException("not yet");
  }

  /** Prepares and runs a statement without parameters. */
  public SqlCursor execute(String sql, SqlSession session) {
    return execute(prepare(sql), List.of(), session);
  }

  /** Every table a client may query: the semantic schema's, then each data source's. */
  public List<SqlTable> tables() {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void close() {}
}
