package io.strata.server.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.server.auth.AuthFilter;
import io.strata.server.auth.AuthService;
import io.strata.server.auth.Principal;
import io.swagger.v3.oas.annotations.Operation;
import java.time.Duration;
import java.time.Instant;

/**
 * Login for the UI: a username and password give a session, set as an HttpOnly cookie and
 * returned once in the body (for clients that prefer a Bearer header). Logout ends it.
 */
@Controller("/api/v1/auth")
@ExecuteOn(TaskExecutors.BLOCKING)
public class AuthController {
  private final AuthService auth;

  public AuthController(AuthService auth) {
    this.auth = auth;
  }

  public record Credentials(@Nullable String username, @Nullable String password) {}

  public record Me(String username, String role, String via) {
    static Me of(Principal p) {
      return new Me(p.username(), p.role().id(), p.via());
    }
  }

  public record LoginResponse(String username, String role, String session, Instant expiresAt) {}

  @Operation(summary = "Log in with a username and password; starts a session")
  @Post("/login")
  public HttpResponse<?> login(HttpRequest<?> request, @Body Credentials credentials) {
    if (credentials.username() == null || credentials.password() == null) {
      throw new BadRequestException("BAD_REQUEST", null, "send {\"username\": ..., \"password\": ...}");
    }
    return auth.login(credentials.username(), credentials.password(),
            AuthFilter.client(request, auth))
        .<HttpResponse<?>>map(l -> HttpResponse.ok(new LoginResponse(l.principal().username(),
                l.principal().role().id(), l.sessionId(), l.expiresAt()))
            .cookie(Cookie.of(AuthService.SESSION_COOKIE, l.sessionId())
                .httpOnly(true).path("/").sameSite(SameSite.Lax)
                .secure(request.isSecure())
                .maxAge(Duration.between(Instant.now(), l.expiresAt()))))
        .orElseGet(() -> AuthFilter.unauthorized(request));
  }

  @Operation(summary = "End the current session")
  @Post("/logout")
  public HttpResponse<?> logout(HttpRequest<?> request) {
    request.getCookies().findCookie(AuthService.SESSION_COOKIE)
        .ifPresent(c -> auth.logout(c.getValue()));
    String h = request.getHeaders().getAuthorization().orElse("");
    if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      auth.logout(h.substring(7).trim());
    }
    return HttpResponse.noContent().cookie(Cookie.of(AuthService.SESSION_COOKIE, "")
        .path("/").maxAge(0));
  }

  @Operation(summary = "Who the caller is")
  @Get("/me")
  public Me me(HttpRequest<?> request) {
    return Me.of(Requests.principal(request));
  }
}
