package io.strata.server.reports;

import io.strata.server.metadata.MetadataException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * {@code strata_thumbnails} (V13): the viewers who have a thumbnail of each subject
 * ({@code dashboard:5}, {@code chart:7}), when theirs was last rendered, and until when a render
 * of it is queued. {@link #claim} is a conditional update, so that of several changes or data
 * refreshes (on any server) before a render starts, exactly one queues it.
 */
final class ThumbnailStore {
  /** One viewer's thumbnail of a subject. */
  record Entry(String subject, String username, Instant renderedAt) {}

  private final DataSource db;

  ThumbnailStore(DataSource db) {
    this.db = db;
  }

  /** Records that {@code username} has (or asked for) a thumbnail of {@code subject}. */
  void remember(String subject, String username, Instant now) {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO strata_thumbnails (subject, username, asked_at) VALUES (?,?,?)")) {
      ps.setString(1, subject);
      ps.setString(2, username);
      ReportStore.setInstant(ps, 3, now);
      ps.executeUpdate();
    } catch (SQLException e) {
      if (!unique(e)) {
        throw new MetadataException("thumbnails: " + e.getMessage(), e);
      }
    }
  }

  private static boolean unique(SQLException e) {
    for (SQLException x = e; x != null; x = x.getNextException()) {
      if ("23505".equals(x.getSQLState()) || x.getErrorCode() == 1062) {
        return true;
      }
    }
    return false;
  }

  /** Every viewer with a thumbnail of one of {@code subjects}. */
  List<Entry> viewers(List<String> subjects) {
    List<Entry> out = new ArrayList<>();
    if (subjects.isEmpty()) {
      return out;
    }
    String marks = String.join(",", java.util.Collections.nCopies(subjects.size(), "?"));
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT subject, username, rendered_at FROM strata_thumbnails WHERE subject IN ("
            + marks + ") ORDER BY subject, username")) {
      for (int i = 0; i < subjects.size(); i++) {
        ps.setString(i + 1, subjects.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Entry(rs.getString(1), rs.getString(2),
              ReportStore.getInstant(rs, "rendered_at")));
        }
      }
    } catch (SQLException e) {
      throw new MetadataException("cannot read thumbnails: " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Claims the render of one viewer's thumbnail to run at {@code runAt}: true when no render is
   * queued (or the one queued is older than {@code lostBefore}: its job was lost), so the caller
   * queues one, as it does when the render queued runs later than {@code runAt} (a data
   * refresh's, held back by {@code strata.thumbnails.min-interval}, when the definition changes);
   * false when one is queued already to run by then (it will draw the latest state).
   */
  boolean claim(String subject, String username, Instant runAt, Instant lostBefore) {
    return update("UPDATE strata_thumbnails SET queued_until = ? WHERE subject = ? AND username = ?"
        + " AND (queued_until IS NULL OR queued_until < ? OR queued_until > ?)", ps -> {
          ReportStore.setInstant(ps, 1, runAt);
          ps.setString(2, subject);
          ps.setString(3, username);
          ReportStore.setInstant(ps, 4, lostBefore);
          ReportStore.setInstant(ps, 5, runAt);
        }) == 1;
  }

  /** Gives a claim back (its job could not be queued). */
  void unclaim(String subject, String username) {
    update("UPDATE strata_thumbnails SET queued_until = NULL WHERE subject = ? AND username = ?",
        ps -> {
          ps.setString(1, subject);
          ps.setString(2, username);
        });
  }

  /**
   * A render starts: from now on a change queues another render (this one may have read the
   * definition before the change).
   */
  void started(String subject, String username) {
    unclaim(subject, username);
  }

  void rendered(String subject, String username, Instant at) {
    update("UPDATE strata_thumbnails SET rendered_at = ? WHERE subject = ? AND username = ?",
        ps -> {
          ReportStore.setInstant(ps, 1, at);
          ps.setString(2, subject);
          ps.setString(3, username);
        });
  }

  /** Forgets a subject that no longer exists, or a viewer who may no longer see it. */
  void forget(String subject, String username) {
    update("DELETE FROM strata_thumbnails WHERE subject = ?"
        + (username == null ? "" : " AND username = ?"), ps -> {
          ps.setString(1, subject);
          if (username != null) {
            ps.setString(2, username);
          }
        });
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private int update(String sql, Binder binder) {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new MetadataException("thumbnails: " + e.getMessage(), e);
    }
  }
}
