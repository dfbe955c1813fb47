package io.strata.server.metadata;

import io.strata.server.metadata.MetadataDatabase.ErrorMapper;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Versioned semantic model files: {@code strata_models} holds each name's latest version number,
 * {@code strata_model_versions} every version ever written.
 *
 * <p>Writers are safe across servers: every writing transaction first locks the {@code models} row of
 * {@code strata_revisions} ({@code SELECT ... FOR UPDATE}), so model writes are serialized, versions
 * are consecutive, and the revision it then increments grows in commit order. The unique key on
 * (model_name, version) backs this up; a violation or deadlock retries the whole transaction.
 */
public final class ModelStore {

    static final int MAX_NAME_LENGTH = 255;
    private static final String REVISION_KEY = "models";
    private static final String VERSION_COLUMNS = "v.model_name, v.version, v.yaml, v.author, v.created_at, v.deleted";
    private static final String CURRENT = "SELECT " + VERSION_COLUMNS + " FROM strata_models m"
            + " JOIN strata_model_versions v ON v.model_name = m.name AND v.version = m.current_version";

    private final MetadataDatabase db;

    public ModelStore(MetadataDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /**
     * Saves every file of the map in one transaction. A file whose YAML equals its current version gets no
     * new version; a file currently deleted comes back with a new version.
     *
     * @param yamlByName model name to YAML text
     * @param author     recorded on each version written; may be null
     * @return the versions written, ordered by name
     */
    public List<ModelVersion> save(Map<String, String> yamlByName, String author) {
        return write(yamlByName, author, false);
    }

    /**
     * Like {@link #save}, and in the same transaction marks deleted every model absent from the map
     * (a new version with {@code deleted} true): makes the store hold exactly the map, as when pushing a directory.
     *
     * @return the versions written (saved and deleted), ordered by name
     */
    public List<ModelVersion> replaceAll(Map<String, String> yamlByName, String author) {
        return write(yamlByName, author, true);
    }

    /** The current version of the model; empty if it never existed or is currently deleted. */
    public Optional<ModelVersion> current(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return db.run("reading model '" + name + "'", ErrorMapper.NONE,
                c -> Jdbc.one(c, CURRENT + " WHERE m.name = ? AND m.deleted = ?", ps -> {
                    ps.setString(1, name);
                    ps.setBoolean(2, false);
                }, ModelStore::read));
    }

    /** The current version of every model not deleted, ordered by name. */
    public List<ModelVersion> currentAll() {
        List<ModelVersion> all = new ArrayList<>(db.run("reading models", ErrorMapper.NONE,
                c -> Jdbc.list(c, CURRENT + " WHERE m.deleted = ?", ps -> ps.setBoolean(1, false), ModelStore::read)));
        all.sort(Comparator.comparing(ModelVersion::name));
        return all;
    }

    /** Every version of the model, newest first, deletions included; empty when there are none. */
    public List<ModelVersion> history(String name) {
        if (name == null) {
            return List.of();
        }
        return db.run("reading the history of model '" + name + "'", ErrorMapper.NONE,
                c -> Jdbc.list(c, "SELECT " + VERSION_COLUMNS + " FROM strata_model_versions v"
                        + " WHERE v.model_name = ? ORDER BY v.version DESC", ps -> ps.setString(1, name), ModelStore::read));
    }

    public Optional<ModelVersion> version(String name, int version) {
        if (name == null) {
            return Optional.empty();
        }
        return db.run("reading version " + version + " of model '" + name + "'", ErrorMapper.NONE,
                c -> Jdbc.one(c, "SELECT " + VERSION_COLUMNS + " FROM strata_model_versions v"
                        + " WHERE v.model_name = ? AND v.version = ?", ps -> {
                            ps.setString(1, name);
                            ps.setInt(2, version);
                        }, ModelStore::read));
    }

    /**
     * Marks the model deleted (a new version with {@code deleted} true); its history is kept.
     *
     * @throws NotFoundException "model 'x' does not exist" when it never existed or is already deleted
     */
    public ModelVersion delete(String name, String author) {
        Jdbc.requireName(name, "model name");
        return db.transaction("deleting model '" + name + "'", true, ErrorMapper.NONE, c -> {
            long revision = lockRevision(c);
            Current current = currentOf(c, name);
            if (current == null || current.deleted()) {
                throw new NotFoundException("model '" + name + "' does not exist");
            }
            ModelVersion v = writeVersion(c, name, current.version() + 1, "", author, Jdbc.now(), true);
            setRevision(c, revision + 1);
            return v;
        });
    }

    /**
     * A number that increases whenever any model changes, in commit order: a server that has loaded the
     * models at revision N has seen every change up to N, so polling this finds changes made by other servers.
     */
    public long revision() {
        return db.run("reading the model revision", ErrorMapper.NONE,
                c -> Jdbc.one(c, "SELECT revision FROM strata_revisions WHERE name = ?",
                        ps -> ps.setString(1, REVISION_KEY), rs -> rs.getLong(1)).orElse(0L));
    }

    // ------------------------------------------------------------------------------------------------

    private record Current(int version, boolean deleted, String yaml) {
    }

    private record Named(String name, Current current) {
    }

    private List<ModelVersion> write(Map<String, String> yamlByName, String author, boolean deleteMissing) {
        Objects.requireNonNull(yamlByName, "yamlByName");
        TreeMap<String, String> files = new TreeMap<>();
        yamlByName.forEach((name, yaml) -> {
            Jdbc.requireName(name, "model name");
            if (!name.equals(name.strip())) { // MySQL's PAD SPACE collations would treat "a " as "a"
                throw new IllegalArgumentException("model name '" + name + "' starts or ends with white space");
            }
            if (name.length() > MAX_NAME_LENGTH) {
                throw new IllegalArgumentException("model name '" + name + "' is longer than " + MAX_NAME_LENGTH + " characters");
            }
            files.put(name, Objects.requireNonNull(yaml, () -> "YAML of model '" + name + "' is null"));
        });
        if (files.isEmpty() && !deleteMissing) {
            return List.of();
        }
        String action = (deleteMissing ? "replacing all models with " : "saving ") + describe(files);
        return db.transaction(action, true, ErrorMapper.NONE, c -> {
            long revision = lockRevision(c);
            Instant now = Jdbc.now();
            Map<String, Current> existing = deleteMissing ? allCurrent(c) : new HashMap<>();
            if (!deleteMissing) {
                for (String name : files.keySet()) {
                    Current cur = currentOf(c, name);
                    if (cur != null) {
                        existing.put(name, cur);
                    }
                }
            }
            TreeMap<String, ModelVersion> written = new TreeMap<>();
            for (Map.Entry<String, String> file : files.entrySet()) {
                String name = file.getKey();
                Current cur = existing.get(name);
                if (cur == null) {
                    Jdbc.update(c, "INSERT INTO strata_models (name, current_version, deleted, created_at, updated_at)"
                            + " VALUES (?, 0, ?, ?, ?)", ps -> {
                                ps.setString(1, name);
                                ps.setBoolean(2, false);
                                Jdbc.setInstant(ps, 3, now);
                                Jdbc.setInstant(ps, 4, now);
                            });
                    written.put(name, writeVersion(c, name, 1, file.getValue(), author, now, false));
                } else if (cur.deleted() || !cur.yaml().equals(file.getValue())) {
                    written.put(name, writeVersion(c, name, cur.version() + 1, file.getValue(), author, now, false));
                }
            }
            if (deleteMissing) {
                for (Map.Entry<String, Current> e : existing.entrySet()) {
                    if (!files.containsKey(e.getKey()) && !e.getValue().deleted()) {
                        written.put(e.getKey(), writeVersion(c, e.getKey(), e.getValue().version() + 1, "", author, now, true));
                    }
                }
            }
            if (!written.isEmpty()) {
                setRevision(c, revision + 1);
            }
            return List.copyOf(written.values());
        });
    }

    private static String describe(Map<String, String> files) {
        if (files.size() == 1) {
            return "model '" + files.keySet().iterator().next() + "'";
        }
        return files.size() + " models";
    }

    /** Takes the model write lock; returns the current revision. */
    private static long lockRevision(Connection c) throws SQLException {
        return Jdbc.one(c, "SELECT revision FROM strata_revisions WHERE name = ? FOR UPDATE",
                        ps -> ps.setString(1, REVISION_KEY), rs -> rs.getLong(1))
                .orElseThrow(() -> new SQLException("strata_revisions has no '" + REVISION_KEY + "' row"));
    }

    private static void setRevision(Connection c, long revision) throws SQLException {
        Jdbc.update(c, "UPDATE strata_revisions SET revision = ? WHERE name = ?", ps -> {
            ps.setLong(1, revision);
            ps.setString(2, REVISION_KEY);
        });
    }

    private static Current currentOf(Connection c, String name) throws SQLException {
        return Jdbc.one(c, "SELECT m.current_version, m.deleted, v.yaml FROM strata_models m"
                        + " JOIN strata_model_versions v ON v.model_name = m.name AND v.version = m.current_version"
                        + " WHERE m.name = ?", ps -> ps.setString(1, name),
                rs -> new Current(rs.getInt(1), rs.getBoolean(2), rs.getString(3))).orElse(null);
    }

    private static Map<String, Current> allCurrent(Connection c) throws SQLException {
        Map<String, Current> all = new HashMap<>();
        for (Named row : Jdbc.list(c, "SELECT m.name, m.current_version, m.deleted, v.yaml FROM strata_models m"
                        + " JOIN strata_model_versions v ON v.model_name = m.name AND v.version = m.current_version",
                Jdbc.Binder.NONE, rs -> new Named(rs.getString(1), new Current(rs.getInt(2), rs.getBoolean(3), rs.getString(4))))) {
            all.put(row.name(), row.current());
        }
        return all;
    }

    private static ModelVersion writeVersion(Connection c, String name, int version, String yaml, String author,
                                             Instant now, boolean deleted) throws SQLException {
        String who = Jdbc.clip(author, MAX_NAME_LENGTH);
        Jdbc.update(c, "INSERT INTO strata_model_versions (model_name, version, yaml, author, created_at, deleted)"
                + " VALUES (?, ?, ?, ?, ?, ?)", ps -> {
                    ps.setString(1, name);
                    ps.setInt(2, version);
                    ps.setString(3, yaml);
                    ps.setString(4, who);
                    Jdbc.setInstant(ps, 5, now);
                    ps.setBoolean(6, deleted);
                });
        Jdbc.update(c, "UPDATE strata_models SET current_version = ?, deleted = ?, updated_at = ? WHERE name = ?", ps -> {
            ps.setInt(1, version);
            ps.setBoolean(2, deleted);
            Jdbc.setInstant(ps, 3, now);
            ps.setString(4, name);
        });
        return new ModelVersion(name, version, yaml, who, now, deleted);
    }

    private static ModelVersion read(ResultSet rs) throws SQLException {
        return new ModelVersion(rs.getString("model_name"), rs.getInt("version"), rs.getString("yaml"),
                rs.getString("author"), Jdbc.getInstant(rs, "created_at"), rs.getBoolean("deleted"));
    }
}
