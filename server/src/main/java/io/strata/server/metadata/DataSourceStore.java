package io.strata.server.metadata;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.server.metadata.MetadataDatabase.ErrorMapper;
import io.strata.server.secret.SecretBox;
import io.strata.server.secret.SecretFields;
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
 *
 * <p>Secrets are stored encrypted by a {@link SecretBox} (AES-GCM): the password, the URL when it
 * carries a password, and each property whose name is secret ({@link SecretFields}). Records go
 * in and come out in plaintext; only the rows are encrypted. {@link #sealAll()} encrypts what an
 * older version stored in plaintext and re-encrypts values under a previous key.
 */
public final class DataSourceStore {

    private static final String REVISION_KEY = "data_sources";
    private static final String SELECT = "SELECT name, kind, url, username, password, properties, pool_size,"
            + " connection_timeout_ms, created_at, updated_at FROM strata_data_sources";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, String>> PROPERTIES = new TypeReference<>() {
    };

    private final MetadataDatabase db;
    private final SecretBox box;

    public DataSourceStore(MetadataDatabase db, SecretBox box) {
        this.db = Objects.requireNonNull(db, "db");
        this.box = Objects.requireNonNull(box, "box");
    }

    /**
     * Stores a new data source; its {@code createdAt} and {@code updatedAt} are set here (the record's are ignored).
     *
     * @throws ConflictException "data source 'x' already exists"
     */
    public DataSourceRecord create(DataSourceRecord r) {
        validate(r);
        String properties = toJson(r.name(), sealProperties(r));
        return db.transaction("creating data source '" + r.name() + "'", false,
                e -> Jdbc.isUniqueViolation(e) ? new ConflictException("data source '" + r.name() + "' already exists", e) : null,
                c -> {
                    bumpRevision(c);
                    Instant now = Jdbc.now();
                    Jdbc.update(c, "INSERT INTO strata_data_sources (name, kind, url, username, password, properties,"
                            + " pool_size, connection_timeout_ms, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
                                ps.setString(1, r.name());
                                ps.setString(2, r.kind());
                                ps.setString(3, sealUrl(r.name(), r.url()));
                                ps.setString(4, r.username());
                                ps.setString(5, box.seal(r.password(), passwordOf(r.name())));
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
        String properties = toJson(r.name(), sealProperties(r));
        return db.transaction("updating data source '" + r.name() + "'", false, ErrorMapper.NONE, c -> {
            bumpRevision(c);
            Instant now = Jdbc.now();
            int updated = Jdbc.update(c, "UPDATE strata_data_sources SET kind = ?, url = ?, username = ?, password = ?,"
                    + " properties = ?, pool_size = ?, connection_timeout_ms = ?, updated_at = ? WHERE name = ?", ps -> {
                        ps.setString(1, r.kind());
                        ps.setString(2, sealUrl(r.name(), r.url()));
                        ps.setString(3, r.username());
                        ps.setString(4, box.seal(r.password(), passwordOf(r.name())));
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

    /**
     * Encrypts, in one transaction, every secret stored in plaintext (by an older version) or
     * under a key other than the box's current one, and checks that every other one decrypts.
     * Run on start, and by {@code strata secrets rotate-key} with a box whose current key is the
     * new one. Neither the revision nor {@code updatedAt} changes: the data sources mean the same.
     *
     * @return how many values were (re-)encrypted
     * @throws io.strata.server.secret.SecretKeyException when a stored value opens with none of
     *     the box's keys (nothing is changed)
     */
    public int sealAll() {
        return db.transaction("encrypting data source secrets", false, ErrorMapper.NONE, c -> {
            List<String[]> rows = Jdbc.list(c, "SELECT name, url, password, properties FROM strata_data_sources",
                    Jdbc.Binder.NONE, rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
            int sealed = 0;
            for (String[] row : rows) {
                String name = row[0];
                String url = box.open(row[1], urlOf(name));
                String password = box.open(row[2], passwordOf(name));
                Map<String, String> stored = readProperties(name, row[3]);
                Map<String, String> props = new LinkedHashMap<>();
                stored.forEach((k, v) -> props.put(k, SecretFields.isSecretProperty(k) ? box.open(v, propertyOf(name, k)) : v));
                int before = sealed;
                String newUrl = row[1];
                if (SecretFields.urlHasSecret(url) ? box.needsSealing(row[1]) : SecretBox.isSealed(row[1])) {
                    newUrl = sealUrl(name, url);
                    sealed++;
                }
                String newPassword = row[2];
                if (box.needsSealing(row[2])) {
                    newPassword = box.seal(password, passwordOf(name));
                    sealed++;
                }
                Map<String, String> newProps = new LinkedHashMap<>();
                for (Map.Entry<String, String> e : stored.entrySet()) {
                    String k = e.getKey();
                    if (SecretFields.isSecretProperty(k) && box.needsSealing(e.getValue())) {
                        newProps.put(k, box.seal(props.get(k), propertyOf(name, k)));
                        sealed++;
                    } else {
                        newProps.put(k, e.getValue());
                    }
                }
                if (sealed > before) {
                    String u = newUrl;
                    String p = newPassword;
                    String json = toJson(name, newProps);
                    Jdbc.update(c, "UPDATE strata_data_sources SET url = ?, password = ?, properties = ? WHERE name = ?", ps -> {
                        ps.setString(1, u);
                        ps.setString(2, p);
                        ps.setString(3, json);
                        ps.setString(4, name);
                    });
                }
            }
            return sealed;
        });
    }

    private String sealUrl(String name, String url) {
        return SecretFields.urlHasSecret(url) ? box.seal(url, urlOf(name)) : url;
    }

    private Map<String, String> sealProperties(DataSourceRecord r) {
        Map<String, String> out = new LinkedHashMap<>();
        r.properties().forEach((k, v) -> out.put(k, SecretFields.isSecretProperty(k) ? box.seal(v, propertyOf(r.name(), k)) : v));
        return out;
    }

    // The contexts are the associated data of each value, and name it in errors.
    private static String passwordOf(String name) {
        return "password of data source '" + name + "'";
    }

    private static String urlOf(String name) {
        return "url of data source '" + name + "'";
    }

    private static String propertyOf(String name, String property) {
        return "property '" + property + "' of data source '" + name + "'";
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
                c -> Jdbc.list(c, SELECT, Jdbc.Binder.NONE, this::read)));
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

    private Optional<DataSourceRecord> findIn(Connection c, String name) throws SQLException {
        return Jdbc.one(c, SELECT + " WHERE name = ?", ps -> ps.setString(1, name), this::read);
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

    private static String toJson(String name, Map<String, String> properties) {
        try {
            return JSON.writeValueAsString(properties);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("properties of data source '" + name + "' cannot be written as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    private static Map<String, String> readProperties(String name, String json) {
        try {
            return JSON.readValue(json, PROPERTIES);
        } catch (JsonProcessingException e) {
            throw new MetadataException("properties of data source '" + name + "' are not a JSON object of strings: "
                    + e.getOriginalMessage(), e);
        }
    }

    private DataSourceRecord read(ResultSet rs) throws SQLException {
        String name = rs.getString("name");
        Map<String, String> properties = new LinkedHashMap<>();
        readProperties(name, rs.getString("properties")).forEach((k, v) ->
                properties.put(k, SecretFields.isSecretProperty(k) ? box.open(v, propertyOf(name, k)) : v));
        return new DataSourceRecord(name, rs.getString("kind"), box.open(rs.getString("url"), urlOf(name)),
                rs.getString("username"), box.open(rs.getString("password"), passwordOf(name)), properties,
                rs.getInt("pool_size"), rs.getLong("connection_timeout_ms"),
                Jdbc.getInstant(rs, "created_at"), Jdbc.getInstant(rs, "updated_at"));
    }
}
