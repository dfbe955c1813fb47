package sqlline;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;

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
}
