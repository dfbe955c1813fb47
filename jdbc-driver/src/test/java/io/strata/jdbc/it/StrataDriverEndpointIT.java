package io.strata.jdbc.it;

import io.strata.server.avatica.JdbcEndpointContract;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The server's JDBC contract (the same tests the stock Avatica driver passes) through the
 * packaged {@code jdbc:strata:} driver, loaded from its shaded jar in an isolated class loader
 * as a BI tool loads it. Its {@code Statement.cancel()} is the real one: it reaches the server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StrataDriverEndpointIT extends JdbcEndpointContract {
  private ShadedDriver shaded;

  @BeforeAll
  void loadDriver() throws IOException {
    shaded = ShadedDriver.load();
  }

  @AfterAll
  void closeLoader() throws IOException {
    if (shaded != null) {
      shaded.loader.close();
    }
  }

  @Override
  protected Connection connect(String user, String password) throws SQLException {
    return shaded.connect("jdbc:strata://localhost:" + server().jdbcPort(), user, password);
  }

  @Override
  protected void cancel(Connection connection, Statement running) throws SQLException {
    running.cancel();
  }

  /**
   * A query stopped on the server while its rows stream (here: cancelled by an admin) fails
   * the reader's {@code next()} with an SQLException carrying the SQLState, as JDBC says, not
   * with Avatica's unchecked exception.
   */
  @org.junit.jupiter.api.Test
  void aQueryStoppedWhileStreamingFailsNextWithAnSqlException() throws Exception {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      st.execute("SET strata_cache = 'bypass'"); // from the warehouse, not a cached result
      st.setFetchSize(1000);
      try (java.sql.ResultSet rs = st.executeQuery("SELECT n FROM semantic.big")) {
        org.assertj.core.api.Assertions.assertThat(rs.next()).isTrue();
        com.fasterxml.jackson.databind.JsonNode running =
            server().admin().get("/api/v1/queries/running").json();
        org.assertj.core.api.Assertions.assertThat(running.size()).as(running.toString())
            .isEqualTo(1);
        org.assertj.core.api.Assertions.assertThat(server().admin()
            .delete("/api/v1/queries/" + running.get(0).path("queryId").asText()).status())
            .isEqualTo(204);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
          while (rs.next()) {
            // the rows already fetched, then the failed fetch
          }
        }).isInstanceOf(SQLException.class)
            .satisfies(e -> org.assertj.core.api.Assertions.assertThat(
                ((SQLException) e).getSQLState()).isEqualTo("57014"));
      }
    }
  }
}
