package io.strata.server.avatica;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.server.auth.AuthService;
import io.strata.server.auth.Principal;
import io.strata.server.auth.throttle.Client;
import io.strata.server.auth.throttle.LoginRefusedException;
import io.strata.server.auth.throttle.LoginThrottleSettings;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.calcite.avatica.metrics.noop.NoopMetricsSystem;
import org.apache.calcite.avatica.remote.Handler.HandlerResponse;
import org.apache.calcite.avatica.remote.JsonHandler;
import org.apache.calcite.avatica.remote.LocalService;
import org.apache.calcite.avatica.remote.ProtobufHandler;
import org.apache.calcite.avatica.remote.Service;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.AbstractHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jetty handler of the JDBC port: authenticates every request (HTTP Basic against the user
 * store, or a Bearer API token), then hands Avatica requests to its JSON or protobuf handler as
 * the body says ({@link WireFormat}), inside {@link StrataMeta#as} so the Meta knows the caller.
 * Responses are written as Avatica's own {@code AvaticaJsonHandler} and
 * {@code AvaticaProtobufHandler} write them: 200 with the response, 500 with an
 * {@code ErrorResponse} the driver turns into an {@code SQLException}. A user or client address
 * that failed to log in too often gets such an error too (SQLState 28000, saying when to retry)
 * rather than a bare 401, so that JDBC tools show why.
 *
 * <p>{@code POST /strata/cancel} with <code>{"connectionId":"…","statementId":N}</code> cancels
 * that statement's running query, for the connection's own user only, and answers
 * <code>{"cancelled":true|false}</code>: the Strata driver's {@code Statement.cancel()} (the stock
 * Avatica driver only cancels client-side). {@code POST /strata/primary-keys} with
 * <code>{"catalog":…,"schema":…,"table":…}</code> answers the caller's primary keys, which
 * Avatica's protocol cannot ask for: the Strata driver's {@code getPrimaryKeys}.
 */
final class AvaticaHttpHandler extends AbstractHandler {
  private static final Logger LOG = LoggerFactory.getLogger(AvaticaHttpHandler.class);
  static final String CANCEL_PATH = "/strata/cancel";
  static final String PRIMARY_KEYS_PATH = "/strata/primary-keys";
  static final String REALM = "Strata";
  /** The largest request accepted: SQL text and parameters, never data. */
  static final int MAX_REQUEST_BYTES = 16 * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AuthService auth;
  private final StrataMeta meta;
  private final Service service;
  private final JsonHandler json;
  private final ProtobufHandler protobuf;

  AvaticaHttpHandler(AuthService auth, StrataMeta meta) {
    this.auth = auth;
    this.meta = meta;
    this.service = mappingErrors(new LocalService(meta, NoopMetricsSystem.getInstance()));
    this.json = new JsonHandler(service, NoopMetricsSystem.getInstance());
    this.protobuf = new ProtobufHandler(service, new FrameTranslation(),
        NoopMetricsSystem.getInstance());
  }

  /** Tells clients (in error responses too) which server answered. */
  void setServerAddress(String address) {
    Service.RpcMetadataResponse metadata = new Service.RpcMetadataResponse(address);
    service.setRpcMetadata(metadata);
    json.setRpcMetadata(metadata);
    protobuf.setRpcMetadata(metadata);
  }

  /**
   * The service with every exception a request raises mapped to what a JDBC client should see
   * ({@link JdbcException#of}): Avatica's handlers would otherwise send the exception's causal
   * chain and stack trace.
   */
  static Service mappingErrors(Service delegate) {
    return (Service) Proxy.newProxyInstance(Service.class.getClassLoader(),
        new Class<?>[] {Service.class}, (proxy, method, args) -> {
          try {
            return method.invoke(delegate, args);
          } catch (InvocationTargetException e) {
            if (method.getDeclaringClass() == Object.class) {
              throw e.getCause();
            }
            throw JdbcException.of(e.getCause());
          }
        });
  }

  @Override
  public void handle(String target, Request baseRequest, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    baseRequest.setHandled(true);
    Optional<Principal> caller;
    try {
      caller = auth.authenticate(request.getHeader("Authorization"), null, client(request));
    } catch (LoginRefusedException e) {
      refuse(request, response, e);
      return;
    } catch (RuntimeException e) {
      LOG.warn("JDBC authentication failed: {}", e.toString());
      drain(request);
      text(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
          "authentication is unavailable, try again");
      return;
    }
    if (caller.isEmpty()) {
      drain(request);
      response.addHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\"");
      response.addHeader("WWW-Authenticate", "Bearer realm=\"" + REALM + "\"");
      text(response, HttpServletResponse.SC_UNAUTHORIZED, "authentication required: a user and"
          + " password (HTTP Basic) or an API token (Bearer)");
      return;
    }
    if (!"POST".equals(request.getMethod())) {
      text(response, HttpServletResponse.SC_BAD_REQUEST, "This server expects only POST calls.");
      return;
    }
    byte[] body = read(request);
    if (body == null) {
      text(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
          "requests are limited to " + MAX_REQUEST_BYTES + " bytes");
      return;
    }
    if (CANCEL_PATH.equals(target)) {
      cancel(caller.get(), body, response);
      return;
    }
    if (PRIMARY_KEYS_PATH.equals(target)) {
      primaryKeys(caller.get(), body, response);
      return;
    }
    String header = request.getHeader("request");
    WireFormat format = WireFormat.of(body, header);
    HandlerResponse<?> answer;
    byte[] bytes;
    if (format == WireFormat.JSON) {
      String text = header != null ? header : new String(body, charset(request));
      HandlerResponse<String> r = StrataMeta.as(caller.get(), () -> json.apply(text));
      answer = r;
      bytes = (r.getResponse() + "\n").getBytes(StandardCharsets.UTF_8);
    } else {
      HandlerResponse<byte[]> r = StrataMeta.as(caller.get(), () -> protobuf.apply(body));
      answer = r;
      bytes = r.getResponse();
    }
    response.setStatus(answer.getStatusCode());
    response.setContentType(format.contentType());
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  private Client client(HttpServletRequest request) {
    return Client.of("jdbc", LoginThrottleSettings.parseAddress(request.getRemoteAddr()).orElse(null),
        request.getHeader("X-Forwarded-For"), auth.throttle().settings());
  }

