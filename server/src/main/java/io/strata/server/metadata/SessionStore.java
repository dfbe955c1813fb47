package io.strata.server.metadata;

import io.strata.server.metadata.MetadataDatabase.ErrorMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Browser sessions in {@code strata_sessions}, looked up by the hash of the session cookie. */
public final class SessionStore {

    private final MetadataDatabase db;

    public SessionStore(MetadataDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /**
     * @throws NotFoundException "user 42 does not exist"
     * @throws ConflictException when a session with the same hash exists
     */
    public Session create(long userId, String sessionHash, Instant expiresAt) {
        Jdbc.requireName(sessionHash, "session hash");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Instant now = Jdbc.now();
        Instant expires = Jdbc.micros(expiresAt);
        return db.run("creating a session for user " + userId,
                e -> Jdbc.isUniqueViolation(e) ? new ConflictException("a session with the same hash already exists", e)
                        : Jdbc.isForeignKeyViolation(e) ? UserStore.notFound(userId) : null,
                c -> {
                    long id = Jdbc.insert(c, "INSERT INTO strata_sessions (user_id, session_hash, created_at, expires_at)"
                            + " VALUES (?, ?, ?, ?)", ps -> {
                                ps.setLong(1, userId);
                                ps.setString(2, sessionHash);
                                Jdbc.setInstant(ps, 3, now);
                                Jdbc.setInstant(ps, 4, expires);
                            });
                    return new Session(id, userId, now, expires);
                });
    }

    /** The session with this hash if it expires after {@code now}. */
    public Optional<Session> findByHash(String sessionHash, Instant now) {
        Objects.requireNonNull(now, "now");
        if (sessionHash == null) {
            return Optional.empty();
        }
        return db.run("looking up a session", ErrorMapper.NONE,
                c -> Jdbc.one(c, "SELECT id, user_id, created_at, expires_at FROM strata_sessions"
                        + " WHERE session_hash = ? AND expires_at > ?", ps -> {
                            ps.setString(1, sessionHash);
                            Jdbc.setInstant(ps, 2, now);
                        }, SessionStore::read));
    }

    /** Ends the session with this hash; does nothing when there is none (signing out twice is fine). */
    public void delete(String sessionHash) {
        if (sessionHash == null) {
            return;
        }
        db.run("deleting a session", ErrorMapper.NONE,
                c -> Jdbc.update(c, "DELETE FROM strata_sessions WHERE session_hash = ?", ps -> ps.setString(1, sessionHash)));
    }

    /** Deletes the sessions that expired at or before {@code now}; returns how many. */
    public int deleteExpired(Instant now) {
        Objects.requireNonNull(now, "now");
        return db.run("deleting expired sessions", ErrorMapper.NONE,
                c -> Jdbc.update(c, "DELETE FROM strata_sessions WHERE expires_at <= ?", ps -> Jdbc.setInstant(ps, 1, now)));
    }

    private static Session read(ResultSet rs) throws SQLException {
        return new Session(rs.getLong("id"), rs.getLong("user_id"), Jdbc.getInstant(rs, "created_at"),
                Jdbc.getInstant(rs, "expires_at"));
    }
}
