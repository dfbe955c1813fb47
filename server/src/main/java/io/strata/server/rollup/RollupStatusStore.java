package io.strata.server.rollup;

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

/**
 * {@code strata_rollups}, {@code strata_rollup_partitions} and {@code strata_rollup_locks} in
 * the metadata database (V8, keyed by store since V11). A rollup has one row per store: the
 * {@code source} store's row is shared by every server, a {@code local} store's row belongs to
 * the one server whose DuckDB file holds that copy. The serving version of a row changes only
 * in {@link #publish}, one conditional UPDATE, which is what makes a new version visible at once
 * to every server reading that store.
 */
final class RollupStatusStore {
  private static final String COLUMNS = "model, rollup, store, definition, serving_version,"
      + " serving_relation, serving_definition, serving_data_source, range_start, range_end,"
      + " refresh_value, row_count, byte_count, built_at, build_millis, builds, failures,"
      + " last_error, last_error_at, requested_at, last_job_id";

  private final DataSource db;

  RollupStatusStore(DataSource db) {
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

  /** The row of a rollup, created (nothing served) when missing. */
  RollupRecord ensure(String model, String rollup, String store, String definition) {
    Optional<RollupRecord> found = find(model, rollup, store);
    if (found.isPresent()) {
      RollupRecord r = found.get();
      if (!r.definition().equals(definition)) {
        run("updating rollup " + model + "." + rollup, c -> update(c,
            "UPDATE strata_rollups SET definition = ? WHERE model = ? AND rollup = ?"
                + " AND store = ?",
            ps -> {
              ps.setString(1, definition);
              ps.setString(2, model);
              ps.setString(3, rollup);
              ps.setString(4, store);
            }));
      }
      return find(model, rollup, store).orElseThrow();
    }
    try {
      run("saving rollup " + model + "." + rollup, c -> update(c,
          "INSERT INTO strata_rollups (model, rollup, store, definition) VALUES (?, ?, ?, ?)",
          ps -> {
            ps.setString(1, model);
            ps.setString(2, rollup);
            ps.setString(3, store);
            ps.setString(4, definition);
          }));
    } catch (MetadataException e) {
      if (!(e.getCause() instanceof SQLException s) || !isDuplicate(s)) {
        throw e;
      }
      // another server created it at the same time
    }
    return find(model, rollup, store).orElseThrow();
  }

  Optional<RollupRecord> find(String model, String rollup, String store) {
    return run("reading rollup " + model + "." + rollup, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
          + " FROM strata_rollups WHERE model = ? AND rollup = ? AND store = ?")) {
        ps.setString(1, model);
        ps.setString(2, rollup);
        ps.setString(3, store);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(read(rs)) : Optional.<RollupRecord>empty();
        }
      }
    });
  }

  List<RollupRecord> list() {
    return run("reading rollups", c -> {
      List<RollupRecord> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
          + " FROM strata_rollups ORDER BY model, rollup, store");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
      return out;
    });
  }

  List<PartitionRecord> partitions(String model, String rollup, String store, long version) {
    return run("reading the partitions of rollup " + model + "." + rollup, c -> {
      List<PartitionRecord> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT model, rollup, version,"
          + " partition_key, range_start, range_end, relation, row_count, byte_count, built_at,"
          + " build_millis FROM strata_rollup_partitions WHERE model = ? AND rollup = ?"
          + " AND store = ? AND version = ? ORDER BY partition_key")) {
        ps.setString(1, model);
        ps.setString(2, rollup);
        ps.setString(3, store);
        ps.setLong(4, version);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new PartitionRecord(rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getString(7), rs.getLong(8), rs.getLong(9), getInstant(rs, "built_at"),
                rs.getLong(11)));
          }
        }
      }
      return out;
    });
  }

  /** The relations of every version but {@code keep}: what may be dropped after a switch. */
  List<String> relationsOutside(String model, String rollup, String store, long keep) {
    return run("reading old rollup partitions", c -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT relation FROM"
          + " strata_rollup_partitions WHERE model = ? AND rollup = ? AND store = ?"
          + " AND version <> ? AND relation NOT IN (SELECT relation FROM"
          + " strata_rollup_partitions WHERE model = ? AND rollup = ? AND store = ?"
          + " AND version = ?)")) {
        ps.setString(1, model);
        ps.setString(2, rollup);
        ps.setString(3, store);
        ps.setLong(4, keep);
        ps.setString(5, model);
        ps.setString(6, rollup);
        ps.setString(7, store);
        ps.setLong(8, keep);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
      return out;
    });
  }

  void forgetVersionsBefore(String model, String rollup, String store, long version) {
    run("deleting old rollup versions", c -> update(c, "DELETE FROM strata_rollup_partitions"
        + " WHERE model = ? AND rollup = ? AND store = ? AND version < ?", ps -> {
          ps.setString(1, model);
          ps.setString(2, rollup);
          ps.setString(3, store);
          ps.setLong(4, version);
        }));
  }

  /** The highest version number any build of this rollup used (published or not). */
  long lastVersion(String model, String rollup, String store) {
    return run("reading rollup versions", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT MAX(version) FROM"
          + " strata_rollup_partitions WHERE model = ? AND rollup = ? AND store = ?")) {
        ps.setString(1, model);
        ps.setString(2, rollup);
        ps.setString(3, store);
        try (ResultSet rs = ps.executeQuery()) {
          long partitions = rs.next() ? rs.getLong(1) : 0;
          long served = find(model, rollup, store).map(RollupRecord::servingVersion)
              .orElse(0L);
          return Math.max(partitions, served);
        }
      }
    });
  }

  void savePartitions(String model, String rollup, String store, long version,
      List<PartitionRecord> parts) {
    run("saving rollup partitions", c -> {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO strata_rollup_partitions"
          + " (model, rollup, store, version, partition_key, range_start, range_end, relation,"
          + " row_count, byte_count, built_at, build_millis)"
          + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
        for (PartitionRecord p : parts) {
          ps.setString(1, model);
          ps.setString(2, rollup);
          ps.setString(3, store);
          ps.setLong(4, version);
          ps.setString(5, p.key());
          ps.setString(6, p.start());
          ps.setString(7, p.end());
          ps.setString(8, p.relation());
          ps.setLong(9, p.rows());
          ps.setLong(10, p.bytes());
          setInstant(ps, 11, p.builtAt());
          ps.setLong(12, p.buildMillis());
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
      return null;
    });
  }

  /**
   * Makes {@code version} the served one, unless a later version was published meanwhile.
   *
   * @return false when a later version is already served
   */
  boolean publish(String model, String rollup, String store, long version, String relation, String dataSource,
      String definition, String rangeStart, String rangeEnd, String refreshValue, long rows,
      long bytes, Instant builtAt, long buildMillis) {
    return run("publishing rollup " + model + "." + rollup, c -> update(c,
        "UPDATE strata_rollups SET serving_version = ?, serving_relation = ?,"
            + " serving_data_source = ?, serving_definition = ?, range_start = ?, range_end = ?,"
            + " refresh_value = ?, row_count = ?, byte_count = ?, built_at = ?, build_millis = ?,"
            + " builds = builds + 1, last_error = NULL, last_error_at = NULL"
            + " WHERE model = ? AND rollup = ? AND store = ?"
            + " AND (serving_version IS NULL OR serving_version < ?)",
        ps -> {
          ps.setLong(1, version);
          ps.setString(2, relation);
          ps.setString(3, dataSource);
          ps.setString(4, definition);
          ps.setString(5, rangeStart);
          ps.setString(6, rangeEnd);
          ps.setString(7, refreshValue);
          ps.setLong(8, rows);
          ps.setLong(9, bytes);
          setInstant(ps, 10, builtAt);
          ps.setLong(11, buildMillis);
          ps.setString(12, model);
          ps.setString(13, rollup);
          ps.setString(14, store);
          ps.setLong(15, version);
        })) == 1;
  }

  /**
   * Forgets the served version of a row whose relation is gone (a local store's file was
   * replaced or emptied), and its last request: the rollup is built again at once rather than
   * read from a missing view.
   */
  void unserve(String model, String rollup, String store) {
    run("resetting rollup " + model + "." + rollup, c -> update(c, "UPDATE strata_rollups SET"
        + " serving_version = NULL, serving_relation = NULL, serving_definition = NULL,"
        + " serving_data_source = NULL, requested_at = NULL WHERE model = ? AND rollup = ?"
        + " AND store = ?", ps -> {
          ps.setString(1, model);
          ps.setString(2, rollup);
          ps.setString(3, store);
        }));
  }

  void failed(String model, String rollup, String store, String error, Instant at) {
    run("recording a failed rollup build", c -> update(c, "UPDATE strata_rollups SET"
        + " failures = failures + 1, last_error = ?, last_error_at = ? WHERE model = ? AND"
        + " rollup = ? AND store = ?", ps -> {
          ps.setString(1, error == null ? "" : error.length() > 4000 ? error.substring(0, 4000)
              : error);
          setInstant(ps, 2, at);
          ps.setString(3, model);
          ps.setString(4, rollup);
          ps.setString(5, store);
        }));
  }

  /**
   * Claims the request of a build: true for one caller per {@code notBefore} period, so that
   * several servers noticing the same due rollup queue one job.
   */
  boolean claimRequest(String model, String rollup, String store, Instant now,
      Instant notBefore, String jobId) {
    return run("claiming a rollup build", c -> update(c, "UPDATE strata_rollups SET"
        + " requested_at = ?, last_job_id = ? WHERE model = ? AND rollup = ? AND store = ? AND"
        + " (requested_at IS NULL OR requested_at < ?)", ps -> {
          setInstant(ps, 1, now);
          ps.setString(2, jobId);
          ps.setString(3, model);
          ps.setString(4, rollup);
          ps.setString(5, store);
          setInstant(ps, 6, notBefore);
        })) == 1;
  }

  void requested(String model, String rollup, String store, Instant now, String jobId) {
    run("recording a rollup build request", c -> update(c, "UPDATE strata_rollups SET"
        + " requested_at = ?, last_job_id = ? WHERE model = ? AND rollup = ? AND store = ?",
        ps -> {
          setInstant(ps, 1, now);
          ps.setString(2, jobId);
          ps.setString(3, model);
          ps.setString(4, rollup);
          ps.setString(5, store);
        }));
  }

  // ---------------------------------------------------------------- the build lock

  /**
   * Takes the build lock {@code key} for {@code holder} until {@code expires}: a new row, or an
   * expired one taken over.
   */
  boolean lock(String key, String holder, Instant now, Instant expires) {
    try {
      run("taking rollup lock " + key, c -> update(c, "INSERT INTO strata_rollup_locks"
          + " (lock_key, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)", ps -> {
            ps.setString(1, key);
            ps.setString(2, holder);
            setInstant(ps, 3, now);
            setInstant(ps, 4, expires);
          }));
      return true;
    } catch (MetadataException e) {
      if (!(e.getCause() instanceof SQLException s) || !isDuplicate(s)) {
        throw e;
      }
    }
    return run("taking over rollup lock " + key, c -> update(c, "UPDATE strata_rollup_locks SET"
        + " holder = ?, acquired_at = ?, expires_at = ? WHERE lock_key = ? AND expires_at < ?",
        ps -> {
          ps.setString(1, holder);
          setInstant(ps, 2, now);
          setInstant(ps, 3, expires);
          ps.setString(4, key);
          setInstant(ps, 5, now);
        })) == 1;
  }

  /** Extends a held lock; false when it was lost (expired and taken over). */
  boolean extend(String key, String holder, Instant expires) {
    return run("extending rollup lock " + key, c -> update(c, "UPDATE strata_rollup_locks SET"
        + " expires_at = ? WHERE lock_key = ? AND holder = ?", ps -> {
          setInstant(ps, 1, expires);
          ps.setString(2, key);
          ps.setString(3, holder);
        })) == 1;
  }

  void unlock(String key, String holder) {
    run("releasing rollup lock " + key, c -> update(c, "DELETE FROM strata_rollup_locks WHERE"
        + " lock_key = ? AND holder = ?", ps -> {
          ps.setString(1, key);
          ps.setString(2, holder);
        }));
  }

  // ---------------------------------------------------------------- plumbing

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private static int update(Connection c, String sql, Binder binder) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      return ps.executeUpdate();
    }
  }

  /** Integrity violation (SQLSTATE class 23) or MySQL's duplicate key codes. */
  private static boolean isDuplicate(SQLException e) {
    for (SQLException x = e; x != null; x = x.getNextException()) {
      String state = x.getSQLState();
      if ((state != null && state.startsWith("23")) || x.getErrorCode() == 1062) {
        return true;
      }
    }
    return false;
  }

  private static RollupRecord read(ResultSet rs) throws SQLException {
    long version = rs.getLong("serving_version");
    Long serving = rs.wasNull() ? null : version;
    return new RollupRecord(rs.getString("model"), rs.getString("rollup"), rs.getString("store"),
        rs.getString("definition"), serving, rs.getString("serving_relation"),
        rs.getString("serving_definition"), rs.getString("serving_data_source"),
        rs.getString("range_start"), rs.getString("range_end"), rs.getString("refresh_value"),
        rs.getLong("row_count"), rs.getLong("byte_count"), getInstant(rs, "built_at"),
        rs.getLong("build_millis"), rs.getLong("builds"), rs.getLong("failures"),
        rs.getString("last_error"), getInstant(rs, "last_error_at"),
        getInstant(rs, "requested_at"), rs.getString("last_job_id"));
  }

  /** Instants as UTC wall time at microseconds, as every other metadata table keeps them. */
  private static void setInstant(PreparedStatement ps, int index, Instant i) throws SQLException {
    if (i == null) {
      ps.setNull(index, Types.TIMESTAMP);
    } else {
      ps.setObject(index, LocalDateTime.ofInstant(i.truncatedTo(ChronoUnit.MICROS),
          ZoneOffset.UTC));
    }
  }

  private static Instant getInstant(ResultSet rs, String column) throws SQLException {
    LocalDateTime t = rs.getObject(column, LocalDateTime.class);
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }
}
