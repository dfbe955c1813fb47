package io.strata.server.pgwire;

import io.strata.acceleration.cache.CacheMode;
import io.strata.server.sql.SqlSession;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A connection's run-time parameters, as {@code SET}, {@code RESET} and {@code SHOW} and the
 * startup message see them. Strata answers the ones BI tools read and set; a parameter it does
 * not know is kept as given (tools set many that change nothing here), except that values which
 * would change how Strata must encode results (an encoding other than UTF8, a DateStyle other
 * than ISO) are refused. {@code strata_cache} is the connection's {@link SqlSession.Options}.
 */
final class PgSettings {
  static final String SERVER_VERSION = "14.0 (Strata)";

  /** Reported to the client at startup and whenever they change (ParameterStatus). */
  static final Set<String> REPORTED = Set.of("application_name", "client_encoding", "datestyle",
      "default_transaction_read_only", "in_hot_standby", "integer_datetimes", "intervalstyle",
      "is_superuser", "server_encoding", "server_version", "session_authorization",
      "standard_conforming_strings", "timezone");

  /** Postgres's spelling of the reported names, for ParameterStatus. */
  private static final Map<String, String> DISPLAY = Map.of("datestyle", "DateStyle",
      "intervalstyle", "IntervalStyle", "timezone", "TimeZone");

  private final Map<String, String> defaults = new TreeMap<>();
  private final Map<String, String> values = new TreeMap<>();
  private final SqlSession.Options options;
  private ZoneId zone = ZoneOffset.UTC;

  PgSettings(String user, SqlSession.Options options) {
    this.options = options;
    defaults.put("application_name", "");
    defaults.put("client_encoding", "UTF8");
    defaults.put("datestyle", "ISO, MDY");
    defaults.put("default_transaction_read_only", "on");
    defaults.put("transaction_read_only", "on");
    defaults.put("in_hot_standby", "off");
    defaults.put("integer_datetimes", "on");
    defaults.put("intervalstyle", "postgres");
    defaults.put("is_superuser", "off");
    defaults.put("server_encoding", "UTF8");
    defaults.put("server_version", SERVER_VERSION);
    defaults.put("server_version_num", "140000");
    defaults.put("session_authorization", user);
    defaults.put("standard_conforming_strings", "on");
    defaults.put("timezone", "UTC");
    defaults.put("search_path", "\"$user\", public");
    defaults.put("transaction_isolation", "read committed");
    defaults.put("default_transaction_isolation", "read committed");
    defaults.put("extra_float_digits", "1");
    defaults.put("max_identifier_length", "63");
    defaults.put("statement_timeout", "0");
    defaults.put("lc_messages", "C");
    defaults.put("strata_cache", options.cache().id());
    values.putAll(defaults);
  }

  /** The session's time zone, in which {@code timestamptz} values are written. */
  ZoneId zone() {
    return zone;
  }

  /** The reported parameters and their values, with Postgres's spelling of each name. */
  Map<String, String> reported() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : REPORTED) {
      out.put(display(name), values.get(name));
    }
    return out;
  }

  static String display(String name) {
    return DISPLAY.getOrDefault(name, name);
  }

  /** The value of {@code name}, or null when Strata does not know it. */
  String get(String name) {
    String n = normalise(name);
    if (n.equals("strata_cache")) {
      return options.cache().id();
    }
    return values.get(n);
  }

  /** Every parameter, for {@code SHOW ALL}. */
  Map<String, String> all() {
    Map<String, String> out = new TreeMap<>(values);
    out.put("strata_cache", options.cache().id());
    return out;
  }

  /**
   * Sets {@code name} to {@code value} (null: its default).
   *
   * @return whether the client must be told (a reported parameter)
   * @throws PgException 22023 for a value Strata cannot honour, 55P02 for a fixed parameter
   */
  boolean set(String name, String value) {
    String n = normalise(name);
    String v = value == null ? defaults.get(n) : value;
    switch (n) {
      case "strata_cache" -> {
        CacheMode mode;
        try {
          mode = v == null ? CacheMode.ON : CacheMode.parse(v, "strata_cache");
        } catch (IllegalArgumentException e) {
          throw PgException.error("22023", e.getMessage() + " (SET strata_cache = 'bypass' |"
              + " 'refresh' | 'on')");
        }
        options.cache(mode);
        v = mode.id();
      }
      case "client_encoding" -> {
        String e = v == null ? "UTF8" : v.toUpperCase(Locale.ROOT).replace("-", "");
        if (!List.of("UTF8", "UNICODE", "SQL_ASCII").contains(e)) {
          throw PgException.error("22023", "client_encoding '" + v + "' is not supported:"
              + " Strata sends and reads UTF8 only");
        }
        v = "UTF8";
      }
      case "datestyle" -> {
        String d = v == null ? "ISO, MDY" : v;
        if (!d.toUpperCase(Locale.ROOT).contains("ISO")) {
          throw PgException.error("22023", "DateStyle '" + d + "' is not supported: Strata"
              + " writes dates in ISO style only (SET DateStyle = 'ISO, MDY')");
        }
        v = "ISO, MDY";
      }
      case "timezone" -> {
        String z = v == null ? "UTC" : v;
        try {
          zone = z.equalsIgnoreCase("local") || z.equalsIgnoreCase("default")
              ? ZoneOffset.UTC : ZoneId.of(z.equalsIgnoreCase("utc") || z.equalsIgnoreCase("gmt")
              ? "UTC" : z);
        } catch (DateTimeException e) {
          throw PgException.error("22023", "invalid value for parameter \"TimeZone\": \"" + z
              + "\"");
        }
        v = z;
      }
      case "default_transaction_read_only", "transaction_read_only" -> {
        if (v != null && !List.of("on", "true", "1", "yes").contains(v.toLowerCase(Locale.ROOT))) {
          throw PgException.error("25006", "Strata is read-only: " + n + " cannot be turned off");
        }
        v = "on";
      }
      case "server_version", "server_version_num", "server_encoding", "integer_datetimes",
          "in_hot_standby", "max_identifier_length", "is_superuser", "session_authorization" -> {
        if (value != null) {
          throw PgException.error("55P02", "parameter \"" + name + "\" cannot be changed");
        }
      }
      default -> {
        // kept as given: tools set many parameters that change nothing here
      }
    }
    if (v == null) {
      values.remove(n);
    } else {
      values.put(n, v);
    }
    return REPORTED.contains(n);
  }

  /** Every parameter back to its default; the names of the reported ones that changed. */
  List<String> resetAll() {
    List<String> changed = new java.util.ArrayList<>();
    for (String n : new java.util.ArrayList<>(values.keySet())) {
      String before = values.get(n);
      set(n, null);
      if (REPORTED.contains(n) && !java.util.Objects.equals(before, values.get(n))) {
        changed.add(n);
      }
    }
    return changed;
  }

  static String normalise(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.startsWith("\"") && n.endsWith("\"") && n.length() > 1) {
      n = n.substring(1, n.length() - 1);
    }
    return switch (n) {
      case "time zone" -> "timezone";
      case "transaction isolation level" -> "transaction_isolation";
      case "session authorization" -> "session_authorization";
      default -> n;
    };
  }
}
