package io.strata.server.security;

import io.strata.server.auth.Principal;
import io.strata.server.metadata.Role;
import java.util.Map;
import java.util.TreeMap;

/**
 * Who asks a query, as every endpoint builds it for {@code QueryRequest} and {@code SqlSession}:
 * the user's id, name, role and attributes (bound into row-level security filters as
 * {@code {user.<name>}}). Build one with {@link AccessPolicy#context(Principal)} so that the
 * attributes are the current ones.
 *
 * @param userId the user's id, or -1 for {@link #internal(String)}
 */
public record SecurityContext(long userId, String username, Role role,
    Map<String, String> attributes) {
  public SecurityContext {
    if (username == null || role == null) {
      throw new IllegalArgumentException("a security context needs a username and a role");
    }
    attributes = attributes == null ? Map.of()
        : java.util.Collections.unmodifiableMap(new TreeMap<>(attributes));
  }

  /**
   * The server itself (column-type probes, a background refresh of a cache entry it already
   * secured, tests of components below the endpoints): sees everything, as an admin does.
   */
  public static SecurityContext internal(String name) {
    return new SecurityContext(-1, name, Role.ADMIN, Map.of());
  }

  public static SecurityContext of(Principal principal, Map<String, String> attributes) {
    return new SecurityContext(principal.userId(), principal.username(), principal.role(),
        attributes);
  }

  /** Admins are exempt from row-level security and grants: they manage both. */
  public boolean exempt() {
    return role == Role.ADMIN;
  }
}
