package sqlline;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * Runs sqlline commands on a connection the test opened. Lives in sqlline's package because
 * sqlline only connects through DriverManager (which cannot see a driver loaded in an isolated
 * class loader, as the shaded jdbc:strata: driver is in its tests); everything after the
 * connection is sqlline's own code.
 */
public final class SqlLineCommands {
  private SqlLineCommands() {}

  /** What sqlline printed (standard output and errors) for {@code command}. */
  public static String run(Connection connection, String command) throws SQLException {
    SqlLine line = new SqlLine();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    line.setOutputStream(print);
    line.setErrorStream(print);
    line.getOpts().set(BuiltInProperty.MAX_WIDTH, 1000);
    line.getOpts().set(BuiltInProperty.OUTPUT_FORMAT, "csv");
    DatabaseConnection dc = new DatabaseConnection(line, null, "jdbc:conformance", null, null,
        null);
    dc.connection = connection;
    dc.meta = connection.getMetaData();
    if (dc.meta.storesLowerCaseIdentifiers()) {
      // sqlline's own connect reads the identifier case from the metadata (a Postgres driver's
      // lower case); without it, its default dialect turns "orders" into "ORDERS"
      try {
        java.lang.reflect.Method init = DatabaseConnection.class
            .getDeclaredMethod("initSyntaxRule");
        init.setAccessible(true);
        init.invoke(dc);
      } catch (ReflectiveOperationException e) {
        throw new SQLException("sqlline's dialect could not be read from the connection", e);
      }
    }
    line.getDatabaseConnections().setConnection(dc);
    line.runCommands(new DispatchCallback(), command);
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Opens the connection sqlline's {@code !connect} gets. */
  @FunctionalInterface
  public interface Opener {
    Connection open() throws SQLException;
  }

  /**
   * What sqlline printed (verbose: with every error's stack trace) for its own {@code !connect},
   * then {@code commands}, then {@code !close}. After the connection is opened, everything is
   * sqlline's connect: the metadata behind a proxy, auto-commit, read-only, the transaction
   * isolation, the dialect from the metadata, warnings. The connection comes from
   * {@code opener}, through a driver registered for a URL of its own for this call, as in a
   * tool that loads its drivers itself (a driver in an isolated class loader is not visible to
   * sqlline's DriverManager lookup).
   */
  public static String connectAndRun(Opener opener, String... commands) throws SQLException {
    OpenerDriver driver = new OpenerDriver("jdbc:sqlline-conformance:" + UUID.randomUUID(),
        opener);
    DriverManager.registerDriver(driver);
    try {
      SqlLine line = new SqlLine();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
      line.setOutputStream(print);
      line.setErrorStream(print);
      line.getOpts().set(BuiltInProperty.MAX_WIDTH, 1000);
      line.getOpts().set(BuiltInProperty.OUTPUT_FORMAT, "csv");
      line.getOpts().set(BuiltInProperty.VERBOSE, true);
      DispatchCallback connected = new DispatchCallback();
      line.runCommands(connected, "!connect " + driver.url + " conformance conformance");
      if (!connected.isSuccess()) {
        return out.toString(StandardCharsets.UTF_8) + "\nError: !connect failed";
      }
      for (String command : commands) {
        line.runCommands(new DispatchCallback(), command);
      }
      line.runCommands(new DispatchCallback(), "!close");
      return out.toString(StandardCharsets.UTF_8);
    } finally {
      DriverManager.deregisterDriver(driver);
    }
  }

  /** A driver for one URL whose connections come from an {@link Opener}. */
  private static final class OpenerDriver implements Driver {
    private final String url;
    private final Opener opener;

    OpenerDriver(String url, Opener opener) {
      this.url = url;
      this.opener = opener;
    }

    @Override
    public Connection connect(String u, Properties info) throws SQLException {
      return acceptsURL(u) ? opener.open() : null;
    }

    @Override
    public boolean acceptsURL(String u) {
      return url.equals(u);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String u, Properties info) {
      return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
      return 1;
    }

    @Override
    public int getMinorVersion() {
      return 0;
    }

    @Override
    public boolean jdbcCompliant() {
      return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException("no logger");
    }
  }
}
