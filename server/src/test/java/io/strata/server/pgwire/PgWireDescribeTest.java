package io.strata.server.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.TestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Describe of a statement over the Postgres wire, through pgjdbc: the parameters' types come
 * from the statement when the client declared none, and the result's columns from validation
 * alone (describing never runs the statement); and the session's user is the Strata user on
 * every SQL endpoint.
 */
class PgWireDescribeTest {
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static List<Integer> parameterTypes(PreparedStatement ps) throws Exception {
    ParameterMetaData pm = ps.getParameterMetaData();
    List<Integer> out = new ArrayList<>();
    for (int i = 1; i <= pm.getParameterCount(); i++) {
      out.add(pm.getParameterType(i));
    }
    return out;
  }

  @Test
  void parameterTypesAreInferredFromTheStatement() throws Exception {
    try (Connection c = PgWire.admin(server)) {
      // a semantic SELECT: a string dimension, a time dimension, a LIMIT
      try (PreparedStatement ps = c.prepareStatement("SELECT status, MEASURE(count) AS n"
          + " FROM semantic.orders WHERE channel = ? AND ordered_at >= ? GROUP BY status"
          + " LIMIT ?")) {
        assertThat(parameterTypes(ps)).containsExactly(Types.VARCHAR, Types.TIMESTAMP,
            Types.BIGINT);
        ResultSetMetaData md = ps.getMetaData();
        assertThat(md.getColumnLabel(1)).isEqualTo("status");
        assertThat(md.getColumnType(2)).isEqualTo(Types.BIGINT);
      }
      // a raw statement: the warehouse columns' types, as Calcite validates it
      try (PreparedStatement ps = c.prepareStatement("SELECT channel, COUNT(*) AS n"
          + " FROM demo.retail.orders WHERE channel = ? AND order_id <= ? AND ordered_at >= ?"
          + " GROUP BY channel")) {
        List<Integer> types = parameterTypes(ps);
        assertThat(types.get(0)).isEqualTo(Types.VARCHAR);
        assertThat(types.get(1)).isIn(Types.INTEGER, Types.BIGINT);
        assertThat(types.get(2)).isIn(Types.DATE, Types.TIMESTAMP);
        ps.setString(1, "web");
        ps.setInt(2, 400);
        ps.setObject(3, java.time.LocalDate.of(2019, 1, 1));
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(PgWire.rows(rs)).isEqualTo(PgWire.rest(server, "SELECT channel,"
              + " COUNT(*) AS n FROM demo.retail.orders WHERE channel = 'web'"
              + " AND order_id <= 400 AND ordered_at >= DATE '2019-01-01' GROUP BY channel"));
        }
      }
    }
  }

  @Test
  void theDatabaseIsStrataWhateverNameTheClientGave() throws Exception {
    java.util.Properties p = new java.util.Properties();
    p.setProperty("user", "admin");
    p.setProperty("password", TestServer.ADMIN_PASSWORD);
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:"
        + server.pgwirePort() + "/analytics", p); Statement st = c.createStatement()) {
      List<List<String>> strata = List.of(List.of("strata"));
      // the endpoint's own answer, and the SQL path's (a statement that is more than the call)
      for (String q : List.of("SELECT current_database()", "SELECT current_catalog",
          "SELECT current_database() AS db, 1 AS one", "SELECT datname FROM pg_database",
          "SELECT DISTINCT catalog_name FROM information_schema.schemata",
          "SELECT DISTINCT table_catalog FROM information_schema.tables")) {
        try (ResultSet rs = st.executeQuery(q)) {
          assertThat(PgWire.rows(rs).stream().map(r -> List.of(r.get(0))).toList()).as(q)
              .isEqualTo(strata);
        }
      }
      // DatabaseMetaData's catalogs, from pg_database
      try (ResultSet rs = c.getMetaData().getCatalogs()) {
        assertThat(PgWire.rows(rs)).isEqualTo(strata);
      }
    }
  }

  @Test
  void describingAStatementDoesNotRunIt() throws Exception {
    String marker = "describe_marker_" + System.nanoTime();
    String sql = "SELECT channel, COUNT(*) AS " + marker + " FROM demo.retail.orders"
        + " WHERE channel = ? GROUP BY channel";
    try (Connection c = PgWire.admin(server); PreparedStatement ps = c.prepareStatement(sql)) {
      ResultSetMetaData md = ps.getMetaData(); // Parse, Describe statement, Sync: no Execute
      assertThat(md.getColumnCount()).isEqualTo(2);
      assertThat(md.getColumnLabel(2)).isEqualTo(marker);
      assertThat(md.getColumnType(2)).isEqualTo(Types.BIGINT);
      assertThat(parameterTypes(ps)).containsExactly(Types.VARCHAR);
      assertThat(queryLog()).as("the query log after Describe").doesNotContain(marker);
      ps.setString(1, "web");
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(PgWire.rows(rs)).hasSize(1);
      }
      assertThat(queryLog()).as("the query log after Execute").contains(marker);
    }
  }

  static String queryLog() {
    TestServer.Response log = server.admin().get("/api/v1/queries?limit=200");
    assertThat(log.status()).as(log.toString()).isEqualTo(200);
    return log.text();
  }

  @Test
  void currentUserIsTheStrataUserOnEverySqlEndpoint() throws Exception {
    TestServer.Response created = server.admin().post("/api/v1/users", Map.of("username",
        "pgdescriber", "password", "pg-describer-secret-1", "role", "viewer"));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String sql = "SELECT CURRENT_USER AS cu, SESSION_USER AS su, current_user AS lower_cu";
    // Postgres wire
    try (Connection c = PgWire.connect(server, "pgdescriber", "pg-describer-secret-1");
        Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertThat(PgWire.rows(rs)).containsExactly(List.of("pgdescriber", "pgdescriber",
          "pgdescriber"));
    }
    // REST /api/v1/sql
    TestServer.Response rest = server.as("pgdescriber", "pg-describer-secret-1")
        .post("/api/v1/sql", Map.of("sql", sql));
    assertThat(rest.status()).as(rest.toString()).isEqualTo(200);
    assertThat(rest.text()).contains("pgdescriber").doesNotContain("\"sa\"");
    // Avatica JDBC
    Properties p = new Properties();
    p.setProperty("avatica_user", "pgdescriber");
    p.setProperty("avatica_password", "pg-describer-secret-1");
    try (Connection c = DriverManager.getConnection(server.avaticaUrl("protobuf"), p);
        Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      assertThat(List.of(rs.getString("cu"), rs.getString("su"), rs.getString("lower_cu")))
          .containsExactly("pgdescriber", "pgdescriber", "pgdescriber");
    }
  }
}
