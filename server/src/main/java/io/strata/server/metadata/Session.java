package io.strata.server.metadata;

import java.time.Instant;

/** A signed-in browser session; only the hash of its cookie value is stored. */
public record Session(long id, long userId, Instant createdAt, Instant expiresAt) {
}
