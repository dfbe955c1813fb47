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
  private static final Pattern SECRET_IN_URL = Pattern.compile(
      "(?i)([?&;:/]\\w*(?:password|passwd|pwd|secret|token|credential|privatekey|private_key|pvtkey)\\w*=)[^&;]*");
  private static final Pattern USERINFO_IN_URL = Pattern.compile("(//[^/@:]*:)[^/@]*@");

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
    for (String p : pool.problems()) {
      out.add(who + ": " + p);
    }
    return out;
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
    if (url == null) {
      return null;
    }
    String out = SECRET_IN_URL.matcher(url).replaceAll("$1***");
    return USERINFO_IN_URL.matcher(out).replaceAll("$1***@");
  }
}
