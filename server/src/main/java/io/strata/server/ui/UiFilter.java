package io.strata.server.ui;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.server.api.ApiError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves the web UI (the {@code strata-ui} jar's {@code strata-ui/} resources) at {@code /}, with
 * SPA routing: a GET for a path that is not a file and has no file extension answers
 * {@code index.html}, so {@code /dashboards/3} opens the app on that page. Paths under
 * {@link #RESERVED} belong to the API and operations and are never answered here; the UI's own
 * files are public (they hold no data: every API call needs a session), see
 * {@link #serves(HttpMethod, String)}, which the auth filter asks.
 *
 * <p>A filter rather than a catch-all route, so that it never competes with the routes of the API,
 * health, metrics and the OpenAPI files. Hashed build files under {@code assets/} are cached for
 * a year; {@code index.html} is revalidated on every load so a new build is picked up at once.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
@Order(UiFilter.ORDER)
public final class UiFilter {
  /** Before the auth filter: the UI's files need no credentials, and a bad URL is answered first. */
  public static final int ORDER = -1000;
  /** Path prefixes that are not the UI's. */
  public static final List<String> RESERVED =
      List.of("/api", "/metrics", "/health", "/openapi", "/swagger");
  private static final String ROOT = "strata-ui/";
  private static final Map<String, String> TYPES = Map.ofEntries(
      Map.entry("html", "text/html; charset=utf-8"), Map.entry("js", "text/javascript; charset=utf-8"),
      Map.entry("mjs", "text/javascript; charset=utf-8"), Map.entry("css", "text/css; charset=utf-8"),
      Map.entry("json", "application/json"), Map.entry("svg", "image/svg+xml"),
      Map.entry("png", "image/png"), Map.entry("ico", "image/x-icon"), Map.entry("woff2", "font/woff2"),
      Map.entry("woff", "font/woff"), Map.entry("ttf", "font/ttf"), Map.entry("map", "application/json"),
      Map.entry("txt", "text/plain; charset=utf-8"));

  private final Map<String, Optional<byte[]>> files = new ConcurrentHashMap<>();

  /** Whether a request is for the UI's files (and so needs no authentication). */
  public static boolean serves(HttpMethod method, String path) {
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      return false;
    }
    for (String r : RESERVED) {
      if (path.equals(r) || path.startsWith(r + "/") || path.startsWith(r + ".")) {
        return false;
      }
    }
    return !path.contains("..");
  }

  /** Answers a UI request with its file (or index.html); lets every other request through. */
  @RequestFilter
  @ExecuteOn(TaskExecutors.BLOCKING)
  public @Nullable HttpResponse<?> serve(HttpRequest<?> request) {
    String path = request.getPath();
    if (isStandInForAnUnparsableUrl(request)) {
      return HttpResponse.<ApiError>status(HttpStatus.BAD_REQUEST).body(ApiError.of("BAD_URL",
          "the request URL cannot be parsed: it has a malformed %-escape (such as %zz or a lone %)"
              + " or a character that must be %-encoded; nothing was run"));
    }
    if (!serves(request.getMethod(), path)) {
      return null;
    }
    String file = path.length() <= 1 ? "index.html" : path.substring(1);
    if (read(file).isPresent()) {
      return file(file);
    }
    String last = file.substring(file.lastIndexOf('/') + 1);
    if (last.contains(".")) {
      return notFound("the web UI has no file " + file);
    }
    if (read("index.html").isEmpty()) {
      return notFound("the web UI is not part of this build (module ui)");
    }
    return file("index.html");
  }

  /**
   * When the request line's URL cannot be parsed ({@code /api/v1/meta?x=%zz}), Micronaut handles
   * the error with a stand-in request for {@code /} with no headers at all, and runs the filters
   * on it: without this check the stand-in got the UI's index.html with 200. A real HTTP/1.1
   * request always has headers (at least {@code Host}), so the two cannot be confused.
   */
  static boolean isStandInForAnUnparsableUrl(HttpRequest<?> request) {
    return request.getPath().equals("/") && request.getHeaders().names().isEmpty();
  }

  private static HttpResponse<ApiError> notFound(String message) {
    return HttpResponse.<ApiError>status(HttpStatus.NOT_FOUND).body(ApiError.of("NOT_FOUND", message));
  }

  private HttpResponse<byte[]> file(String path) {
    byte[] bytes = read(path).orElseThrow();
    String ext = path.substring(path.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    return HttpResponse.ok(bytes)
        .contentType(TYPES.getOrDefault(ext, "application/octet-stream"))
        .header("Cache-Control", path.startsWith("assets/")
            ? "public, max-age=31536000, immutable" : "no-cache")
        .header("X-Content-Type-Options", "nosniff");
  }

  private Optional<byte[]> read(String path) {
    if (path.isEmpty() || path.endsWith("/") || path.contains("..")) {
      return Optional.empty();
    }
    return files.computeIfAbsent(path, p -> {
      try (InputStream in = UiFilter.class.getClassLoader().getResourceAsStream(ROOT + p)) {
        return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the UI file " + p, e);
      }
    });
  }
}
