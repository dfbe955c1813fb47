package io.strata.jdbc.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.jdbc.JdbcMeta;
import org.apache.calcite.avatica.jdbc.StatementInfo;
import org.apache.calcite.avatica.metrics.noop.NoopMetricsSystem;
import org.apache.calcite.avatica.remote.Driver.Serialization;
import org.apache.calcite.avatica.remote.LocalService;
import org.apache.calcite.avatica.remote.Service;
import org.apache.calcite.avatica.server.AvaticaHandler;
import org.apache.calcite.avatica.server.AvaticaJsonHandler;
import org.apache.calcite.avatica.server.AvaticaProtobufHandler;
import org.apache.calcite.avatica.server.HttpServer;
import org.apache.calcite.avatica.server.ServerCustomizer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.HandlerWrapper;

/**
 * A stock Avatica server (avatica-server's {@link HttpServer} with {@link JdbcMeta}) over an
 * in-memory H2 database, with HTTP Basic authentication from a Jetty HashLoginService
 * properties file, plus a stand-in for Strata's {@code POST /strata/cancel} endpoint. It stands
 * in for the Strata server until that exists.
 */
final class StockAvaticaServer implements AutoCloseable {

  static final String H2_URL = "jdbc:h2:mem:strata_driver_it;DB_CLOSE_DELAY=-1";
  static final String USER = "alice";
  static final String PASSWORD = "s3cret with spaces & symbols";

  /** A cancel request the server received. */
  static final class CancelCall {
    final String authorizationScheme;
    final String remoteUser;
    final String connectionId;
    final int statementId;
    final boolean cancelled;

    CancelCall(String authorizationScheme, String remoteUser, String connectionId,
        int statementId, boolean cancelled) {
      this.authorizationScheme = authorizationScheme;
      this.remoteUser = remoteUser;
      this.connectionId = connectionId;
      this.statementId = statementId;
      this.cancelled = cancelled;
    }
  }

  /** JdbcMeta that records fetches and can cancel a statement's running query. */
  static final class RecordingMeta extends JdbcMeta {
    final List<Integer> fetchSizes = new CopyOnWriteArrayList<>();

    RecordingMeta(String url, Properties info) throws SQLException {
      super(url, info);
    }

    @Override public Frame fetch(StatementHandle h, long offset, int fetchMaxRowCount)
        throws NoSuchStatementException, org.apache.calcite.avatica.MissingResultsException {
      fetchSizes.add(fetchMaxRowCount);
      return super.fetch(h, offset, fetchMaxRowCount);
    }

    boolean cancel(String connectionId, int statementId) throws SQLException {
      if (getConnectionCache().getIfPresent(connectionId) == null) {
        return false;
      }
      StatementInfo info = getStatementCache().getIfPresent(statementId);
      if (info == null) {
        return false;
      }
      Statement statement = jdbcStatement(info);
      if (statement == null) {
        return false;
      }
      statement.cancel();
      return true;
    }

