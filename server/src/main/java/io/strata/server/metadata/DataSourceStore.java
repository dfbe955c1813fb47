package io.strata.server.metadata;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.server.metadata.MetadataDatabase.ErrorMapper;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Data sources in {@code strata_data_sources}, keyed by name; properties are kept as a JSON object.
 * Every change also increments the {@code data_sources} revision (see {@link #revision()}).
 */
public final class DataSourceStore {

    private static final String REVISION_KEY = "data_sources";
    private static final String SELECT = "SELECT name, kind, url, username, password, properties, pool_size,"
            + " connection_timeout_ms, created_at, updated_at FROM strata_data_sources";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, String>> PROPERTIES = new TypeReference<>() {
    };

    private final MetadataDatabase db;

    public DataSourceStore(MetadataDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /**
     * Stores a new data source; its {@code createdAt} and {@code updatedAt} are set here (the record's are ignored).
     *
     * @throws ConflictException "data source 'x' already exists"
     */
    public DataSourceRecord create(DataSourceRecord r) {
        validate(r);
        String properties = toJson(r);
        return db.transaction("creating data source '" + r.name() + "'", false,
                e -> Jdbc.isUniqueViolation(e) ? new ConflictException("data source '" + r.name() + "' already exists", e) : null,
                c -> {
                    bumpRevision(c);
                    Instant now = Jdbc.now();
                    Jdbc.update(c, "INSERT INTO strata_data_sources (name, kind, url, username, password, properties,"
                            + " pool_size, connection_timeout_ms, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
                                ps.setString(1, r.name());
                                ps.setString(2, r.kind());
                                ps.setString(3, r.url());
                                ps.setString(4, r.username());
                                ps.setString(5, r.password());
                                ps.setString(6, properties);
                                ps.setInt(7, r.poolSize());
                                ps.setLong(8, r.connectionTimeoutMs());
                                Jdbc.setInstant(ps, 9, now);
                                Jdbc.setInstant(ps, 10, now);
                            });
                    return new DataSourceRecord(r.name(), r.kind(), r.url(), r.username(), r.password(), r.properties(),
                            r.poolSize(), r.connectionTimeoutMs(), now, now);
                });
    }

    /**
     * Replaces every field of the data source named {@code r.name()} except {@code createdAt};
     * sets {@code updatedAt}.
     *
     * @throws NotFoundException "data source 'x' does not exist"
     */
    public DataSourceRecord update(DataSourceRecord r) {
        validate(r);
        String properties = toJson(r);
        return db.transaction("updating data source '" + r.name() + "'", false, ErrorMapper.NONE, c -> {
            bumpRevision(c);
            Instant now = Jdbc.now();
            int updated = Jdbc.update(c, "UPDATE strata_data_sources SET kind = ?, url = ?, username = ?, password = ?,"
                    + " properties = ?, pool_size = ?, connection_timeout_ms = ?, updated_at = ? WHERE name = ?", ps -> {
                        ps.setString(1, r.kind());
                        ps.setString(2, r.url());
                        ps.setString(3, r.username());
                        ps.setString(4, r.password());
                        ps.setString(5, properties);
                        ps.setInt(6, r.poolSize());
                        ps.setLong(7, r.connectionTimeoutMs());
                        Jdbc.setInstant(ps, 8, now);
                        ps.setString(9, r.name());
                    });
            if (updated == 0) {
                throw notFound(r.name());
            }
            return findIn(c, r.name()).orElseThrow(() -> notFound(r.name()));
        });
    }

    public Optional<DataSourceRecord> find(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return db.run("reading data source '" + name + "'", ErrorMapper.NONE, c -> findIn(c, name));
    }

    /** All data sources, ordered by name. */
    public List<DataSourceRecord> list() {
        List<DataSourceRecord> all = new ArrayList<>(db.run("listing data sources", ErrorMapper.NONE,
                c -> Jdbc.list(c, SELECT, Jdbc.Binder.NONE, DataSourceStore::read)));
        all.sort(Comparator.comparing(DataSourceRecord::name));
        return all;
    }

    /** @throws NotFoundException "data source 'x' does not exist" */
    public void delete(String name) {
        db.transaction("deleting data source '" + name + "'", false, ErrorMapper.NONE, c -> {
            bumpRevision(c);
            if (Jdbc.update(c, "DELETE FROM strata_data_sources WHERE name = ?", ps -> ps.setString(1, name)) == 0) {
                throw notFound(name);
            }
            return null;
        });
    }

    /**
     * A number that increases, in commit order, whenever a data source is created, updated or deleted:
     * servers poll it to notice changes made by other servers.
     */
    public long revision() {
        return db.run("reading the data source revision", ErrorMapper.NONE,
                c -> Jdbc.one(c, "SELECT revision FROM strata_revisions WHERE name = ?",
                        ps -> ps.setString(1, REVISION_KEY), rs -> rs.getLong(1)).orElse(0L));
    }

    private static NotFoundException notFound(String name) {
        return new NotFoundException("data source '" + name + "' does not exist");
    }

    private static void bumpRevision(Connection c) throws SQLException {
        Jdbc.update(c, "UPDATE strata_revisions SET revision = revision + 1 WHERE name = ?", ps -> ps.setString(1, REVISION_KEY));
    }

    private static Optional<DataSourceRecord> findIn(Connection c, String name) throws SQLException {
        return Jdbc.one(c, SELECT + " WHERE name = ?", ps -> ps.setString(1, name), DataSourceStore::read);
    }

    private static void validate(DataSourceRecord r) {
        Objects.requireNonNull(r, "data source");
        Jdbc.requireName(r.name(), "data source name");
        Jdbc.requireName(r.kind(), "kind of data source '" + r.name() + "'");
        Jdbc.requireName(r.url(), "URL of data source '" + r.name() + "'");
        if (r.name().length() > 255) {
            throw new IllegalArgumentException("data source name '" + r.name() + "' is longer than 255 characters");
        }
    }

    private static String toJson(DataSourceRecord r) {
        try {
            return JSON.writeValueAsString(r.properties());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("properties of data source '" + r.name() + "' cannot be written as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    private static DataSourceRecord read(ResultSet rs) throws SQLException {
        String name = rs.getString("name");
        Map<String, String> properties;
        try {
            properties = JSON.readValue(rs.getString("properties"), PROPERTIES);
        } catch (JsonProcessingException e) {
            throw new MetadataException("properties of data source '" + name + "' are not a JSON object of strings: "
                    + e.getOriginalMessage(), e);
        }
        return new DataSourceRecord(name, rs.getString("kind"), rs.getString("url"), rs.getString("username"),
                rs.getString("password"), properties, rs.getInt("pool_size"), rs.getLong("connection_timeout_ms"),
                Jdbc.getInstant(rs, "created_at"), Jdbc.getInstant(rs, "updated_at"));
    }
}
