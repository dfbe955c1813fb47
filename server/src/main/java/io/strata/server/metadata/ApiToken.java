package io.strata.server.metadata;

import java.time.Instant;

/**
 * An API token's metadata; the secret itself is never stored, only its hash.
 *
 * @param prefix     the first characters of the token, shown in listings so users can tell tokens apart
 * @param expiresAt  null when the token never expires
 * @param lastUsedAt null until first used
 */
public record ApiToken(long id, long userId, String name, String prefix, Instant createdAt, Instant expiresAt,
                       Instant lastUsedAt) {
}
