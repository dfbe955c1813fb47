package io.strata.server.reports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.metadata.MetadataException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** {@code strata_reports} and {@code strata_report_runs} (V10) on the metadata database. */
final class ReportStore {
  /** A stored report or alert. */
  record Report(String id, ReportSpec.Kind kind, String owner, ReportSpec spec, String state,
      String scheduleId, String lastValue, Instant lastNotifiedAt, Instant createdAt,
      Instant updatedAt) {}

  /** One run: scheduled or a test-send. */
  record Run(String id, String reportId, String jobId, boolean test, String state, String value,
      String error, JsonNode deliveries, Instant startedAt, Instant finishedAt) {}

  private static final String COLUMNS = "id, kind, owner, spec, state, schedule_id, last_value,"
      + " last_notified_at, created_at, updated_at, cron, time_zone, active";
  private final DataSource db;

  ReportStore(DataSource db) {
    this.db = db;
  }

  void insert(Report r) {
    update("INSERT INTO strata_reports (id, kind, name, owner, spec, cron, time_zone, active,"
        + " state, schedule_id, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", ps -> {
          ps.setString(1, r.id());
          ps.setString(2, r.kind().id());
          ps.setString(3, r.spec().name());
          ps.setString(4, r.owner());
          ps.setString(5, r.spec().json().toString());
          ps.setString(6, r.spec().cron());
          ps.setString(7, r.spec().timeZone() == null ? "UTC" : r.spec().timeZone());
          ps.setBoolean(8, r.spec().active());
          ps.setString(9, r.state());
          ps.setString(10, r.scheduleId());
          setInstant(ps, 11, r.createdAt());
          setInstant(ps, 12, r.updatedAt());
        });
  }

  /** Replaces the definition and schedule; a changed definition starts again from ok. */
  void replace(String id, ReportSpec spec, String scheduleId, Instant now) {
    update("UPDATE strata_reports SET name = ?, spec = ?, cron = ?, time_zone = ?, active = ?,"
        + " schedule_id = ?, updated_at = ?, state = 'ok', last_notified_at = NULL WHERE id = ?",
        ps -> {
          ps.setString(1, spec.name());
          ps.setString(2, spec.json().toString());
          ps.setString(3, spec.cron());
          ps.setString(4, spec.timeZone() == null ? "UTC" : spec.timeZone());
          ps.setBoolean(5, spec.active());
          ps.setString(6, scheduleId);
          setInstant(ps, 7, now);
          ps.setString(8, id);
        });
  }

  /** What a run found: the state, the value (alerts), when recipients were last told. */
  void recordState(String id, String state, String value, Instant notifiedAt) {
    update("UPDATE strata_reports SET state = ?, last_value = ?, last_notified_at = ? WHERE id = ?",
        ps -> {
          ps.setString(1, state);
          ps.setString(2, value);
          setInstant(ps, 3, notifiedAt);
          ps.setString(4, id);
        });
  }

  void delete(String id) {
    update("DELETE FROM strata_report_runs WHERE report_id = ?", ps -> ps.setString(1, id));
    update("DELETE FROM strata_reports WHERE id = ?", ps -> ps.setString(1, id));
  }

  Optional<Report> find(String id) {
    List<Report> r = query("SELECT " + COLUMNS + " FROM strata_reports WHERE id = ?",
        ps -> ps.setString(1, id));
    return r.stream().findFirst();
  }

  /** Reports or alerts, an owner's (or every one's when owner is null), newest first. */
  List<Report> list(ReportSpec.Kind kind, String owner) {
    return query("SELECT " + COLUMNS + " FROM strata_reports WHERE kind = ?"
        + (owner == null ? "" : " AND owner = ?") + " ORDER BY created_at DESC", ps -> {
          ps.setString(1, kind.id());
          if (owner != null) {
            ps.setString(2, owner);
          }
        });
  }

  void insertRun(Run r) {
    update("INSERT INTO strata_report_runs (id, report_id, job_id, is_test, state, started_at)"
        + " VALUES (?,?,?,?,?,?)", ps -> {
          ps.setString(1, r.id());
          ps.setString(2, r.reportId());
          ps.setString(3, r.jobId());
          ps.setBoolean(4, r.test());
          ps.setString(5, r.state());
          setInstant(ps, 6, r.startedAt());
        });
  }

  void finishRun(String id, String state, String value, String error, JsonNode deliveries,
      Instant now) {
    update("UPDATE strata_report_runs SET state = ?, value_text = ?, error = ?, deliveries = ?,"
        + " finished_at = ? WHERE id = ?", ps -> {
          ps.setString(1, state);
          ps.setString(2, value);
          ps.setString(3, error);
          ps.setString(4, deliveries == null ? null : deliveries.toString());
          setInstant(ps, 5, now);
          ps.setString(6, id);
        });
  }

  List<Run> runs(String reportId, int limit) {
    List<Run> out = new ArrayList<>();
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT id, report_id, job_id, is_test, state, value_text, error, deliveries, started_at,"
            + " finished_at FROM strata_report_runs WHERE report_id = ?"
            + " ORDER BY started_at DESC, id")) {
      ps.setString(1, reportId);
      ps.setMaxRows(limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String d = rs.getString("deliveries");
          out.add(new Run(rs.getString("id"), rs.getString("report_id"), rs.getString("job_id"),
              rs.getBoolean("is_test"), rs.getString("state"), rs.getString("value_text"),
              rs.getString("error"), d == null ? null : ReportSpec.JSON.readTree(d),
              getInstant(rs, "started_at"), getInstant(rs, "finished_at")));
        }
      }
    } catch (SQLException | JsonProcessingException e) {
      throw new MetadataException("cannot read the runs of report " + reportId + ": "
          + e.getMessage(), e);
    }
    return out;
  }

  // ------------------------------------------------------------------ plumbing

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private void update(String sql, Binder binder) {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new MetadataException("reports: " + e.getMessage(), e);
    }
  }

  private List<Report> query(String sql, Binder binder) {
    List<Report> out = new ArrayList<>();
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ReportSpec.Kind kind = ReportSpec.Kind.parse(rs.getString("kind"));
          com.fasterxml.jackson.databind.node.ObjectNode spec =
              (com.fasterxml.jackson.databind.node.ObjectNode) ReportSpec.JSON.readTree(
                  rs.getString("spec"));
          spec.put("cron", rs.getString("cron"));
          spec.put("timeZone", rs.getString("time_zone"));
          spec.put("active", rs.getBoolean("active"));
          out.add(new Report(rs.getString("id"), kind, rs.getString("owner"),
              ReportSpec.parse(kind, spec), rs.getString("state"), rs.getString("schedule_id"),
              rs.getString("last_value"), getInstant(rs, "last_notified_at"),
              getInstant(rs, "created_at"), getInstant(rs, "updated_at")));
        }
      }
    } catch (SQLException | JsonProcessingException e) {
      throw new MetadataException("cannot read reports: " + e.getMessage(), e);
    }
    return out;
  }

  static void setInstant(PreparedStatement ps, int index, Instant i) throws SQLException {
    if (i == null) {
      ps.setNull(index, Types.TIMESTAMP);
    } else {
      ps.setObject(index, LocalDateTime.ofInstant(i.truncatedTo(ChronoUnit.MICROS),
          ZoneOffset.UTC));
    }
  }

  static Instant getInstant(ResultSet rs, String column) throws SQLException {
    LocalDateTime t = rs.getObject(column, LocalDateTime.class);
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }
}
