package io.strata.server.sql.pgcatalog;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Postgres spellings Calcite's Babel parser does not read, rewritten in the text before it is
 * parsed (never inside a string literal, quoted name or comment): {@code OPERATOR(pg_catalog.~)}
 * (psql), {@code COLLATE pg_catalog.default} (psql), {@code INTERVAL '1 day'} (Postgres puts
 * the unit inside the string; SQL after it), and {@code x::type}, which becomes
 * {@code CAST(x AS type)}: Calcite 1.42's Babel parser reads {@code ::} with the lowest
 * precedence ({@code a = 'orders'::regclass} as {@code (a = 'orders')::regclass}), where in
 * Postgres it binds tightest, to the value just before it.
 */
final class PgText {
  private static final Pattern TOKENS = Pattern.compile(
      // skipped as they are: E'' strings (backslash escapes), strings, quoted names, comments
      // (possessive: a repeated alternation recurses once per character, and pgjdbc's
      // getSQLKeywords sends a 3,000-character string that overflowed the stack)
      "[Ee]'(?:[^'\\\\]++|\\\\.|'')*+'|'(?:[^']++|'')*+'|\"(?:[^\"]++|\"\")*+\"|--[^\\n]*|/\\*.*?\\*/"
          // OPERATOR(pg_catalog.~) -> ~
          + "|(?<op>\\bOPERATOR\\s*\\(\\s*(?:pg_catalog\\s*\\.\\s*)?(?<symbol>[^\\s()]+)\\s*\\))"
          // COLLATE pg_catalog.default -> (nothing: Strata compares as the warehouse does)
          + "|(?<collate>\\bCOLLATE\\s+(?:pg_catalog\\s*\\.\\s*)?(?:\"default\"|default\\b|\"C\"))"
          // INTERVAL '2 days' -> INTERVAL '2' DAY
          // AS DEFAULT (SQLAlchemy's column alias) -> AS "default": reserved in Calcite
          + "|(?<alias>\\bAS\\s+(?<word>DEFAULT|USER|VALUE)\\b)"
          // SELECT unnest(...) (SQLAlchemy): UNNEST is reserved in Calcite outside FROM
          + "|(?<unnest>\\bSELECT\\s+unnest\\s*\\()"
          // timestamp 'epoch' (Superset's epoch_to_dttm) -> TIMESTAMP '1970-01-01 00:00:00'
          + "|(?<epoch>\\b(?:timestamp|timestamptz)\\s*'epoch')"
          + "|(?<interval>\\bINTERVAL\\s*'\\s*(?<n>[+-]?\\d+(?:\\.\\d+)?)\\s*(?<unit>[A-Za-z]+)\\s*')",
      Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

  private PgText() {}

  static String rewrite(String sql) {
    Matcher m = TOKENS.matcher(sql);
    StringBuilder out = new StringBuilder(sql.length());
    while (m.find()) {
      String replacement;
      if (m.group("op") != null) {
        replacement = " " + m.group("symbol") + " ";
      } else if (m.group("collate") != null) {
        replacement = "";
      } else if (m.group("epoch") != null) {
        replacement = "TIMESTAMP '1970-01-01 00:00:00'";
      } else if (m.group("unnest") != null) {
        replacement = "SELECT \"unnest\"(";
      } else if (m.group("alias") != null) {
        replacement = "AS \"" + m.group("word").toLowerCase(Locale.ROOT) + "\"";
      } else if (m.group("interval") != null) {
        replacement = interval(m.group("n"), m.group("unit"), m.group());
      } else {
        replacement = m.group();
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return casts(out.toString());
  }

  /** Each {@code primary::type} as {@code CAST(primary AS type)}, left to right. */
  static String casts(String sql) {
    String s = sql;
    int i = 0;
    char quote = 0;
    while (i < s.length() - 1) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == '\\' && quote == 'E') {
          i += 2;
          continue;
        }
        if (c == (quote == 'E' ? '\'' : quote)) {
          quote = 0;
        }
        i++;
        continue;
      }
      if (c == '\'') {
        boolean escapes = i > 0 && (s.charAt(i - 1) == 'E' || s.charAt(i - 1) == 'e')
            && (i < 2 || !Character.isLetterOrDigit(s.charAt(i - 2)));
        quote = escapes ? 'E' : '\'';
      } else if (c == '"') {
        quote = '"';
      } else if (c == '-' && s.charAt(i + 1) == '-') {
        int nl = s.indexOf('\n', i);
        i = nl < 0 ? s.length() : nl;
        continue;
      } else if (c == '/' && s.charAt(i + 1) == '*') {
        int end = s.indexOf("*/", i + 2);
        i = end < 0 ? s.length() : end + 2;
        continue;
      } else if (c == ':' && s.charAt(i + 1) == ':') {
        int start = primaryStart(s, i);
        int end = typeEnd(s, i + 2);
        if (start >= 0 && end > i + 2) {
          String type = s.substring(i + 2, end).strip().replaceAll("(\\s*\\[\\s*])+$", "");
          String cast = "CAST(" + s.substring(start, i).strip() + " AS " + type + ")";
          s = s.substring(0, start) + cast + s.substring(end);
          i = start + cast.length();
          continue;
        }
      }
      i++;
    }
    return s;
  }

