package io.strata.server.conformance;

import io.strata.server.TestServer;
import io.strata.server.conformance.JdbcTarget.Limit;
import io.strata.server.sql.SqlTable;
import io.strata.server.sql.pgcatalog.PgCatalog;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The conformance suite through pgjdbc (the stock Postgres JDBC driver, as DBeaver and every
 * JVM BI tool ship it) against the Postgres-wire endpoint: every DatabaseMetaData method runs
 * the driver's own catalog queries over Strata's emulated {@code pg_catalog}.
 */
class PgJdbcConformanceTest extends JdbcConformance {
  /** What pgjdbc answers by itself, whatever the server says. */
  static final Map<String, Limit> PGJDBC = Map.of(
      "storesMixedCaseIdentifiers", Limit.answering(false, "false in PgDatabaseMetaData:"
          + " Postgres folds unquoted names to lower case (storesLowerCaseIdentifiers is true)"),
      "getAttributes", notYet("getAttributes(String,String,String,String)"),
      "getPseudoColumns", notYet("getPseudoColumns(String, String, String, String)"),
      "getRowIdLifetime", notYet("getRowIdLifetime()"),
      "getSuperTables", notYet("getSuperTables(String,String,String,String)"),
      "getSuperTypes", notYet("getSuperTypes(String,String,String)"));

  /** pgjdbc's own "not yet implemented" (Driver.notImplemented), with its spelling. */
  private static Limit notYet(String signature) {
    return Limit.throwing(java.sql.SQLFeatureNotSupportedException.class,
        "Method org.postgresql.jdbc.PgDatabaseMetaData." + signature
            + " is not yet implemented.", "PgDatabaseMetaData throws Driver.notImplemented");
  }

  @Override
  protected List<JdbcTarget> targets() {
    return List.of(new JdbcTarget("pgjdbc", PgJdbcConformanceTest::pgjdbc, PGJDBC));
  }

  @Override
  protected String schemaShown(SqlTable table) {
    return table.schema().equals(PgCatalog.SEMANTIC) ? table.schema()
        : table.catalog() + "." + table.schema();
  }

  @Override
  protected List<String> typeNames() {
    return List.of("int8", "numeric", "varchar", "date", "timestamp", "bool", "float8");
  }

  static java.sql.Connection pgjdbc(TestServer s) throws java.sql.SQLException {
    Properties p = new Properties();
    p.setProperty("user", "admin");
    p.setProperty("password", TestServer.ADMIN_PASSWORD);
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + s.pgwirePort()
        + "/strata", p);
  }
}
