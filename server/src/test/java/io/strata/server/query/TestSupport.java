package io.strata.server.query;

import io.strata.demo.DemoData;
import io.strata.demo.DemoModels;
import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.model.ModelLoader;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.server.datasource.DataSourceKind;
import io.strata.server.datasource.DataSourceSpec;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Shared fixtures: the demo catalog (plus extra models for the error tests), the fixed clock of
 * the semantic answer tests, and the demo data loaded into DuckDB, Postgres and MariaDB.
 */
public final class TestSupport {
  /** The clock of the semantic module's answer tests (relative date ranges). */
  public static final Clock CLOCK =
      Clock.fixed(Instant.parse("2024-07-01T00:00:00Z"), ZoneOffset.UTC);
  public static final double SCALE = 0.02;
  /** The Postgres and MariaDB database of these tests. */
  public static final String DATABASE = "strata_query_test";
  /** Where the semantic module keeps its query corpus, from the server module's directory. */
  public static final Path QUERIES = Path.of("../semantic/src/test/resources/queries");

  private static Path duckdbFile;

  private TestSupport() {}


  /** The demo models plus {@code extraModels} (file name to YAML). */
  public static SemanticCompiler compiler(Map<String, String> extraModels) {
    Map<String, String> files = new LinkedHashMap<>(DemoModels.files());
    files.putAll(extraModels);
    return new SemanticCompiler(SemanticCatalog.fromLoad(ModelLoader.loadTexts(files)), CLOCK);
  }

  public static SemanticCompiler compiler() {
    return compiler(Map.of());
  }

  /** A DuckDB file with the demo at {@link #SCALE}, loaded once per JVM and closed again. */
  public static synchronized Path duckdbDemo() throws SQLException {
    if (duckdbFile == null) {
      try {
        Path dir = Files.createTempDirectory("strata-query-test");
        dir.toFile().deleteOnExit();
        Path file = dir.resolve("demo.duckdb");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath())) {
          DemoData.loadDuckDb(c, SCALE);
        }
        file.toFile().deleteOnExit();
        dir.resolve("demo.duckdb.wal").toFile().deleteOnExit();
        duckdbFile = file;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return duckdbFile;
  }

  public static DataSourceSpec duckdbSpec(String name) throws SQLException {
    return DataSourceSpec.of(name, DataSourceKind.DUCKDB,
        "jdbc:duckdb:" + duckdbDemo().toAbsolutePath());
  }

  /** Postgres database {@link #DATABASE}, created when missing, with the demo loaded. */
  public static synchronized DataSourceSpec postgresSpec(String name) throws SQLException {
    Warehouse pg = Warehouses.postgres();
    try (Connection admin = pg.connect(); Statement st = admin.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
      if (!rs.next()) {
        try (Statement create = admin.createStatement()) {
          create.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
          // created concurrently by another JVM: fine
        }
      }
    }
    String url = pg.jdbcUrl().replaceFirst("/" + Warehouses.TEST_DATABASE + "(\\?|$)",
        "/" + DATABASE + "$1");
    try (Connection c = new Warehouse(pg.kind(), url, pg.user(), pg.password()).connect()) {
      DemoData.ensureLoaded(c, SCALE);
    }
    return new DataSourceSpec(name, DataSourceKind.POSTGRES, url, pg.user(), pg.password(),
        Map.of(), null);
  }

  /**
   * MariaDB, default database {@link #DATABASE} (created when missing). The demo itself lives in
   * the shared database {@code retail}, which other suites may reload at another scale: callers
   * run {@link #ensureMariadbDemo(DataSourceSpec)} before relying on its contents.
   */
  public static synchronized DataSourceSpec mariadbSpec(String name) throws SQLException {
    Warehouse maria = Warehouses.mariadb();
    try (Connection c = maria.connect(); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE IF NOT EXISTS " + DATABASE);
    }
    String url = maria.jdbcUrl().replaceFirst("/" + Warehouses.TEST_DATABASE + "(\\?|$)",
        "/" + DATABASE + "$1");
    DataSourceSpec spec = new DataSourceSpec(name, DataSourceKind.MYSQL, url, maria.user(),
        maria.password(), Map.of(), null);
    ensureMariadbDemo(spec);
    return spec;
  }

  public static void ensureMariadbDemo(DataSourceSpec spec) throws SQLException {
    try (Connection c = connect(spec)) {
      DemoData.ensureLoaded(c, SCALE);
    }
  }

  /** Whether MariaDB's time zone tables are loaded (named zones work in CONVERT_TZ). */
  public static boolean mariadbTimeZones(DataSourceSpec spec) throws SQLException {
    try (Connection c = connect(spec); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT CONVERT_TZ('2024-01-01 00:00:00','+00:00','America/New_York')")) {
      rs.next();
      return rs.getString(1) != null;
    }
  }

  /** A direct connection (not pooled) for fixtures and reference queries. */
  public static Connection connect(DataSourceSpec spec) throws SQLException {
    // DuckDB opens a file a pool holds only with the pool's configuration (its lockdown)
    Properties p = spec.kind() == DataSourceKind.DUCKDB
        ? io.strata.server.datasource.DataSourceRegistry.driverProperties(spec) : new Properties();
    if (spec.user() != null) {
      p.setProperty("user", spec.user());
    }
    if (spec.password() != null) {
      p.setProperty("password", spec.password());
    }
    return DriverManager.getConnection(spec.url(), p);
  }
}
