package io.strata.server.metadata;

import io.strata.server.metadata.MetadataDatabase.ErrorMapper;
import java.util.Objects;
import java.util.Optional;

/**
 * SCRAM-SHA-256 verifiers in {@code strata_scram_verifiers}, one per user, each stored with the
 * password hash it was derived beside so that a changed password makes it stale without anyone
 * having to delete it.
 */
public final class ScramVerifierStore {

    private final MetadataDatabase db;

    public ScramVerifierStore(MetadataDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** The verifier of {@code user}, when one was derived from its current password. */
    public Optional<String> find(User user) {
        return db.run("reading the SCRAM verifier of user " + user.id(), ErrorMapper.NONE,
                c -> Jdbc.one(c, "SELECT password_hash, verifier FROM strata_scram_verifiers WHERE user_id = ?",
                        ps -> ps.setLong(1, user.id()),
                        rs -> user.passwordHash().equals(rs.getString(1)) ? rs.getString(2) : null))
                .filter(Objects::nonNull);
    }

    /** Stores {@code verifier} for {@code user}'s current password, replacing any other. */
    public void put(User user, String verifier) {
        // two logins at once may both store one: the retry replaces the other's, equally good
        db.transaction("storing the SCRAM verifier of user " + user.id(), true, ErrorMapper.NONE,
                c -> {
                    Jdbc.update(c, "DELETE FROM strata_scram_verifiers WHERE user_id = ?", ps -> ps.setLong(1, user.id()));
                    Jdbc.update(c, "INSERT INTO strata_scram_verifiers (user_id, password_hash, verifier) VALUES (?, ?, ?)",
                            ps -> {
                                ps.setLong(1, user.id());
                                ps.setString(2, user.passwordHash());
                                ps.setString(3, verifier);
                            });
                    return null;
                });
    }
}
