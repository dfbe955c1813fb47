package io.strata.server.pgwire;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The statements the Postgres endpoint answers itself instead of Strata's SQL path: session
 * commands (SET, RESET, SHOW, transaction control, DISCARD, DEALLOCATE), the few functions a
 * client asks right after connecting ({@code SELECT version()}...), and the writes, DDL and
 * COPY a read-only server refuses with the SQLSTATE a client expects.
 */
final class PgCommands {
  private PgCommands() {}

  /** What a connection does for a command; implemented by the connection. */
  interface Session {
    PgSettings settings();

    String user();

    int pid();

    /** BEGIN: from now on the connection is in a transaction block. */
    void begin();

    /** COMMIT or ROLLBACK: the block ends and its portals close. */
    void end();

    /** ROLLBACK TO SAVEPOINT: a failed block is usable again. */
    void recover();

    /** A reported parameter changed: the client is told. */
    void changed(String name);

    /** DISCARD ALL: statements, portals and settings are forgotten. */
    void discard();

    /** DEALLOCATE name, or every statement when null. */
    void deallocate(String name);
  }

  /**
   * A command's answer: its tag, its columns (empty: no rows) each with a type oid, and how it
   * runs (its side effects happen only then, not when it is described).
   */
  record Command(String tag, List<String> columns, List<Integer> types, Runner run) {
    boolean returnsRows() {
      return !columns.isEmpty();
    }

    /** A transaction-control command, which a failed transaction block still accepts. */
    boolean endsTransaction() {
      return tag.equals("COMMIT") || tag.equals("ROLLBACK");
    }
  }

  @FunctionalInterface
  interface Runner {
    List<List<String>> run(Session session);
  }

  private static final Set<String> WRITES = Set.of("INSERT", "UPDATE", "DELETE", "MERGE",
      "COPY", "CREATE", "DROP", "ALTER", "TRUNCATE", "GRANT", "REVOKE", "COMMENT", "VACUUM",
      "ANALYZE", "ANALYSE", "REINDEX", "CLUSTER", "LOCK", "CALL", "DO", "REFRESH", "IMPORT",
      "SECURITY", "REASSIGN", "CHECKPOINT", "LOAD", "SELECT INTO");
  private static final Set<String> UNSUPPORTED = Set.of("LISTEN", "UNLISTEN", "NOTIFY",
      "PREPARE", "EXECUTE", "DECLARE", "FETCH", "MOVE", "CLOSE");

  private static final Pattern SET = Pattern.compile(
      "(?is)\\s*SET\\s+(?:(?:SESSION|LOCAL)\\s+)?(.+?)(?:\\s*=\\s*|\\s+TO\\s+)(.*?)[\\s;]*");
  private static final Pattern SET_TIME_ZONE = Pattern.compile(
      "(?is)\\s*SET\\s+(?:(?:SESSION|LOCAL)\\s+)?TIME\\s+ZONE\\s+(.*?)[\\s;]*");
  private static final Pattern RESET = Pattern.compile("(?is)\\s*RESET\\s+(.+?)[\\s;]*");
  private static final Pattern SHOW = Pattern.compile("(?is)\\s*SHOW\\s+(.+?)[\\s;]*");
  private static final Pattern FUNCTION = Pattern.compile(
      "(?is)\\s*SELECT\\s+(?:pg_catalog\\.)?(version|current_schema|current_database|pg_backend_pid"
          + "|current_user|session_user|current_catalog|user)\\s*(\\(\\s*\\))?"
          + "(?:\\s+(?:AS\\s+)?(\"[^\"]+\"|\\w+))?[\\s;]*");

