package io.strata.server.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.strata.server.TestServer;
import io.strata.server.security.SecurityContext;
import io.strata.server.sql.SqlColumn;
import io.strata.server.sql.SqlService;
import io.strata.server.sql.SqlTable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import schemacrawler.schema.Catalog;
import schemacrawler.schema.Column;
import schemacrawler.schema.Table;
import schemacrawler.schemacrawler.LimitOptionsBuilder;
import schemacrawler.schemacrawler.LoadOptionsBuilder;
import schemacrawler.schemacrawler.SchemaCrawlerOptions;
import schemacrawler.schemacrawler.SchemaCrawlerOptionsBuilder;
import schemacrawler.schemacrawler.SchemaInfoLevelBuilder;
import schemacrawler.tools.utility.SchemaCrawlerUtility;
import us.fatehi.utility.datasource.DatabaseConnectionSources;

/**
 * What stock JDBC clients, which nobody on the project wrote, get from Strata: every
 * {@link DatabaseMetaData} method, checked against the catalog the server holds; SchemaCrawler's
 * full crawl; sqlline's {@code !tables}, {@code !columns} and {@code !primarykeys}; results read
 * by label. Each test runs once per {@link #targets() target}; a module with another client
 * (the shaded {@code jdbc:strata:} driver, pgjdbc) subclasses this and lists its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class JdbcConformance {
  private TestServer server;

  /** The clients under test. */
  protected abstract List<JdbcTarget> targets();

  protected TestServer server() {
    return server;
  }

  /**
   * The schema a client shows a catalog table in: its schema (the Postgres catalog shows a data
   * source's schema as {@code datasource.schema}, and overrides this).
   */
  protected String schemaShown(SqlTable table) {
    return table.schema();
  }

  /** Type names getTypeInfo must list (in the client's own spelling). */
  protected List<String> typeNames() {
    return List.of("BIGINT", "DECIMAL", "VARCHAR", "DATE", "TIMESTAMP", "BOOLEAN", "DOUBLE");
  }

  @BeforeAll
  protected void startServer() {
    server = TestServer.start(Map.of());
  }

  @AfterAll
  protected void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  /** What the catalog holds for the admin: the reference every answer is checked against. */
  protected List<SqlTable> catalog() {
    return server.context().getBean(SqlService.class).tables(SecurityContext.internal("admin"));
  }

  private SqlTable catalogTable(String schema, String name) {
    return catalog().stream().filter(t -> t.schema().equals(schema) && t.name().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no " + schema + "." + name));
  }

  private Stream<DynamicTest> each(String what, TargetTest test) {
    return targets().stream().map(t -> dynamicTest(what + " [" + t.name() + "]", () -> {
      try (Connection c = t.connect(server)) {
        test.run(t, c);
      }
    }));
  }

  @FunctionalInterface
  private interface TargetTest {
    void run(JdbcTarget target, Connection c) throws Exception;
  }

  // ------------------------------------------------------------------ DatabaseMetaData

  /**
   * Every DatabaseMetaData method answers (a result set is read to its end, every column by its
   * label), or behaves exactly as the target's pinned {@link JdbcTarget.Limit} says: a stock
   * client's own limits, SQLFeatureNotSupportedException included, are pinned so that a client
   * upgrade that changes one fails here, and the pin (and the README's list) is updated.
   */
  @TestFactory
  Stream<DynamicTest> everyMetadataMethodAnswers() {
    return each("every DatabaseMetaData method", (t, c) -> {
      DatabaseMetaData md = c.getMetaData();
      Map<String, String> failures = new TreeMap<>();
      List<Method> methods = Arrays.stream(DatabaseMetaData.class.getMethods())
          .filter(m -> !Modifier.isStatic(m.getModifiers()))
          .sorted(Comparator.comparing(Method::getName)
              .thenComparing(m -> m.getParameterCount()))
          .toList();
      assertThat(methods).hasSizeGreaterThan(170);
      Set<String> keys = new TreeSet<>();
      for (Method m : methods) {
        keys.add(m.getName());
        keys.add(key(m));
      }
      t.clientLimits().forEach((method, limit) -> {
        if (limit.pinned()) {
          assertThat(keys).as("a pinned limit of " + t.name() + " names a DatabaseMetaData"
              + " method (name, or name/arguments for one overload)").contains(method);
        }
      });
      for (Method m : methods) {
        String key = key(m);
        JdbcTarget.Limit limit = t.clientLimits().containsKey(key) ? t.clientLimits().get(key)
            : t.clientLimits().get(m.getName());
        Object result = null;
        Throwable thrown = null;
        try {
          result = m.invoke(md, arguments(m));
        } catch (InvocationTargetException e) {
          thrown = e.getCause();
        }
        if (limit != null && limit.pinned()) {
          String mismatch = limit.mismatch(result, thrown);
          if (mismatch != null) {
            failures.put(key, "the pinned limit changed (" + limit.why() + "): " + mismatch);
          }
          if (result instanceof ResultSet rs) {
            rs.close();
          }
        } else if (thrown instanceof SQLFeatureNotSupportedException) {
          failures.put(key, "unpinned " + thrown + " (allowed: pin it as Limit.unsupported)");
        } else if (thrown != null) {
          failures.put(key, thrown.getClass().getName() + ": " + thrown.getMessage());
        } else if (result instanceof ResultSet rs) {
          try (rs) {
            readByLabel(rs);
          }
        }
      }
      assertThat(failures).as("methods that threw through " + t.name()).isEmpty();
    });
  }

  /** A method's name, with its number of arguments when it has any: {@code supportsConvert/2}. */
  private static String key(Method m) {
    return m.getName() + (m.getParameterCount() == 0 ? "" : "/" + m.getParameterCount());
  }

  /** Arguments a client would pass: the demo's orders table, patterns matching everything. */
  private static Object[] arguments(Method m) {
    Class<?>[] types = m.getParameterTypes();
    Object[] args = new Object[types.length];
    boolean tableNamed = m.getName().equals("getPrimaryKeys")
        || m.getName().equals("getImportedKeys") || m.getName().equals("getExportedKeys")
        || m.getName().equals("getBestRowIdentifier") || m.getName().equals("getVersionColumns")
        || m.getName().equals("getIndexInfo") || m.getName().equals("getCrossReference");
    int strings = 0;
    for (int i = 0; i < types.length; i++) {
      Class<?> p = types[i];
      if (p == String.class) {
        // catalog, schema, table (catalog, schema, table for getCrossReference)
        int position = strings++ % 3;
        args[i] = switch (position) {
          case 0 -> null;
          case 1 -> tableNamed ? "semantic" : null;
          default -> tableNamed ? "orders" : "%";
        };
      } else if (p == int.class) {
        args[i] = switch (m.getName()) {
          case "supportsTransactionIsolationLevel" -> Connection.TRANSACTION_NONE;
          case "supportsResultSetHoldability" -> ResultSet.CLOSE_CURSORS_AT_COMMIT;
          case "getBestRowIdentifier" -> DatabaseMetaData.bestRowSession;
          case "supportsConvert" -> i == 0 ? Types.INTEGER : Types.VARCHAR;
          case "supportsResultSetConcurrency" -> i == 0 ? ResultSet.TYPE_FORWARD_ONLY
              : ResultSet.CONCUR_READ_ONLY;
          default -> ResultSet.TYPE_FORWARD_ONLY;
        };
      } else if (p == boolean.class) {
        args[i] = false;
      } else if (p == Class.class) {
        args[i] = DatabaseMetaData.class;
      } else if (p == int[].class || p == String[].class) {
        args[i] = null;
      } else {
        throw new AssertionError("no argument for " + m);
      }
    }
    if (m.getName().equals("unwrap")) {
      args[0] = DatabaseMetaData.class;
    }
    return args;
  }

  /** Reads every row, each column by its label; the label must find the same value. */
  static List<Map<String, Object>> readByLabel(ResultSet rs) throws SQLException {
    ResultSetMetaData meta = rs.getMetaData();
    int n = meta.getColumnCount();
    List<Map<String, Object>> rows = new ArrayList<>();
    Set<String> labels = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 1; i <= n; i++) {
      labels.add(meta.getColumnLabel(i));
    }
    while (rs.next()) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (int i = 1; i <= n; i++) {
        String label = meta.getColumnLabel(i);
        Object byIndex = rs.getObject(i);
        if (labels.size() == n) { // with duplicate labels only the first is reachable
          Object byLabel = rs.getObject(label);
          assertThat(String.valueOf(byLabel)).as("column " + label + " by label")
              .isEqualTo(String.valueOf(byIndex));
        }
        row.put(label, byIndex);
      }
      rows.add(row);
    }
    return rows;
  }

  private static List<Map<String, Object>> rows(ResultSet rs) throws SQLException {
    try (rs) {
      return readByLabel(rs);
    }
  }

  /** getTables lists exactly the catalog's tables, with their remarks. */
  @TestFactory
  Stream<DynamicTest> tablesAreTheCatalogs() {
    return each("getTables", (t, c) -> {
      Map<String, String> expected = new TreeMap<>();
      for (SqlTable table : catalog()) {
        expected.put(schemaShown(table) + "." + table.name(), table.type());
      }
      Map<String, String> listed = new TreeMap<>();
      for (Map<String, Object> row : rows(c.getMetaData().getTables(null, null, "%", null))) {
        if (!Set.of("TABLE", "VIEW").contains(String.valueOf(row.get("TABLE_TYPE")))) {
          continue; // system tables and indexes, which only the Postgres catalog lists
        }
        listed.put(row.get("TABLE_SCHEM") + "." + row.get("TABLE_NAME"),
            (String) row.get("TABLE_TYPE"));
      }
      assertThat(listed).isEqualTo(expected);
    });
  }

  /** getColumns of a semantic table: its columns in order, types, and descriptions as remarks. */
  @TestFactory
  Stream<DynamicTest> columnsCarryTheirRemarks() {
    return each("getColumns", (t, c) -> {
      SqlTable orders = catalogTable("semantic", "orders");
      List<Map<String, Object>> rows =
          rows(c.getMetaData().getColumns(null, "semantic", "orders", "%"));
      assertThat(rows).extracting(r -> (String) r.get("COLUMN_NAME"))
          .containsExactlyElementsOf(orders.columns().stream().map(SqlColumn::name).toList());
      Map<String, String> remarks = new HashMap<>();
      rows.forEach(r -> remarks.put((String) r.get("COLUMN_NAME"), (String) r.get("REMARKS")));
      for (SqlColumn col : orders.columns()) {
        assertThat(remarks.get(col.name())).as("remarks of " + col.name())
            .isEqualTo(col.remarks());
      }
      assertThat(orders.columns()).anyMatch(col -> col.remarks() != null);
    });
  }

  /** Names as the catalog stores them; the stores*Identifiers answers agree with them. */
  @TestFactory
  Stream<DynamicTest> identifierCaseMatchesTheCatalog() {
    return each("identifier case", (t, c) -> {
      DatabaseMetaData md = c.getMetaData();
      if (t.limited("storesUpperCaseIdentifiers")) {
        // The client says upper case whatever the server says, and clients believe it: names
        // in upper case find the same tables and columns.
        assertThat(md.storesUpperCaseIdentifiers()).isTrue();
        assertThat(rows(md.getTables(null, "SEMANTIC", "ORDERS", null))).hasSize(1);
        assertThat(rows(md.getColumns(null, "SEMANTIC", "ORDERS", "%")))
            .hasSize(catalogTable("semantic", "orders").columns().size());
      } else if (t.limited("storesMixedCaseIdentifiers")) {
        // Postgres's rule, which its driver states by itself: unquoted names fold to lower
        // case, and the catalog's names are lower case
        assertThat(md.storesUpperCaseIdentifiers()).as("storesUpperCaseIdentifiers").isFalse();
        assertThat(md.storesLowerCaseIdentifiers()).as("storesLowerCaseIdentifiers").isTrue();
        assertThat(rows(md.getTables(null, "semantic", "orders", null))).hasSize(1);
      } else {
        assertThat(md.storesUpperCaseIdentifiers()).as("storesUpperCaseIdentifiers").isFalse();
        assertThat(md.storesMixedCaseIdentifiers()).as("storesMixedCaseIdentifiers").isTrue();
        assertThat(md.supportsMixedCaseIdentifiers()).as("supportsMixedCaseIdentifiers")
            .isFalse();
      }
      // Names as stored always match.
      assertThat(rows(md.getTables(null, "semantic", "orders", null))).hasSize(1);
      assertThat(rows(md.getColumns(null, "semantic", "orders", "status"))).hasSize(1);
    });
  }

  /** getPrimaryKeys: the model's primary_key. */
  @TestFactory
  Stream<DynamicTest> primaryKeysAreTheModels() {
    return each("getPrimaryKeys", (t, c) -> {
      List<Map<String, Object>> rows =
          rows(c.getMetaData().getPrimaryKeys(null, "semantic", "orders"));
      if (t.limited("getPrimaryKeys")) {
        assertThat(rows).as("this client answers getPrimaryKeys itself, empty").isEmpty();
        return;
      }
      assertThat(rows).extracting(r -> r.get("COLUMN_NAME"))
          .containsExactlyElementsOf(catalogTable("semantic", "orders").primaryKey());
      assertThat(rows).extracting(r -> ((Number) r.get("KEY_SEQ")).intValue()).containsExactly(1);
    });
  }

  /** getTypeInfo lists the types results use. */
  @TestFactory
  Stream<DynamicTest> typeInfoListsTheTypes() {
    return each("getTypeInfo", (t, c) -> {
      List<Map<String, Object>> rows = rows(c.getMetaData().getTypeInfo());
      if (t.limited("getTypeInfo")) {
        assertThat(rows).as("this client answers getTypeInfo itself, empty").isEmpty();
        return;
      }
      assertThat(rows).extracting(r -> r.get("TYPE_NAME"))
          .containsAll(typeNames());
    });
  }

  // ------------------------------------------------------------------ results by label

  /** Result columns are labelled with their names (never their descriptions). */
  @TestFactory
  Stream<DynamicTest> resultsAreReadByLabel() {
    return each("results by label", (t, c) -> {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT status, channel, MEASURE(count) AS orders "
              + "FROM semantic.orders GROUP BY status, channel ORDER BY status, channel")) {
        ResultSetMetaData meta = rs.getMetaData();
        assertThat(List.of(meta.getColumnLabel(1), meta.getColumnLabel(2),
            meta.getColumnLabel(3))).containsExactly("status", "channel", "orders");
        List<Map<String, Object>> rows = readByLabel(rs);
        assertThat(rows).isNotEmpty();
      }
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT channel, MEASURE(count) AS orders "
              + "FROM semantic.orders GROUP BY channel ORDER BY channel")) {
        long total = 0;
        while (rs.next()) {
          assertThat(rs.getString("channel")).isNotBlank();
          total += rs.getLong("orders");
        }
        assertThat(total).isPositive();
      }
    });
  }

  // ------------------------------------------------------------------ SchemaCrawler

  /** SchemaCrawler at maximum detail: no method error; tables, remarks, primary keys. */
  @TestFactory
  Stream<DynamicTest> schemaCrawlerCrawlsEverything() {
    return each("SchemaCrawler", (t, c) -> {
      SchemaCrawlerOptions options = SchemaCrawlerOptionsBuilder.newSchemaCrawlerOptions()
          .withLimitOptions(LimitOptionsBuilder.builder().toOptions())
          .withLoadOptions(LoadOptionsBuilder.builder()
              .withSchemaInfoLevel(SchemaInfoLevelBuilder.maximum()).toOptions());
      // SchemaCrawler reads metadata on several threads unless told otherwise.
      System.setProperty("SC_SINGLE_THREADED",
          String.valueOf(t.limited(JdbcTarget.CONCURRENT_USE)));
      // the crawl through DatabaseMetaData alone, not SchemaCrawler's Postgres plugin's SQL
      System.setProperty("SC_WITHOUT_DATABASE_PLUGIN", "postgresql");
      Catalog crawled;
      try {
        crawled = SchemaCrawlerUtility.getCatalog(
            DatabaseConnectionSources.fromConnection(c), options);
      } finally {
        System.clearProperty("SC_SINGLE_THREADED");
        System.clearProperty("SC_WITHOUT_DATABASE_PLUGIN");
      }
      Table orders = crawled.getTables().stream()
          .filter(x -> x.getName().equals("orders") && x.getSchema().getName() != null
              && x.getSchema().getName().equals("semantic"))
          .findFirst().orElseThrow(() -> new AssertionError(
              "orders not crawled: " + crawled.getTables()));
      SqlTable expected = catalogTable("semantic", "orders");
      assertThat(orders.getColumns()).extracting(Column::getName)
          .containsExactlyElementsOf(expected.columns().stream().map(SqlColumn::name).toList());
      Map<String, String> remarks = new HashMap<>();
      orders.getColumns().forEach(col -> remarks.put(col.getName(), col.getRemarks()));
      for (SqlColumn col : expected.columns()) {
        assertThat(remarks.get(col.name())).as("remarks of " + col.name())
            .isEqualTo(col.remarks() == null ? "" : col.remarks());
      }
      assertThat(crawled.getTables()).hasSize(catalog().size());
      if (!t.limited("getPrimaryKeys")) {
        assertThat(orders.hasPrimaryKey()).isTrue();
        assertThat(orders.getPrimaryKey().getConstrainedColumns()).extracting(Column::getName)
            .containsExactlyElementsOf(expected.primaryKey());
      }
    });
  }

  // ------------------------------------------------------------------ sqlline

  /** sqlline's metadata commands, as a person types them, over the target's connection. */
  @TestFactory
  Stream<DynamicTest> sqllineListsTablesColumnsAndKeys() {
    return each("sqlline", (t, c) -> {
      assertThat(sqlline(c, "!tables")).contains("orders").contains("customers");
      String columns = sqlline(c, "!columns orders");
      for (SqlColumn col : catalogTable("semantic", "orders").columns()) {
        assertThat(columns).contains(col.name());
      }
      // a view: the "!columns sales" found nothing over the stock Avatica driver
      String viewColumns = sqlline(c, "!columns sales");
      for (SqlColumn col : catalogTable("semantic", "sales").columns()) {
        assertThat(viewColumns).contains(col.name());
      }
      String keys = sqlline(c, "!primarykeys orders");
      if (!t.limited("getPrimaryKeys")) {
        assertThat(keys).contains("order_id");
      }
    });
  }

  /**
   * sqlline's own connect, as a person starts it, prints no error (over the Flight SQL JDBC
   * driver it printed an UndeclaredThrowableException on every connect), and the commands that
   * follow on that connection list the tables and the primary key.
   */
  @TestFactory
  Stream<DynamicTest> sqllineConnectsWithoutError() {
    return targets().stream().map(t -> dynamicTest("sqlline !connect [" + t.name() + "]", () -> {
      String printed = sqlline.SqlLineCommands.connectAndRun(() -> t.connect(server),
          "!tables", "!primarykeys orders");
      assertThat(printed).doesNotContainIgnoringCase("exception").doesNotContain("Error:")
          .contains("orders").contains("customers");
      if (!t.limited("getPrimaryKeys")) {
        assertThat(printed).contains("order_id");
      }
    }));
  }

  /** Runs one sqlline command on an open connection; what it printed. */
  static String sqlline(Connection c, String command) throws Exception {
    String printed = sqlline.SqlLineCommands.run(c, command);
    assertThat(printed).as(command).doesNotContainIgnoringCase("exception")
        .doesNotContain("Error:");
    return printed;
  }
}
