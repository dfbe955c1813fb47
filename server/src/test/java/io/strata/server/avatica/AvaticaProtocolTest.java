package io.strata.server.avatica;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.remote.JsonService;
import org.apache.calcite.avatica.remote.ProtobufTranslation;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.apache.calcite.avatica.remote.Service;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The JDBC port spoken to directly, below the driver: authentication, who may use a connection,
 * the cancel side channel, errors without stack traces, and both serializations on one port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AvaticaProtocolTest {
  static final ProtobufTranslation PROTOBUF = new ProtobufTranslationImpl();
  static final String VIEWER = "proto-viewer";
  static final String VIEWER_PASSWORD = "viewer-secret-2";

  TestServer server;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start(Map.of());
    Response r = server.admin().post("/api/v1/users", Map.of("username", VIEWER,
        "password", VIEWER_PASSWORD, "role", "viewer"));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    Class.forName("org.apache.calcite.avatica.remote.Driver");
  }

  @AfterAll
  void stop() {
    server.close();
  }

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
        .getBytes(StandardCharsets.UTF_8));
  }

  HttpResponse<byte[]> post(String path, String authorization, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:"
        + server.jdbcPort() + path)).POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .header("Content-Type", "application/octet-stream");
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Sends one protobuf request; returns the HTTP status and the decoded response. */
  record Answer(int status, Service.Response response) {}

  Answer protobuf(String authorization, Service.Request request) throws Exception {
    HttpResponse<byte[]> r = post("/", authorization, PROTOBUF.serializeRequest(request));
    return new Answer(r.statusCode(), r.statusCode() == 200 || r.statusCode() == 500
        ? PROTOBUF.parseResponse(r.body()) : null);
  }

  Answer json(String authorization, Service.Request request) throws Exception {
    HttpResponse<byte[]> r = post("/", authorization, JsonService.MAPPER.writeValueAsBytes(request));
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    return new Answer(r.statusCode(), JsonService.MAPPER.readValue(r.body(),
        Service.Response.class));
  }

  @Test
  void withoutCredentialsTheAnswerIs401WithABasicChallenge() throws Exception {
    HttpResponse<byte[]> r = post("/", null, PROTOBUF.serializeRequest(
        new Service.OpenConnectionRequest(UUID.randomUUID().toString(), Map.of())));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().allValues("WWW-Authenticate")).contains("Basic realm=\"Strata\"");
    HttpResponse<byte[]> wrong = post("/", basic("admin", "wrong-password"), new byte[0]);
    assertThat(wrong.statusCode()).isEqualTo(401);
    HttpResponse<byte[]> cancel = post(AvaticaHttpHandler.CANCEL_PATH, null, "{}".getBytes());
    assertThat(cancel.statusCode()).isEqualTo(401);
  }

  @Test
  void onlyPostIsServed() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:"
        + server.jdbcPort() + "/")).header("Authorization", basic("admin",
        TestServer.ADMIN_PASSWORD)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
  }

  @Test
  void protobufAndJsonShareThePortAndAnApiTokenWorks() throws Exception {
    String admin = basic("admin", TestServer.ADMIN_PASSWORD);
    String id = UUID.randomUUID().toString();
    assertThat(protobuf(admin, new Service.OpenConnectionRequest(id, Map.of())).status())
        .isEqualTo(200);
    Answer props = json(admin, new Service.DatabasePropertyRequest(id));
    assertThat(props.status()).isEqualTo(200);
    Map<Meta.DatabaseProperty, Object> map =
        ((Service.DatabasePropertyResponse) props.response()).map;
    assertThat(map.get(Meta.DatabaseProperty.GET_DATABASE_PRODUCT_NAME)).isEqualTo("Strata");

    Response token = server.admin().post("/api/v1/tokens", Map.of("name", "jdbc"));
    assertThat(token.status()).as(token.toString()).isIn(200, 201);
    String secret = token.json().path("secret").asText();
    Answer viaToken = protobuf("Bearer " + secret, new Service.CreateStatementRequest(id));
    assertThat(viaToken.status()).as("the token is admin's, who opened the connection")
        .isEqualTo(200);
    assertThat(protobuf(admin, new Service.CloseConnectionRequest(id)).status()).isEqualTo(200);
  }

  @Test
  void anotherUsersConnectionIsRefused() throws Exception {
    String admin = basic("admin", TestServer.ADMIN_PASSWORD);
    String viewer = basic(VIEWER, VIEWER_PASSWORD);
    String id = UUID.randomUUID().toString();
    assertThat(protobuf(admin, new Service.OpenConnectionRequest(id, Map.of())).status())
        .isEqualTo(200);
    Answer created = protobuf(admin, new Service.CreateStatementRequest(id));
    int statement = ((Service.CreateStatementResponse) created.response()).statementId;

    for (Service.Request r : List.<Service.Request>of(new Service.CreateStatementRequest(id),
        new Service.PrepareAndExecuteRequest(id, statement, "SELECT 1", -1),
        new Service.FetchRequest(id, statement, 0, 100),
        new Service.TablesRequest(id, null, null, "%", null),
        new Service.CloseConnectionRequest(id))) {
      Answer a = protobuf(viewer, r);
      assertThat(a.status()).as(r.toString()).isEqualTo(500);
      Service.ErrorResponse e = (Service.ErrorResponse) a.response();
      assertThat(e.sqlState).isEqualTo("28000");
      assertThat(e.errorMessage).contains("belongs to another user");
    }
    Response cancel = server.as(VIEWER, VIEWER_PASSWORD).post("http://localhost:"
        + server.jdbcPort() + AvaticaHttpHandler.CANCEL_PATH,
        Map.of("connectionId", id, "statementId", statement));
    assertThat(cancel.status()).as(cancel.toString()).isEqualTo(403);
    // still admin's, and still open
    Answer own = protobuf(admin, new Service.PrepareAndExecuteRequest(id, statement,
        "SELECT COUNT(*) AS n FROM semantic.orders", -1));
    assertThat(own.status()).isEqualTo(200);
    assertThat(protobuf(admin, new Service.CloseConnectionRequest(id)).status()).isEqualTo(200);
  }

  @Test
  void errorsNameTheProblemWithoutStackTraces() throws Exception {
    String admin = basic("admin", TestServer.ADMIN_PASSWORD);
    String id = UUID.randomUUID().toString();
    protobuf(admin, new Service.OpenConnectionRequest(id, Map.of()));
    Answer prepared = protobuf(admin, new Service.PrepareRequest(id,
        "SELECT nope FROM semantic.orders", -1));
    assertThat(prepared.status()).isEqualTo(500);
    Service.ErrorResponse e = (Service.ErrorResponse) prepared.response();
    assertThat(e.sqlState).isEqualTo("42000");
    assertThat(e.errorMessage).contains("nope").contains("line 1, column 8");
    assertThat(String.join("\n", e.exceptions)).doesNotContain("\tat ", "Exception");
    Answer fetch = protobuf(admin, new Service.FetchRequest(id, 999_999, 0, 10));
    assertThat(fetch.status()).as("an unknown statement is reported as missing").isEqualTo(200);
    assertThat(((Service.FetchResponse) fetch.response()).missingStatement).isTrue();
    Answer gone = protobuf(admin, new Service.CreateStatementRequest("no-such-connection"));
    assertThat(gone.status()).isEqualTo(500);
    assertThat(((Service.ErrorResponse) gone.response()).errorCode)
        .as("the code with which the driver reopens a connection")
        .isEqualTo(Service.ErrorResponse.MISSING_CONNECTION_ERROR_CODE);
    Answer batch = protobuf(admin, new Service.PrepareAndExecuteBatchRequest(id,
        ((Service.CreateStatementResponse) protobuf(admin,
            new Service.CreateStatementRequest(id)).response()).statementId,
        List.of("INSERT INTO x VALUES (1)")));
    assertThat(((Service.ErrorResponse) batch.response()).sqlState).isEqualTo("25006");
    protobuf(admin, new Service.CloseConnectionRequest(id));
  }

  @Test
  void theCancelSideChannel() throws Exception {
    Properties p = new Properties();
    p.setProperty("avatica_user", "admin");
    p.setProperty("avatica_password", TestServer.ADMIN_PASSWORD);
    try (Connection c = DriverManager.getConnection(server.avaticaUrl("protobuf"), p)) {
      String cid = c.unwrap(AvaticaConnection.class).id;
      String url = "http://localhost:" + server.jdbcPort() + AvaticaHttpHandler.CANCEL_PATH;
      Statement idle = c.createStatement();
      Response nothing = server.admin().post(url, Map.of("connectionId", cid, "statementId",
          idle.unwrap(AvaticaStatement.class).getId()));
      assertThat(nothing.status()).isEqualTo(200);
      assertThat(nothing.json().path("cancelled").asBoolean()).as("nothing runs").isFalse();
      Response unknown = server.admin().post(url, Map.of("connectionId", "nope",
          "statementId", 1));
      assertThat(unknown.json().path("cancelled").asBoolean()).isFalse();
      Response bad = server.admin().post(url, Map.of("connectionId", cid));
      assertThat(bad.status()).isEqualTo(400);

      // an open result is cancelled through its cursor: the next fetch fails CANCELLED
      PreparedStatement ps = c.prepareStatement(
          "SELECT order_id FROM semantic.orders ORDER BY order_id");
      ps.setFetchSize(10);
      ResultSet rs = ps.executeQuery();
      assertThat(rs.next()).isTrue();
      Response open = server.admin().post(url, Map.of("connectionId", cid, "statementId",
          ps.unwrap(AvaticaStatement.class).getId()));
      JsonNode body = open.json();
      assertThat(body.path("cancelled").asBoolean()).as(open.toString()).isTrue();
      String state = null;
      try {
        while (rs.next()) {
          // reads the first frame's rows, then fetches
        }
      } catch (Exception e) {
        for (Throwable t = e; t != null && state == null; t = t.getCause()) {
          if (t instanceof java.sql.SQLException s) {
            state = s.getSQLState();
          } else if (t instanceof org.apache.calcite.avatica.AvaticaClientRuntimeException a) {
            state = a.getSqlState();
          }
        }
      }
      assertThat(state).as("the fetch after the cancel fails CANCELLED").isEqualTo("57014");
    }
  }
}
