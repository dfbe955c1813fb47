package io.strata.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.strata.server.avatica.AvaticaEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Strata server for endpoint tests: started in this JVM on a free port with its own data
 * directory, spoken to over HTTP with the JDK's client (nothing of the server is called
 * directly). {@link #as} gives a client with credentials.
 */
public final class TestServer implements AutoCloseable {
  public static final String ADMIN_PASSWORD = "admin-secret-1";
  public static final ObjectMapper JSON = new ObjectMapper();

  /** A DuckDB model whose one measure takes a few seconds: 400 million rows filtered and counted. */
  public static final String SLOW_MODEL = """
      name: slow
      data_source: demo
      sql: >-
        SELECT a.x, b.y FROM UNNEST(generate_series(0, 99999)) AS a(x)
        CROSS JOIN UNNEST(generate_series(0, 3999)) AS b(y)
      dimensions:
        - { name: x, type: number }
      measures:
        - { name: matches, agg: count, filter: "(x * y) % 7 = 3" }
      """;

  private final ApplicationContext context;
  private final Path dataDir;
  private final URI base;

  private TestServer(ApplicationContext context, Path dataDir) {
    this.context = context;
    this.dataDir = dataDir;
    this.base = context.getBean(EmbeddedServer.class).getURI();
  }

  /** Starts a server on the embedded demo at scale 0.02; {@code extra} overrides settings. */
  public static TestServer start(Map<String, Object> extra) {
    Path dir;
    try {
      dir = Files.createTempDirectory("strata-server-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Object> props = new HashMap<>();
    props.put("micronaut.server.port", -1);
    props.put("strata.data-dir", dir.toString());
    props.put("strata.admin.password", ADMIN_PASSWORD);
    props.put("strata.demo.scale", "0.02");
    props.put("strata.models.poll-interval", "1s");
    props.put("strata.jdbc.port", 0);
    props.put("strata.flight.port", 0);
    props.put("strata.pgwire.port", 0);
    props.putAll(extra);
    return new TestServer(StrataServer.start(props), dir);
  }

  public ApplicationContext context() {
    return context;
  }

  public Path dataDir() {
    return dataDir;
  }

  public URI uri(String path) {
    return base.resolve(path);
  }

  /** The port of the JDBC (Avatica) endpoint. */
  public int jdbcPort() {
    return context.getBean(AvaticaEndpoint.class).port();
  }

  /**
   * A URL for Avatica's stock remote driver ({@code json} or {@code protobuf}), without
   * credentials: give them as {@code avatica_user} and {@code avatica_password} properties.
   */
  public String avaticaUrl(String serialization) {
    return "jdbc:avatica:remote:url=http://localhost:" + jdbcPort() + ";serialization="
        + serialization + ";authentication=BASIC";
  }

  /** The port of the Arrow Flight SQL endpoint. */
  public int flightPort() {
    return context.getBean(io.strata.server.flight.FlightEndpoint.class).port();
  }

  /** The port of the Postgres wire endpoint. */
  public int pgwirePort() {
    return context.getBean(io.strata.server.pgwire.PgWireEndpoint.class).port();
  }

  /**
   * The rows {@code POST /api/v1/query} answers for a query (as admin; anything but 200 fails
   * the test), each value normalised as testkit's {@code Answers} normalises JDBC values, so
   * answers from every endpoint compare as equal strings.
   */
  public List<List<String>> answer(String queryJson) {
    Response r = admin().post("/api/v1/query", queryJson);
    if (r.status() != 200) {
      throw new AssertionError("POST /api/v1/query answered " + r);
    }
    return rows(r);
  }

  /** The {@code data} rows of a query answer, each value normalised. */
  public static List<List<String>> rows(Response r) {
    List<List<String>> out = new java.util.ArrayList<>();
    for (JsonNode row : r.json().path("data")) {
      List<String> values = new java.util.ArrayList<>();
      row.forEach(v -> values.add(normalise(v)));
      out.add(values);
    }
    return out;
  }

  /** A JSON value of an answer as {@code Answers.normalise} writes the same JDBC value. */
  public static String normalise(JsonNode v) {
    if (v.isNull()) {
      return null;
    }
    if (v.isNumber()) {
      return v.decimalValue().setScale(6, java.math.RoundingMode.HALF_UP).toPlainString();
    }
    if (v.isBoolean()) {
      return Boolean.toString(v.asBoolean());
    }
    String s = v.asText();
    if (s.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?")) {
      return java.time.LocalDateTime.parse(s).format(io.strata.testkit.Answers.TS);
    }
    return s;
  }

  public Client anonymous() {
    return new Client(null);
  }

  public Client as(String user, String password) {
    return new Client("Basic " + Base64.getEncoder().encodeToString(
        (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
  }

  public Client admin() {
    return as("admin", ADMIN_PASSWORD);
  }

  public Client bearer(String token) {
    return new Client("Bearer " + token);
  }

  @Override
  public void close() {
    context.close();
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is not worth failing a test for
    }
  }

  /** An HTTP response, with its body as text and (when it is JSON) parsed. */
  public record Response(int status, HttpResponse<byte[]> raw) {
    public String text() {
      return new String(raw.body(), StandardCharsets.UTF_8);
    }

    public byte[] bytes() {
      return raw.body();
    }

    public JsonNode json() {
      try {
        return JSON.readTree(raw.body());
      } catch (IOException e) {
        throw new AssertionError("not JSON (HTTP " + status + "): " + text(), e);
      }
    }

    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    public List<String> headers(String name) {
      return raw.headers().allValues(name);
    }

    @Override
    public String toString() {
      return "HTTP " + status + " " + text();
    }
  }

  /** Sends requests with one set of credentials (or none). */
  public final class Client {
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, String> headers = new HashMap<>();

    Client(String authorization) {
      this.authorization = authorization;
    }

    public Client header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    public Response get(String path) {
      return send("GET", path, null, null);
    }

    public Response delete(String path) {
      return send("DELETE", path, null, null);
    }

    public Response post(String path, Object json) {
      return send("POST", path, "application/json", body(json));
    }

    public Response put(String path, Object json) {
      return send("PUT", path, "application/json", body(json));
    }

    public Response send(String method, String path, String contentType, String body) {
      HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofMinutes(2))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body));
      if (contentType != null) {
        b.header("Content-Type", contentType);
      }
      if (authorization != null) {
        b.header("Authorization", authorization);
      }
      headers.forEach(b::header);
      try {
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Response(r.statusCode(), r);
      } catch (IOException e) {
        throw new UncheckedIOException(method + " " + path + " failed", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    private String body(Object json) {
      if (json == null || json instanceof String) {
        return (String) json;
      }
      try {
        return JSON.writeValueAsString(json);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
