package io.strata.jdbc;

import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaFactory;
import org.apache.calcite.avatica.DriverVersion;
import org.apache.calcite.avatica.remote.Service;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The Strata JDBC driver: {@code jdbc:strata://HOST[:PORT][?user=..&password=..]}.
 *
 * <p>A thin layer over Avatica's remote driver: it turns the Strata URL and properties into
 * Avatica's ({@code url}, protobuf serialization, BASIC or BEARER authentication, 10,000-row
 * frames), and its statements cancel queries on the server. Registered with
 * {@link DriverManager} when the class loads and listed in {@code META-INF/services}.
 */
public class StrataDriver extends org.apache.calcite.avatica.remote.Driver {

  /** Prefix of the URLs this driver accepts. */
  public static final String CONNECT_STRING_PREFIX = StrataConnectionConfig.PREFIX;

  private static final String VERSION_RESOURCE = "io/strata/jdbc/strata-jdbc-driver.properties";

  static {
    unregisterRelocatedAvaticaDriver();
    new StrataDriver().register();
  }

  public StrataDriver() {
    super();
  }

  /**
   * Avatica's remote driver registers itself when its class loads, which loading this subclass
   * does. Inside the shaded jar that would add a second (relocated) driver for
   * {@code jdbc:avatica:remote:} URLs next to the host's own Avatica, if any; remove it.
   */
  private static void unregisterRelocatedAvaticaDriver() {
    Class<?> avatica = org.apache.calcite.avatica.remote.Driver.class;
    if (!avatica.getName().startsWith("io.strata.jdbc.shaded.")) {
      return; // not shaded: leave a plain Avatica alone
    }
    try {
      Enumeration<Driver> drivers = DriverManager.getDrivers();
      while (drivers.hasMoreElements()) {
        Driver d = drivers.nextElement();
        if (d.getClass() == avatica) {
          DriverManager.deregisterDriver(d);
        }
      }
    } catch (SQLException | SecurityException e) {
      // harmless: the relocated driver only answers jdbc:avatica:remote: URLs
    }
  }

  @Override protected String getConnectStringPrefix() {
    return CONNECT_STRING_PREFIX;
  }

  @Override protected DriverVersion createDriverVersion() {
    return DriverVersion.load(StrataDriver.class, VERSION_RESOURCE, "Strata JDBC Driver",
        "unknown version", "Strata", "unknown version");
  }

  @Override protected AvaticaFactory createFactory() {
    return new StrataJdbcFactory();
  }

  @Override public boolean acceptsURL(String url) throws SQLException {
    if (url == null) {
      throw new SQLException("url can not be null");
    }
    return StrataConnectionConfig.accepts(url);
  }

  /** The driver's version string, e.g. {@code 0.1.0-SNAPSHOT}. */
  public String getVersion() {
    return getDriverVersion().versionString;
  }

  @Override public Connection connect(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return null; // JDBC: not ours, let DriverManager ask the next driver
    }
    final StrataConnectionConfig config = StrataConnectionConfig.parse(url, info);
    final Properties avatica = config.toAvaticaProperties();
    final AvaticaConnection connection;
    try {
      connection = factory.newConnection(this, factory, StrataConnectionConfig.redact(url),
          avatica);
    } catch (RuntimeException e) {
      throw new SQLException("Cannot create a Strata connection to " + config.endpoint() + ": "
          + rootMessage(e), "08001", e);
    }
    handler.onConnectionInit(connection);
    try {
      // Open the connection on the server. Only the extra (non-Avatica) options travel in
      // the request; the credentials go in the HTTP Authorization header.
      connection.getService().apply(new Service.OpenConnectionRequest(connection.id,
          Service.OpenConnectionRequest.serializeProperties(avatica)));
      return connection;
    } catch (RuntimeException e) {
      try {
        connection.close();
      } catch (SQLException | RuntimeException ignored) {
        // the server never knew this connection
      }
      throw connectFailure(config, e);
    }
  }

  private static SQLException connectFailure(StrataConnectionConfig config, Throwable e) {
    final String message = rootMessage(e);
    final String where = config.endpoint();
    if (message.contains("HTTP/401") || message.contains("HTTP/403")) {
      String who = config.token() != null ? "the token"
          : config.user() != null ? "user '" + config.user() + "'"
          : "no credentials (set user and password, or token)";
      return new SQLException("Authentication failed at " + where + " for " + who + " ("
          + (message.contains("HTTP/403") ? "HTTP 403 forbidden" : "HTTP 401 unauthorized")
          + ")", "28000", e);
    }
    if (e instanceof SQLException) {
      return (SQLException) e;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException
          || t instanceof java.net.UnknownHostException
          || t.getClass().getSimpleName().equals("HttpHostConnectException")) {
        return new SQLException("Cannot reach the Strata server at " + where + ": " + message,
            "08001", e);
      }
      if (t instanceof SQLException) {
        return (SQLException) t;
      }
    }
    return new SQLException("Cannot open a Strata connection at " + where + ": " + message,
        "08001", e);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    String message = e.toString();
    while (t != null) {
      if (t.getMessage() != null) {
        message = t.getMessage();
      }
      if (t.getCause() == t) {
        break;
      }
      t = t.getCause();
    }
    return message;
  }

  /** The options a tool's connection dialog should offer, with what is set so far. */
  @Override public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
    Map<String, String> current = Collections.emptyMap();
    StrataConnectionConfig parsed = null;
    try {
      parsed = StrataConnectionConfig.parse(url, info == null ? new Properties() : info);
    } catch (SQLException e) {
      // incomplete URL while the user types: offer the options without values
    }
    List<DriverPropertyInfo> list = new ArrayList<>();
    list.add(property(StrataConnectionConfig.USER, parsed == null ? null : parsed.user(),
        "Strata user name (HTTP Basic authentication)", false));
    list.add(property(StrataConnectionConfig.PASSWORD, null, "Password of the user", false));
    list.add(property(StrataConnectionConfig.TOKEN, null,
        "API token, sent as 'Authorization: Bearer'; instead of a password", false));
    DriverPropertyInfo serialization = property(StrataConnectionConfig.SERIALIZATION,
        parsed == null ? "protobuf" : parsed.serialization(),
        "Wire format: protobuf (default, faster) or json", false);
    serialization.choices = new String[] {"protobuf", "json"};
    list.add(serialization);
    list.add(property(StrataConnectionConfig.FETCH_SIZE,
        Integer.toString(parsed == null ? StrataConnectionConfig.DEFAULT_FETCH_SIZE
            : parsed.fetchSize()),
        "Rows per frame fetched from the server (default "
            + StrataConnectionConfig.DEFAULT_FETCH_SIZE + ")", false));
    list.add(property("truststore", null,
        "https only: trust store file for the server's certificate", false));
    list.add(property("truststore_password", null, "https only: trust store password", false));
    DriverPropertyInfo verification = property("hostname_verification", "STRICT",
        "https only: STRICT (default) or NONE", false);
    verification.choices = new String[] {"STRICT", "NONE"};
    list.add(verification);
    list.add(property("http_connection_timeout", "180000", "Connect timeout, ms", false));
    list.add(property("http_response_timeout", "180000",
        "Response timeout per request, ms (long queries need a large one)", false));
    return list.toArray(new DriverPropertyInfo[0]);
  }

  private static DriverPropertyInfo property(String name, String value, String description,
      boolean required) {
    DriverPropertyInfo p = new DriverPropertyInfo(name, value);
    p.description = description;
    p.required = required;
    return p;
  }
}
