package io.strata.server.metadata;

import io.strata.server.metadata.MetadataDatabase.ErrorMapper;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The audit log's table, {@code strata_audit_log}: appended to by {@code server.audit.AuditLog},
 * read newest first with filters, trimmed by age. Texts longer than their column are cut.
 */
public final class AuditStore {

    /** Longest details JSON kept, in characters. */
    public static final int MAX_DETAILS = 65_536;

    /** Which entries to read; null fields do not filter. Limit is required and positive. */
    public record Filter(String resourceType, String resourceName, String actor, Instant since,
            Instant until, int limit) {}

    private final MetadataDatabase db;

    public AuditStore(MetadataDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    public void append(AuditEntry e) {
        Objects.requireNonNull(e, "entry");
        Objects.requireNonNull(e.at(), "at");
        Jdbc.requireName(e.action(), "action");
        Jdbc.requireName(e.resourceType(), "resource type");
        db.run("writing the audit log", ErrorMapper.NONE,
                c -> Jdbc.update(c, "INSERT INTO strata_audit_log (occurred_at, actor, actor_address, action,"
                        + " resource_type, resource_name, details) VALUES (?, ?, ?, ?, ?, ?, ?)", ps -> {
                            Jdbc.setInstant(ps, 1, e.at());
                            ps.setString(2, Jdbc.clip(e.actor(), 255));
                            ps.setString(3, Jdbc.clip(e.actorAddress(), 64));
                            ps.setString(4, Jdbc.clip(e.action(), 64));
                            ps.setString(5, Jdbc.clip(e.resourceType(), 64));
                            ps.setString(6, Jdbc.clip(e.resourceName(), 255));
                            ps.setString(7, Jdbc.clip(e.detailsJson(), MAX_DETAILS));
                        }));
    }

    /** The entries the filter selects, newest first, at most {@code filter.limit()}. */
    public List<AuditEntry> find(Filter f) {
        Objects.requireNonNull(f, "filter");
        if (f.limit() <= 0) {
            return List.of();
        }
        StringBuilder sql = new StringBuilder("SELECT id, occurred_at, actor, actor_address, action, resource_type,"
                + " resource_name, details FROM strata_audit_log WHERE 1 = 1");
        List<Binding> bindings = new ArrayList<>();
        if (f.resourceType() != null) {
            sql.append(" AND resource_type = ?");
            bindings.add((ps, i) -> ps.setString(i, f.resourceType()));
        }
        if (f.resourceName() != null) {
            sql.append(" AND resource_name = ?");
            bindings.add((ps, i) -> ps.setString(i, f.resourceName()));
        }
        if (f.actor() != null) {
            sql.append(" AND actor = ?");
            bindings.add((ps, i) -> ps.setString(i, f.actor()));
        }
        if (f.since() != null) {
            sql.append(" AND occurred_at >= ?");
            bindings.add((ps, i) -> Jdbc.setInstant(ps, i, f.since()));
        }
        if (f.until() != null) {
            sql.append(" AND occurred_at < ?");
            bindings.add((ps, i) -> Jdbc.setInstant(ps, i, f.until()));
        }
        sql.append(" ORDER BY occurred_at DESC, id DESC LIMIT ?");
        return db.run("reading the audit log", ErrorMapper.NONE, c -> Jdbc.list(c, sql.toString(), ps -> {
            int i = 1;
            for (Binding b : bindings) {
                b.bind(ps, i++);
            }
            ps.setInt(i, f.limit());
        }, AuditStore::read));
    }

    /** Deletes the entries older than {@code cutoff}; returns how many. */
    public int deleteOlderThan(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return db.run("deleting old audit log entries", ErrorMapper.NONE,
                c -> Jdbc.update(c, "DELETE FROM strata_audit_log WHERE occurred_at < ?",
                        ps -> Jdbc.setInstant(ps, 1, cutoff)));
    }

    @FunctionalInterface
    private interface Binding {
        void bind(PreparedStatement ps, int index) throws SQLException;
    }

    private static AuditEntry read(ResultSet rs) throws SQLException {
        return new AuditEntry(rs.getLong("id"), Jdbc.getInstant(rs, "occurred_at"), rs.getString("actor"),
                rs.getString("actor_address"), rs.getString("action"), rs.getString("resource_type"),
                rs.getString("resource_name"), rs.getString("details"));
    }
}
