package io.strata.server.metadata;

import java.time.Instant;
import java.util.List;

/**
 * A row-level security rule as stored: the model it protects, its filter as semantic-query
 * filter JSON, and whom it applies to. {@code io.strata.server.security.AccessPolicy} validates
 * and applies it.
 */
public record StoredRule(long id, String model, String filterJson, List<String> roles,
    List<String> users, String description, Instant createdAt, Instant updatedAt) {
  public StoredRule {
    roles = roles == null ? List.of() : List.copyOf(roles);
    users = users == null ? List.of() : List.copyOf(users);
  }
}