  /** A throttled login as an Avatica error in the request's own wire format (HTTP 500). */
  private void refuse(HttpServletRequest request, HttpServletResponse response,
      LoginRefusedException e) throws IOException {
    byte[] body = read(request);
    response.addHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
    if (body == null) {
      text(response, 429, e.getMessage());
      return;
    }
    JdbcException error = JdbcException.of(JdbcException.THROTTLED, "28000", e.getMessage());
    WireFormat format = WireFormat.of(body, request.getHeader("request"));
    byte[] bytes;
    int status;
    if (format == WireFormat.JSON) {
      HandlerResponse<String> r = json.convertToErrorResponse(error);
      status = r.getStatusCode();
      bytes = (r.getResponse() + "\n").getBytes(StandardCharsets.UTF_8);
    } else {
      HandlerResponse<byte[]> r = protobuf.convertToErrorResponse(error);
      status = r.getStatusCode();
      bytes = r.getResponse();
    }
    response.setStatus(status);
    response.setContentType(format.contentType());
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  private void cancel(Principal caller, byte[] body, HttpServletResponse response)
      throws IOException {
    String connectionId;
    int statementId;
    try {
      JsonNode n = JSON.readTree(body);
      if (n == null || !n.path("connectionId").isTextual() || !n.path("statementId").canConvertToInt()
          || !n.path("statementId").isIntegralNumber()) {
        throw new IOException("bad body");
      }
      connectionId = n.get("connectionId").asText();
      statementId = n.get("statementId").asInt();
    } catch (IOException e) {
      json(response, HttpServletResponse.SC_BAD_REQUEST, Map.of("error",
          "expected {\"connectionId\": \"...\", \"statementId\": N}"));
      return;
    }
    boolean cancelled;
    try {
      cancelled = meta.cancel(connectionId, statementId, caller);
    } catch (JdbcException e) {
      json(response, HttpServletResponse.SC_FORBIDDEN, Map.of("error", e.getErrorMessage()));
      return;
    }
    LOG.debug("cancel of statement {} on connection {} by {}: {}", statementId, connectionId,
        caller.username(), cancelled);
    json(response, HttpServletResponse.SC_OK, Map.of("cancelled", cancelled));
  }

  /**
   * {@code {"catalog": ..., "schema": ..., "table": ...}} (each a name or null for any) to
   * <code>{"rows": [[catalog, schema, table, column, keySeq, pkName], ...]}</code>: the
   * caller's primary keys, as getPrimaryKeys answers.
   */
  private void primaryKeys(Principal caller, byte[] body, HttpServletResponse response)
      throws IOException {
    String[] names = new String[3];
    try {
      JsonNode n = JSON.readTree(body);
      if (n == null || !n.isObject()) {
        throw new IOException("bad body");
      }
      String[] fields = {"catalog", "schema", "table"};
      for (int i = 0; i < fields.length; i++) {
        JsonNode v = n.path(fields[i]);
        if (!v.isMissingNode() && !v.isNull() && !v.isTextual()) {
          throw new IOException(fields[i] + " is not a string");
        }
        names[i] = v.isTextual() ? v.asText() : null;
      }
    } catch (IOException e) {
      json(response, HttpServletResponse.SC_BAD_REQUEST, Map.of("error",
          "expected {\"catalog\": ..., \"schema\": ..., \"table\": ...} (names or null)"));
      return;
    }
    List<Object[]> rows = StrataMeta.as(caller,
        () -> meta.primaryKeyRows(names[0], names[1], names[2]));
    json(response, HttpServletResponse.SC_OK, Map.of("rows", rows));
  }

  private static Charset charset(HttpServletRequest request) {
    String encoding = request.getCharacterEncoding();
    try {
      return encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
    } catch (RuntimeException e) {
      return StandardCharsets.UTF_8;
    }
  }

  /** The body, or null when it is larger than {@link #MAX_REQUEST_BYTES}. */
  private static byte[] read(HttpServletRequest request) throws IOException {
    if (request.getContentLengthLong() > MAX_REQUEST_BYTES) {
      return null;
    }
    try (InputStream in = request.getInputStream()) {
      byte[] bytes = in.readNBytes(MAX_REQUEST_BYTES + 1);
      return bytes.length > MAX_REQUEST_BYTES ? null : bytes;
    }
  }

  /** Reads and drops the body, so the connection can carry the client's retry. */
  private static void drain(HttpServletRequest request) {
    try (InputStream in = request.getInputStream()) {
      byte[] buffer = new byte[8192];
      long left = MAX_REQUEST_BYTES;
      for (int n; left > 0 && (n = in.read(buffer)) > 0; ) {
        left -= n;
      }
    } catch (IOException e) {
      // the connection is closed anyway
    }
  }

  private static void text(HttpServletResponse response, int status, String message)
      throws IOException {
    byte[] bytes = (message + "\n").getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("text/plain;charset=utf-8");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  private static void json(HttpServletResponse response, int status, Object body)
      throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    response.setStatus(status);
    response.setContentType("application/json;charset=utf-8");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }
}
