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
}