  /**
   * The command {@code text} is, or null for a statement for Strata's SQL path.
   *
   * @throws PgException 25006 for writes, DDL and COPY; 0A000 for what the endpoint does not do
   */
  static Command of(String text) {
    List<String> words = PgSql.words(text, 3);
    String verb = words.isEmpty() ? "" : words.get(0);
    String second = words.size() > 1 ? words.get(1) : "";
    switch (verb) {
      case "BEGIN", "START":
        return new Command("BEGIN", List.of(), List.of(), s -> {
          s.begin();
          return List.of();
        });
      case "COMMIT", "END":
        return new Command("COMMIT", List.of(), List.of(), s -> {
          s.end();
          return List.of();
        });
      case "ROLLBACK", "ABORT":
        if (second.equals("TO")) {
          return new Command("ROLLBACK", List.of(), List.of(), s -> {
            s.recover();
            return List.of();
          });
        }
        return new Command("ROLLBACK", List.of(), List.of(), s -> {
          s.end();
          return List.of();
        });
      case "SAVEPOINT", "RELEASE":
        return new Command(verb, List.of(), List.of(), s -> List.of());
      case "SET":
        return set(text, second);
      case "RESET":
        return reset(text);
      case "SHOW":
        return show(text);
      case "DISCARD":
        return new Command("DISCARD " + (second.isEmpty() ? "ALL" : second), List.of(),
            List.of(), s -> {
              if (second.equals("ALL")) {
                s.discard();
              }
              return List.of();
            });
      case "DEALLOCATE": {
        String name = second.equals("PREPARE") ? (words.size() > 2 ? words.get(2) : "")
            : second;
        String raw = rawName(text, second.equals("PREPARE") ? 2 : 1);
        boolean all = name.equals("ALL");
        return new Command(all ? "DEALLOCATE ALL" : "DEALLOCATE", List.of(), List.of(), s -> {
          s.deallocate(all ? null : raw);
          return List.of();
        });
      }
      case "SELECT":
        return function(text);
      default:
        break;
    }
    if (WRITES.contains(verb)) {
      throw new PgException(PgException.Severity.ERROR, "25006", "cannot execute " + verb
          + " in a read-only transaction", 0, null, verb.equals("COPY")
          ? "Strata serves queries only and does not stream COPY; run the query itself (in psql,"
              + " \\o file then the query saves its result)"
          : "Strata is a read-only semantic layer: SELECT, WITH, VALUES, EXPLAIN and SHOW run;"
              + " writes and DDL go to the warehouse directly", null);
    }
    if (UNSUPPORTED.contains(verb)) {
      throw new PgException(PgException.Severity.ERROR, "0A000", verb + " is not supported by"
          + " Strata's Postgres endpoint", 0, null, verb.equals("PREPARE")
          || verb.equals("EXECUTE") ? "use the extended query protocol's prepared statements"
          : null, null);
    }
    return null;
  }

  private static String rawName(String text, int index) {
    List<String> raw = new ArrayList<>();
    for (String w : text.trim().split("\\s+")) {
      raw.add(w.replace(";", ""));
    }
    String n = raw.size() > index ? raw.get(index) : "";
    return n.startsWith("\"") && n.endsWith("\"") && n.length() > 1
        ? n.substring(1, n.length() - 1) : n.toLowerCase(java.util.Locale.ROOT);
  }

  private static Command set(String text, String second) {
    if (second.equals("TRANSACTION") || second.equals("SESSION")
        && text.toUpperCase(java.util.Locale.ROOT).contains("CHARACTERISTICS")) {
      return new Command("SET", List.of(), List.of(), s -> List.of());
    }
    Matcher tz = SET_TIME_ZONE.matcher(text);
    String name;
    String value;
    if (tz.matches()) {
      name = "timezone";
      value = value(tz.group(1));
    } else {
      Matcher m = SET.matcher(text);
      if (!m.matches()) {
        throw PgException.error("42601", "syntax error in SET: expected SET name = value or"
            + " SET name TO value");
      }
      name = m.group(1).trim();
      value = value(m.group(2));
    }
    String n = name;
    String v = value;
    return new Command("SET", List.of(), List.of(), s -> {
      if (s.settings().set(n, v)) {
        s.changed(PgSettings.normalise(n));
      }
      return List.of();
    });
  }

