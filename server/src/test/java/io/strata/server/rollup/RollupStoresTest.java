package io.strata.server.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.server.datasource.DataSourceKind;
import io.strata.server.datasource.DataSourceRegistry;
import io.strata.server.datasource.DataSourceSpec;
import io.strata.server.query.TestSupport;
import io.strata.testkit.Answers;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The rollup stores on real databases: a partition written into the local DuckDB store (from
 * DuckDB and from Postgres, through Arrow) or into a schema of the source (Postgres, MariaDB,
 * DuckDB) holds exactly the rows its build SQL returns at the source, decimals included; a
 * build SQL that fails leaves no table behind; a local version is one table holding its
 * partitions' rows (a source version is a view over them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RollupStoresTest {
  /** Every type a rollup column has: text, timestamp, integer count, exact decimal sum. */
  static final String BUILD = "SELECT o.channel AS orders__channel,"
      + " DATE_TRUNC('month', o.ordered_at) AS orders__ordered_at_month,"
      + " COUNT(*) AS orders__count,"
      + " SUM(i.quantity * i.unit_price) AS order_items__gross"
      + " FROM retail.orders o JOIN retail.order_items i ON i.order_id = o.order_id"
      + " GROUP BY 1, 2";
  static final String BUILD_MYSQL = "SELECT o.channel AS orders__channel,"
      + " CAST(DATE_FORMAT(o.ordered_at, '%Y-%m-01') AS DATETIME) AS orders__ordered_at_month,"
      + " COUNT(*) AS orders__count,"
      + " SUM(i.quantity * i.unit_price) AS order_items__gross"
      + " FROM retail.orders o JOIN retail.order_items i ON i.order_id = o.order_id"
      + " GROUP BY 1, 2";
  static final List<String> COLUMNS = List.of("orders__channel", "orders__ordered_at_month",
      "orders__count", "order_items__gross");
  static final String ORDER = " ORDER BY 1, 2";

  DataSourceRegistry registry;
  BufferAllocator allocator;
  LocalRollupStore local;
  Map<String, DataSourceSpec> specs = new HashMap<>();

  @BeforeAll
  void start() throws Exception {
    registry = new DataSourceRegistry();
    allocator = new RootAllocator();
    Path dir = Files.createTempDirectory("strata-rollup-stores");
    registry.put(DataSourceSpec.of(LocalRollupStore.DATA_SOURCE, DataSourceKind.DUCKDB,
        "jdbc:duckdb:" + dir.resolve("rollups.duckdb")));
    local = new LocalRollupStore(registry, allocator, "test");
    specs.put("duck", TestSupport.duckdbSpec("duck"));
    DataSourceSpec pg = TestSupport.postgresSpec("pg");
    specs.put("pg", pg.withProperties(Map.of(DataSourceSpec.ROLLUP_SCHEMA, "strata_rollup_test")));
    DataSourceSpec maria = TestSupport.mariadbSpec("maria");
    specs.put("maria", maria.withProperties(Map.of(DataSourceSpec.ROLLUP_SCHEMA,
        "strata_rollup_test")));
    // a DuckDB source store writes into the warehouse: a copy of its own, not the shared demo
    Path copy = dir.resolve("source.duckdb");
    try (Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + copy)) {
      io.strata.demo.DemoData.loadDuckDb(c, TestSupport.SCALE);
    }
    specs.put("duckcopy", new DataSourceSpec("duckcopy", DataSourceKind.DUCKDB,
        "jdbc:duckdb:" + copy, null, null, Map.of(DataSourceSpec.ROLLUP_SCHEMA, "rollups"),
        null));
    specs.values().forEach(registry::put);
  }

  @AfterAll
  void stop() {
    registry.close();
    allocator.close();
  }

  @Test
  void theLocalStoreHoldsExactlyTheSourceRowsFromDuckDbAndPostgres() throws Exception {
    for (String source : List.of("duck", "pg")) {
      String table = "t_local_" + source;
      local.drop(table, false);
      PartitionStore.Written w = local.write(table, source, BUILD, COLUMNS);
      assertSameRows(source, BUILD, LocalRollupStore.DATA_SOURCE,
          "SELECT * FROM " + local.qualified(table));
      assertThat(w.rows()).as(source).isEqualTo(count(source, BUILD));
      assertThat(w.bytes()).isPositive();
      assertThat(sum(LocalRollupStore.DATA_SOURCE, "SELECT SUM(order_items__gross) FROM "
          + local.qualified(table))).as("decimal sums, exactly")
          .isEqualByComparingTo(sum(source, "SELECT SUM(order_items__gross) FROM (" + BUILD
              + ") AS b"));
    }
  }

  @Test
  void theSourceStoreWritesIntoTheConfiguredSchemaOfPostgresMariadbAndDuckDb() throws Exception {
    for (String source : List.of("pg", "maria", "duckcopy")) {
      String build = source.equals("maria") ? BUILD_MYSQL : BUILD;
      SourceRollupStore store = new SourceRollupStore(registry, source,
          specs.get(source).rollupSchema());
      String table = "t_source";
      store.drop("v_source", true);
      store.drop(table, false);
      PartitionStore.Written w = store.write(table, source, build, COLUMNS);
      assertThat(w.rows()).as(source).isEqualTo(count(source, build));
      assertSameRows(source, build, source, "SELECT * FROM " + store.qualified(table));
      store.createView("v_source", List.of(table));
      assertSameRows(source, build, source, "SELECT * FROM " + store.path("v_source"));
      store.drop("v_source", true);
      store.drop(table, false);
    }
  }

  @Test
  void aLocalVersionIsOneTableHoldingTheRowsOfItsPartitions() throws Exception {
    String version = "sr_test_union_v1";
    local.drop(version, true);
    local.drop("p_web", false);
    local.drop("p_other", false);
    String web = "SELECT * FROM (" + BUILD + ") AS b WHERE orders__channel = 'web'";
    String other = "SELECT * FROM (" + BUILD + ") AS b WHERE orders__channel <> 'web'";
    local.write("p_web", "duck", web, COLUMNS);
    local.write("p_other", "duck", other, COLUMNS);
    local.createView(version, List.of("p_web", "p_other"));
    assertSameRows("duck", BUILD, LocalRollupStore.DATA_SOURCE,
        "SELECT * FROM " + local.path(version));
    assertThat(tableType(version)).as("one table, not a UNION ALL view").isEqualTo("BASE TABLE");
    assertThat(local.versions()).contains(version).doesNotContain("p_web", "p_other");
    // the partition tables are the next build's to reuse or drop; the version does not read them
    local.drop("p_other", false);
    assertSameRows("duck", BUILD, LocalRollupStore.DATA_SOURCE,
        "SELECT * FROM " + local.path(version));
    local.drop(version, true);
    assertThat(tableType(version)).isNull();
    assertThat(local.versions()).doesNotContain(version);
  }

  @Test
  void aVersionViewAnEarlierReleaseBuiltIsListedAndDropped() throws Exception {
    String version = "sr_test_legacy_v3";
    local.drop(version, true);
    local.drop("p_legacy", false);
    local.write("p_legacy", "duck", BUILD, COLUMNS);
    try (Connection c = registry.connect(LocalRollupStore.DATA_SOURCE);
        Statement st = c.createStatement()) {
      st.execute("CREATE VIEW " + local.qualified(version) + " AS SELECT * FROM "
          + local.qualified("p_legacy"));
    }
    assertThat(tableType(version)).isEqualTo("VIEW");
    assertThat(local.versions()).contains(version);
    local.drop(version, true);
    assertThat(tableType(version)).as("dropped as what it is").isNull();
    local.drop("p_legacy", false);
  }

  private String tableType(String name) throws SQLException {
    try (Connection c = registry.connect(LocalRollupStore.DATA_SOURCE);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT table_type FROM information_schema.tables"
            + " WHERE table_name = '" + name + "'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  @Test
  void aFailingBuildLeavesNoTable() throws Exception {
    String table = "t_failed";
    // the error comes from the source after rows started to arrive
    String failing = "SELECT channel AS orders__channel, ordered_at AS orders__ordered_at_month,"
        + " 1 AS orders__count, CAST(1 / (order_id - 5) AS DECIMAL(18,2))"
        + " AS order_items__gross FROM retail.orders ORDER BY order_id";
    assertThatThrownBy(() -> local.write(table, "pg", failing, COLUMNS))
        .isInstanceOf(SQLException.class).hasMessageContaining("division by zero");
    assertThat(exists(LocalRollupStore.DATA_SOURCE, "main", table)).isFalse();
    SourceRollupStore pg = new SourceRollupStore(registry, "pg", "strata_rollup_test");
    assertThatThrownBy(() -> pg.write(table, "pg", failing, COLUMNS))
        .isInstanceOf(SQLException.class);
    assertThat(exists("pg", "strata_rollup_test", table)).isFalse();
  }

  @Test
  void theRollupSchemaPropertyIsCheckedAndNeverReachesTheDriver() {
    DataSourceSpec bad = DataSourceSpec.of("x", DataSourceKind.POSTGRES,
        "jdbc:postgresql://127.0.0.1/db").withProperties(Map.of("rollup_schema", "Bad-Name"));
    assertThat(bad.problems()).anySatisfy(p -> assertThat(p)
        .contains("property 'rollup_schema' must be a schema name").contains("'Bad-Name'"));
    assertThat(DataSourceRegistry.driverProperties(specs.get("duckcopy")))
        .doesNotContainKey("rollup_schema");
  }

  private void assertSameRows(String source, String sql, String store, String read)
      throws SQLException {
    List<List<String>> expected;
    List<List<String>> actual;
    try (Connection c = registry.connect(source)) {
      expected = Answers.run(c, "SELECT * FROM (" + sql + ") AS b" + ORDER, List.of());
    }
    try (Connection c = registry.connect(store)) {
      actual = Answers.run(c, "SELECT * FROM (" + read + ") AS r" + ORDER, List.of());
    }
    assertThat(actual).as(source + " -> " + store).isNotEmpty();
    assertThat(Answers.compare(expected, actual, java.util.Set.of(), true))
        .as(source + " -> " + store).isNull();
  }

  private long count(String source, String sql) throws SQLException {
    try (Connection c = registry.connect(source); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM (" + sql + ") AS b")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private BigDecimal sum(String source, String sql) throws SQLException {
    try (Connection c = registry.connect(source); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getBigDecimal(1);
    }
  }

  private boolean exists(String source, String schema, String table) throws SQLException {
    try (Connection c = registry.connect(source);
        ResultSet rs = c.getMetaData().getTables(null, schema, table, null)) {
      return rs.next();
    }
  }
}
