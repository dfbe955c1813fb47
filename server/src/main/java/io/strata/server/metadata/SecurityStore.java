package io.strata.server.metadata;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.server.metadata.MetadataDatabase.ErrorMapper;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * User attributes ({@code strata_user_attributes}), row-level security rules
 * ({@code strata_rls_rules}) and access grants ({@code strata_access_grants}). Every write bumps
 * the {@code security} row of {@code strata_revisions} in its transaction, so a server notices
 * another server's change by polling {@link #revision()}. Stores what it is given: validation is
 * {@code io.strata.server.security.AccessPolicy}'s.
 */
public final class SecurityStore {
  private static final String REVISION_KEY = "security";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final String RULES = "SELECT id, model_name, filter_json, roles_json, users_json,"
      + " description, created_at, updated_at FROM strata_rls_rules";
  private static final String GRANTS = "SELECT id, kind, target, roles_json, users_json,"
      + " description, created_at, updated_at FROM strata_access_grants";

  private final MetadataDatabase db;

  public SecurityStore(MetadataDatabase db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /** Grows with every committed change to attributes, rules or grants. */
  public long revision() {
    return db.run("reading the security revision", ErrorMapper.NONE,
        c -> Jdbc.one(c, "SELECT revision FROM strata_revisions WHERE name = ?",
            ps -> ps.setString(1, REVISION_KEY), rs -> rs.getLong(1)).orElse(0L));
  }

  // ------------------------------------------------------------------ attributes

  /** Every user's attributes by user id, each map sorted by name. */
  public Map<Long, Map<String, String>> allAttributes() {
    return db.run("reading user attributes", ErrorMapper.NONE, c -> {
      Map<Long, Map<String, String>> out = new HashMap<>();
      Jdbc.list(c, "SELECT user_id, attr_name, attr_value FROM strata_user_attributes",
          Jdbc.Binder.NONE, rs -> {
            out.computeIfAbsent(rs.getLong(1), k -> new TreeMap<>())
                .put(rs.getString(2), rs.getString(3));
            return null;
          });
      return out;
    });
  }

  /** One user's attributes, sorted by name. */
  public Map<String, String> attributes(long userId) {
    return db.run("reading the attributes of user " + userId, ErrorMapper.NONE, c -> {
      Map<String, String> out = new TreeMap<>();
      Jdbc.list(c, "SELECT attr_name, attr_value FROM strata_user_attributes WHERE user_id = ?",
          ps -> ps.setLong(1, userId), rs -> out.put(rs.getString(1), rs.getString(2)));
      return out;
    });
  }

  /**
   * Replaces all of a user's attributes with {@code attributes}.
   *
   * @throws NotFoundException "user 42 does not exist"
   */
  public Map<String, String> setAttributes(long userId, Map<String, String> attributes) {
    return revising("setting the attributes of user " + userId, c -> {
          if (Jdbc.count(c, "SELECT COUNT(*) FROM strata_users WHERE id = ?",
              ps -> ps.setLong(1, userId)) == 0) {
            throw UserStore.notFound(userId);
          }
          Jdbc.update(c, "DELETE FROM strata_user_attributes WHERE user_id = ?",
              ps -> ps.setLong(1, userId));
          for (Map.Entry<String, String> e : new TreeMap<>(attributes).entrySet()) {
            Jdbc.update(c, "INSERT INTO strata_user_attributes (user_id, attr_name, attr_value)"
                + " VALUES (?, ?, ?)", ps -> {
                  ps.setLong(1, userId);
                  ps.setString(2, e.getKey());
                  ps.setString(3, e.getValue());
                });
          }
          return new TreeMap<>(attributes);
        });
  }

  // ------------------------------------------------------------------ rules

  public List<StoredRule> rules() {
    return db.run("listing row-level security rules", ErrorMapper.NONE,
        c -> Jdbc.list(c, RULES + " ORDER BY id", Jdbc.Binder.NONE, SecurityStore::rule));
  }

  /** @throws NotFoundException "row-level security rule 7 does not exist" */
  public StoredRule rule(long id) {
    return db.run("reading row-level security rule " + id, ErrorMapper.NONE,
        c -> Jdbc.one(c, RULES + " WHERE id = ?", ps -> ps.setLong(1, id), SecurityStore::rule))
        .orElseThrow(() -> ruleNotFound(id));
  }

  public StoredRule createRule(String model, String filterJson, List<String> roles,
      List<String> users, String description) {
    Instant now = Jdbc.now();
    return revising("creating a row-level security rule on '" + model + "'", c -> {
          long id = Jdbc.insert(c, "INSERT INTO strata_rls_rules (model_name, filter_json,"
              + " roles_json, users_json, description, created_at, updated_at)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?)", ps -> {
                ps.setString(1, model);
                ps.setString(2, filterJson);
                ps.setString(3, json(roles));
                ps.setString(4, json(users));
                ps.setString(5, description);
                Jdbc.setInstant(ps, 6, now);
                Jdbc.setInstant(ps, 7, now);
              });
          return new StoredRule(id, model, filterJson, roles, users, description, now, now);
        });
  }

  /** @throws NotFoundException "row-level security rule 7 does not exist" */
  public StoredRule updateRule(long id, String model, String filterJson, List<String> roles,
      List<String> users, String description) {
    Instant now = Jdbc.now();
    return revising("updating row-level security rule " + id, c -> {
          int n = Jdbc.update(c, "UPDATE strata_rls_rules SET model_name = ?, filter_json = ?,"
              + " roles_json = ?, users_json = ?, description = ?, updated_at = ? WHERE id = ?",
              ps -> {
                ps.setString(1, model);
                ps.setString(2, filterJson);
                ps.setString(3, json(roles));
                ps.setString(4, json(users));
                ps.setString(5, description);
                Jdbc.setInstant(ps, 6, now);
                ps.setLong(7, id);
              });
          if (n == 0) {
            throw ruleNotFound(id);
          }
          return Jdbc.one(c, RULES + " WHERE id = ?", ps -> ps.setLong(1, id),
              SecurityStore::rule).orElseThrow(() -> ruleNotFound(id));
        });
  }

  /** @throws NotFoundException "row-level security rule 7 does not exist" */
  public void deleteRule(long id) {
    delete("strata_rls_rules", id, ruleNotFound(id));
  }

  // ------------------------------------------------------------------ grants

  public List<StoredGrant> grants() {
    return db.run("listing access grants", ErrorMapper.NONE,
        c -> Jdbc.list(c, GRANTS + " ORDER BY id", Jdbc.Binder.NONE, SecurityStore::grant));
  }

  /** @throws NotFoundException "access grant 7 does not exist" */
  public StoredGrant grant(long id) {
    return db.run("reading access grant " + id, ErrorMapper.NONE,
        c -> Jdbc.one(c, GRANTS + " WHERE id = ?", ps -> ps.setLong(1, id), SecurityStore::grant))
        .orElseThrow(() -> grantNotFound(id));
  }

  public StoredGrant createGrant(String kind, String target, List<String> roles,
      List<String> users, String description) {
    Instant now = Jdbc.now();
    return revising("creating an access grant on " + kind + " '" + target + "'", c -> {
          long id = Jdbc.insert(c, "INSERT INTO strata_access_grants (kind, target, roles_json,"
              + " users_json, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
              ps -> {
                ps.setString(1, kind);
                ps.setString(2, target);
                ps.setString(3, json(roles));
                ps.setString(4, json(users));
                ps.setString(5, description);
                Jdbc.setInstant(ps, 6, now);
                Jdbc.setInstant(ps, 7, now);
              });
          return new StoredGrant(id, kind, target, roles, users, description, now, now);
        });
  }

  /** @throws NotFoundException "access grant 7 does not exist" */
  public StoredGrant updateGrant(long id, String kind, String target, List<String> roles,
      List<String> users, String description) {
    Instant now = Jdbc.now();
    return revising("updating access grant " + id, c -> {
      int n = Jdbc.update(c, "UPDATE strata_access_grants SET kind = ?, target = ?,"
          + " roles_json = ?, users_json = ?, description = ?, updated_at = ? WHERE id = ?",
          ps -> {
            ps.setString(1, kind);
            ps.setString(2, target);
            ps.setString(3, json(roles));
            ps.setString(4, json(users));
            ps.setString(5, description);
            Jdbc.setInstant(ps, 6, now);
            ps.setLong(7, id);
          });
      if (n == 0) {
        throw grantNotFound(id);
      }
      return Jdbc.one(c, GRANTS + " WHERE id = ?", ps -> ps.setLong(1, id), SecurityStore::grant)
          .orElseThrow(() -> grantNotFound(id));
    });
  }

  /** @throws NotFoundException "access grant 7 does not exist" */
  public void deleteGrant(long id) {
    delete("strata_access_grants", id, grantNotFound(id));
  }

  // ------------------------------------------------------------------ helpers

  private void delete(String table, long id, NotFoundException missing) {
    revising("deleting " + table + " " + id, c -> {
      if (Jdbc.update(c, "DELETE FROM " + table + " WHERE id = ?", ps -> ps.setLong(1, id)) == 0) {
        throw missing;
      }
      return null;
    });
  }

  private static NotFoundException ruleNotFound(long id) {
    return new NotFoundException("row-level security rule " + id + " does not exist");
  }

  private static NotFoundException grantNotFound(long id) {
    return new NotFoundException("access grant " + id + " does not exist");
  }

  private static StoredRule rule(ResultSet rs) throws SQLException {
    return new StoredRule(rs.getLong("id"), rs.getString("model_name"),
        rs.getString("filter_json"), strings(rs.getString("roles_json")),
        strings(rs.getString("users_json")), rs.getString("description"),
        Jdbc.getInstant(rs, "created_at"), Jdbc.getInstant(rs, "updated_at"));
  }

  private static StoredGrant grant(ResultSet rs) throws SQLException {
    return new StoredGrant(rs.getLong("id"), rs.getString("kind"), rs.getString("target"),
        strings(rs.getString("roles_json")), strings(rs.getString("users_json")),
        rs.getString("description"), Jdbc.getInstant(rs, "created_at"),
        Jdbc.getInstant(rs, "updated_at"));
  }

  private static String json(List<String> list) {
    try {
      return JSON.writeValueAsString(list == null ? List.of() : list);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> strings(String json) throws SQLException {
    try {
      return json == null || json.isBlank() ? List.of() : JSON.readValue(json, STRINGS);
    } catch (JsonProcessingException e) {
      throw new SQLException("a stored list is not JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Runs a change in one transaction that also bumps the security revision (other servers
   * poll it to reload rules, grants and attributes); the revision row is locked first, so
   * changes commit in revision order. A change that throws bumps nothing.
   */
  private <T> T revising(String action, MetadataDatabase.SqlWork<T> change) {
    return db.transaction(action, false, ErrorMapper.NONE, c -> {
      long revision = lockRevision(c);
      T out = change.run(c);
      setRevision(c, revision + 1);
      return out;
    });
  }

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
}
