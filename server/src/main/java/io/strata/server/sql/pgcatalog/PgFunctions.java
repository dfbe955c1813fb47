package io.strata.server.sql.pgcatalog;

import java.sql.Timestamp;
import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.Locale;

/**
 * Postgres functions Calcite computes, registered as user-defined functions of the root schema
 * and of {@code pg_catalog}. Those that depend on the catalog's contents are not here: the
 * statement is rewritten to read the catalog tables instead ({@link PgRewrite}).
 */
public final class PgFunctions {
  /** A function as {@code pg_proc} lists it: argument and result type OIDs. */
  record Signature(String name, int[] arguments, int returns) {}

  static final List<Signature> SIGNATURES = List.of(
      new Signature("format_type", new int[] {PgTypes.OID, PgTypes.INT4}, PgTypes.TEXT),
      new Signature("date_trunc", new int[] {PgTypes.TEXT, PgTypes.TIMESTAMP},
          PgTypes.TIMESTAMP),
      new Signature("pg_encoding_to_char", new int[] {PgTypes.INT4}, PgTypes.NAME),
      new Signature("version", new int[] {}, PgTypes.TEXT),
      new Signature("current_database", new int[] {}, PgTypes.NAME),
      new Signature("current_schema", new int[] {}, PgTypes.NAME),
      new Signature("obj_description", new int[] {PgTypes.OID, PgTypes.NAME}, PgTypes.TEXT),
      new Signature("col_description", new int[] {PgTypes.OID, PgTypes.INT4}, PgTypes.TEXT),
      new Signature("pg_get_userbyid", new int[] {PgTypes.OID}, PgTypes.NAME),
      new Signature("pg_table_is_visible", new int[] {PgTypes.OID}, PgTypes.BOOL),
      new Signature("has_table_privilege", new int[] {PgTypes.TEXT, PgTypes.TEXT},
          PgTypes.BOOL),
      new Signature("has_schema_privilege", new int[] {PgTypes.TEXT, PgTypes.TEXT},
          PgTypes.BOOL),
      new Signature("pg_get_expr", new int[] {PgTypes.TEXT, PgTypes.OID}, PgTypes.TEXT),
      new Signature("pg_get_indexdef", new int[] {PgTypes.OID, PgTypes.INT4, PgTypes.BOOL},
          PgTypes.TEXT),
      new Signature("pg_get_constraintdef", new int[] {PgTypes.OID, PgTypes.BOOL},
          PgTypes.TEXT));

  private PgFunctions() {}

  /** {@code format_type(type_oid, typemod)}. */
  public static String formatType(Integer oid, Integer typmod) {
    return PgTypes.formatType(oid, typmod);
  }

  /** {@code pg_encoding_to_char(encoding)}: Strata speaks UTF-8 only (encoding 6). */
  public static String pgEncodingToChar(Integer encoding) {
    return encoding == null ? null : encoding == 6 ? "UTF8" : "";
  }

