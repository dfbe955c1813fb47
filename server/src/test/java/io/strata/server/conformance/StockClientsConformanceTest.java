package io.strata.server.conformance;

import io.strata.server.TestServer;
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
  /**
   * What Avatica's client answers by itself, whatever the server says: the Avatica driver and
   * the Flight SQL JDBC driver (built on Avatica) share its AvaticaDatabaseMetaData. The
   * jdbc:strata: driver answers all of these from the server.
   */
  static final Map<String, String> AVATICA_CLIENT = Map.ofEntries(
      Map.entry("ownUpdatesAreVisible", "throw Helper.todo() in AvaticaDatabaseMetaData"),
      Map.entry("ownDeletesAreVisible", "throw Helper.todo() in AvaticaDatabaseMetaData"),
      Map.entry("ownInsertsAreVisible", "throw Helper.todo() in AvaticaDatabaseMetaData"),
      Map.entry("othersUpdatesAreVisible", "throw Helper.todo() in AvaticaDatabaseMetaData"),
      Map.entry("othersDeletesAreVisible", "throw Helper.todo() in AvaticaDatabaseMetaData"),
      Map.entry("othersInsertsAreVisible", "throw Helper.todo() in AvaticaDatabaseMetaData"),
      Map.entry("updatesAreDetected", "throw Helper.todo() in AvaticaDatabaseMetaData"),
      Map.entry("deletesAreDetected", "throw Helper.todo() in AvaticaDatabaseMetaData"),
      Map.entry("insertsAreDetected", "throw Helper.todo() in AvaticaDatabaseMetaData"),
      Map.entry("supportsResultSetHoldability", "throw Helper.todo() in AvaticaDatabaseMetaData"),
      Map.entry("storesUpperCaseIdentifiers",
          "from the client's own unquotedCasing property (default TO_UPPER)"));

  /** The stock Avatica driver: also getPrimaryKeys, which its protocol cannot ask. */
  static final Map<String, String> AVATICA_REMOTE = with(AVATICA_CLIENT,
      Map.of("getPrimaryKeys", "RemoteMeta answers it empty itself (no request for it)",
          JdbcTarget.CONCURRENT_USE, "its HTTP client's BasicScheme fails when two threads "
              + "send on one connection"));

  /** The Flight SQL JDBC driver 18.3: getTypeInfo is Avatica's empty answer. */
  static final Map<String, String> FLIGHT_SQL_JDBC = with(AVATICA_CLIENT,
      Map.of("getTypeInfo", "ArrowFlightMetaImpl does not ask the server (empty)"));

  private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
    Map<String, String> out = new java.util.HashMap<>(a);
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
