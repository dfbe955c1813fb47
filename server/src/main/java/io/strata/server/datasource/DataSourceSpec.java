package io.strata.server.datasource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The configuration of one data source: its name (what models' {@code data_source} refers to),
 * kind, JDBC URL, credentials, extra driver properties and pool settings. Immutable;
 * {@link #problems()} lists everything wrong with it at once. {@link #toString()} never shows
 * the password, nor URL parameters or properties that look like secrets.
 *
 * @param properties driver properties passed with the connection (e.g. {@code sslmode}); never
 *     null
 * @param pool pool settings; {@link PoolSettings#defaults()} when null
 */
public record DataSourceSpec(String name, DataSourceKind kind, String url, String user,
    String password, Map<String, String> properties, PoolSettings pool) {

  static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
  private static final Pattern SECRET_KEY =
      Pattern.compile("(?i).*(password|passwd|pwd|secret|token|credential|privatekey|private_key|pvtkey).*");

  /**
   * The DuckDB property that opts a data source out of the file-access lockdown (see
   * {@link DataSourceRegistry}); not passed to the driver.
   */
  public static final String ALLOW_EXTERNAL_ACCESS = "allow_external_access";
  /**
   * The schema of this warehouse where rollups with {@code store: source} are written (see
   * {@code io.strata.server.rollup}); not passed to the driver.
   */
  public static final String ROLLUP_SCHEMA = "rollup_schema";
  /** DuckDB settings Strata sets itself for the lockdown; a data source may not set them. */
  private static final java.util.Set<String> DUCKDB_LOCKDOWN = java.util.Set.of(
      "enable_external_access", "lock_configuration", "autoinstall_known_extensions",
      "autoload_known_extensions", "allow_unsigned_extensions", "allow_community_extensions");

  public DataSourceSpec {
    properties = properties == null ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    pool = pool == null ? PoolSettings.defaults() : pool;
  }

  /** A spec with no credentials, no properties and default pool settings. */
  public static DataSourceSpec of(String name, DataSourceKind kind, String url) {
    return new DataSourceSpec(name, kind, url, null, null, Map.of(), PoolSettings.defaults());
  }

  /** The same spec with other pool settings. */
  public DataSourceSpec withPool(PoolSettings settings) {
    return new DataSourceSpec(name, kind, url, user, password, properties, settings);
  }

  /** The same spec with other credentials. */
  public DataSourceSpec withCredentials(String newUser, String newPassword) {
    return new DataSourceSpec(name, kind, url, newUser, newPassword, properties, pool);
  }

  /** The same spec with other driver properties. */
  public DataSourceSpec withProperties(Map<String, String> newProperties) {
    return new DataSourceSpec(name, kind, url, user, password, newProperties, pool);
  }

  /** Every problem with this spec, as sentences naming the data source; empty when valid. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    String who = "data source '" + name + "'";
    if (name == null || !NAME.matcher(name).matches()) {
      out.add("data source name '" + name + "' must start with a lower-case letter and contain"
          + " only lower-case letters, digits and '_' (at most 63 characters)");
    }
    if (kind == null) {
      out.add(who + " needs a kind (duckdb, postgres, mysql, bigquery, snowflake or redshift)");
    }
    if (url == null || url.isBlank()) {
      out.add(who + " needs a JDBC url");
    } else if (kind != null && !kind.accepts(url)) {
      out.add(who + ": a " + kind.id() + " url must start with "
          + String.join(" or ", kind.urlPrefixes()) + ", got '" + redactUrl(url) + "'");
    }
    properties.forEach((k, v) -> {
      if (k == null || k.isBlank()) {
        out.add(who + " has a driver property without a name");
      } else if (v == null) {
        out.add(who + ": driver property '" + k + "' has no value");
      }
    });
    if (kind == DataSourceKind.DUCKDB) {
      properties.forEach((k, v) -> {
        if (k == null) {
          return;
        }
        String key = k.toLowerCase(java.util.Locale.ROOT);
        if (DUCKDB_LOCKDOWN.contains(key)) {
          out.add(who + ": driver property '" + k + "' is set by Strata to keep SQL away from"
              + " the server's files; use '" + ALLOW_EXTERNAL_ACCESS + ": true' to opt out");
        } else if (key.equals(ALLOW_EXTERNAL_ACCESS) && v != null
            && !v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
          out.add(who + ": driver property '" + k + "' must be true or false, got '" + v + "'");
        }
      });
    }
    String schema = properties.get(ROLLUP_SCHEMA);
    if (schema != null && !NAME.matcher(schema).matches()) {
      out.add(who + ": property '" + ROLLUP_SCHEMA + "' must be a schema name of lower-case"
          + " letters, digits and '_' starting with a letter, got '" + schema + "'");
    }
    for (String p : pool.problems()) {
      out.add(who + ": " + p);
    }
    return out;
  }

  /**
   * Whether SQL on this DuckDB data source may reach files, URLs and extensions: only when an
   * admin set {@code allow_external_access: true}.
   */
  public boolean allowsExternalAccess() {
    return properties.entrySet().stream().anyMatch(e -> e.getKey() != null
        && e.getKey().equalsIgnoreCase(ALLOW_EXTERNAL_ACCESS) && "true".equalsIgnoreCase(e.getValue()));
  }

  /** The schema rollups with {@code store: source} are written to, or null when none is set. */
  public String rollupSchema() {
    return properties.get(ROLLUP_SCHEMA);
  }

  @Override
  public String toString() {
    Map<String, String> shown = new TreeMap<>();
    properties.forEach((k, v) -> shown.put(String.valueOf(k),
        k != null && SECRET_KEY.matcher(k).matches() ? "***" : v));
    return "DataSourceSpec[name=" + name + ", kind=" + (kind == null ? null : kind.id())
        + ", url=" + redactUrl(url) + ", user=" + user
        + ", password=" + (password == null ? "(none)" : "***")
        + ", properties=" + shown + ", pool=" + pool + "]";
  }

  /** The URL with secret-looking parameters and user-info passwords replaced by {@code ***}. */
  static String redactUrl(String url) {
    return io.strata.server.secret.SecretFields.maskUrl(url);
  }
}
