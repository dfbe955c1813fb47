package io.strata.server.auth;

import io.strata.server.metadata.Role;

/**
 * The authenticated caller of a request: who, with which role, and how they proved it
 * ({@code basic}, {@code token} or {@code session}). Set by {@link AuthFilter} on every request
 * but health's; endpoints check the role they need with {@link #require(Role)}.
 */
public record Principal(long userId, String username, Role role, String via) {
  public static final String ATTRIBUTE = "strata.principal";

  /** Throws {@link ForbiddenException} unless this principal's role includes {@code needed}. */
  public Principal require(Role needed) {
    if (!role.includes(needed)) {
      throw new ForbiddenException("this needs the " + needed.id() + " role; user '" + username
          + "' is " + role.id());
    }
    return this;
  }
}