    private static Statement jdbcStatement(StatementInfo info) {
      try {
        Field f = StatementInfo.class.getDeclaredField("statement");
        f.setAccessible(true);
        return (Statement) f.get(info);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Serves /strata/cancel itself and passes everything else to Avatica's handler. */
  private static final class CancelEndpoint extends HandlerWrapper implements AvaticaHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AvaticaHandler avatica;
    private final RecordingMeta meta;
    private final List<CancelCall> calls;

    CancelEndpoint(AvaticaHandler avatica, RecordingMeta meta, List<CancelCall> calls) {
      this.avatica = avatica;
      this.meta = meta;
      this.calls = calls;
      setHandler(avatica);
    }

    @Override public void setServerRpcMetadata(Service.RpcMetadataResponse metadata) {
      avatica.setServerRpcMetadata(metadata);
    }

    @Override public void handle(String target, Request baseRequest, HttpServletRequest request,
        HttpServletResponse response) throws IOException, javax.servlet.ServletException {
      if (!"/strata/cancel".equals(target)) {
        super.handle(target, baseRequest, request, response);
        return;
      }
      baseRequest.setHandled(true);
      if (!"POST".equals(request.getMethod())) {
        response.setStatus(405);
        return;
      }
      JsonNode body = JSON.readTree(request.getInputStream());
      String connectionId = body.path("connectionId").asText();
      int statementId = body.path("statementId").asInt(-1);
      boolean cancelled;
      try {
        cancelled = meta.cancel(connectionId, statementId);
      } catch (SQLException e) {
        response.setStatus(500);
        return;
      }
      String authorization = request.getHeader("Authorization");
      calls.add(new CancelCall(authorization == null ? null : authorization.split(" ")[0],
          request.getRemoteUser(), connectionId, statementId, cancelled));
      response.setStatus(200);
      response.setContentType("application/json");
      response.getOutputStream().write(("{\"cancelled\":" + cancelled + "}")
          .getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Records the Authorization scheme (or "none") of every request, before authentication. */
  private static final class AuthorizationRecorder extends HandlerWrapper {
    private final List<String> schemes;

    AuthorizationRecorder(Handler inner, List<String> schemes) {
      this.schemes = schemes;
      setHandler(inner);
    }

    @Override public void handle(String target, Request baseRequest, HttpServletRequest request,
        HttpServletResponse response) throws IOException, javax.servlet.ServletException {
      String authorization = request.getHeader("Authorization");
      schemes.add(authorization == null ? "none" : authorization.split(" ")[0]);
      super.handle(target, baseRequest, request, response);
    }
  }

  final RecordingMeta meta;
  /** The cancel requests received, in order. */
  final List<CancelCall> cancelCalls;
  /** The Authorization scheme of every request received ("none" if absent), in order. */
  final List<String> authorizationSchemes;
  private final HttpServer server;

  private StockAvaticaServer(RecordingMeta meta, List<CancelCall> cancelCalls,
      List<String> authorizationSchemes, HttpServer server) {
    this.meta = meta;
    this.cancelCalls = cancelCalls;
    this.authorizationSchemes = authorizationSchemes;
    this.server = server;
  }

  /** Starts a server on a free port speaking {@code serialization}. */
  static StockAvaticaServer start(Serialization serialization, Path workDir) throws Exception {
    Properties h2 = new Properties();
    h2.setProperty("user", "sa");
    h2.setProperty("password", "");
    RecordingMeta meta = new RecordingMeta(H2_URL, h2);
    Service service = new LocalService(meta);
    AvaticaHandler avatica = serialization == Serialization.PROTOBUF
        ? new AvaticaProtobufHandler(service, NoopMetricsSystem.getInstance())
        : new AvaticaJsonHandler(service, NoopMetricsSystem.getInstance());
    List<CancelCall> calls = new CopyOnWriteArrayList<>();
    Path realm = workDir.resolve("realm-" + serialization + ".properties");
    // Jetty HashLoginService format: "user: password,role,..."
    Files.writeString(realm, USER + ": " + PASSWORD + ",users\n"
        + "bob: other-password,users\n");
    List<String> schemes = new CopyOnWriteArrayList<>();
    ServerCustomizer<Server> recordAuthorization = jetty ->
        jetty.setHandler(new AuthorizationRecorder(jetty.getHandler(), schemes));
    HttpServer server = HttpServer.Builder.<Server>newBuilder()
        .withPort(0)
        .withHandler(new CancelEndpoint(avatica, meta, calls))
        .withBasicAuthentication(realm.toString(), new String[] {"users"})
        .withServerCustomizers(List.of(recordAuthorization), Server.class)
        .build();
    server.start();
    return new StockAvaticaServer(meta, calls, schemes, server);
  }

  int port() {
    return server.getPort();
  }

  String url() {
    return "jdbc:strata://localhost:" + port();
  }

  /** A direct H2 connection to the same in-memory database. */
  static Connection h2() throws SQLException {
    return DriverManager.getConnection(H2_URL, "sa", "");
  }

  @Override public void close() {
    server.stop();
  }
}
