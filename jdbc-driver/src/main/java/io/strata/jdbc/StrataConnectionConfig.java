package io.strata.jdbc;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * A parsed {@code jdbc:strata:} URL plus connection properties, and their translation into the
 * properties Avatica's remote client understands.
 *
 * <p>Accepted URLs:
 * <ul>
 *   <li>{@code jdbc:strata://HOST[:PORT][/][?key=value&...]} — plain HTTP;
 *   <li>{@code jdbc:strata:http://HOST[:PORT][/PATH][?key=value&...]} — the same, spelled out;
 *   <li>{@code jdbc:strata:https://HOST[:PORT][/PATH][?key=value&...]} — TLS.
 * </ul>
 * The port defaults to {@value #DEFAULT_PORT}. A path is only allowed in the explicit
 * {@code http(s)://} forms (a server behind a proxy under a path prefix).
 *
 * <p>Precedence: a property passed to {@code connect(url, info)} wins over the same key given as
 * a URL parameter, unless the property is empty (BI tools often send an empty password field).
 */
public final class StrataConnectionConfig {

  /** Prefix of every URL this driver accepts. */
  public static final String PREFIX = "jdbc:strata:";
  /** The Strata Avatica endpoint's default port. */
  public static final int DEFAULT_PORT = 8765;
  /** Rows per frame unless the user asks otherwise (Avatica's own default is 100). */
  public static final int DEFAULT_FETCH_SIZE = 10_000;

  // User-facing keys.
  public static final String USER = "user";
  public static final String PASSWORD = "password";
  public static final String TOKEN = "token";
  public static final String SERIALIZATION = "serialization";
  public static final String FETCH_SIZE = "fetchSize";

  // Avatica's own (client-local) property names that the driver derives from the above.
  static final String AVATICA_URL = "url";
  static final String AVATICA_SERIALIZATION = "serialization";
  static final String AVATICA_AUTHENTICATION = "authentication";
  static final String AVATICA_USER = "avatica_user";
  static final String AVATICA_PASSWORD = "avatica_password";
  static final String AVATICA_BEARER_TOKEN = "bearer_token";
  static final String AVATICA_FETCH_SIZE = "fetch_size";
  static final String AVATICA_FACTORY = "factory";
  static final String AVATICA_HTTP_CLIENT = "httpclient_impl";

  /** Keys the driver sets itself; a user-supplied value for them is an error. */
  private static final Set<String> DERIVED = Set.of(AVATICA_URL, AVATICA_AUTHENTICATION,
      AVATICA_USER, AVATICA_PASSWORD, AVATICA_BEARER_TOKEN, AVATICA_FACTORY, AVATICA_HTTP_CLIENT,
      "bearer_token_provider_class", "token_file", "httpclient_factory", "use_client_side_lb",
      "lb_urls");

  private final String scheme;
  private final String host;
  private final int port;
  private final String path;
  private final String user;
  private final String password;
  private final String token;
  private final String serialization;
  private final int fetchSize;
  /** Everything else, passed to Avatica as is (its client options, or connection info). */
  private final Map<String, String> extra;

  private StrataConnectionConfig(String scheme, String host, int port, String path, String user,
      String password, String token, String serialization, int fetchSize,
      Map<String, String> extra) {
    this.scheme = scheme;
    this.host = host;
    this.port = port;
    this.path = path;
    this.user = user;
    this.password = password;
    this.token = token;
    this.serialization = serialization;
    this.fetchSize = fetchSize;
    this.extra = extra;
  }

  /** Whether {@code url} is one of this driver's URLs (it may still be malformed). */
  public static boolean accepts(String url) {
    return url != null && url.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
  }

  /**
   * Parses {@code url} and merges {@code info} into it.
   *
   * @throws SQLException (SQLState 08001) naming what is wrong with the URL or a property
   */
  public static StrataConnectionConfig parse(String url, Properties info) throws SQLException {
    if (!accepts(url)) {
      throw bad("not a Strata JDBC URL: '" + url + "' (expected " + PREFIX
          + "//HOST[:PORT][?key=value&...])");
    }
    final String rest = url.substring(PREFIX.length());
    final String scheme;
    final String afterScheme;
    final boolean explicitScheme;
    final String lower = rest.toLowerCase(Locale.ROOT);
    if (lower.startsWith("//")) {
      scheme = "http";
      afterScheme = rest.substring(2);
      explicitScheme = false;
    } else if (lower.startsWith("http://")) {
      scheme = "http";
      afterScheme = rest.substring("http://".length());
      explicitScheme = true;
    } else if (lower.startsWith("https://")) {
      scheme = "https";
      afterScheme = rest.substring("https://".length());
      explicitScheme = true;
    } else {
      throw bad("malformed Strata JDBC URL '" + redact(url) + "': after '" + PREFIX
          + "' expected '//HOST[:PORT]' or 'https://HOST[:PORT]'");
    }

    // Split authority / path / query by hand: java.net.URI is strict about characters that
    // users do type into URL parameters (passwords), and we decode the parameters ourselves.
    int queryStart = afterScheme.indexOf('?');
    String beforeQuery = queryStart < 0 ? afterScheme : afterScheme.substring(0, queryStart);
    String query = queryStart < 0 ? "" : afterScheme.substring(queryStart + 1);
    int pathStart = beforeQuery.indexOf('/');
    String authority = pathStart < 0 ? beforeQuery : beforeQuery.substring(0, pathStart);
    String path = pathStart < 0 ? "" : beforeQuery.substring(pathStart);
    if (path.equals("/")) {
      path = "";
    }
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (!path.isEmpty() && !explicitScheme) {
      throw bad("malformed Strata JDBC URL '" + redact(url) + "': '" + PREFIX
          + "//HOST[:PORT]' takes no path, but found '" + path + "' (a schema is chosen with"
          + " ?schema=NAME; a server under a proxy path is written " + PREFIX
          + "https://HOST:PORT/PATH)");
    }
    if (authority.contains("@")) {
      throw bad("malformed Strata JDBC URL '" + redact(url) + "': put the user and password in"
          + " the user/password properties or ?user=...&password=... parameters, not before"
          + " the host");
    }

    String host;
    int port = DEFAULT_PORT;
    String portText = null;
    if (authority.startsWith("[")) { // IPv6 literal
      int close = authority.indexOf(']');
      if (close < 0) {
        throw bad("malformed Strata JDBC URL '" + redact(url) + "': unclosed '[' in host");
      }
      host = authority.substring(0, close + 1);
      String after = authority.substring(close + 1);
      if (!after.isEmpty()) {
        if (!after.startsWith(":")) {
          throw bad("malformed Strata JDBC URL '" + redact(url) + "': unexpected '" + after
              + "' after the host");
        }
        portText = after.substring(1);
      }
    } else {
      int colon = authority.indexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      if (colon >= 0) {
        portText = authority.substring(colon + 1);
      }
    }
    if (host.isEmpty()) {
      throw bad("malformed Strata JDBC URL '" + redact(url) + "': the host is missing"
          + " (expected " + PREFIX + "//HOST[:PORT])");
    }
    if (!host.startsWith("[") && !host.matches("[A-Za-z0-9._-]+")) {
      throw bad("malformed Strata JDBC URL '" + redact(url) + "': '" + host
          + "' is not a valid host name");
    }
    if (portText != null) {
      if (!portText.matches("[0-9]{1,5}")) {
        throw bad("malformed Strata JDBC URL '" + redact(url) + "': port '" + portText
            + "' is not a number");
      }
      port = Integer.parseInt(portText);
      if (port < 1 || port > 65535) {
        throw bad("malformed Strata JDBC URL '" + redact(url) + "': port " + port
            + " is out of range 1-65535");
      }
    }

    // URL parameters first, then the properties on top (non-empty ones win).
    final Map<String, String> merged = new LinkedHashMap<>();
    if (!query.isEmpty()) {
      for (String pair : query.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw bad("malformed Strata JDBC URL '" + redact(url) + "': parameter '"
              + redact("?" + pair).substring(1) + "' is not of the form key=value");
        }
        merged.put(decode(url, pair.substring(0, eq)), decode(url, pair.substring(eq + 1)));
      }
    }
    if (info != null) {
      for (String key : info.stringPropertyNames()) {
        String value = info.getProperty(key);
        if (value != null && !value.isEmpty()) {
          merged.put(key, value);
        } else {
          merged.putIfAbsent(key, value == null ? "" : value);
        }
      }
    }

    String user = emptyToNull(merged.remove(USER));
    String password = merged.remove(PASSWORD);
    String token = emptyToNull(merged.remove(TOKEN));
    if (token != null && password != null && !password.isEmpty()) {
      throw bad("both a password and a token are set: authenticate with one of them");
    }
    if (user == null && password != null && !password.isEmpty()) {
      throw bad("a password is set but no user: set the 'user' property or ?user= parameter");
    }

    String serialization = emptyToNull(merged.remove(SERIALIZATION));
    if (serialization == null) {
      serialization = "protobuf";
    } else {
      serialization = serialization.toLowerCase(Locale.ROOT);
      if (!serialization.equals("protobuf") && !serialization.equals("json")) {
        throw bad("serialization '" + serialization + "' is not supported: use protobuf"
            + " (the default) or json");
      }
    }

    String fetchText = emptyToNull(merged.remove(FETCH_SIZE));
    String avaticaFetch = emptyToNull(merged.remove(AVATICA_FETCH_SIZE));
    if (fetchText == null) {
      fetchText = avaticaFetch;
    }
    int fetchSize = DEFAULT_FETCH_SIZE;
    if (fetchText != null) {
      try {
        fetchSize = Integer.parseInt(fetchText.trim());
      } catch (NumberFormatException e) {
        throw bad("fetchSize '" + fetchText + "' is not a whole number");
      }
      if (fetchSize < 1) {
        throw bad("fetchSize must be at least 1, got " + fetchSize);
      }
    }

    for (String key : merged.keySet()) {
      if (DERIVED.contains(key)) {
        throw bad("property '" + key + "' cannot be set: the driver derives it from the URL,"
            + " user, password and token");
      }
    }

    return new StrataConnectionConfig(scheme, host, port, path, user,
        password == null ? null : password, token, serialization, fetchSize, merged);
  }

  /** The Avatica endpoint, e.g. {@code http://localhost:8765}. */
  public String endpoint() {
    return scheme + "://" + host + ":" + port + path;
  }

  /** Where {@code Statement.cancel()} is sent: {@code {endpoint}/strata/cancel}. */
  public URI cancelUri() {
    try {
      return new URI(endpoint() + "/strata/cancel");
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public String scheme() {
    return scheme;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String path() {
    return path;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  public String token() {
    return token;
  }

  public String serialization() {
    return serialization;
  }

  public int fetchSize() {
    return fetchSize;
  }

  /** Options not interpreted by the driver itself, in the order given. */
  public Map<String, String> extra() {
    return java.util.Collections.unmodifiableMap(extra);
  }

  /**
   * The value of the HTTP {@code Authorization} header for this connection's credentials, or
   * null when none were given.
   */
  public String authorizationHeader() {
    if (token != null) {
      return "Bearer " + token;
    }
    if (user != null) {
      String pair = user + ":" + (password == null ? "" : password);
      return "Basic " + java.util.Base64.getEncoder()
          .encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }
    return null;
  }

  /**
   * The properties handed to Avatica: {@code url}, {@code serialization},
   * {@code authentication} with {@code avatica_user}/{@code avatica_password} (BASIC) or
   * {@code bearer_token} (BEARER), {@code fetch_size}, the service factory and HTTP client
   * (which sends the credentials pre-emptively), plus the extra
   * options. The user's {@code user}/{@code password}/{@code token} keys are not among them, so
   * they are never forwarded to the server inside Avatica's OpenConnectionRequest.
   */
  public Properties toAvaticaProperties() {
    Properties p = new Properties();
    for (Map.Entry<String, String> e : extra.entrySet()) {
      p.setProperty(e.getKey(), e.getValue());
    }
    p.setProperty(AVATICA_URL, endpoint());
    p.setProperty(AVATICA_SERIALIZATION, serialization);
    p.setProperty(AVATICA_FETCH_SIZE, Integer.toString(fetchSize));
    p.setProperty(AVATICA_FACTORY, StrataServiceFactory.class.getName());
    p.setProperty(AVATICA_HTTP_CLIENT, StrataHttpClient.class.getName());
    if (token != null) {
      p.setProperty(AVATICA_AUTHENTICATION, "BEARER");
      p.setProperty(AVATICA_BEARER_TOKEN, token);
      if (user != null) {
        p.setProperty(AVATICA_USER, user);
      }
    } else if (user != null) {
      p.setProperty(AVATICA_AUTHENTICATION, "BASIC");
      p.setProperty(AVATICA_USER, user);
      p.setProperty(AVATICA_PASSWORD, password == null ? "" : password);
    }
    return p;
  }

  /** The URL with any password or token parameter removed, for display. */
  public static String redact(String url) {
    if (url == null) {
      return null;
    }
    return url.replaceAll("(?i)([?&](password|token|avatica_password|bearer_token"
        + "|truststore_password|keystore_password|key_password)=)[^&]*", "$1***");
  }

  private static String decode(String url, String s) throws SQLException {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw bad("malformed Strata JDBC URL '" + redact(url) + "': bad %-escape in '" + s + "'");
    }
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static SQLException bad(String message) {
    return new SQLException(message, "08001");
  }
}
