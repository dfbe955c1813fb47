package io.strata.server.metadata;

import io.strata.server.metadata.MetadataDatabase.ErrorMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The SQL Lab's saved queries in {@code strata_saved_queries}. Every call is scoped to one user:
 * a user sees, changes and deletes only their own (another user's id is "does not exist").
 */
public final class SavedQueryStore {

    private static final String SELECT =
            "SELECT id, username, name, sql_text, created_at, updated_at FROM strata_saved_queries";

    private final MetadataDatabase db;

    public SavedQueryStore(MetadataDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** The user's saved queries, by name. */
    public List<SavedQuery> list(String username) {
        return db.run("listing the saved queries of '" + username + "'", ErrorMapper.NONE,
                c -> Jdbc.list(c, SELECT + " WHERE username = ? ORDER BY name, id", ps -> ps.setString(1, username),
                        SavedQueryStore::read));
    }

    /** @throws ConflictException when the user has a saved query of this name */
    public SavedQuery create(String username, String name, String sql) {
        Jdbc.requireName(username, "username");
        Jdbc.requireName(name, "name");
        Objects.requireNonNull(sql, "sql");
        Instant now = Jdbc.now();
        return db.run("saving query '" + name + "' of '" + username + "'",
                e -> Jdbc.isUniqueViolation(e) ? conflict(name, e) : null,
                c -> {
                    long id = Jdbc.insert(c, "INSERT INTO strata_saved_queries (username, name, sql_text, created_at,"
                            + " updated_at) VALUES (?, ?, ?, ?, ?)", ps -> {
                                ps.setString(1, username);
                                ps.setString(2, name);
                                ps.setString(3, sql);
                                Jdbc.setInstant(ps, 4, now);
                                Jdbc.setInstant(ps, 5, now);
                            });
                    return new SavedQuery(id, username, name, sql, now, now);
                });
    }

    /**
     * @throws NotFoundException "saved query 42 does not exist" (also when another user's)
     * @throws ConflictException when the user has another saved query of this name
     */
    public SavedQuery update(long id, String username, String name, String sql) {
        Jdbc.requireName(name, "name");
        Objects.requireNonNull(sql, "sql");
        Instant now = Jdbc.now();
        return db.run("updating saved query " + id,
                e -> Jdbc.isUniqueViolation(e) ? conflict(name, e) : null,
                c -> {
                    int n = Jdbc.update(c, "UPDATE strata_saved_queries SET name = ?, sql_text = ?, updated_at = ?"
                            + " WHERE id = ? AND username = ?", ps -> {
                                ps.setString(1, name);
                                ps.setString(2, sql);
                                Jdbc.setInstant(ps, 3, now);
                                ps.setLong(4, id);
                                ps.setString(5, username);
                            });
                    if (n == 0) {
                        throw notFound(id);
                    }
                    return Jdbc.one(c, SELECT + " WHERE id = ?", ps -> ps.setLong(1, id), SavedQueryStore::read)
                            .orElseThrow(() -> notFound(id));
                });
    }

    /** @throws NotFoundException "saved query 42 does not exist" (also when another user's) */
    public void delete(long id, String username) {
        int n = db.run("deleting saved query " + id, ErrorMapper.NONE,
                c -> Jdbc.update(c, "DELETE FROM strata_saved_queries WHERE id = ? AND username = ?", ps -> {
                    ps.setLong(1, id);
                    ps.setString(2, username);
                }));
        if (n == 0) {
            throw notFound(id);
        }
    }

    private static NotFoundException notFound(long id) {
        return new NotFoundException("saved query " + id + " does not exist");
    }

    private static ConflictException conflict(String name, SQLException e) {
        return new ConflictException("you already have a saved query named '" + name + "'", e);
    }

    private static SavedQuery read(ResultSet rs) throws SQLException {
        return new SavedQuery(rs.getLong("id"), rs.getString("username"), rs.getString("name"),
                rs.getString("sql_text"), Jdbc.getInstant(rs, "created_at"), Jdbc.getInstant(rs, "updated_at"));
    }
}
