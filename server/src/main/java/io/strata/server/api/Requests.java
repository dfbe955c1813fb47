package io.strata.server.api;

import io.micronaut.http.HttpRequest;
import io.strata.server.audit.AuditLog;
import io.strata.server.auth.Principal;
import io.strata.server.metadata.Role;
import io.strata.server.security.AccessPolicy;
import io.strata.server.security.SecurityContext;
import java.util.Map;

/** What controllers read off a request the {@link io.strata.server.auth.AuthFilter} let through. */
public final class Requests {
  private Requests() {}

  public static Principal principal(HttpRequest<?> request) {
    return request.getAttribute(Principal.ATTRIBUTE, Principal.class)
        .orElseThrow(() -> new IllegalStateException("request reached an endpoint unauthenticated"));
  }

  public static Principal require(HttpRequest<?> request, Role role) {
    return principal(request).require(role);
  }

  /** The caller as the query path sees them, after checking they have {@code role}. */
  static SecurityContext security(HttpRequest<?> request, Role role, AccessPolicy access) {
    return access.context(require(request, role));
  }

  /** The client's IP address as the auth filter found it, or null. */
  static String address(HttpRequest<?> request) {
    return request.getAttribute(io.strata.server.auth.AuthFilter.CLIENT_ADDRESS, String.class)
        .orElse(null);
  }

  /** Records in the audit log a change the caller of {@code request} made. */
  public static void audit(AuditLog audit, HttpRequest<?> request, String action,
      String resourceType, String resourceName, Map<String, ?> details) {
    audit.record(principal(request), address(request), action, resourceType, resourceName,
        details);
  }
}
