package io.strata.server.avatica;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.TestServer.Response;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaSqlException;
import org.apache.calcite.avatica.AvaticaStatement;

/**
 * The contract through Avatica's stock remote driver, in one serialization. Its
 * {@code Statement.cancel()} only flags the statement client-side, so cancelling goes through
 * Strata's side channel, {@code POST /strata/cancel}, as the Strata driver's does.
 */
abstract class AvaticaDriverTest extends JdbcEndpointContract {
  static {
    try {
      Class.forName("org.apache.calcite.avatica.remote.Driver");
    } catch (ClassNotFoundException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** {@code protobuf} or {@code json}. */
  abstract String serialization();

  @Override
  protected Connection connect(String user, String password) throws SQLException {
    Properties p = new Properties();
    String url = "jdbc:avatica:remote:url=http://localhost:" + server().jdbcPort()
        + ";serialization=" + serialization();
    if (user != null) {
      url = server().avaticaUrl(serialization());
      p.setProperty("avatica_user", user);
      p.setProperty("avatica_password", password);
    }
    return DriverManager.getConnection(url, p);
  }

  /** The stock driver names itself; the server's name is in its database properties. */
  @Override
  protected String expectedProductName() {
    return "Avatica";
  }

  /**
   * The stock driver lets the HTTP 401 escape from {@code DriverManager.getConnection} as a
   * RuntimeException ("Failed to execute HTTP Request, got HTTP/401"): its
   * {@code Driver.connect} rethrows whatever opening the connection threw.
   */
  @Override
  protected void assertRefused(Throwable failure) {
    assertThat(failure).hasMessageContaining("HTTP/401");
  }

  /**
   * The stock driver's message, and the server's, which it keeps aside as "server stack
   * traces" ({@code prepareStatement} replaces the message with "while preparing SQL: ...").
   */
  @Override
  protected String message(SQLException e) {
    String m = e.getMessage();
    if (e instanceof AvaticaSqlException a) {
      m += " " + String.join(" ", a.getStackTraces());
    }
    return m;
  }

  @Override
  protected void cancel(Connection connection, Statement running) {
    Response r = cancel(connection, running, "admin");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().path("cancelled").asBoolean()).as(r.toString()).isTrue();
  }

  /** The side channel's primary keys (what the Strata driver's getPrimaryKeys asks). */
  @org.junit.jupiter.api.Test
  void primaryKeysThroughTheSideChannel() {
    String url = "http://localhost:" + server().jdbcPort() + AvaticaHttpHandler.PRIMARY_KEYS_PATH;
    Response r = server().admin().post(url, Map.of("schema", "SEMANTIC", "table", "orders"));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().path("rows").toString())
        .isEqualTo("[[\"strata\",\"semantic\",\"orders\",\"order_id\",1,\"pk_orders\"]]");
    // without credentials: refused like every Avatica request
    assertThat(server().anonymous().post(url, Map.of()).status()).isEqualTo(401);
    // a name that is not a string: 400 naming what is expected
    Response bad = server().admin().post(url, Map.of("table", 5));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().path("error").asText()).contains("\"table\"").contains("names or null");
  }

  /** Posts the side channel's cancel as {@code user}. */
  Response cancel(Connection connection, Statement statement, String user) {
    try {
      String connectionId = connection.unwrap(AvaticaConnection.class).id;
      int statementId = statement.unwrap(AvaticaStatement.class).getId();
      String password = user.equals("admin") ? io.strata.server.TestServer.ADMIN_PASSWORD
          : VIEWER_PASSWORD;
      return server().as(user, password).post("http://localhost:" + server().jdbcPort()
          + AvaticaHttpHandler.CANCEL_PATH, Map.of("connectionId", connectionId,
          "statementId", statementId));
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }
}
