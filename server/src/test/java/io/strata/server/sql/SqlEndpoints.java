package io.strata.server.sql;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.testkit.Answers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;

/**
 * Every endpoint that takes SQL, driven by its stock client: REST {@code /api/v1/sql}, the
 * Avatica remote driver (protobuf), the Flight SQL JDBC driver and Arrow's
 * {@code FlightSqlClient}. Each runs a statement with string parameters and answers either its
 * rows (values normalised as {@link Answers#normalise}) or the error the client saw, so a test
 * sends the same input to all of them.
 */
final class SqlEndpoints implements AutoCloseable {
  /** What one endpoint answered: rows, or an error ({@code code} is null when the client has none). */
  record Outcome(String endpoint, List<List<String>> rows, String code, String error) {
    boolean failed() {
      return error != null;
    }

    @Override
    public String toString() {
      return endpoint + ": " + (failed() ? code + " " + error : rows);
    }
  }

  private final TestServer server;
  private final BufferAllocator memory = new RootAllocator();
  private final FlightClient client;
  private final FlightSqlClient flight;
  private final CallOption auth;
  /** The Avatica connection, reused while it stays open (errors leave it open). */
  private Connection jdbc;

  SqlEndpoints(TestServer server) {
    this.server = server;
    this.client = FlightClient.builder(memory,
        Location.forGrpcInsecure("127.0.0.1", server.flightPort())).build();
    this.auth = client.authenticateBasicToken("admin", TestServer.ADMIN_PASSWORD).orElseThrow();
    this.flight = new FlightSqlClient(client);
  }

  FlightClient flightClient() {
    return client;
  }

  FlightSqlClient flightSql() {
    return flight;
  }

  CallOption auth() {
    return auth;
  }

  BufferAllocator memory() {
    return memory;
  }

  /** The statement on every endpoint, in order: rest, jdbc, flight-jdbc, flight. */
  List<Outcome> all(String sql, String... parameters) {
    return List.of(rest(sql, parameters), jdbc(sql, parameters), flightJdbc(sql, parameters),
        flight(sql, parameters));
  }

  Outcome rest(String sql, String... parameters) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sql", sql);
    body.put("parameters", List.of(parameters));
    TestServer.Response r = server.admin().post("/api/v1/sql", body);
    if (r.status() != 200) {
      JsonNode e = r.json().path("error");
      return new Outcome("rest", null, r.status() + " " + e.path("code").asText(),
          e.path("message").asText() + (e.hasNonNull("location")
              ? " @" + e.path("location").asText() : ""));
    }
    return new Outcome("rest", TestServer.rows(r), null, null);
  }

  Outcome jdbc(String sql, String... parameters) {
    Properties p = new Properties();
    p.setProperty("avatica_user", "admin");
    p.setProperty("avatica_password", TestServer.ADMIN_PASSWORD);
    try {
      if (jdbc == null || jdbc.isClosed()) {
        jdbc = DriverManager.getConnection(server.avaticaUrl("protobuf"), p);
      }
      return new Outcome("jdbc", run(jdbc, sql, parameters), null, null);
    } catch (SQLException e) {
      // the Avatica driver's message is "while preparing SQL: <the SQL>"; the server's is this
      return new Outcome("jdbc", null, e.getSQLState(), message(e));
    }
  }

  String flightJdbcUrl() {
    return "jdbc:arrow-flight-sql://127.0.0.1:" + server.flightPort()
        + "?useEncryption=false&user=admin&password=" + TestServer.ADMIN_PASSWORD;
  }

  Outcome flightJdbc(String sql, String... parameters) {
    try (Connection c = DriverManager.getConnection(flightJdbcUrl())) {
      return new Outcome("flight-jdbc", run(c, sql, parameters), null, null);
    } catch (SQLException e) {
      return new Outcome("flight-jdbc", null, e.getSQLState(), message(e));
    } catch (RuntimeException e) {
      // the stock driver lets some server errors out of executeQuery as its (shaded)
      // FlightRuntimeException rather than an SQLException: what the client sees all the same
      if (!e.getClass().getSimpleName().equals("FlightRuntimeException")) {
        throw e;
      }
      return new Outcome("flight-jdbc", null, null, e.getMessage());
    }
  }

  Outcome flight(String sql, String... parameters) {
    try {
      if (parameters.length == 0) {
        return new Outcome("flight", rows(flight.execute(sql, auth)), null, null);
      }
      Schema schema = new Schema(java.util.stream.IntStream.range(0, parameters.length)
          .mapToObj(i -> new Field("p" + i, FieldType.nullable(ArrowType.Utf8.INSTANCE), null))
          .toList());
      try (FlightSqlClient.PreparedStatement ps = flight.prepare(sql, auth);
          VectorSchemaRoot values = VectorSchemaRoot.create(schema, memory)) {
        values.allocateNew();
        for (int i = 0; i < parameters.length; i++) {
          ((VarCharVector) values.getVector(i)).setSafe(0, new Text(parameters[i]));
        }
        values.setRowCount(1);
        ps.setParameters(values);
        List<List<String>> rows = rows(ps.execute(auth));
        ps.close(auth);
        return new Outcome("flight", rows, null, null);
      }
    } catch (FlightRuntimeException e) {
      return new Outcome("flight", null, e.status().code().name(), e.getMessage());
    }
  }

  List<List<String>> rows(FlightInfo info) {
    List<List<String>> out = new ArrayList<>();
    for (FlightEndpoint e : info.getEndpoints()) {
      try (FlightStream s = flight.getStream(e.getTicket(), auth)) {
        while (s.next()) {
          VectorSchemaRoot root = s.getRoot();
          for (int r = 0; r < root.getRowCount(); r++) {
            List<String> row = new ArrayList<>();
            for (var v : root.getFieldVectors()) {
              Object o = v.getObject(r);
              row.add(Answers.normalise(o instanceof Text t ? t.toString() : o, null));
            }
            out.add(row);
          }
        }
      } catch (Exception ex) {
        if (ex instanceof FlightRuntimeException f) {
          throw f;
        }
        throw new IllegalStateException(ex);
      }
    }
    return out;
  }

  /**
   * All a JDBC client is told of an error: both drivers say "while preparing SQL: ..." and put
   * the server's message in a cause (Avatica: among its "stack traces").
   */
  static String message(SQLException e) {
    StringBuilder message = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      message.append(t.getMessage()).append(" | ");
      if (t instanceof org.apache.calcite.avatica.AvaticaSqlException a) {
        message.append(String.join(" ", a.getStackTraces())).append(" | ");
      }
    }
    return message.toString();
  }

  static List<List<String>> run(Connection c, String sql, String... parameters)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        ps.setString(i + 1, parameters[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        List<List<String>> rows = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          List<String> row = new ArrayList<>();
          for (int i = 1; i <= n; i++) {
            row.add(Answers.normalise(rs.getObject(i), null));
          }
          rows.add(row);
        }
        return rows;
      }
    }
  }

  @Override
  public void close() throws Exception {
    for (Connection c : new Connection[] {jdbc}) {
      if (c != null) {
        c.close();
      }
    }
    flight.close();
    memory.close();
  }
}
