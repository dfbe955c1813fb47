package io.strata.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.audit.AuditLog;
import jakarta.inject.Inject;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.server.auth.Passwords;
import io.strata.server.metadata.ConflictException;
import io.strata.server.metadata.NotFoundException;
import io.strata.server.metadata.Role;
import io.strata.server.metadata.User;
import io.strata.server.metadata.UserStore;
import io.strata.server.security.AccessPolicy;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Users and their roles (admin only). Password hashes never leave the server. */
@Controller("/api/v1/users")
@ExecuteOn(TaskExecutors.BLOCKING)
@SecurityRequirement(name = "basic")
@SecurityRequirement(name = "bearer")
public class UsersController {
  /** Changes made here are recorded in the audit log. */
  @Inject
  AuditLog audit;

  /** Derives the SCRAM verifier of each password set here (for Postgres clients). */
  @Inject
  io.strata.server.auth.AuthService auth;

  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.@-]{1,100}");
  private final UserStore users;
  private final AccessPolicy access;

  public UsersController(UserStore users, AccessPolicy access) {
    this.users = users;
    this.access = access;
  }

  /**
   * @param attributes key/value attributes bound into row-level security rules as
   *     {@code {user.<key>}}; on update they replace the user's attributes, absent leaves them
   */
  public record UserInput(@Nullable String username, @Nullable String password,
      @Nullable String role, @Nullable Boolean disabled, @Nullable JsonNode attributes) {}

  public record UserView(long id, String username, String role, boolean disabled,
      Instant createdAt, Map<String, String> attributes) {
    static UserView of(User u, Map<String, String> attributes) {
      return new UserView(u.id(), u.username(), u.role().id(), u.disabled(), u.createdAt(),
          attributes);
    }
  }

  private UserView view(User u) {
    return UserView.of(u, access.attributes(u.id()));
  }

  @Operation(summary = "All users")
  @Get
  public List<UserView> list(HttpRequest<?> request) {
    Requests.require(request, Role.ADMIN);
    return users.list().stream().map(this::view).toList();
  }

  @Operation(summary = "Create a user")
  @Post
  public HttpResponse<UserView> create(HttpRequest<?> request, @Body UserInput in) {
    Requests.require(request, Role.ADMIN);
    if (in.username() == null || !USERNAME.matcher(in.username()).matches()) {
      throw new BadRequestException("BAD_REQUEST", "username", "a username is 1 to 100 letters, "
          + "digits or _ . @ -");
    }
    String problem = Passwords.problem(in.password());
    if (problem != null) {
      throw new BadRequestException("BAD_REQUEST", "password", problem);
    }
    Role role = in.role() == null ? Role.VIEWER : role(in.role());
    if (in.attributes() != null && !in.attributes().isNull()) {
      // checked before the user exists, so that a bad attribute creates nothing
      SecurityController.checked(() -> { access.checkAttributes(in.attributes()); return null; });
    }
    User created = users.create(in.username(), Passwords.hash(in.password()), role);
    auth.passwordSet(created, in.password());
    Map<String, Object> details = new java.util.LinkedHashMap<>();
    details.put("role", created.role().id());
    if (in.attributes() != null && !in.attributes().isNull()) {
      access.setAttributes(created.id(), in.attributes());
      details.put("attributes", access.attributes(created.id()).keySet());
    }
    Requests.audit(audit, request, "create", "user", created.username(), details);
    return HttpResponse.created(view(created));
  }

  @Operation(summary = "A user with their attributes")
  @Get("/{id}")
  public UserView get(HttpRequest<?> request, @PathVariable long id) {
    Requests.require(request, Role.ADMIN);
    return view(users.find(id).orElseThrow(() -> new NotFoundException("user " + id
        + " does not exist")));
  }

  @Operation(summary = "Change a user's password, role, disabled flag or attributes")
  @Put("/{id}")
  public UserView update(HttpRequest<?> request, @PathVariable long id, @Body UserInput in) {
    Requests.require(request, Role.ADMIN);
    User user = users.find(id).orElseThrow(() -> new NotFoundException("user " + id + " does not exist"));
    String hash = null;
    if (in.password() != null) {
      String problem = Passwords.problem(in.password());
      if (problem != null) {
        throw new BadRequestException("BAD_REQUEST", "password", problem);
      }
      hash = Passwords.hash(in.password());
    }
    Role role = in.role() == null ? null : role(in.role());
    boolean losesAdmin = user.role() == Role.ADMIN
        && (role != null && role != Role.ADMIN || Boolean.TRUE.equals(in.disabled()));
    if (losesAdmin) {
      keepOneAdmin(user);
    }
    if (in.attributes() != null && !in.attributes().isNull()) {
      SecurityController.checked(() -> { access.checkAttributes(in.attributes()); return null; });
    }
    User updated = users.update(id, hash, role, in.disabled());
    if (hash != null) {
      auth.passwordSet(updated, in.password());
    }
    Map<String, Object> changed = new java.util.LinkedHashMap<>();
    if (role != null) {
      changed.put("role", updated.role().id());
    }
    if (in.disabled() != null) {
      changed.put("disabled", updated.disabled());
    }
    changed.put("passwordChanged", hash != null);
    if (in.attributes() != null && !in.attributes().isNull()) {
      access.setAttributes(id, in.attributes());
      changed.put("attributes", access.attributes(id).keySet());
    }
    Requests.audit(audit, request, "update", "user", updated.username(), changed);
    return view(updated);
  }

  @Operation(summary = "Delete a user and their tokens and sessions")
  @Delete("/{id}")
  public HttpResponse<?> delete(HttpRequest<?> request, @PathVariable long id) {
    Requests.require(request, Role.ADMIN);
    User user = users.find(id).orElseThrow(() -> new NotFoundException("user " + id + " does not exist"));
    if (user.role() == Role.ADMIN) {
      keepOneAdmin(user);
    }
    users.delete(id);
    Requests.audit(audit, request, "delete", "user", user.username(), Map.of());
    return HttpResponse.noContent();
  }

  /** Nobody may lock everyone out: the last enabled admin stays an admin. */
  private void keepOneAdmin(User user) {
    long otherAdmins = users.list().stream()
        .filter(u -> u.role() == Role.ADMIN && !u.disabled() && u.id() != user.id()).count();
    if (otherAdmins == 0) {
      throw new ConflictException("'" + user.username() + "' is the last admin; make another "
          + "user admin first");
    }
  }

  private static Role role(String s) {
    try {
      return Role.parse(s);
    } catch (IllegalArgumentException e) {
      throw new BadRequestException("BAD_REQUEST", "role", e.getMessage());
    }
  }
}
