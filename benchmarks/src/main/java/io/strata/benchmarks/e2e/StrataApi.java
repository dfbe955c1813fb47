package io.strata.benchmarks.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/** The admin side of Strata's REST API the harness needs: data sources, models, compiled SQL. */
final class StrataApi {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;
  private final String auth;

  StrataApi(String baseUrl, String user, String password) {
    this.base = baseUrl;
    this.auth = "Basic " + Base64.getEncoder().encodeToString(
        (user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  record Answer(int status, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException("not JSON: " + body, e);
      }
    }
  }

  Answer send(String method, String path, String contentType, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofMinutes(5)).header("Authorization", auth);
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  Answer postJson(String path, Object value) throws IOException, InterruptedException {
    return send("POST", path, "application/json", JSON.writeValueAsString(value));
  }

  /** Fails with the server's answer unless the status is 2xx. */
  static Answer ok(Answer a, String what) {
    if (a.status() / 100 != 2) {
      throw new IllegalStateException(what + ": HTTP " + a.status() + " " + a.body());
    }
    return a;
  }

  void createDataSource(Map<String, Object> spec) throws IOException, InterruptedException {
    ok(postJson("/api/v1/datasources", spec), "registering data source " + spec.get("name"));
  }

  void pushModels(Map<String, String> files) throws IOException, InterruptedException {
    ok(postJson("/api/v1/models", Map.of("files", files)), "pushing models " + files.keySet());
  }

  /** The warehouse SQL a semantic query compiles to ({@code POST /api/v1/query/sql}). */
  String compiledSql(String queryJson) throws IOException, InterruptedException {
    return ok(send("POST", "/api/v1/query/sql", "application/json", queryJson), "compiling " + queryJson)
        .json().get("sql").asText();
  }

  /** {@code POST /api/v1/query/sql}: the compiled SQL, the rollup used or each candidate's reason. */
  JsonNode explain(String queryJson) throws IOException, InterruptedException {
    return ok(send("POST", "/api/v1/query/sql", "application/json", queryJson),
        "explaining " + queryJson).json();
  }

  /** {@code GET /api/v1/rollups}: every rollup's state, rows, bytes and build time. */
  JsonNode rollups() throws IOException, InterruptedException {
    return ok(send("GET", "/api/v1/rollups", null, null), "listing rollups").json();
  }

  /** {@code GET /api/v1/cache/stats} as JSON, or null when the server has no cache yet. */
  JsonNode cacheStats() throws IOException, InterruptedException {
    Answer a = send("GET", "/api/v1/cache/stats", null, null);
    return a.status() == 200 ? a.json() : null;
  }

  /** True when the server's catalog has a table/model of that name (GET /api/v1/meta). */
  boolean hasModel(String name) throws IOException, InterruptedException {
    Answer a = send("GET", "/api/v1/meta", null, null);
    return a.status() == 200 && a.body().contains("\"" + name + "\"");
  }
}
