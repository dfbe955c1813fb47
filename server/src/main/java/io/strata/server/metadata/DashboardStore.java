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

/**
 * Dashboards ({@code strata_dashboards}) and their charts ({@code strata_charts}). JSON columns are stored
 * as given, without validation. Deleting a dashboard deletes its charts.
 */
public final class DashboardStore {

    private static final String SELECT_DASHBOARD =
            "SELECT id, name, description, layout_json, owner_id, created_at, updated_at FROM strata_dashboards";
    private static final String SELECT_CHART =
            "SELECT id, dashboard_id, title, query_json, viz_json, position FROM strata_charts";

    private final MetadataDatabase db;

    public DashboardStore(MetadataDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** A chart to store with its dashboard: JSON columns as given. */
    public record NewChart(String title, String queryJson, String vizJson, int position) {}

    /** @throws NotFoundException "user 42 does not exist" when the owner does not */
    public Dashboard create(String name, String description, String layoutJson, long ownerId) {
        return create(name, description, layoutJson, ownerId, List.of());
    }

    /**
     * Creates a dashboard with its charts in one transaction: after a crash, a failed insert or a
     * lost connection there is either the whole dashboard or nothing of it.
     *
     * @throws NotFoundException "user 42 does not exist" when the owner does not
     */
    public Dashboard create(String name, String description, String layoutJson, long ownerId,
            List<NewChart> charts) {
        requireDashboardName(name);
        Instant now = Jdbc.now();
        return db.transaction("creating dashboard '" + name + "'", false,
                e -> Jdbc.isForeignKeyViolation(e) ? UserStore.notFound(ownerId) : null,
                c -> {
                    long id = Jdbc.insert(c, "INSERT INTO strata_dashboards (name, description, layout_json, owner_id,"
                            + " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)", ps -> {
                                ps.setString(1, name);
                                ps.setString(2, description);
                                ps.setString(3, layoutJson);
                                ps.setLong(4, ownerId);
                                Jdbc.setInstant(ps, 5, now);
                                Jdbc.setInstant(ps, 6, now);
                            });
                    insertCharts(c, id, charts);
                    return new Dashboard(id, name, description, layoutJson, ownerId, now, now);
                });
    }

    /**
     * Replaces name, description, layout and every chart in one transaction (the old charts are
     * deleted, the new ones inserted with new ids).
     *
     * @throws NotFoundException "dashboard 42 does not exist"
     */
    public Dashboard replace(long id, String name, String description, String layoutJson,
            List<NewChart> charts) {
        requireDashboardName(name);
        return db.transaction("replacing dashboard " + id, false, ErrorMapper.NONE, c -> {
            Dashboard d = updateIn(c, id, name, description, layoutJson);
            Jdbc.update(c, "DELETE FROM strata_charts WHERE dashboard_id = ?", ps -> ps.setLong(1, id));
            insertCharts(c, id, charts);
            return d;
        });
    }

    private static void insertCharts(Connection c, long dashboardId, List<NewChart> charts) throws SQLException {
        for (NewChart chart : charts) {
            Jdbc.insert(c, "INSERT INTO strata_charts (dashboard_id, title, query_json, viz_json, position)"
                    + " VALUES (?, ?, ?, ?, ?)", ps -> {
                        ps.setLong(1, dashboardId);
                        ps.setString(2, chart.title());
                        ps.setString(3, chart.queryJson());
                        ps.setString(4, chart.vizJson());
                        ps.setInt(5, chart.position());
                    });
        }
    }

    public Optional<Dashboard> find(long id) {
        return db.run("reading dashboard " + id, ErrorMapper.NONE, c -> findIn(c, id));
    }

    /** All dashboards, ordered by name, then id. */
    public List<Dashboard> list() {
        List<Dashboard> all = new ArrayList<>(db.run("listing dashboards", ErrorMapper.NONE,
                c -> Jdbc.list(c, SELECT_DASHBOARD, Jdbc.Binder.NONE, DashboardStore::readDashboard)));
        all.sort(Comparator.comparing(Dashboard::name).thenComparingLong(Dashboard::id));
        return all;
    }

    /**
     * Replaces name, description and layout.
     *
     * @throws NotFoundException "dashboard 42 does not exist"
     */
    public Dashboard update(long id, String name, String description, String layoutJson) {
        requireDashboardName(name);
        return db.transaction("updating dashboard " + id, false, ErrorMapper.NONE,
                c -> updateIn(c, id, name, description, layoutJson));
    }

    private static Dashboard updateIn(Connection c, long id, String name, String description, String layoutJson)
            throws SQLException {
        Instant now = Jdbc.now();
        int n = Jdbc.update(c, "UPDATE strata_dashboards SET name = ?, description = ?, layout_json = ?, updated_at = ?"
                + " WHERE id = ?", ps -> {
                    ps.setString(1, name);
                    ps.setString(2, description);
                    ps.setString(3, layoutJson);
                    Jdbc.setInstant(ps, 4, now);
                    ps.setLong(5, id);
                });
        if (n == 0) {
            throw notFound(id);
        }
        return findIn(c, id).orElseThrow(() -> notFound(id));
    }

    /**
     * Deletes the dashboard and its charts.
     *
     * @throws NotFoundException "dashboard 42 does not exist"
     */
    public void delete(long id) {
        db.transaction("deleting dashboard " + id, false, ErrorMapper.NONE, c -> {
            Jdbc.update(c, "DELETE FROM strata_charts WHERE dashboard_id = ?", ps -> ps.setLong(1, id));
            if (Jdbc.update(c, "DELETE FROM strata_dashboards WHERE id = ?", ps -> ps.setLong(1, id)) == 0) {
                throw notFound(id);
            }
            return null;
        });
    }

    /** @throws NotFoundException "dashboard 42 does not exist" */
    public Chart addChart(long dashboardId, String title, String queryJson, String vizJson, int position) {
        return db.transaction("adding a chart to dashboard " + dashboardId, false,
                e -> Jdbc.isForeignKeyViolation(e) ? notFound(dashboardId) : null,
                c -> {
                    touchDashboard(c, dashboardId);
                    long id = Jdbc.insert(c, "INSERT INTO strata_charts (dashboard_id, title, query_json, viz_json, position)"
                            + " VALUES (?, ?, ?, ?, ?)", ps -> {
                                ps.setLong(1, dashboardId);
                                ps.setString(2, title);
                                ps.setString(3, queryJson);
                                ps.setString(4, vizJson);
                                ps.setInt(5, position);
                            });
                    return new Chart(id, dashboardId, title, queryJson, vizJson, position);
                });
    }

    public Optional<Chart> findChart(long id) {
        return db.run("reading chart " + id, ErrorMapper.NONE, c -> chartIn(c, id));
    }

    /** The dashboard's charts ordered by position, then id; empty when it has none or does not exist. */
    public List<Chart> charts(long dashboardId) {
        return db.run("listing the charts of dashboard " + dashboardId, ErrorMapper.NONE,
                c -> Jdbc.list(c, SELECT_CHART + " WHERE dashboard_id = ? ORDER BY position, id",
                        ps -> ps.setLong(1, dashboardId), DashboardStore::readChart));
    }

    /**
     * Replaces the chart's title, query, visualization and position.
     *
     * @throws NotFoundException "chart 42 does not exist"
     */
    public Chart updateChart(long id, String title, String queryJson, String vizJson, int position) {
        return db.transaction("updating chart " + id, false, ErrorMapper.NONE, c -> {
            Chart old = chartIn(c, id).orElseThrow(() -> chartNotFound(id));
            Jdbc.update(c, "UPDATE strata_charts SET title = ?, query_json = ?, viz_json = ?, position = ? WHERE id = ?", ps -> {
                ps.setString(1, title);
                ps.setString(2, queryJson);
                ps.setString(3, vizJson);
                ps.setInt(4, position);
                ps.setLong(5, id);
            });
            touchDashboard(c, old.dashboardId());
            return new Chart(id, old.dashboardId(), title, queryJson, vizJson, position);
        });
    }

    /** @throws NotFoundException "chart 42 does not exist" */
    public void deleteChart(long id) {
        db.transaction("deleting chart " + id, false, ErrorMapper.NONE, c -> {
            Chart old = chartIn(c, id).orElseThrow(() -> chartNotFound(id));
            Jdbc.update(c, "DELETE FROM strata_charts WHERE id = ?", ps -> ps.setLong(1, id));
            touchDashboard(c, old.dashboardId());
            return null;
        });
    }

    private static void touchDashboard(Connection c, long dashboardId) throws SQLException {
        if (Jdbc.update(c, "UPDATE strata_dashboards SET updated_at = ? WHERE id = ?", ps -> {
            Jdbc.setInstant(ps, 1, Jdbc.now());
            ps.setLong(2, dashboardId);
        }) == 0) {
            throw notFound(dashboardId);
        }
    }

    private static void requireDashboardName(String name) {
        Jdbc.requireName(name, "dashboard name");
        if (name.length() > 255) {
            throw new IllegalArgumentException("dashboard name '" + name + "' is longer than 255 characters");
        }
    }

    private static NotFoundException notFound(long id) {
        return new NotFoundException("dashboard " + id + " does not exist");
    }

    private static NotFoundException chartNotFound(long id) {
        return new NotFoundException("chart " + id + " does not exist");
    }

    private static Optional<Dashboard> findIn(Connection c, long id) throws SQLException {
        return Jdbc.one(c, SELECT_DASHBOARD + " WHERE id = ?", ps -> ps.setLong(1, id), DashboardStore::readDashboard);
    }

    private static Optional<Chart> chartIn(Connection c, long id) throws SQLException {
        return Jdbc.one(c, SELECT_CHART + " WHERE id = ?", ps -> ps.setLong(1, id), DashboardStore::readChart);
    }

    private static Dashboard readDashboard(ResultSet rs) throws SQLException {
        return new Dashboard(rs.getLong("id"), rs.getString("name"), rs.getString("description"),
                rs.getString("layout_json"), rs.getLong("owner_id"), Jdbc.getInstant(rs, "created_at"),
                Jdbc.getInstant(rs, "updated_at"));
    }

    private static Chart readChart(ResultSet rs) throws SQLException {
        return new Chart(rs.getLong("id"), rs.getLong("dashboard_id"), rs.getString("title"), rs.getString("query_json"),
                rs.getString("viz_json"), rs.getInt("position"));
    }
}
