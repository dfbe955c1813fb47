package io.strata.benchmarks.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * {@code POST /api/v1/query} with JSON rows, as a dashboard calls it. The cache mode goes in the
 * URL ({@code ?cache=MODE}, the cache contract's second form), so a server without the cache
 * simply ignores it. The tier comes from the answer's {@code cache.tier} when the server reports it.
 */
final class RestClient implements QueryClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http;
  private final String url;
  private final String auth;

  RestClient(String baseUrl, String user, String password, String cacheMode) {
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    this.url = baseUrl + "/api/v1/query" + (cacheMode == null ? "" : "?cache=" + cacheMode);
    this.auth = "Basic " + Base64.getEncoder().encodeToString(
        (user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public RunResult run(BenchQuery query) throws Exception {
    Answer a = answer(query);
    JsonNode tier = a.body().path("cache").path("tier");
    JsonNode rollup = a.body().path("rollup");
    return new RunResult(a.body().path("data").size(), a.bytes(),
        tier.isTextual() ? tier.asText() : null, rollup.isTextual() ? rollup.asText() : null);
  }

  /** A whole JSON answer and its size on the wire. */
  record Answer(JsonNode body, long bytes) {}

  /** Runs the query and returns the answer as JSON (rows, rollup, cache, timings...). */
  Answer answer(BenchQuery query) throws Exception {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", auth).header("Content-Type", "application/json")
        .header("Accept", "application/json").timeout(Duration.ofMinutes(10))
        .POST(HttpRequest.BodyPublishers.ofString(query.json())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("REST " + query.name() + ": HTTP " + r.statusCode() + " "
          + new String(r.body(), StandardCharsets.UTF_8));
    }
    return new Answer(JSON.readTree(r.body()), r.body().length);
  }

  @Override
  public void close() {
    // HttpClient has no close on Java 17; its connections idle out
  }
}
