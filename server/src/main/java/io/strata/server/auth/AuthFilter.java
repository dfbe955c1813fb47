package io.strata.server.auth;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.server.api.ApiError;
import io.strata.server.auth.throttle.Client;
import io.strata.server.auth.throttle.LoginRefusedException;
import io.strata.server.ui.UiFilter;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Requires authentication on every path but health, login and the web UI's files (which hold no
 * data; see {@link UiFilter#serves}). A request that does not prove
 * who it is gets 401 with one fixed message, whether the user, the password or the token was
 * wrong: nothing tells a guesser which part failed. A user or address that failed too often
 * gets 429 with {@code Retry-After} instead ({@link io.strata.server.auth.throttle.LoginThrottle}).
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public final class AuthFilter {
  /** The request attribute with the client's IP address as text (for the audit log). */
  public static final String CLIENT_ADDRESS = "strata.client-address";

  private final AuthService auth;
  private final MetricsToken metricsToken;

  public AuthFilter(AuthService auth, MetricsToken metricsToken) {
    this.auth = auth;
    this.metricsToken = metricsToken;
  }

  /**
   * Paths that need no credentials: health, login, and a job's file by its signed link, which
   * the link's signature authorises ({@code io.strata.server.jobs.SignedLinks}).
   */
  static boolean open(String path) {
    return path.equals("/health") || path.startsWith("/health/")
        || path.equals("/api/v1/auth/login") || path.startsWith("/api/v1/job-files/")
        || path.startsWith("/api/v1/report-images/");
  }

  @RequestFilter
  @ExecuteOn(TaskExecutors.BLOCKING)
  public @Nullable HttpResponse<?> authenticate(HttpRequest<?> request) {
    if (open(request.getPath()) || UiFilter.serves(request.getMethod(), request.getPath())) {
      return null;
    }
    if (metricsToken.presented(request.getHeaders().get(HttpHeaders.AUTHORIZATION))) {
      if (request.getPath().equals(MetricsToken.PATH)) {
        request.setAttribute(Principal.ATTRIBUTE, MetricsToken.PRINCIPAL);
        return null;
      }
      return HttpResponse.<ApiError>status(HttpStatus.FORBIDDEN).body(ApiError.of("FORBIDDEN",
          "the metrics token (strata.metrics.token) reads " + MetricsToken.PATH + " only"));
    }
    String cookie = request.getCookies().findCookie(AuthService.SESSION_COOKIE)
        .map(Cookie::getValue).orElse(null);
    Optional<Principal> principal;
    Client client = client(request, auth);
    if (client.address() != null) {
      request.setAttribute(CLIENT_ADDRESS, client.addressText());
    }
    try {
      principal = auth.authenticate(request.getHeaders().get(HttpHeaders.AUTHORIZATION), cookie,
          client);
    } catch (LoginRefusedException e) {
      return tooManyAttempts(e);
    }
    if (principal.isEmpty()) {
      return unauthorized(request);
    }
    request.setAttribute(Principal.ATTRIBUTE, principal.get());
    return null;
  }

  /**
   * The client of a REST request: the socket's peer, or what {@code X-Forwarded-For} says when
   * the peer is one of {@code strata.auth.trusted-proxies}.
   */
  public static Client client(HttpRequest<?> request, AuthService auth) {
    InetSocketAddress remote = request.getRemoteAddress();
    return Client.of("rest", remote == null ? null : remote.getAddress(),
        request.getHeaders().get("X-Forwarded-For"), auth.throttle().settings());
  }

  /** 429 with {@code Retry-After}: the attempt was refused without looking at its credentials. */
  public static MutableHttpResponse<ApiError> tooManyAttempts(LoginRefusedException e) {
    return HttpResponse.<ApiError>status(HttpStatus.TOO_MANY_REQUESTS)
        .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()))
        .body(ApiError.of("TOO_MANY_FAILED_LOGINS", e.getMessage()));
  }

  /**
   * 401; without the Basic challenge for the web UI's own calls ({@code X-Requested-With:
   * XMLHttpRequest}), so that the browser shows the UI's login page, not its password dialog.
   */
  public static MutableHttpResponse<ApiError> unauthorized(HttpRequest<?> request) {
    MutableHttpResponse<ApiError> r = unauthorized();
    if ("XMLHttpRequest".equalsIgnoreCase(request.getHeaders().get("X-Requested-With"))) {
      r.getHeaders().remove(HttpHeaders.WWW_AUTHENTICATE);
    }
    return r;
  }

  public static MutableHttpResponse<ApiError> unauthorized() {
    return HttpResponse.<ApiError>status(HttpStatus.UNAUTHORIZED)
        .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"strata\", charset=\"UTF-8\"")
        .body(ApiError.of("UNAUTHORIZED", "authentication required: a valid username and "
            + "password (Basic), API token (Bearer) or session"));
  }
}
