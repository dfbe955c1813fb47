package io.strata.server.rollup;

import io.strata.semantic.dialect.Dialect;
import io.strata.server.datasource.DataSourceRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code source} store: tables in schema {@code rollup_schema} (a data-source property) of
 * the warehouse the rollup's model reads, written with {@code CREATE TABLE ... AS} from the
 * build query, so the rows never leave the warehouse. Queries over it run on the same data
 * source. Every statement comes from {@link RollupSql} in the data source's dialect: Postgres,
 * MySQL/MariaDB and DuckDB run them in tests; Snowflake, BigQuery and Redshift are checked
 * against golden files ({@code SourceStoreGoldenSqlTest}), through the methods below that
 * {@link #write}, {@link #createView} and {@link #drop} execute.
 */
final class SourceRollupStore implements PartitionStore {
  private static final Logger LOG = LoggerFactory.getLogger(SourceRollupStore.class);

  private final DataSourceRegistry registry;
  private final String dataSource;
  private final String schema;
  private final RollupSql sql;

  SourceRollupStore(DataSourceRegistry registry, String dataSource, String schema) {
    this(registry, dataSource, schema, registry.dialect(dataSource));
  }

  SourceRollupStore(DataSourceRegistry registry, String dataSource, String schema,
      Dialect dialect) {
    this.registry = registry;
    this.dataSource = dataSource;
    this.schema = schema;
    this.sql = new RollupSql(dialect);
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
    return sql.dialect();
  }

  @Override
  public String path(String name) {
    return schema + "." + name;
  }

  @Override
  public String qualified(String name) {
    return sql.qualified(schema, name);
  }

  /** What {@link #write} runs to create a partition's table: the schema, then the table. */
  List<String> writeStatements(String table, String buildSql, List<String> columns) {
    return List.of(sql.createSchema(schema),
        sql.createTableAs(qualified(table), columns, buildSql));
  }

  /** What {@link #write} runs after the table is written: its row count. */
  String countStatement(String table) {
    return sql.count(qualified(table));
  }

  /** What {@link #write} runs to read the table's size (null: not read). */
  RollupSql.Statement sizeStatement(String table) {
    return sql.size(schema, table);
  }

  /** What {@link #createView} runs. */
  String viewStatement(String view, List<String> tables) {
    return sql.createView(qualified(view), tables.stream().map(this::qualified).toList());
  }

  /** What {@link #drop} runs. */
  String dropStatement(String relation, boolean view) {
    return sql.drop(qualified(relation), view);
  }

  @Override
  public Written write(String table, String source, String buildSql, List<String> columns)
      throws SQLException {
    List<String> statements = writeStatements(table, buildSql, columns);
    try (Connection c = registry.connect(dataSource); Statement st = c.createStatement()) {
      st.execute(statements.get(0));
      try {
        st.execute(statements.get(1));
      } catch (SQLException e) {
        drop(table, false); // MySQL's CREATE ... AS SELECT is not atomic
        throw e;
      }
      long rows;
      try (ResultSet rs = st.executeQuery(countStatement(table))) {
        rs.next();
        rows = rs.getLong(1);
      }
      return new Written(rows, size(c, table));
    }
  }

  private long size(Connection c, String table) {
    RollupSql.Statement s = sizeStatement(table);
    if (s == null) {
      return 0;
    }
    try (PreparedStatement ps = c.prepareStatement(s.sql())) {
      for (int i = 0; i < s.parameters().size(); i++) {
        ps.setString(i + 1, s.parameters().get(i));
      }
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
      st.execute(viewStatement(view, tables));
    }
  }

  @Override
  public void drop(String relation, boolean view) {
    try (Connection c = registry.connect(dataSource); Statement st = c.createStatement()) {
      st.execute(dropStatement(relation, view));
    } catch (SQLException | RuntimeException e) {
      LOG.warn("could not drop rollup relation {} from data source '{}': {}", relation,
          dataSource, e.getMessage());
    }
  }
}
