package io.strata.server.rollup;

import io.strata.semantic.dialect.Dialect;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The statements a rollup store issues in one warehouse dialect: its schema, a partition's table
 * (DDL or {@code CREATE TABLE ... AS} the build query), the view that makes a version readable,
 * the cleanup of replaced versions, and the row count and size of a table. Both stores write
 * their SQL through this one class, so every dialect (Postgres, MySQL and DuckDB run it in
 * tests; Snowflake, BigQuery and Redshift are checked against golden files) gets the same
 * statements.
 *
 * <p>Identifiers are quoted as the compiler quotes them (only when the dialect needs it: a
 * reserved word such as {@code at} or {@code order}, a capital where unquoted names fold to
 * lower case), so the names a store creates are the names the compiled queries over it read,
 * including on Snowflake, which folds unquoted names to upper case.
 */
final class RollupSql {
  private final Dialect dialect;

  RollupSql(Dialect dialect) {
    this.dialect = dialect;
  }

  Dialect dialect() {
    return dialect;
  }

  /** {@code name} quoted for this dialect when it needs to be. */
  String quote(String name) {
    return dialect.sqlDialect().calcite().quoteIdentifier(new StringBuilder(), name).toString();
  }

  /** {@code schema.name}, each part quoted when needed. */
  String qualified(String schema, String name) {
    return quote(schema) + "." + quote(name);
  }

  String createSchema(String schema) {
    return "CREATE SCHEMA IF NOT EXISTS " + quote(schema);
  }

  /** A new empty table of {@code columns} (name and SQL type pairs), for loaders that append. */
  String createTable(String table, List<String[]> columns) {
    return "CREATE TABLE " + table + " (" + columns.stream()
        .map(c -> quote(c[0]) + " " + c[1]).collect(Collectors.joining(", ")) + ")";
  }

  /**
   * {@code CREATE TABLE t AS SELECT ...}, with the build query's columns renamed to the
   * layout's: Postgres, DuckDB, Snowflake and Redshift take a column list after the name; MySQL
   * and BigQuery do not, so their build query's own names are kept (the layout names them the
   * same way: they are the compiled query's aliases).
   */
  String createTableAs(String table, List<String> columns, String sql) {
    if (dialect == Dialect.MYSQL || dialect == Dialect.BIGQUERY) {
      return "CREATE TABLE " + table + " AS " + sql;
    }
    return "CREATE TABLE " + table + " (" + columns.stream().map(this::quote)
        .collect(Collectors.joining(", ")) + ") AS " + sql;
  }

  String count(String table) {
    return "SELECT COUNT(*) FROM " + table;
  }

  /**
   * The view over the partitions of one version: their UNION ALL (one partition: itself). A
   * version becomes the served one when the metadata database's row names this view (one
   * UPDATE, {@link RollupStatusStore#publish}); creating it changes nothing queries read.
   */
  String createView(String view, List<String> tables) {
    return "CREATE VIEW " + view + " AS " + tables.stream()
        .map(t -> "SELECT * FROM " + t).collect(Collectors.joining(" UNION ALL "));
  }

  /**
   * The local store's form of a version: one table holding the rows of all its partitions,
   * copied in the order given (oldest partition first).
   */
  String createMergedTable(String table, List<String> tables) {
    return "CREATE TABLE " + table + " AS " + tables.stream()
        .map(t -> "SELECT * FROM " + t).collect(Collectors.joining(" UNION ALL "));
  }

  String drop(String relation, boolean view) {
    return "DROP " + (view ? "VIEW" : "TABLE") + " IF EXISTS " + relation;
  }

  /**
   * The statement that reads a table's size in bytes, and its parameters; null where the
   * warehouse has no cheap way (DuckDB: the size is counted while loading, or 0).
   */
  Statement size(String schema, String table) {
    return switch (dialect) {
      case POSTGRES -> new Statement("SELECT pg_total_relation_size(CAST(? AS regclass))",
          List.of(qualified(schema, table)));
      case REDSHIFT -> new Statement("SELECT size * 1048576 FROM svv_table_info"
          + " WHERE \"schema\" = ? AND \"table\" = ?", List.of(folded(schema), folded(table)));
      case MYSQL -> new Statement("SELECT COALESCE(data_length, 0) + COALESCE(index_length, 0)"
          + " FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
          List.of(schema, table));
      case SNOWFLAKE -> new Statement("SELECT bytes FROM information_schema.tables"
          + " WHERE table_schema = ? AND table_name = ?", List.of(folded(schema), folded(table)));
      case BIGQUERY -> new Statement("SELECT size_bytes FROM " + quote(schema) + ".__TABLES__"
          + " WHERE table_id = ?", List.of(table));
      case DUCKDB -> null;
    };
  }

  /** The name the warehouse's catalog records for {@code name} as {@link #quote} writes it. */
  private String folded(String name) {
    if (dialect.sqlDialect().needsQuote(name)) {
      return name;
    }
    return dialect == Dialect.SNOWFLAKE ? name.toUpperCase(Locale.ROOT)
        : name.toLowerCase(Locale.ROOT);
  }

  /** A statement with its parameters, in order. */
  record Statement(String sql, List<String> parameters) {}
}
