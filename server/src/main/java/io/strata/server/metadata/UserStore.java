package io.strata.server.metadata;

import io.strata.server.metadata.MetadataDatabase.ErrorMapper;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Users in {@code strata_users}. Usernames are unique and compared case-sensitively on every vendor. */
public final class UserStore {

    private static final String SELECT = "SELECT id, username, password_hash, role, disabled, created_at FROM strata_users";

    private final MetadataDatabase db;

    public UserStore(MetadataDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** @throws ConflictException "user 'bob' already exists" */
    public User create(String username, String passwordHash, Role role) {
        Jdbc.requireName(username, "username");
        Objects.requireNonNull(passwordHash, "passwordHash");
        Objects.requireNonNull(role, "role");
        Instant now = Jdbc.now();
        return db.run("creating user '" + username + "'",
                e -> Jdbc.isUniqueViolation(e) ? new ConflictException("user '" + username + "' already exists", e) : null,
                c -> {
                    long id = Jdbc.insert(c,
                            "INSERT INTO strata_users (username, password_hash, role, disabled, created_at) VALUES (?, ?, ?, ?, ?)",
                            ps -> {
                                ps.setString(1, username);
                                ps.setString(2, passwordHash);
                                ps.setString(3, role.id());
                                ps.setBoolean(4, false);
                                Jdbc.setInstant(ps, 5, now);
                            });
                    return new User(id, username, passwordHash, role, false, now);
                });
    }

    public Optional<User> find(String username) {
        if (username == null) {
            return Optional.empty();
        }
        return db.run("reading user '" + username + "'", ErrorMapper.NONE,
                c -> Jdbc.one(c, SELECT + " WHERE username = ?", ps -> ps.setString(1, username), UserStore::read));
    }

    public Optional<User> find(long id) {
        return db.run("reading user " + id, ErrorMapper.NONE, c -> findById(c, id));
    }

    /** All users, ordered by username. */
    public List<User> list() {
        List<User> users = new ArrayList<>(db.run("listing users", ErrorMapper.NONE,
                c -> Jdbc.list(c, SELECT, Jdbc.Binder.NONE, UserStore::read)));
        users.sort(Comparator.comparing(User::username));
        return users;
    }

    public long count() {
        return db.run("counting users", ErrorMapper.NONE,
                c -> Jdbc.count(c, "SELECT COUNT(*) FROM strata_users", Jdbc.Binder.NONE));
    }

    /**
     * Changes the given fields; null arguments leave theirs unchanged.
     *
     * @throws NotFoundException "user 42 does not exist"
     */
    public User update(long id, String passwordHashOrNull, Role roleOrNull, Boolean disabledOrNull) {
        return db.transaction("updating user " + id, false, ErrorMapper.NONE, c -> {
            List<String> sets = new ArrayList<>();
            if (passwordHashOrNull != null) {
                sets.add("password_hash = ?");
            }
            if (roleOrNull != null) {
                sets.add("role = ?");
            }
            if (disabledOrNull != null) {
                sets.add("disabled = ?");
            }
            if (!sets.isEmpty()) {
                Jdbc.update(c, "UPDATE strata_users SET " + String.join(", ", sets) + " WHERE id = ?", ps -> {
                    int i = 1;
                    if (passwordHashOrNull != null) {
                        ps.setString(i++, passwordHashOrNull);
                    }
                    if (roleOrNull != null) {
                        ps.setString(i++, roleOrNull.id());
                    }
                    if (disabledOrNull != null) {
                        ps.setBoolean(i++, disabledOrNull);
                    }
                    ps.setLong(i, id);
                });
            }
            return findById(c, id).orElseThrow(() -> notFound(id));
        });
    }

    /**
     * Deletes the user with their API tokens and sessions, in one transaction.
     *
     * @throws NotFoundException "user 42 does not exist"
     * @throws ConflictException when the user still owns dashboards (delete those, or disable the user instead)
     */
    public void delete(long id) {
        db.transaction("deleting user " + id, false,
                e -> Jdbc.isForeignKeyViolation(e) // a dashboard created meanwhile
                        ? new ConflictException("user " + id + " owns dashboards; delete or reassign them first, "
                                + "or disable the user instead", e)
                        : null,
                c -> {
            User user = findById(c, id).orElseThrow(() -> notFound(id));
            long dashboards = Jdbc.count(c, "SELECT COUNT(*) FROM strata_dashboards WHERE owner_id = ?", ps -> ps.setLong(1, id));
            if (dashboards > 0) {
                throw new ConflictException("user '" + user.username() + "' owns " + dashboards
                        + (dashboards == 1 ? " dashboard" : " dashboards")
                        + "; delete or reassign them first, or disable the user instead");
            }
            Jdbc.update(c, "DELETE FROM strata_api_tokens WHERE user_id = ?", ps -> ps.setLong(1, id));
            Jdbc.update(c, "DELETE FROM strata_sessions WHERE user_id = ?", ps -> ps.setLong(1, id));
            if (Jdbc.update(c, "DELETE FROM strata_users WHERE id = ?", ps -> ps.setLong(1, id)) == 0) {
                throw notFound(id);
            }
            return null;
        });
    }

    static NotFoundException notFound(long id) {
        return new NotFoundException("user " + id + " does not exist");
    }

    private static Optional<User> findById(Connection c, long id) throws SQLException {
        return Jdbc.one(c, SELECT + " WHERE id = ?", ps -> ps.setLong(1, id), UserStore::read);
    }

    private static User read(ResultSet rs) throws SQLException {
        return new User(rs.getLong("id"), rs.getString("username"), rs.getString("password_hash"),
                Role.parse(rs.getString("role")), rs.getBoolean("disabled"), Jdbc.getInstant(rs, "created_at"));
    }
}
