package io.strata.server.conformance;

import io.strata.server.TestServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/**
 * One stock JDBC client of the conformance suite: how it connects to a running server, and
 * what its own code (not Strata's answers) cannot do. Adding a client (pgjdbc once the Postgres
 * wire lands) is one more target in {@link JdbcConformance#targets()}.
 *
 * @param name how the tests name it
 * @param connector opens a connection as admin to the server under test
 * @param clientLimits what the client answers by itself, whatever the server says, with why:
 *     DatabaseMetaData methods by name (they may throw, or answer empty or a fixed value), and
 *     {@link #CONCURRENT_USE} for a connection that cannot be used from several threads
 */
public record JdbcTarget(String name, Connector connector, Map<String, String> clientLimits) {
  /** The limit of a client whose connection fails when used from several threads at once. */
  public static final String CONCURRENT_USE = "concurrent use";

  /** Opens a connection for a target. */
  @FunctionalInterface
  public interface Connector {
    Connection connect(TestServer server) throws SQLException;
  }

  public Connection connect(TestServer server) throws SQLException {
    return connector.connect(server);
  }

  /** Whether the client answers this DatabaseMetaData method (or does this) by itself. */
  public boolean limited(String method) {
    return clientLimits.containsKey(method);
  }

  @Override
  public String toString() {
    return name;
  }
}