  /** Where the value {@code ::} at {@code colons} applies to begins, or -1. */
  private static int primaryStart(String s, int colons) {
    int j = colons - 1;
    while (j >= 0 && Character.isWhitespace(s.charAt(j))) {
      j--;
    }
    if (j < 0) {
      return -1;
    }
    while (true) {
      char c = s.charAt(j);
      if (c == ']') {
        j = matching(s, j, '[', ']');
        if (j <= 0) {
          return -1;
        }
        j--; // the value subscripted
        continue;
      }
      if (c == ')') {
        j = matching(s, j, '(', ')');
        if (j < 0) {
          return -1;
        }
        // a function's name right before its parentheses belongs to the value
        if (j > 0 && (isNameChar(s.charAt(j - 1)) || s.charAt(j - 1) == '"')) {
          return nameStart(s, j - 1);
        }
        return j;
      }
      if (c == '\'') {
        int k = j - 1;
        while (k >= 0) {
          if (s.charAt(k) == '\'') {
            if (k > 0 && (s.charAt(k - 1) == '\'' || s.charAt(k - 1) == '\\')) {
              k -= 2; // '' in a string, \' in an E'' string
              continue;
            }
            break;
          }
          k--;
        }
        if (k < 0) {
          return -1;
        }
        if (k > 0 && (s.charAt(k - 1) == 'E' || s.charAt(k - 1) == 'e')
            && (k < 2 || !isNameChar(s.charAt(k - 2)))) {
          k--;
        }
        return k;
      }
      if (isNameChar(c) || c == '"') {
        return nameStart(s, j);
      }
      return -1;
    }
  }

  /** The start of the (possibly qualified, possibly quoted) name or number ending at j. */
  private static int nameStart(String s, int j) {
    int k = j;
    while (k >= 0) {
      if (s.charAt(k) == '"') {
        k--;
        while (k >= 0 && s.charAt(k) != '"') {
          k--;
        }
        k--; // before the opening quote
      } else {
        while (k >= 0 && (isNameChar(s.charAt(k)) || s.charAt(k) == '.'
            && k > 0 && Character.isDigit(s.charAt(k - 1)) && Character.isDigit(s.charAt(k + 1)))) {
          k--;
        }
      }
      if (k >= 0 && s.charAt(k) == '.') {
        k--;
        continue;
      }
      return k + 1;
    }
    return 0;
  }

  private static boolean isNameChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }

  /** The index of the bracket opening the one closing at {@code close}, or -1. */
  private static int matching(String s, int close, char open, char closing) {
    int depth = 0;
    char quote = 0;
    for (int k = close; k >= 0; k--) {
      char c = s.charAt(k);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == closing) {
        depth++;
      } else if (c == open && --depth == 0) {
        return k;
      }
    }
    return -1;
  }

  private static final Pattern TYPE = Pattern.compile(
      "\\s*(?:double\\s+precision|character\\s+varying|bit\\s+varying"
          + "|(?:timestamp|time)(?:\\s*\\(\\s*\\d+\\s*\\))?\\s+with(?:out)?\\s+time\\s+zone"
          + "|(?:\"[^\"]+\"|[A-Za-z_][A-Za-z0-9_$]*)(?:\\s*\\.\\s*(?:\"[^\"]+\"|[A-Za-z_][A-Za-z0-9_$]*))*)"
          + "(?:\\s*\\(\\s*\\d+\\s*(?:,\\s*\\d+\\s*)?\\))?(?:\\s*\\[\\s*\\d*\\s*])*",
      Pattern.CASE_INSENSITIVE);

  /** Where the type name after {@code ::} ends (its modifiers and array brackets included). */
  private static int typeEnd(String s, int from) {
    Matcher m = TYPE.matcher(s);
    m.region(from, s.length());
    return m.lookingAt() ? m.end() : -1;
  }

  private static String interval(String n, String unit, String original) {
    String u = unit.toLowerCase(Locale.ROOT);
    if (u.endsWith("s") && u.length() > 1) {
      u = u.substring(0, u.length() - 1);
    }
    BigDecimal count = new BigDecimal(n);
    String sql = switch (u) {
      case "year", "yr", "y" -> "YEAR";
      case "month", "mon" -> "MONTH";
      case "week", "w" -> {
        count = count.multiply(BigDecimal.valueOf(7));
        yield "DAY";
      }
      case "day", "d" -> "DAY";
      case "hour", "hr", "h" -> "HOUR";
      case "minute", "min", "m" -> "MINUTE";
      case "second", "sec" -> "SECOND";
      default -> null;
    };
    // an unknown unit is left for the parser to report where it is
    return sql == null ? original : "INTERVAL '" + count.toPlainString() + "' " + sql;
  }
}
