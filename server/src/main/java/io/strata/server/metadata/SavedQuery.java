package io.strata.server.metadata;

import java.time.Instant;

/** A SQL statement a user saved in the SQL Lab under a name of their own. */
public record SavedQuery(long id, String username, String name, String sql, Instant createdAt,
                         Instant updatedAt) {
}
