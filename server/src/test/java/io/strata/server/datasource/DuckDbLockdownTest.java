package io.strata.server.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pooled DuckDB connections cannot reach the server's files, the network or extensions, and
 * cannot turn that back on: every attack of issue 14 against a real DuckDB file database.
 */
class DuckDbLockdownTest {
  @TempDir
  Path dir;
  DataSourceRegistry registry;
  Path secret;

  @BeforeEach
  void setUp() throws Exception {
    registry = new DataSourceRegistry();
    secret = dir.resolve("secret.csv");
    Files.writeString(secret, "name,value\nroot,hunter2\n");
    registry.put(DataSourceSpec.of("lake", DataSourceKind.DUCKDB,
        "jdbc:duckdb:" + dir.resolve("lake.duckdb")));
    try (Connection c = registry.connect("lake"); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE orders AS SELECT range AS id FROM range(5)");
    }
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  private static String first(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      if (!st.execute(sql)) {
        return "(no result)";
      }
      try (ResultSet rs = st.getResultSet()) {
        return rs.next() ? rs.getString(1) : "(no rows)";
      }
    }
  }

  @Test
  void everyFileNetworkAndExtensionAttackIsRefusedAndRecognised() throws Exception {
    String f = secret.toString();
    Path out = dir.resolve("out.csv");
    List<String> attacks = List.of(
        "SELECT content FROM read_text('" + f + "')",
        "SELECT * FROM read_blob('" + f + "')",
        "SELECT * FROM read_csv('" + f + "')",
        "SELECT * FROM read_csv_auto('" + f + "')",
        "SELECT * FROM read_json('" + f + "')",
        "SELECT * FROM read_parquet('" + dir.resolve("x.parquet") + "')",
        "SELECT * FROM sniff_csv('" + f + "')",
        "SELECT * FROM glob('" + dir + "/*')",
        "SELECT * FROM read_csv('https://example.com/x.csv')",
        "ATTACH '" + dir.resolve("other.duckdb") + "' AS other",
        "COPY (SELECT 1) TO '" + out + "'",
        "COPY orders TO '" + out + "'",
        "EXPORT DATABASE '" + dir.resolve("export") + "'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "RESET enable_external_access",
        "SET lock_configuration = false",
        "SET allowed_directories = ['/']",
        "SET temp_directory = '" + dir.resolve("tmp2") + "'");
    try (Connection c = registry.connect("lake")) {
      for (String sql : attacks) {
        SQLException e = catchThrowableOfType(SQLException.class, () -> first(c, sql));
        assertThat((Throwable) e).as(sql).isNotNull();
        assertThat(e.getMessage()).as(sql).doesNotContain("hunter2");
        assertThat(ExternalAccess.refusal(e, "lake")).as(sql + ": " + e.getMessage())
            .hasValueSatisfying(m -> assertThat(m).contains("data source 'lake'")
                .contains("allow_external_access"));
      }
      // the replacement scan ('FROM <path>') is off: DuckDB no longer sees a file there
      SQLException scan = catchThrowableOfType(SQLException.class,
          () -> first(c, "SELECT * FROM '" + f + "'"));
      assertThat(scan.getMessage()).doesNotContain("hunter2");
      assertThat(ExternalAccess.refusal(scan, "lake")).isPresent();
      // the lock held: still no access, and the database still works
      assertThat(first(c, "SELECT current_setting('enable_external_access')")).isEqualTo("false");
      assertThat(first(c, "SELECT current_setting('lock_configuration')")).isEqualTo("true");
      assertThat(first(c, "SELECT count(*) FROM orders")).isEqualTo("5");
    }
    assertThat(Files.exists(out)).isFalse();
    assertThat(Files.exists(dir.resolve("other.duckdb"))).isFalse();
    assertThat(Files.exists(dir.resolve("export"))).isFalse();
    // every other pooled connection is locked too (the setting is the database's)
    try (Connection a = registry.connect("lake"); Connection b = registry.connect("lake")) {
      assertThat((Throwable) catchThrowableOfType(SQLException.class,
          () -> first(b, "SELECT content FROM read_text('" + f + "')"))).isNotNull();
      assertThat(first(a, "SELECT current_setting('jdbc_stream_results')")).isEqualTo("true");
    }
    // an ordinary query error is not mistaken for a refusal
    try (Connection c = registry.connect("lake")) {
      SQLException e = catchThrowableOfType(SQLException.class,
          () -> first(c, "SELECT * FROM no_such_table"));
      assertThat(ExternalAccess.refusal(e, "lake")).isEmpty();
    }
  }

  @Test
  void theConnectionTestOpensTheSameFileWithTheSameSettings() {
    ConnectionTest t = registry.test(registry.spec("lake").orElseThrow());
    assertThat(t.ok()).as(String.valueOf(t.error())).isTrue();
  }

  @Test
  void anAdminCanOptOutPerDataSource() throws Exception {
    registry.put(new DataSourceSpec("open", DataSourceKind.DUCKDB, "jdbc:duckdb:", null, null,
        Map.of(DataSourceSpec.ALLOW_EXTERNAL_ACCESS, "true"), null));
    try (Connection c = registry.connect("open")) {
      assertThat(first(c, "SELECT value FROM read_csv('" + secret + "')")).isEqualTo("hunter2");
    }
  }

  @Test
  void theLockdownSettingsCannotBeSetAsProperties() {
    for (String key : List.of("enable_external_access", "lock_configuration",
        "autoload_known_extensions")) {
      DataSourceSpec spec = new DataSourceSpec("lake2", DataSourceKind.DUCKDB, "jdbc:duckdb:",
          null, null, Map.of(key, "true"), null);
      assertThat(spec.problems()).singleElement().asString().contains("'" + key + "'")
          .contains("allow_external_access: true");
    }
    DataSourceSpec bad = new DataSourceSpec("lake2", DataSourceKind.DUCKDB, "jdbc:duckdb:",
        null, null, Map.of("allow_external_access", "yes"), null);
    assertThat(bad.problems()).singleElement().asString().contains("must be true or false");
  }
}
