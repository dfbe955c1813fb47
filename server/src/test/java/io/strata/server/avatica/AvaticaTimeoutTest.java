package io.strata.server.avatica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.server.TestServer;
import io.strata.server.TestServer.Response;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * strata.query.timeout bounds the warehouse's work, not the client's: a client that reads a
 * large result slowly gets all of it, while a query the warehouse takes too long for fails with
 * an SQLException (HYT00).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AvaticaTimeoutTest {
  private TestServer server;

  @BeforeAll
  void start() {
    server = TestServer.start(Map.of("strata.query.timeout", "2s",
        "strata.query.max-rows", "2000000"));
    for (String[] model : new String[][] {{"slow", JdbcEndpointContract.SLOW_MODEL},
        {"big", JdbcEndpointContract.BIG_MODEL}}) {
      Response saved = server.admin().send("PUT", "/api/v1/models/" + model[0],
          "application/yaml", model[1]);
      assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
    }
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private Connection connect() throws SQLException {
    Properties p = new Properties();
    p.setProperty("avatica_user", "admin");
    p.setProperty("avatica_password", TestServer.ADMIN_PASSWORD);
    return DriverManager.getConnection(server.avaticaUrl("protobuf"), p);
  }

  @Test
  void aSlowReaderIsNotTimedOut() throws Exception {
    long rows = 0;
    long t0 = System.nanoTime();
    try (Connection c = connect(); Statement st = c.createStatement()) {
      st.setFetchSize(10_000);
      try (ResultSet rs = st.executeQuery("SELECT n FROM semantic.big WHERE n < 120000")) {
        while (rs.next()) {
          if (++rows % 10_000 == 0) {
            Thread.sleep(300); // the client's own work, between fetches
          }
        }
      }
    }
    assertThat(rows).isEqualTo(120_000);
    // the read took well past the 2 s timeout
    assertThat(System.nanoTime() - t0).isGreaterThan(3_000_000_000L);
  }

  @Test
  void aSlowQueryTimesOutAsAnSqlException() throws Exception {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      assertThatThrownBy(() -> {
        try (ResultSet rs = st.executeQuery("SELECT MEASURE(matches) FROM semantic.slow")) {
          rs.next();
        }
      }).isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("HYT00"))
          .hasMessageContaining("strata.query.timeout");
    }
  }
}
