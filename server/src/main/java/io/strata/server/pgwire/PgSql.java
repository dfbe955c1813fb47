package io.strata.server.pgwire;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the Postgres wire needs to know of a query's text before Strata's SQL path sees it:
 * where one statement ends and the next begins (a simple Query may hold several), where its
 * {@code $1} parameters are (Strata's SQL takes {@code ?}), and which word it starts with. A
 * small lexer that knows Postgres's quoting: {@code '...'}, {@code E'...'} with backslash
 * escapes, {@code "..."}, dollar quotes, {@code --} and nested {@code /* *}{@code /} comments.
 */
final class PgSql {
  private PgSql() {}

  /** One statement of a query string: its text and where it starts in the whole (0-based). */
  record Statement(String text, int offset) {}

  /**
   * A statement with its {@code $n} parameters replaced by {@code ?} (padded with spaces, so
   * every position in the text is unchanged and Strata's error positions stay the client's).
   *
   * @param sql the text for Strata's SQL path
   * @param order for each {@code ?} in order, the 0-based index of the value it takes
   * @param count how many values the statement takes (the highest {@code $n})
   */
  record Parameters(String sql, List<Integer> order, int count) {}

  /** The statements of {@code query}, without the empty ones between semicolons. */
  static List<Statement> split(String query) {
    List<Statement> out = new ArrayList<>();
    int start = 0;
    int i = 0;
    int n = query.length();
    while (i < n) {
      char c = query.charAt(i);
      if (c == ';') {
        add(out, query, start, i);
        start = i + 1;
        i++;
      } else {
        i = skip(query, i);
      }
    }
    add(out, query, start, n);
    return out;
  }

  private static void add(List<Statement> out, String query, int start, int end) {
    String text = query.substring(start, end);
    if (!blank(text)) {
      out.add(new Statement(text, start));
    }
  }

  /** Whether {@code text} holds nothing but white space and comments. */
  static boolean blank(String text) {
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (startsComment(text, i)) {
        i = skip(text, i);
      } else {
        return false;
      }
    }
    return true;
  }

  private static boolean startsComment(String s, int i) {
    return s.startsWith("--", i) || s.startsWith("/*", i);
  }

  /**
   * The index just past the token that starts at {@code i} when it is a quoted string, a quoted
   * identifier, a dollar-quoted string or a comment; else {@code i + 1}. An unterminated one runs
   * to the end (Strata's parser then names the problem).
   */
  static int skip(String s, int i) {
    int n = s.length();
    char c = s.charAt(i);
    if (c == '\'') {
      boolean escapes = i > 0 && (s.charAt(i - 1) == 'E' || s.charAt(i - 1) == 'e')
          && (i < 2 || !Character.isLetterOrDigit(s.charAt(i - 2)) && s.charAt(i - 2) != '_');
      int j = i + 1;
      while (j < n) {
        char d = s.charAt(j);
        if (escapes && d == '\\') {
          j += 2;
        } else if (d == '\'') {
          if (j + 1 < n && s.charAt(j + 1) == '\'') {
            j += 2;
          } else {
            return j + 1;
          }
        } else {
          j++;
        }
      }
      return n;
    }
    if (c == '"') {
      int j = i + 1;
      while (j < n) {
        if (s.charAt(j) == '"') {
          if (j + 1 < n && s.charAt(j + 1) == '"') {
            j += 2;
          } else {
            return j + 1;
          }
        } else {
          j++;
        }
      }
      return n;
    }
    if (s.startsWith("--", i)) {
      int end = s.indexOf('\n', i);
      return end < 0 ? n : end + 1;
    }
    if (s.startsWith("/*", i)) {
      int depth = 0;
      int j = i;
      while (j < n) {
        if (s.startsWith("/*", j)) {
          depth++;
          j += 2;
        } else if (s.startsWith("*/", j)) {
          depth--;
          j += 2;
          if (depth == 0) {
            return j;
          }
        } else {
          j++;
        }
      }
      return n;
    }
    if (c == '$' && (i == 0 || !isIdentifierPart(s.charAt(i - 1)))) {
      int j = i + 1;
      while (j < n && (Character.isLetter(s.charAt(j)) || s.charAt(j) == '_'
          || j > i + 1 && Character.isDigit(s.charAt(j)))) {
        j++;
      }
      if (j < n && s.charAt(j) == '$') {
        String tag = s.substring(i, j + 1);
        int end = s.indexOf(tag, j + 1);
        return end < 0 ? n : end + tag.length();
      }
    }
    return i + 1;
  }

  private static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  /**
   * {@code sql} with each {@code $n} outside quotes and comments replaced by {@code ?}.
   *
   * @param declared how many parameter types the client declared (a statement may take more
   *     values than it uses)
   * @throws PgException 42P02 for {@code $0}
   */
  static Parameters parameters(String sql, int declared) {
    StringBuilder out = new StringBuilder(sql.length());
    List<Integer> order = new ArrayList<>();
    int count = declared;
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '$' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))
          && (i == 0 || !isIdentifierPart(sql.charAt(i - 1)))) {
        int j = i + 1;
        while (j < n && Character.isDigit(sql.charAt(j))) {
          j++;
        }
        int number;
        try {
          number = Integer.parseInt(sql.substring(i + 1, j));
        } catch (NumberFormatException e) {
          number = Integer.MAX_VALUE;
        }
        if (number < 1 || number > 65535) {
          throw new PgException(PgException.Severity.ERROR, "42P02", "there is no parameter $"
              + sql.substring(i + 1, j) + " (parameters are $1 to $65535)", i + 1);
        }
        order.add(number - 1);
        count = Math.max(count, number);
        out.append('?');
        out.append(" ".repeat(j - i - 1));
        i = j;
        continue;
      }
      int next = skip(sql, i);
      out.append(sql, i, next);
      i = next;
    }
    return new Parameters(out.toString(), List.copyOf(order), count);
  }

  /** The statement's words, upper case, outside quotes and comments (at most {@code max}). */
  static List<String> words(String sql, int max) {
    List<String> words = new ArrayList<>();
    int i = 0;
    int n = sql.length();
    while (i < n && words.size() < max) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (startsComment(sql, i)) {
        i = skip(sql, i);
      } else if (Character.isLetter(c) || c == '_') {
        int j = i;
        while (j < n && isIdentifierPart(sql.charAt(j))) {
          j++;
        }
        words.add(sql.substring(i, j).toUpperCase(Locale.ROOT));
        i = j;
      } else {
        int j = skip(sql, i);
        words.add(sql.substring(i, j));
        i = j;
      }
    }
    return words;
  }

  /** The statement's first word, upper case, or empty. */
  static String verb(String sql) {
    List<String> w = words(sql, 1);
    return w.isEmpty() ? "" : w.get(0);
  }

  /**
   * The 1-based character position in {@code text} of a 1-based line and column, or 0 when
   * unknown.
   */
  static int position(String text, int line, int column) {
    if (line <= 0) {
      return 0;
    }
    int index = 0;
    for (int l = 1; l < line; l++) {
      int nl = text.indexOf('\n', index);
      if (nl < 0) {
        return 0;
      }
      index = nl + 1;
    }
    return index + Math.max(column, 1);
  }
}
