package io.strata.server.metadata;

import java.time.Instant;
import java.util.List;

/**
 * A grant as stored: a model, view, member or data source ({@code kind}, {@code target}) and the
 * roles and users it is granted to. {@code io.strata.server.security.AccessPolicy} says what a
 * grant means.
 */
public record StoredGrant(long id, String kind, String target, List<String> roles,
    List<String> users, String description, Instant createdAt, Instant updatedAt) {
  public StoredGrant {
    roles = roles == null ? List.of() : List.copyOf(roles);
    users = users == null ? List.of() : List.copyOf(users);
  }
}
