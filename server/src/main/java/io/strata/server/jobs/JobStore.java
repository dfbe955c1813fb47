package io.strata.server.jobs;

import io.strata.server.metadata.MetadataException;
import io.strata.server.metadata.NotFoundException;
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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@code strata_jobs} and {@code strata_job_schedules} in the metadata database. Every state
 * change is one conditional UPDATE, so two processes never both move a job: a job leaves a final
 * state never, and {@link #start} counts attempts.
 */
final class JobStore {
  private static final String COLUMNS = "id, kind, owner, state, progress, attempts,"
      + " cancel_requested, worker, schedule_id, cache_key, parameters, error_code, error_message,"
      + " result_location, result_rows, result_bytes, created_at, started_at, finished_at,"
      + " expires_at";

  private final DataSource db;

  JobStore(DataSource db) {
    this.db = db;
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T run(String action, Work<T> work) {
    try (Connection c = db.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new MetadataException("metadata database error while " + action + ": "
          + e.getMessage(), e);
    }
  }

  void insert(Job j) {
    run("saving job " + j.id(), c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO strata_jobs (id, kind, owner,"
          + " state, schedule_id, cache_key, parameters, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, j.id());
        ps.setString(2, j.kind().id());
        ps.setString(3, j.owner());
        ps.setString(4, j.state().id());
        ps.setString(5, j.scheduleId());
        ps.setString(6, j.cacheKey());
        ps.setString(7, j.parameters());
        setInstant(ps, 8, j.createdAt());
        return ps.executeUpdate();
      }
    });
  }

  Optional<Job> find(String id) {
    return run("reading job " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
          + " FROM strata_jobs WHERE id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(read(rs)) : Optional.<Job>empty();
        }
      }
    });
  }

  /** The newest jobs, of one owner or (owner null) of everyone. */
  List<Job> list(String owner, JobState state, int limit) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM strata_jobs WHERE 1 = 1");
    if (owner != null) {
      sql.append(" AND owner = ?");
    }
    if (state != null) {
      sql.append(" AND state = ?");
    }
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
    return run("listing jobs", c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        int i = 1;
        if (owner != null) {
          ps.setString(i++, owner);
        }
        if (state != null) {
          ps.setString(i++, state.id());
        }
        ps.setInt(i, limit);
        List<Job> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(read(rs));
          }
        }
        return out;
      }
    });
  }

  /**
   * A succeeded job of this kind and cache key whose result has not expired, for reuse; null
   * when there is none.
   */
  Job reusable(JobKind kind, String cacheKey, Instant now) {
    return run("looking for a reusable result", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM strata_jobs"
          + " WHERE cache_key = ? AND kind = ? AND state = 'succeeded' AND expires_at > ?"
          + " ORDER BY finished_at DESC LIMIT 1")) {
        ps.setString(1, cacheKey);
        ps.setString(2, kind.id());
        setInstant(ps, 3, now);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? read(rs) : null;
        }
      }
    });
  }

  /**
   * Moves a job that is not final to running on {@code worker}, counting the attempt; false
   * when it is final already (finished elsewhere, or cancelled).
   */
  boolean start(String id, String worker, Instant now) {
    return run("starting job " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE strata_jobs SET state = 'running',"
          + " worker = ?, attempts = attempts + 1, started_at = ?, progress = 0,"
          + " error_code = NULL, error_message = NULL"
          + " WHERE id = ? AND state IN ('queued', 'running') AND cancel_requested = FALSE")) {
        ps.setString(1, worker);
        setInstant(ps, 2, now);
        ps.setString(3, id);
        return ps.executeUpdate() == 1;
      }
    });
  }

  void progress(String id, long rows) {
    run("recording progress of job " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE strata_jobs SET progress = ? WHERE id = ? AND state = 'running'")) {
        ps.setLong(1, rows);
        ps.setString(2, id);
        return ps.executeUpdate();
      }
    });
  }

  /** Records success; false when the job was no longer running (cancelled meanwhile). */
  boolean succeed(String id, String location, long rows, long bytes, Instant now,
      Instant expires) {
    return run("finishing job " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE strata_jobs SET state = 'succeeded',"
          + " result_location = ?, result_rows = ?, result_bytes = ?, progress = ?,"
          + " finished_at = ?, expires_at = ? WHERE id = ? AND state = 'running'")) {
        ps.setString(1, location);
        ps.setLong(2, rows);
        ps.setLong(3, bytes);
        ps.setLong(4, rows);
        setInstant(ps, 5, now);
        setInstant(ps, 6, expires);
        ps.setString(7, id);
        return ps.executeUpdate() == 1;
      }
    });
  }

  /** Moves a job that is not final to {@code state} (failed or cancelled) with its reason. */
  boolean end(String id, JobState state, String code, String message, Instant now) {
    return run("finishing job " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE strata_jobs SET state = ?,"
          + " error_code = ?, error_message = ?, finished_at = ?"
          + " WHERE id = ? AND state IN ('queued', 'running')")) {
        ps.setString(1, state.id());
        ps.setString(2, code);
        ps.setString(3, clip(message, 60_000));
        setInstant(ps, 4, now);
        ps.setString(5, id);
        return ps.executeUpdate() == 1;
      }
    });
  }

  /** Back to queued after a failed attempt that will be retried, keeping its error. */
  void retrying(String id, String code, String message) {
    run("requeueing job " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE strata_jobs SET state = 'queued',"
          + " error_code = ?, error_message = ? WHERE id = ? AND state = 'running'")) {
        ps.setString(1, code);
        ps.setString(2, clip(message, 60_000));
        ps.setString(3, id);
        return ps.executeUpdate();
      }
    });
  }

  /** Marks a job's cancel request; false when it is final already. */
  boolean requestCancel(String id) {
    return run("cancelling job " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE strata_jobs SET cancel_requested ="
          + " TRUE WHERE id = ? AND state IN ('queued', 'running')")) {
        ps.setString(1, id);
        return ps.executeUpdate() == 1;
      }
    });
  }

  /** Of these job ids, those whose cancel was requested. */
  List<String> cancelRequested(List<String> ids) {
    if (ids.isEmpty()) {
      return List.of();
    }
    String marks = String.join(", ", ids.stream().map(i -> "?").toList());
    return run("reading cancel requests", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM strata_jobs WHERE"
          + " cancel_requested = TRUE AND id IN (" + marks + ")")) {
        for (int i = 0; i < ids.size(); i++) {
          ps.setString(i + 1, ids.get(i));
        }
        List<String> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
        return out;
      }
    });
  }

  /** Queued jobs per kind, for the queue-depth gauge. */
  Map<JobKind, Long> countByKind(JobState state) {
    return run("counting jobs", c -> {
      Map<JobKind, Long> out = new EnumMap<>(JobKind.class);
      for (JobKind k : JobKind.values()) {
        out.put(k, 0L);
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT kind, COUNT(*) FROM strata_jobs WHERE state = ? GROUP BY kind")) {
        ps.setString(1, state.id());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            try {
              out.put(JobKind.parse(rs.getString(1)), rs.getLong(2));
            } catch (IllegalArgumentException e) {
              // a kind a newer version added: not this server's to count
            }
          }
        }
      }
      return out;
    });
  }

  /** The jobs a schedule ran, newest first. */
  List<Job> bySchedule(String scheduleId, int limit) {
    return run("listing the runs of schedule " + scheduleId, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM strata_jobs"
          + " WHERE schedule_id = ? ORDER BY created_at DESC, id DESC LIMIT ?")) {
        ps.setString(1, scheduleId);
        ps.setInt(2, limit);
        List<Job> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(read(rs));
          }
        }
        return out;
      }
    });
  }

  /** Succeeded jobs whose results expired before {@code now}: their files are to be swept. */
  List<Job> expired(Instant now, int limit) {
    return run("listing expired results", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM strata_jobs"
          + " WHERE result_location IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?")) {
        setInstant(ps, 1, now);
        ps.setInt(2, limit);
        List<Job> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(read(rs));
          }
        }
        return out;
      }
    });
  }

  /** Forgets an expired result's file (after it was deleted). */
  void clearResult(String id) {
    run("clearing the result of job " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE strata_jobs SET result_location = NULL WHERE id = ?")) {
        ps.setString(1, id);
        return ps.executeUpdate();
      }
    });
  }

  // ---------------------------------------------------------------- schedules

  void insertSchedule(JobSchedule s) {
    run("saving schedule " + s.id(), c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO strata_job_schedules (id, kind,"
          + " owner, cron, time_zone, parameters, created_at, keep_warm)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, s.id());
        ps.setString(2, s.kind().id());
        ps.setString(3, s.owner());
        ps.setString(4, s.cron());
        ps.setString(5, s.timeZone());
        ps.setString(6, s.parameters());
        setInstant(ps, 7, s.createdAt());
        ps.setBoolean(8, s.keepWarm());
        return ps.executeUpdate();
      }
    });
  }

  Optional<JobSchedule> findSchedule(String id) {
    return run("reading schedule " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, kind, owner, cron, time_zone,"
          + " parameters, created_at, last_run_at, last_job_id, keep_warm FROM strata_job_schedules"
          + " WHERE id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(readSchedule(rs)) : Optional.<JobSchedule>empty();
        }
      }
    });
  }

  List<JobSchedule> schedules(String owner) {
    return run("listing schedules", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, kind, owner, cron, time_zone,"
          + " parameters, created_at, last_run_at, last_job_id, keep_warm FROM strata_job_schedules"
          + (owner == null ? "" : " WHERE owner = ?") + " ORDER BY created_at, id")) {
        if (owner != null) {
          ps.setString(1, owner);
        }
        List<JobSchedule> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(readSchedule(rs));
          }
        }
        return out;
      }
    });
  }

  void scheduleRan(String id, String jobId, Instant at) {
    run("recording a run of schedule " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE strata_job_schedules SET"
          + " last_run_at = ?, last_job_id = ? WHERE id = ?")) {
        setInstant(ps, 1, at);
        ps.setString(2, jobId);
        ps.setString(3, id);
        return ps.executeUpdate();
      }
    });
  }

  boolean deleteSchedule(String id) {
    return run("deleting schedule " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "DELETE FROM strata_job_schedules WHERE id = ?")) {
        ps.setString(1, id);
        return ps.executeUpdate() == 1;
      }
    });
  }

  // ---------------------------------------------------------------- warm-up claims

  /**
   * Claims a query's warm-up for one window: true for the one caller whose row went in, false
   * for every other (the row's unique key refuses it), on whichever server.
   */
  boolean claim(String queryKey, Instant windowStart, String jobId, Instant now) {
    return run("claiming a warm-up", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO strata_warmup_claims"
          + " (query_key, window_start, job_id, claimed_at) VALUES (?, ?, ?, ?)")) {
        ps.setString(1, queryKey);
        setInstant(ps, 2, windowStart);
        ps.setString(3, jobId);
        setInstant(ps, 4, now);
        return ps.executeUpdate() == 1;
      } catch (SQLException e) {
        if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
          return false; // integrity constraint violation: claimed already
        }
        throw e;
      }
    });
  }

  /** Gives a claim back (its query failed), so that a later warm-up in the window runs it. */
  void unclaim(String queryKey, Instant windowStart, String jobId) {
    run("releasing a warm-up claim", c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM strata_warmup_claims"
          + " WHERE query_key = ? AND window_start = ? AND job_id = ?")) {
        ps.setString(1, queryKey);
        setInstant(ps, 2, windowStart);
        ps.setString(3, jobId);
        return ps.executeUpdate();
      }
    });
  }

  /** Deletes claims made before {@code before}: their windows are long over. */
  int forgetClaims(Instant before) {
    return run("sweeping warm-up claims", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "DELETE FROM strata_warmup_claims WHERE claimed_at < ?")) {
        setInstant(ps, 1, before);
        return ps.executeUpdate();
      }
    });
  }

  Job require(String id) {
    return find(id).orElseThrow(() -> new NotFoundException("job '" + id + "' does not exist"));
  }

  // ---------------------------------------------------------------- rows

  private static Job read(ResultSet rs) throws SQLException {
    long rows = rs.getLong("result_rows");
    Long resultRows = rs.wasNull() ? null : rows;
    long bytes = rs.getLong("result_bytes");
    Long resultBytes = rs.wasNull() ? null : bytes;
    return new Job(rs.getString("id"), JobKind.parse(rs.getString("kind")),
        rs.getString("owner"), JobState.of(rs.getString("state")), rs.getLong("progress"),
        rs.getInt("attempts"), rs.getBoolean("cancel_requested"), rs.getString("worker"),
        rs.getString("schedule_id"), rs.getString("cache_key"), rs.getString("parameters"),
        rs.getString("error_code"), rs.getString("error_message"),
        rs.getString("result_location"), resultRows, resultBytes,
        getInstant(rs, "created_at"), getInstant(rs, "started_at"),
        getInstant(rs, "finished_at"), getInstant(rs, "expires_at"));
  }

  private static JobSchedule readSchedule(ResultSet rs) throws SQLException {
    return new JobSchedule(rs.getString("id"), JobKind.parse(rs.getString("kind")),
        rs.getString("owner"), rs.getString("cron"), rs.getString("time_zone"),
        rs.getString("parameters"), getInstant(rs, "created_at"),
        getInstant(rs, "last_run_at"), rs.getString("last_job_id"),
        rs.getBoolean("keep_warm"));
  }

  /** Instants as UTC wall time at microseconds, as every other metadata table keeps them. */
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

  private static String clip(String s, int max) {
    if (s == null) {
      return null;
    }
    String t = s.replace("\0", "");
    return t.length() <= max ? t : t.substring(0, max);
  }
}
