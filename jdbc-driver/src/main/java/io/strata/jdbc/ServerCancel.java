package io.strata.jdbc;

import org.apache.calcite.avatica.ConnectionConfig;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.sql.SQLException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Strata's requests beside Avatica's protocol, with the connection's credentials and TLS:
 * {@code POST {url}/strata/cancel} with body {@code {"connectionId":"...","statementId":N}}
 * (the server answers {@code 200 {"cancelled":true|false}}), and
 * {@code POST {url}/strata/primary-keys} with {@code {"catalog":..,"schema":..,"table":..}}
 * (answered {@code 200 {"rows":[[catalog, schema, table, column, keySeq, pkName], ...]}}),
 * which Avatica's protocol has no request for.
 *
 * <p>Uses the JDK's {@link HttpClient}, separate from Avatica's (pooled) client, so a cancel
 * never waits for a connection that a blocked query holds.
 */
final class ServerCancel {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern CANCELLED =
      Pattern.compile("\"cancelled\"\\s*:\\s*(true|false)");

  /** One client for every connection that needs no TLS material of its own. */
  private static final class Default {
    static final HttpClient CLIENT = HttpClient.newBuilder()
        .connectTimeout(CONNECT_TIMEOUT)
        .build();
  }

  private final URI uri;
  private final String authorization;
  private final HttpClient client;

  private ServerCancel(URI uri, String authorization, HttpClient client) {
    this.uri = uri;
    this.authorization = authorization;
    this.client = client;
  }

  static ServerCancel forConfig(ConnectionConfig config) throws SQLException {
    String base = config.url();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    URI uri = URI.create(base + "/strata/cancel");
    return new ServerCancel(uri, AuthHeader.of(config), client(config));
  }

  /**
   * The primary-key rows of the tables named (null: any), as getPrimaryKeys lists them.
   *
   * @throws SQLException if the server cannot be reached or answers other than 200
   */
  java.util.List<Object[]> primaryKeys(String catalog, String schema, String table)
      throws SQLException {
    URI keys = uri.resolve("primary-keys");
    String body = "{\"catalog\":" + jsonOrNull(catalog) + ",\"schema\":" + jsonOrNull(schema)
        + ",\"table\":" + jsonOrNull(table) + "}";
    HttpRequest.Builder request = HttpRequest.newBuilder(keys)
        .timeout(REQUEST_TIMEOUT)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new SQLException("Could not ask " + keys + " for primary keys: " + e, "08006", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("Interrupted while reading primary keys", "HY008", e);
    }
    if (response.statusCode() != 200) {
      throw new SQLException("The server refused the primary keys: " + keys + " answered HTTP "
          + response.statusCode() + " " + abbreviate(response.body()),
          response.statusCode() == 401 || response.statusCode() == 403 ? "28000" : "HY000");
    }
    try {
      com.fasterxml.jackson.databind.JsonNode rows =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).path("rows");
      java.util.List<Object[]> out = new java.util.ArrayList<>();
      for (com.fasterxml.jackson.databind.JsonNode r : rows) {
        out.add(new Object[] {text(r.get(0)), text(r.get(1)), text(r.get(2)), text(r.get(3)),
            (short) r.get(4).asInt(), text(r.get(5))});
      }
      return out;
    } catch (IOException | RuntimeException e) {
      throw new SQLException("Unexpected answer from " + keys + ": "
          + abbreviate(response.body()), "HY000", e);
    }
  }

  private static String text(com.fasterxml.jackson.databind.JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  private static String jsonOrNull(String s) {
    return s == null ? "null" : jsonString(s);
  }

  private static HttpClient client(ConnectionConfig config) throws SQLException {
    File truststore = config.truststore();
    File keystore = config.keystore();
    if (truststore == null && keystore == null) {
      return Default.CLIENT;
    }
    try {
      String type = config.keystoreType() != null ? config.keystoreType()
          : KeyStore.getDefaultType();
      TrustManagerFactory tmf = null;
      if (truststore != null) {
        KeyStore ts = load(truststore, type, config.truststorePassword());
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
      }
      KeyManagerFactory kmf = null;
      if (keystore != null) {
        KeyStore ks = load(keystore, type, config.keystorePassword());
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, config.keyPassword() == null ? new char[0]
            : config.keyPassword().toCharArray());
      }
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(kmf == null ? null : kmf.getKeyManagers(),
          tmf == null ? null : tmf.getTrustManagers(), null);
      return HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).sslContext(ssl).build();
    } catch (IOException | GeneralSecurityException e) {
      throw new SQLException("Cannot set up TLS for cancelling statements: " + e.getMessage(),
          "08000", e);
    }
  }

  private static KeyStore load(File file, String type, String password)
      throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance(type);
    try (InputStream in = new FileInputStream(file)) {
      ks.load(in, password == null ? null : password.toCharArray());
    }
    return ks;
  }

  /**
   * Cancels the statement on the server.
   *
   * @return the server's {@code cancelled} answer
   * @throws SQLException if the server cannot be reached or answers other than 200
   */
  boolean cancel(String connectionId, int statementId) throws SQLException {
    String body = "{\"connectionId\":" + jsonString(connectionId)
        + ",\"statementId\":" + statementId + "}";
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .timeout(REQUEST_TIMEOUT)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new SQLException("Could not send the cancel request to " + uri + ": " + e,
          "08006", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("Interrupted while cancelling the statement", "HY008", e);
    }
    if (response.statusCode() != 200) {
      String state = response.statusCode() == 401 || response.statusCode() == 403
          ? "28000" : "HY000";
      throw new SQLException("The server refused to cancel the statement: " + uri + " answered"
          + " HTTP " + response.statusCode() + " " + abbreviate(response.body())
          + " (the statement is marked cancelled on the client; it may still run on the"
          + " server)", state);
    }
    Matcher m = CANCELLED.matcher(response.body());
    if (!m.find()) {
      throw new SQLException("Unexpected answer to the cancel request from " + uri + ": "
          + abbreviate(response.body()), "HY000");
    }
    return Boolean.parseBoolean(m.group(1));
  }

  /** A JSON string literal. */
  static String jsonString(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  private static String abbreviate(String s) {
    if (s == null) {
      return "";
    }
    s = s.strip();
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