  /** A SET value: quoted strings unquoted, lists joined as Postgres shows them, DEFAULT null. */
  static String value(String raw) {
    String t = raw.trim();
    if (t.equalsIgnoreCase("DEFAULT")) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    int i = 0;
    int start = 0;
    while (i < t.length()) {
      if (t.charAt(i) == ',') {
        parts.add(t.substring(start, i).trim());
        start = i + 1;
        i++;
      } else {
        i = PgSql.skip(t, i);
      }
    }
    parts.add(t.substring(start).trim());
    List<String> out = new ArrayList<>();
    for (String p : parts) {
      if (p.length() >= 2 && p.startsWith("'") && p.endsWith("'")) {
        out.add(p.substring(1, p.length() - 1).replace("''", "'"));
      } else if (p.length() >= 3 && (p.startsWith("E'") || p.startsWith("e'")) && p.endsWith("'")) {
        out.add(p.substring(2, p.length() - 1).replace("''", "'").replace("\\'", "'"));
      } else {
        out.add(p);
      }
    }
    return String.join(", ", out);
  }

  private static Command reset(String text) {
    Matcher m = RESET.matcher(text);
    if (!m.matches()) {
      throw PgException.error("42601", "syntax error in RESET: expected RESET name or RESET ALL");
    }
    String name = m.group(1).trim();
    return new Command("RESET", List.of(), List.of(), s -> {
      if (name.equalsIgnoreCase("ALL")) {
        s.settings().resetAll().forEach(s::changed);
      } else if (s.settings().set(name, null)) {
        s.changed(PgSettings.normalise(name));
      }
      return List.of();
    });
  }

  private static Command show(String text) {
    Matcher m = SHOW.matcher(text);
    if (!m.matches()) {
      throw PgException.error("42601", "syntax error in SHOW: expected SHOW name or SHOW ALL");
    }
    String name = m.group(1).trim();
    if (name.equalsIgnoreCase("ALL")) {
      return new Command("SHOW", List.of("name", "setting", "description"),
          List.of(PgValues.TEXT, PgValues.TEXT, PgValues.TEXT), s -> {
            List<List<String>> rows = new ArrayList<>();
            for (Map.Entry<String, String> e : s.settings().all().entrySet()) {
              rows.add(List.of(PgSettings.display(e.getKey()), e.getValue(), ""));
            }
            return rows;
          });
    }
    String column = PgSettings.normalise(name);
    return new Command("SHOW", List.of(column), List.of(PgValues.TEXT), s -> {
      String v = s.settings().get(name);
      if (v == null) {
        throw PgException.error("42704", "unrecognized configuration parameter \"" + name
            + "\"");
      }
      List<String> row = new ArrayList<>();
      row.add(v);
      return List.of(row);
    });
  }

  private static Command function(String text) {
    Matcher m = FUNCTION.matcher(text);
    if (!m.matches()) {
      return null;
    }
    String f = m.group(1).toLowerCase(java.util.Locale.ROOT);
    boolean call = m.group(2) != null;
    boolean required = Set.of("version", "current_database", "pg_backend_pid").contains(f);
    boolean forbidden = Set.of("current_user", "session_user", "user", "current_catalog")
        .contains(f);
    if (required && !call || forbidden && call) {
      return null; // not the function Postgres has: Strata's SQL path says what is wrong
    }
    String alias = m.group(3);
    String column = alias == null ? f.equals("user") ? "current_user" : f
        : alias.startsWith("\"") ? alias.substring(1, alias.length() - 1)
        : alias.toLowerCase(java.util.Locale.ROOT);
    int type = f.equals("pg_backend_pid") ? PgValues.INT4 : PgValues.TEXT;
    return new Command("SELECT 1", List.of(column), List.of(type), s -> {
      String v = switch (f) {
        // the same answers as the SQL path's (a statement that is more than the call)
        case "version" -> io.strata.server.sql.pgcatalog.PgCatalog.VERSION;
        case "current_schema" -> io.strata.server.sql.pgcatalog.PgCatalog.SEMANTIC;
        // the one database, whatever name the client connected with: what pg_database and
        // information_schema say (the SQL path's answer too)
        case "current_database", "current_catalog" ->
            io.strata.server.sql.pgcatalog.PgCatalog.DATABASE;
        case "pg_backend_pid" -> Integer.toString(s.pid());
        default -> s.user();
      };
      List<String> row = new ArrayList<>();
      row.add(v);
      return List.of(row);
    });
  }
}
