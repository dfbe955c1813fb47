package io.strata.server.metadata;

import java.time.Instant;

/** A user who can sign in. {@code createdAt} is at microsecond precision, UTC. */
public record User(long id, String username, String passwordHash, Role role, boolean disabled, Instant createdAt) {

    /** Never prints the password hash. */
    @Override
    public String toString() {
        return "User[id=" + id + ", username=" + username + ", role=" + role + ", disabled=" + disabled
                + ", createdAt=" + createdAt + "]";
    }
}
