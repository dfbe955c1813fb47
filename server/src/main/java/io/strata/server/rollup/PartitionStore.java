package io.strata.server.rollup;

import io.strata.semantic.dialect.Dialect;
import java.sql.SQLException;
import java.util.List;

/**
 * Where a rollup's partitions are written and read: the {@code local} DuckDB file of this
 * server ({@link LocalRollupStore}) or a schema of the source warehouse
 * ({@link SourceRollupStore}).
 *
 * <p>Contract: {@link #write} creates a new table and either fills it whole or leaves nothing
 * (a half-written table is dropped before the error is thrown); {@link #createView} creates
 * the relation of a version over finished tables in one statement; nothing a store does changes what queries
 * already read, since they read the view named in the metadata database, which only
 * {@link RollupService} flips. Called from build jobs, one build per rollup at a time.
 */
interface PartitionStore {
  /** What {@code strata_rollups.store} records: the store kind and where it is. */
  String id();

  /** The registered data source queries over this store run on. */
  String dataSource();

  Dialect dialect();

  /**
   * {@code name} as a dot-separated path of unquoted identifiers (the form of a model's
   * {@code table}): what queries over the store read.
   */
  String path(String name);

  /** {@code name} qualified and quoted for this store's SQL. */
  String qualified(String name);

  /**
   * Runs {@code sql} on data source {@code source} and writes its rows into a new table
   * {@code table}, its columns named {@code columns} by position.
   */
  Written write(String table, String source, String sql, List<String> columns)
      throws SQLException;

  /**
   * Creates {@code view}, the relation a version is read through, holding the rows of
   * {@code tables}: a view over their UNION ALL in the source store; one table with their rows
   * in the local store (DuckDB answers from one table much faster than from a UNION ALL of
   * dozens). Either way in one statement, and nothing reads it before it is published.
   */
  void createView(String view, List<String> tables) throws SQLException;

  /**
   * Drops a version's relation ({@code view} true) or a partition table if it exists (failures
   * are logged: leftovers cost space only).
   */
  void drop(String relation, boolean view);

  /** What one partition write produced. */
  record Written(long rows, long bytes) {}
}
