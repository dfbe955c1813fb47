package io.strata.server.api;

import io.strata.server.audit.AuditLog;
import jakarta.inject.Inject;
import java.util.Map;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.server.auth.AuthService;
import io.strata.server.auth.Principal;
import io.strata.server.metadata.ApiToken;
import io.strata.server.metadata.NotFoundException;
import io.strata.server.metadata.Role;
import io.strata.server.metadata.TokenStore;
import io.strata.server.metadata.UserStore;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * API tokens for BI tools and scripts. Everyone manages their own; admins see and revoke all
 * and may issue tokens for other users. The secret is returned once, at creation, and stored
 * only as a hash.
 */
@Controller("/api/v1/tokens")
@ExecuteOn(TaskExecutors.BLOCKING)
@SecurityRequirement(name = "basic")
@SecurityRequirement(name = "bearer")
public class TokensController {
  /** Changes made here are recorded in the audit log. */
  @Inject
  AuditLog audit;

  private final AuthService auth;
  private final TokenStore tokens;
  private final UserStore users;

  public TokensController(AuthService auth, TokenStore tokens, UserStore users) {
    this.auth = auth;
    this.tokens = tokens;
    this.users = users;
  }

  public record TokenInput(@Nullable String name, @Nullable Integer expiresInDays,
      @Nullable String username) {}

  public record TokenView(long id, String name, String username, String prefix,
      Instant createdAt, Instant expiresAt, Instant lastUsedAt) {}

  public record CreatedToken(TokenView token, String secret) {}

  @Operation(summary = "Tokens: all for admins, your own otherwise")
  @Get
  public List<TokenView> list(HttpRequest<?> request) {
    Principal who = Requests.require(request, Role.VIEWER);
    List<ApiToken> list = who.role() == Role.ADMIN ? tokens.list() : tokens.listForUser(who.userId());
    return list.stream().map(this::view).toList();
  }

  @Operation(summary = "Create a token; its secret is in this response only")
  @Post
  public HttpResponse<CreatedToken> create(HttpRequest<?> request, @Body TokenInput in) {
    Principal who = Requests.require(request, Role.VIEWER);
    if (in.name() == null || in.name().isBlank() || in.name().length() > 100) {
      throw new BadRequestException("BAD_REQUEST", "name", "a token needs a name of 1 to 100 characters");
    }
    if (in.expiresInDays() != null && (in.expiresInDays() < 1 || in.expiresInDays() > 3650)) {
      throw new BadRequestException("BAD_REQUEST", "expiresInDays",
          "expiresInDays must be from 1 to 3650 (or absent for no expiry)");
    }
    long userId = who.userId();
    if (in.username() != null && !in.username().equals(who.username())) {
      who.require(Role.ADMIN);
      userId = users.find(in.username()).orElseThrow(() ->
          new NotFoundException("user '" + in.username() + "' does not exist")).id();
    }
    AuthService.IssuedToken issued = auth.issueToken(userId, in.name().trim(),
        in.expiresInDays() == null ? null : Duration.ofDays(in.expiresInDays()));
    TokenView view = view(issued.token());
    Requests.audit(audit, request, "create", "token", view.name(), Map.of("id", view.id(),
        "user", String.valueOf(view.username()), "prefix", view.prefix(),
        "expiresAt", String.valueOf(view.expiresAt())));
    return HttpResponse.created(new CreatedToken(view, issued.secret()));
  }

  @Operation(summary = "Revoke a token")
  @Delete("/{id}")
  public HttpResponse<?> delete(HttpRequest<?> request, @PathVariable long id) {
    Principal who = Requests.require(request, Role.VIEWER);
    boolean own = tokens.listForUser(who.userId()).stream().anyMatch(t -> t.id() == id);
    if (!own) {
      who.require(Role.ADMIN);
    }
    ApiToken revoked = (own ? tokens.listForUser(who.userId()) : tokens.list()).stream()
        .filter(t -> t.id() == id).findFirst().orElse(null);
    tokens.delete(id);
    auth.credentialsChanged();
    if (revoked != null) {
      TokenView view = view(revoked);
      Requests.audit(audit, request, "delete", "token", view.name(), Map.of("id", id,
          "user", String.valueOf(view.username()), "prefix", view.prefix()));
    }
    return HttpResponse.noContent();
  }

  private TokenView view(ApiToken t) {
    String username = users.find(t.userId()).map(u -> u.username()).orElse(null);
    return new TokenView(t.id(), t.name(), username, t.prefix(), t.createdAt(), t.expiresAt(),
        t.lastUsedAt());
  }
}
