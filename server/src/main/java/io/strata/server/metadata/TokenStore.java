package io.strata.server.metadata;

import io.strata.server.metadata.MetadataDatabase.ErrorMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** API tokens in {@code strata_api_tokens}, looked up by the SHA-256 hash the caller computes. */
public final class TokenStore {

    private static final String SELECT =
            "SELECT id, user_id, name, prefix, created_at, expires_at, last_used_at FROM strata_api_tokens";

    private final MetadataDatabase db;

    public TokenStore(MetadataDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /**
     * @param tokenHash       the token's hash (SHA-256 hex), computed by the caller
     * @param expiresAtOrNull null for a token that never expires
     * @throws NotFoundException "user 42 does not exist"
     * @throws ConflictException when a token with the same hash exists
     */
    public ApiToken create(long userId, String name, String prefix, String tokenHash, Instant expiresAtOrNull) {
        Jdbc.requireName(name, "token name");
        Objects.requireNonNull(prefix, "prefix");
        Jdbc.requireName(tokenHash, "token hash");
        Instant now = Jdbc.now();
        Instant expires = Jdbc.micros(expiresAtOrNull);
        return db.run("creating API token '" + name + "' for user " + userId,
                e -> Jdbc.isUniqueViolation(e)
                        ? new ConflictException("an API token with the same hash as '" + name + "' already exists", e)
                        : Jdbc.isForeignKeyViolation(e) ? UserStore.notFound(userId) : null,
                c -> {
                    long id = Jdbc.insert(c, "INSERT INTO strata_api_tokens (user_id, name, prefix, token_hash, created_at, expires_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?)", ps -> {
                                ps.setLong(1, userId);
                                ps.setString(2, name);
                                ps.setString(3, prefix);
                                ps.setString(4, tokenHash);
                                Jdbc.setInstant(ps, 5, now);
                                Jdbc.setInstant(ps, 6, expires);
                            });
                    return new ApiToken(id, userId, name, prefix, now, expires, null);
                });
    }

    /** The token with this hash, unless it has expired. Does not look at whether its user is disabled. */
    public Optional<ApiToken> findByHash(String tokenHash) {
        return findByHash(tokenHash, Instant.now());
    }

    /** The token with this hash, unless it has expired by {@code now}. */
    public Optional<ApiToken> findByHash(String tokenHash, Instant now) {
        if (tokenHash == null) {
            return Optional.empty();
        }
        return db.run("looking up an API token", ErrorMapper.NONE,
                c -> Jdbc.one(c, SELECT + " WHERE token_hash = ? AND (expires_at IS NULL OR expires_at > ?)", ps -> {
                    ps.setString(1, tokenHash);
                    Jdbc.setInstant(ps, 2, now);
                }, TokenStore::read));
    }

    /** All tokens, expired ones included, oldest first. */
    public List<ApiToken> list() {
        return db.run("listing API tokens", ErrorMapper.NONE,
                c -> Jdbc.list(c, SELECT + " ORDER BY id", Jdbc.Binder.NONE, TokenStore::read));
    }

    /** The user's tokens, expired ones included, oldest first. */
    public List<ApiToken> listForUser(long userId) {
        return db.run("listing API tokens of user " + userId, ErrorMapper.NONE,
                c -> Jdbc.list(c, SELECT + " WHERE user_id = ? ORDER BY id", ps -> ps.setLong(1, userId), TokenStore::read));
    }

    /** Records that the token was used at {@code when}; does nothing if it was deleted meanwhile. */
    public void touch(long id, Instant when) {
        Objects.requireNonNull(when, "when");
        db.run("recording use of API token " + id, ErrorMapper.NONE,
                c -> Jdbc.update(c, "UPDATE strata_api_tokens SET last_used_at = ? WHERE id = ?", ps -> {
                    Jdbc.setInstant(ps, 1, when);
                    ps.setLong(2, id);
                }));
    }

    /** @throws NotFoundException "API token 42 does not exist" */
    public void delete(long id) {
        int deleted = db.run("deleting API token " + id, ErrorMapper.NONE,
                c -> Jdbc.update(c, "DELETE FROM strata_api_tokens WHERE id = ?", ps -> ps.setLong(1, id)));
        if (deleted == 0) {
            throw new NotFoundException("API token " + id + " does not exist");
        }
    }

    private static ApiToken read(ResultSet rs) throws SQLException {
        return new ApiToken(rs.getLong("id"), rs.getLong("user_id"), rs.getString("name"), rs.getString("prefix"),
                Jdbc.getInstant(rs, "created_at"), Jdbc.getInstant(rs, "expires_at"), Jdbc.getInstant(rs, "last_used_at"));
    }
}