  /**
   * Postgres's {@code date_trunc(field, source)} for statements Calcite computes (a semantic
   * SELECT's {@code date_trunc} is a time dimension's granularity, run by the warehouse).
   *
   * @throws IllegalArgumentException naming the unit when Postgres does not know it
   */
  public static Timestamp dateTrunc(String field, Timestamp source) {
    if (field == null || source == null) {
      return null;
    }
    LocalDateTime t = source.toLocalDateTime();
    LocalDateTime out = switch (field.trim().toLowerCase(Locale.ROOT)) {
      case "microseconds" -> t.truncatedTo(ChronoUnit.MICROS);
      case "milliseconds" -> t.truncatedTo(ChronoUnit.MILLIS);
      case "second" -> t.truncatedTo(ChronoUnit.SECONDS);
      case "minute" -> t.truncatedTo(ChronoUnit.MINUTES);
      case "hour" -> t.truncatedTo(ChronoUnit.HOURS);
      case "day" -> t.truncatedTo(ChronoUnit.DAYS);
      case "week" -> t.truncatedTo(ChronoUnit.DAYS)
          .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case "month" -> t.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
      case "quarter" -> t.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1)
          .withMonth((t.getMonthValue() - 1) / 3 * 3 + 1);
      case "year" -> t.truncatedTo(ChronoUnit.DAYS).withDayOfYear(1);
      case "decade" -> LocalDateTime.of(t.getYear() / 10 * 10, 1, 1, 0, 0);
      case "century" -> LocalDateTime.of((t.getYear() - 1) / 100 * 100 + 1, 1, 1, 0, 0);
      default -> throw new IllegalArgumentException("date_trunc: unit \"" + field
          + "\" not recognized (use microseconds, milliseconds, second, minute, hour, day,"
          + " week, month, quarter, year, decade or century)");
    };
    return Timestamp.valueOf(out);
  }

  /**
   * Whether an int2vector or int2[] in text form ({@code "1 2"}, {@code "{1,2}"}) holds
   * {@code value}: {@code value = ANY(indkey)}.
   */
  public static Boolean vectorHas(String vector, Integer value) {
    if (vector == null || value == null) {
      return null;
    }
    for (String part : vector.replaceAll("[{}]", " ").split("[\\s,]+")) {
      if (!part.isEmpty() && Integer.parseInt(part) == value) {
        return true;
      }
    }
    return false;
  }

  /**
   * The element at {@code index} of an int2vector or int2[] in text form: {@code indkey[0]}
   * counts from 0 (int2vector), {@code conkey[1]} from 1 (arrays), as in Postgres.
   */
  public static Integer vectorAt(String vector, Integer index, Integer base) {
    if (vector == null || index == null) {
      return null;
    }
    int i = index - base;
    int k = 0;
    for (String part : vector.replaceAll("[{}]", " ").split("[\\s,]+")) {
      if (!part.isEmpty()) {
        if (k++ == i) {
          return Integer.parseInt(part);
        }
      }
    }
    return null;
  }

  /** {@code array_to_string(array, separator)}: the non-null items joined. */
  public static String arrayToString(List<Object> array, String separator) {
    if (array == null || separator == null) {
      return null;
    }
    StringBuilder b = new StringBuilder();
    boolean first = true;
    for (Object o : array) {
      if (o != null) {
        b.append(first ? "" : separator).append(o);
        first = false;
      }
    }
    return b.toString();
  }

  /**
   * {@code quote_ident(name)}: the name as it must be written in SQL, in double quotes unless
   * it is a plain lower-case word.
   */
  public static String quoteIdent(String name) {
    if (name == null) {
      return null;
    }
    return name.matches("[a-z_][a-z0-9_$]*") ? name : "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** {@code current_setting(name)}: a setting as {@code pg_settings} shows it. */
  public static String currentSetting(String name) {
    if (name == null) {
      return null;
    }
    for (java.util.Map.Entry<String, String> e : PgCatalog.SETTINGS.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name.trim())) {
        return e.getValue();
      }
    }
    throw new IllegalArgumentException("unrecognized configuration parameter \"" + name + "\"");
  }

  /** {@code format(text, a)}. */
  public static String format2(String format, String a) {
    return format(format, a);
  }

  /** {@code format(text, a, b)} (Metabase: {@code format('%I.%I', schema, table)}). */
  public static String format3(String format, String a, String b) {
    return format(format, a, b);
  }

  /** {@code format(text, a, b, c)}. */
  public static String format4(String format, String a, String b, String c) {
    return format(format, a, b, c);
  }

  /**
   * Postgres's {@code format}: {@code %s} a value as text (NULL as nothing), {@code %I} an
   * identifier ({@link #quoteIdent}), {@code %L} a literal, {@code %%} a percent sign.
   *
   * @throws IllegalArgumentException naming a conversion Strata does not know, or too few
   *     arguments
   */
  static String format(String format, String... args) {
    if (format == null) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    int next = 0;
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%') {
        out.append(c);
        continue;
      }
      if (++i >= format.length()) {
        throw new IllegalArgumentException("format: unterminated format() type specifier");
      }
      char kind = format.charAt(i);
      if (kind == '%') {
        out.append('%');
        continue;
      }
      if (next >= args.length) {
        throw new IllegalArgumentException("format: too few arguments for " + format);
      }
      String a = args[next++];
      switch (kind) {
        case 's' -> out.append(a == null ? "" : a);
        case 'I' -> {
          if (a == null) {
            throw new IllegalArgumentException("format: null values cannot be formatted as an"
                + " SQL identifier");
          }
          out.append(quoteIdent(a));
        }
        case 'L' -> out.append(a == null ? "NULL" : "'" + a.replace("'", "''") + "'");
        default -> throw new IllegalArgumentException("format: unrecognized format() type"
            + " specifier \"" + kind + "\" (use %s, %I, %L or %%)");
      }
    }
    return out.toString();
  }

  /**
   * A part of a relation's name written as {@code regclass} text ({@code semantic.orders},
   * {@code "demo.retail".orders}, {@code orders}): {@code part} 0 the schema (null when the
   * name has none), 1 the relation; quoted parts as written, others in lower case.
   */
  public static String regclassPart(String name, Integer part) {
    if (name == null || part == null) {
      return null;
    }
    java.util.List<String> parts = new java.util.ArrayList<>();
    StringBuilder b = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    String s = name.trim();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"') {
        if (quoted && i + 1 < s.length() && s.charAt(i + 1) == '"') {
          b.append('"');
          i++;
        } else {
          quoted = !quoted;
          wasQuoted = true;
        }
      } else if (c == '.' && !quoted) {
        parts.add(wasQuoted ? b.toString() : b.toString().toLowerCase(Locale.ROOT));
        b.setLength(0);
        wasQuoted = false;
      } else {
        b.append(c);
      }
    }
    parts.add(wasQuoted ? b.toString() : b.toString().toLowerCase(Locale.ROOT));
    String relation = parts.get(parts.size() - 1);
    String schema = parts.size() < 2 ? null : String.join(".", parts.subList(0,
        parts.size() - 1));
    return part == 0 ? schema : relation;
  }

  /** The number of elements of an int2vector or int2[] in text form. */
  public static Integer vectorLength(String vector) {
    if (vector == null) {
      return null;
    }
    int k = 0;
    for (String part : vector.replaceAll("[{}]", " ").split("[\\s,]+")) {
      if (!part.isEmpty()) {
        k++;
      }
    }
    return k;
  }

  /**
   * Index definitions by index OID, then column (0: the whole definition), as the last catalog
   * built holds them. OIDs are stable hashes of the index's name, so an OID always names the
   * same index; a statement reads its OIDs from pg_index, whose scan builds the catalog first.
   */
  private static final java.util.Map<Integer, java.util.Map<Integer, String>> INDEX_DEFS =
      new java.util.concurrent.ConcurrentHashMap<>();

  static void remember(PgModel model) {
    for (Object[] row : PgTables.indexDefs(model)) {
      INDEX_DEFS.computeIfAbsent((Integer) row[0], k -> new java.util.concurrent.ConcurrentHashMap<>())
          .put((Integer) row[1], (String) row[2]);
    }
  }

  /**
   * {@code pg_get_indexdef(index, column, pretty)}: a function rather than a correlated
   * subquery of the catalog, which Calcite's SqlToRelConverter fails to convert in pgjdbc's
   * getIndexInfo (an ArrayIndexOutOfBoundsException in RelBuilder.project).
   */
  @org.apache.calcite.linq4j.function.NonDeterministic // read after the catalog's scan
  public static String indexDef(Integer index, Integer column) {
    if (index == null || column == null) {
      return null;
    }
    java.util.Map<Integer, String> defs = INDEX_DEFS.get(index);
    return defs == null ? null : defs.get(column);
  }
}
