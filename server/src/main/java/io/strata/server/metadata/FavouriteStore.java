package io.strata.server.metadata;

import io.strata.server.metadata.MetadataDatabase.ErrorMapper;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Each user's favourite dashboards ({@code strata_dashboard_favourites}): marking is idempotent,
 * unmarking one that is not marked does nothing, and a favourite goes with its user or
 * dashboard.
 */
public final class FavouriteStore {

    private final MetadataDatabase db;

    public FavouriteStore(MetadataDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /**
     * Marks dashboard {@code dashboardId} as a favourite of user {@code userId} (again: no change).
     *
     * @throws NotFoundException "dashboard 42 does not exist" when it does not
     */
    public void add(long userId, long dashboardId) {
        Instant now = Jdbc.now();
        db.run("marking dashboard " + dashboardId + " a favourite",
                e -> Jdbc.isForeignKeyViolation(e)
                        ? new NotFoundException("dashboard " + dashboardId + " does not exist") : null,
                c -> {
                    if (Jdbc.count(c, "SELECT COUNT(*) FROM strata_dashboard_favourites WHERE user_id = ?"
                            + " AND dashboard_id = ?", ps -> {
                                ps.setLong(1, userId);
                                ps.setLong(2, dashboardId);
                            }) > 0) {
                        return null;
                    }
                    try {
                        Jdbc.update(c, "INSERT INTO strata_dashboard_favourites (user_id, dashboard_id, created_at)"
                                + " VALUES (?, ?, ?)", ps -> {
                                    ps.setLong(1, userId);
                                    ps.setLong(2, dashboardId);
                                    Jdbc.setInstant(ps, 3, now);
                                });
                    } catch (java.sql.SQLException e) {
                        if (!Jdbc.isUniqueViolation(e)) {
                            throw e; // a second click racing the first inserted it: that is the same
                        }
                    }
                    return null;
                });
    }

    /** Unmarks it (nothing when it was not marked). */
    public void remove(long userId, long dashboardId) {
        db.run("unmarking favourite dashboard " + dashboardId, ErrorMapper.NONE,
                c -> Jdbc.update(c, "DELETE FROM strata_dashboard_favourites WHERE user_id = ? AND dashboard_id = ?",
                        ps -> {
                            ps.setLong(1, userId);
                            ps.setLong(2, dashboardId);
                        }));
    }

    /** The ids of the user's favourite dashboards. */
    public Set<Long> of(long userId) {
        return new LinkedHashSet<>(db.run("listing favourite dashboards", ErrorMapper.NONE,
                c -> Jdbc.list(c, "SELECT dashboard_id FROM strata_dashboard_favourites WHERE user_id = ?"
                        + " ORDER BY created_at", ps -> ps.setLong(1, userId), rs -> rs.getLong(1))));
    }
}
