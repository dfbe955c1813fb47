package io.strata.server.rollup;

import io.strata.semantic.dialect.Dialect;
import io.strata.server.datasource.DataSourceRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code source} store: tables in schema {@code rollup_schema} (a data-source property) of
 * the warehouse the rollup's model reads, written with {@code CREATE TABLE ... AS} from the
 * build query, so the rows never leave the warehouse. Queries over it run on the same data
 * source. Postgres, MySQL/MariaDB and DuckDB run it; the statements are plain SQL that
 * Snowflake, BigQuery and Redshift accept too.
 */
final class SourceRollupStore implements PartitionStore {
  private static final Logger LOG = LoggerFactory.getLogger(SourceRollupStore.class);

  private final DataSourceRegistry registry;
  private final String dataSource;
  private final String schema;
  private final Dialect dialect;

  SourceRollupStore(DataSourceRegistry registry, String dataSource, String schema) {
    this.registry = registry;
    this.dataSource = dataSource;
    this.schema = schema;
    this.dialect = registry.dialect(dataSource);
  }

  @Override
  public String id() {
    return "source:" + dataSource + "." + schema;
  }

  @Override
  public String dataSource() {
    return dataSource;
  }

  @Override
  public Dialect dialect() {
    return dialect;
  }

  private String quote(String name) {
    return dialect == Dialect.MYSQL || dialect == Dialect.BIGQUERY
        ? "`" + name.replace("`", "``") + "`" : "\"" + name.replace("\"", "\"\"") + "\"";
  }

  @Override
  public String path(String name) {
    return schema + "." + name;
  }

  @Override
  public String qualified(String name) {
    return quote(schema) + "." + quote(name);
  }

  @Override
  public Written write(String table, String source, String sql, List<String> columns)
      throws SQLException {
    try (Connection c = registry.connect(dataSource); Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA IF NOT EXISTS " + quote(schema));
      List<String> renamed = new ArrayList<>();
      for (int i = 0; i < columns.size(); i++) {
        renamed.add(quote(columns.get(i)));
      }
      try {
        st.execute(createTableAs(qualified(table), sql, renamed));
      } catch (SQLException e) {
        drop(table, false); // MySQL's CREATE ... AS SELECT is not atomic
        throw e;
      }
      long rows;
      try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + qualified(table))) {
        rs.next();
        rows = rs.getLong(1);
      }
      return new Written(rows, size(c, table));
    }
  }

  /**
   * {@code CREATE TABLE t AS SELECT ...}, with the build query's columns renamed to the
   * layout's: Postgres, DuckDB, Snowflake and Redshift take a column list after the name; MySQL
   * and BigQuery do not, so their build query's own names are kept (the layout names them the
   * same way).
   */
  private String createTableAs(String table, String sql, List<String> columns) {
    if (dialect == Dialect.MYSQL || dialect == Dialect.BIGQUERY) {
      return "CREATE TABLE " + table + " AS " + sql;
    }
    return "CREATE TABLE " + table + " (" + String.join(", ", columns) + ") AS " + sql;
  }

  private long size(Connection c, String table) {
    String sql = switch (dialect) {
      case POSTGRES, REDSHIFT -> "SELECT pg_total_relation_size(CAST(? AS regclass))";
      case MYSQL -> "SELECT COALESCE(data_length, 0) + COALESCE(index_length, 0) FROM"
          + " information_schema.tables WHERE CONCAT(table_schema, '.', table_name) = ?";
      default -> null;
    };
    if (sql == null) {
      return 0;
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, dialect == Dialect.MYSQL ? schema + "." + table : qualified(table));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    } catch (SQLException e) {
      LOG.debug("size of rollup table {} not read: {}", table, e.getMessage());
      return 0;
    }
  }

  @Override
  public void createView(String view, List<String> tables) throws SQLException {
    try (Connection c = registry.connect(dataSource); Statement st = c.createStatement()) {
      st.execute(RollupSql.createView(qualified(view), tables.stream().map(this::qualified)
          .toList()));
    }
  }

  @Override
  public void drop(String relation, boolean view) {
    try (Connection c = registry.connect(dataSource); Statement st = c.createStatement()) {
      st.execute("DROP " + (view ? "VIEW" : "TABLE") + " IF EXISTS " + qualified(relation));
    } catch (SQLException | RuntimeException e) {
      LOG.warn("could not drop rollup relation {} from data source '{}': {}", relation,
          dataSource, e.getMessage());
    }
  }
}
