package io.strata.server.conformance;

import io.strata.server.TestServer;
import io.strata.server.conformance.JdbcTarget.Limit;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The conformance suite through the stock Avatica remote driver (protobuf and JSON) and the
 * Arrow Flight SQL JDBC driver. The shaded {@code jdbc:strata:} driver runs the same suite in
 * its own module ({@code StrataDriverConformanceIT}).
 */
class StockClientsConformanceTest extends JdbcConformance {
  private static final String TODO = "todo: implement this method";
  private static final String HELPER_TODO = "throw Helper.todo() in AvaticaDatabaseMetaData";

  /**
   * What Avatica's client answers by itself, whatever the server says: the Avatica driver and
   * the Flight SQL JDBC driver (built on Avatica) share its AvaticaDatabaseMetaData. The
   * jdbc:strata: driver answers all of these from the server.
   */
  static final Map<String, Limit> AVATICA_CLIENT = Map.ofEntries(
      Map.entry("ownUpdatesAreVisible", todo()),
      Map.entry("ownDeletesAreVisible", todo()),
      Map.entry("ownInsertsAreVisible", todo()),
      Map.entry("othersUpdatesAreVisible", todo()),
      Map.entry("othersDeletesAreVisible", todo()),
      Map.entry("othersInsertsAreVisible", todo()),
      Map.entry("updatesAreDetected", todo()),
      Map.entry("deletesAreDetected", todo()),
      Map.entry("insertsAreDetected", todo()),
      Map.entry("supportsResultSetHoldability", todo()),
      Map.entry("storesUpperCaseIdentifiers", Limit.answering(true,
          "from the client's own unquotedCasing property (default TO_UPPER)")));

  private static Limit todo() {
    return Limit.throwing(RuntimeException.class, TODO, HELPER_TODO);
  }

  /** The stock Avatica driver: also getPrimaryKeys, which its protocol cannot ask. */
  static final Map<String, Limit> AVATICA_REMOTE = with(AVATICA_CLIENT,
      Map.of("getPrimaryKeys", Limit.empty("RemoteMeta answers it empty itself (no request for"
          + " it)"),
          JdbcTarget.CONCURRENT_USE, Limit.untested("its HTTP client's BasicScheme fails when"
              + " two threads send on one connection")));

  /** The Flight SQL JDBC driver 18.3: getTypeInfo is Avatica's empty answer. */
  static final Map<String, Limit> FLIGHT_SQL_JDBC = with(AVATICA_CLIENT,
      Map.of("getTypeInfo", Limit.empty("ArrowFlightMetaImpl does not ask the server")));

  private static Map<String, Limit> with(Map<String, Limit> a, Map<String, Limit> b) {
    Map<String, Limit> out = new java.util.HashMap<>(a);
    out.putAll(b);
    return Map.copyOf(out);
  }

  @Override
  protected List<JdbcTarget> targets() {
    return List.of(
        new JdbcTarget("Avatica protobuf", s -> avatica(s, "protobuf"), AVATICA_REMOTE),
        new JdbcTarget("Avatica JSON", s -> avatica(s, "json"), AVATICA_REMOTE),
        new JdbcTarget("Flight SQL JDBC", s -> DriverManager.getConnection(
            "jdbc:arrow-flight-sql://127.0.0.1:" + s.flightPort() + "?useEncryption=false",
            "admin", TestServer.ADMIN_PASSWORD), FLIGHT_SQL_JDBC));
  }

  private static java.sql.Connection avatica(TestServer s, String serialization)
      throws java.sql.SQLException {
    Properties p = new Properties();
    p.setProperty("avatica_user", "admin");
    p.setProperty("avatica_password", TestServer.ADMIN_PASSWORD);
    return DriverManager.getConnection(s.avaticaUrl(serialization), p);
  }
}
