package io.strata.server.sql;

import io.strata.server.sql.SqlQueryException.Code;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.sql.SqlExplain;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.validate.SqlConformanceEnum;

/**
 * Parses the SQL clients send: standard SQL with double-quoted identifiers, unquoted names kept
 * as written and matched without regard to case (BI tools upper-case, models are lower-case),
 * {@code LIMIT}/{@code OFFSET} as well as {@code FETCH}. Only one read-only statement at a time.
 */
final class SqlParsing {
  static final SqlParser.Config CONFIG = SqlParser.config()
      .withQuoting(Quoting.DOUBLE_QUOTE)
      .withUnquotedCasing(Casing.UNCHANGED)
      .withQuotedCasing(Casing.UNCHANGED)
      .withCaseSensitive(false)
      .withConformance(SqlConformanceEnum.LENIENT);
  /**
   * Postgres sessions' parser: Calcite's Babel parser ({@code ::}, {@code ILIKE}, {@code E''},
   * {@code ~}, array subscripts) with the same quoting and casing rules.
   */
  static final SqlParser.Config POSTGRES = CONFIG
      .withParserFactory(org.apache.calcite.sql.parser.babel.SqlBabelParserImpl.FACTORY)
      .withConformance(SqlConformanceEnum.BABEL);

  /** Statements that write or change something, named by their first keyword. */
  private static final Set<String> WRITES = Set.of("INSERT", "UPDATE", "DELETE", "MERGE",
      "UPSERT", "CREATE", "DROP", "ALTER", "TRUNCATE", "GRANT", "REVOKE", "COPY", "CALL",
      "REPLACE", "RENAME", "COMMENT", "VACUUM", "ANALYZE", "LOAD", "ATTACH", "DETACH", "INSTALL",
      "EXPORT", "IMPORT", "PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "LOCK", "UNLOCK", "SET",
      "RESET", "USE", "EXECUTE", "DO");
  private static final Pattern FIRST_WORD = Pattern.compile(
      "\\A(?:\\s+|--[^\\n]*(?:\\n|\\z)|/\\*.*?\\*/)*([A-Za-z_]+)", Pattern.DOTALL);

  private SqlParsing() {}

  /**
   * A parsed statement and how to map a position in it back to the text the client sent (they
   * differ when reserved words used as names were quoted).
   */
  record Parsed(SqlNode node, Shifts shifts) {}

  /** Columns inserted into each line by quoting; positions are 1-based. */
  static final class Shifts {
    static final Shifts NONE = new Shifts();
    private final java.util.Map<Integer, java.util.List<Integer>> inserted =
        new java.util.HashMap<>();

    void add(int line, int column) {
      inserted.computeIfAbsent(line, l -> new java.util.ArrayList<>()).add(column);
    }

    /** The column in the client's text of a column in the parsed text. */
    int column(int line, int column) {
      int shift = 0;
      for (int c : inserted.getOrDefault(line, java.util.List.of())) {
        if (c < column) {
          shift++;
        }
      }
      return column - shift;
    }

    SqlQueryException error(Code code, String message, SqlParserPos pos) {
      int line = pos == null ? 0 : pos.getLineNum();
      int column = pos == null ? 0 : column(line, pos.getColumnNum());
      return new SqlQueryException(code, message
          + (line > 0 ? " (line " + line + ", column " + column + ")" : ""), line, column);
    }
  }

  private static final org.apache.calcite.sql.parser.SqlAbstractParserImpl.Metadata KEYWORDS =
      org.apache.calcite.sql.parser.impl.SqlParserImpl.FACTORY
          .getParser(new java.io.StringReader("")).getMetadata();

  /**
   * Parses one statement and checks it only reads. When the text does not parse because a
   * reserved word is used as a name ({@code MEASURE(count)}: both are SQL keywords), those
   * words among {@code names} (and {@code MEASURE} before a parenthesis) are quoted and the
   * text parsed again.
   *
   * @param names lower-case column names that may be reserved words (asked for only when the
   *     statement does not parse as it is)
   * @throws SqlQueryException PARSE_ERROR with the position, or READ_ONLY
   */
  static Parsed parse(String sql, java.util.function.Supplier<Set<String>> names) {
    return parse(sql, names, null);
  }

  /**
   * As {@link #parse(String, java.util.function.Supplier)}; for a Postgres session (its user's
   * name given) the text is read as Postgres SQL and rewritten into Strata's
   * ({@link io.strata.server.sql.pgcatalog.PgCatalog#text}, {@code #rewrite}).
   */
  static Parsed parse(String sql, java.util.function.Supplier<Set<String>> names,
      String postgresUser) {
    if (postgresUser != null) {
      Parsed p = parseAs(io.strata.server.sql.pgcatalog.PgCatalog.text(sql), names, POSTGRES);
      return new Parsed(io.strata.server.sql.pgcatalog.PgCatalog.rewrite(p.node(),
          postgresUser), p.shifts());
    }
    return parseAs(sql, names, CONFIG);
  }

  private static Parsed parseAs(String sql, java.util.function.Supplier<Set<String>> names,
      SqlParser.Config config) {
    try {
      return new Parsed(parse(sql, config), Shifts.NONE);
    } catch (SqlQueryException e) {
      if (e.code() != Code.PARSE_ERROR || sql == null) {
        throw e;
      }
      Shifts shifts = new Shifts();
      String quoted = quoteReserved(sql, names.get(), shifts);
      if (quoted.equals(sql)) {
        throw e;
      }
      try {
        return new Parsed(parse(quoted, config), shifts);
      } catch (SqlQueryException again) {
        throw e;
      }
    }
  }

  /** Wraps reserved words used as names in double quotes. */
  static String quoteReserved(String sql, Set<String> names, Shifts shifts) {
    StringBuilder out = new StringBuilder(sql.length() + 16);
    int line = 1;
    int col = 1;
    int outCol = 1;
    int i = 0;
    String previous = "";
    while (i < sql.length()) {
      char c = sql.charAt(i);
      int end = i + 1;
      if (c == '\'' || c == '"') {
        while (end < sql.length()) {
          if (sql.charAt(end) == c) {
            if (end + 1 < sql.length() && sql.charAt(end + 1) == c) {
              end += 2;
              continue;
            }
            end++;
            break;
          }
          end++;
        }
      } else if (c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
        while (end < sql.length() && sql.charAt(end) != '\n') {
          end++;
        }
      } else if (c == '/' && i + 1 < sql.length() && sql.charAt(i + 1) == '*') {
        int close = sql.indexOf("*/", i + 2);
        end = close < 0 ? sql.length() : close + 2;
      } else if (Character.isLetter(c) || c == '_') {
        while (end < sql.length() && (Character.isLetterOrDigit(sql.charAt(end))
            || sql.charAt(end) == '_' || sql.charAt(end) == '$')) {
          end++;
        }
        String word = sql.substring(i, end);
        String upper = word.toUpperCase(Locale.ROOT);
        int next = end;
        while (next < sql.length() && Character.isWhitespace(sql.charAt(next))) {
          next++;
        }
        char following = next < sql.length() ? sql.charAt(next) : ' ';
        boolean call = following == '(';
        boolean quote = KEYWORDS.isReservedWord(upper) && !previous.equals("TO")
            && following != '\''
            && (call ? upper.equals("MEASURE") : names.contains(word.toLowerCase(Locale.ROOT)));
        if (quote) {
          shifts.add(line, outCol);
          out.append('"').append(word).append('"');
          shifts.add(line, outCol + word.length() + 1);
          outCol += word.length() + 2;
          col += word.length();
          previous = upper;
          i = end;
          continue;
        }
        previous = upper;
      } else if (!Character.isWhitespace(c)) {
        previous = String.valueOf(c);
      }
      for (int k = i; k < end; k++) {
        char ch = sql.charAt(k);
        out.append(ch);
        if (ch == '\n') {
          line++;
          col = 1;
          outCol = 1;
        } else {
          col++;
          outCol++;
        }
      }
      i = end;
    }
    return out.toString();
  }

  /**
   * Parses one statement and checks it only reads.
   *
   * @throws SqlQueryException PARSE_ERROR with the position, or READ_ONLY
   */
  static SqlNode parse(String sql) {
    return parse(sql, CONFIG);
  }

  private static SqlNode parse(String sql, SqlParser.Config config) {
    if (sql == null || sql.isBlank()) {
      throw new SqlQueryException(Code.PARSE_ERROR, "the SQL statement is empty", 0, 0);
    }
    SqlNodeList statements;
    try {
      statements = SqlParser.create(sql, config).parseStmtList();
    } catch (SqlParseException e) {
      String word = firstWord(sql);
      if (word != null && WRITES.contains(word)) {
        throw readOnly(word, 1, 1);
      }
      SqlParserPos pos = e.getPos();
      int line = pos == null ? 0 : pos.getLineNum();
      int column = pos == null ? 0 : pos.getColumnNum();
      String message = firstLine(e.getMessage());
      if (line > 0 && !message.contains("line " + line)) {
        message += " (line " + line + ", column " + column + ")";
      }
      throw new SqlQueryException(Code.PARSE_ERROR, "SQL syntax error: " + message, line, column,
          e);
    }
    if (statements.size() != 1) {
      SqlParserPos pos = statements.size() > 1 ? statements.get(1).getParserPosition()
          : SqlParserPos.ZERO;
      throw new SqlQueryException(Code.READ_ONLY, "one statement at a time: this text holds "
          + statements.size() + " statements" + at(pos), pos.getLineNum(), pos.getColumnNum());
    }
    SqlNode node = statements.get(0);
    SqlNode query = node instanceof SqlExplain e ? e.getExplicandum() : node;
    if (!query.getKind().belongsTo(SqlKind.QUERY)) {
      SqlParserPos pos = node.getParserPosition();
      String word = firstWord(sql);
      throw readOnly(word == null ? query.getKind().sql : word, pos.getLineNum(),
          pos.getColumnNum());
    }
    return node;
  }

  /**
   * Checks the text before it is parsed: its length, the depth of its parentheses (the parser
   * recurses once per level), and characters no warehouse can hold in a literal (NUL, lone
   * surrogates: see {@link io.strata.semantic.query.TextValues}). Linear in the text.
   *
   * @throws SqlQueryException TOO_COMPLEX naming the limit and its setting, or PARSE_ERROR
   *     with the position of the bad character
   */
  static void checkText(String sql, SqlLimits limits) {
    if (sql == null) {
      return;
    }
    if (sql.length() > limits.maxLength()) {
      throw new SqlQueryException(Code.TOO_COMPLEX, "the statement is " + sql.length()
          + " characters long; the limit is " + limits.maxLength() + " ("
          + SqlLimits.MAX_LENGTH + ")", 0, 0);
    }
    int line = 1;
    int column = 0;
    int depth = 0;
    char quote = 0; // the quote of the literal or identifier being read
    boolean lineComment = false;
    boolean blockComment = false;
    for (int i = 0; i < sql.length(); i++) {
      char c = sql.charAt(i);
      column++;
      if (c == '\n') {
        line++;
        column = 0;
        lineComment = false;
        continue;
      }
      String bad = null;
      if (c == 0) {
        bad = "a NUL character (U+0000)";
      } else if (Character.isHighSurrogate(c) && i + 1 < sql.length()
          && Character.isLowSurrogate(sql.charAt(i + 1))) {
        i++; // a whole pair: one character to the client
        continue;
      } else if (Character.isSurrogate(c)) {
        bad = String.format("a lone surrogate (U+%04X)", (int) c);
      }
      if (bad != null) {
        throw new SqlQueryException(Code.PARSE_ERROR, "the statement holds " + bad
            + ", which no warehouse can store or compare (line " + line + ", column " + column
            + ")", line, column);
      }
      if (lineComment) {
        continue;
      }
      if (blockComment) {
        if (c == '*' && i + 1 < sql.length() && sql.charAt(i + 1) == '/') {
          blockComment = false;
          i++;
          column++;
        }
        continue;
      }
      if (quote != 0) {
        if (c == quote) {
          quote = 0; // a doubled quote closes and reopens: the same to this count
        }
        continue;
      }
      switch (c) {
        case '\'', '"', '`' -> quote = c;
        case '-' -> lineComment = i + 1 < sql.length() && sql.charAt(i + 1) == '-';
        case '/' -> {
          if (i + 1 < sql.length() && sql.charAt(i + 1) == '*') {
            blockComment = true;
            i++;
            column++;
          }
        }
        case '(', '[' -> {
          if (++depth > limits.maxDepth()) {
            throw new SqlQueryException(Code.TOO_COMPLEX, "the statement nests parentheses "
                + "more than " + limits.maxDepth() + " deep (" + SqlLimits.MAX_DEPTH
                + ") at line " + line + ", column " + column, line, column);
          }
        }
        case ')', ']' -> depth = Math.max(0, depth - 1);
        default -> { }
      }
    }
  }

  /**
   * Checks the parsed tree against the limits, without recursion (the tree may be deeper than
   * the stack allows): nesting depth, values in each IN list, and set operations.
   *
   * @throws SqlQueryException TOO_COMPLEX naming the limit, its setting and the position
   */
  static void checkTree(Parsed parsed, SqlLimits limits) {
    java.util.ArrayDeque<SqlNode> nodes = new java.util.ArrayDeque<>();
    java.util.ArrayDeque<Integer> depths = new java.util.ArrayDeque<>();
    nodes.push(parsed.node());
    depths.push(1);
    int setOperations = 0;
    SqlNode tooDeep = null;
    while (!nodes.isEmpty()) {
      SqlNode node = nodes.pop();
      int depth = depths.pop();
      java.util.List<SqlNode> children;
      if (node instanceof SqlNodeList list) {
        children = list.getList();
      } else if (node instanceof org.apache.calcite.sql.SqlCall call) {
        SqlKind kind = call.getKind();
        if (kind == SqlKind.UNION || kind == SqlKind.INTERSECT || kind == SqlKind.EXCEPT) {
          if (++setOperations > limits.maxSetOperations()) {
            throw parsed.shifts().error(Code.TOO_COMPLEX, "the statement has more than "
                + limits.maxSetOperations() + " set operations (UNION, INTERSECT, EXCEPT) ("
                + SqlLimits.MAX_SET_OPERATIONS + ")", call.getParserPosition());
          }
        }
        if ((kind == SqlKind.IN || kind == SqlKind.NOT_IN) && call.operandCount() == 2
            && call.operand(1) instanceof SqlNodeList values
            && values.size() > limits.maxInList()) {
          throw parsed.shifts().error(Code.TOO_COMPLEX, "an IN list of " + values.size()
              + " values; the limit is " + limits.maxInList() + " (" + SqlLimits.MAX_IN_LIST
              + ")", call.getParserPosition());
        }
        children = call.getOperandList();
      } else {
        continue;
      }
      // a chain of UNIONs is deep too, and its count says more: the first node past the depth
      // limit is remembered (its subtree not walked) and reported only if no other limit is
      if (depth > limits.maxDepth()) {
        if (tooDeep == null) {
          tooDeep = node;
        }
        continue;
      }
      for (SqlNode child : children) {
        if (child != null) {
          nodes.push(child);
          // a list is not a level of its own: its elements sit at its owner's depth
          depths.push(child instanceof SqlNodeList ? depth : depth + 1);
        }
      }
    }
    if (tooDeep != null) {
      throw parsed.shifts().error(Code.TOO_COMPLEX, "the statement nests expressions or"
          + " subqueries more than " + limits.maxDepth() + " deep (" + SqlLimits.MAX_DEPTH
          + ")", tooDeep.getParserPosition());
    }
  }

  private static SqlQueryException readOnly(String what, int line, int column) {
    return new SqlQueryException(Code.READ_ONLY, "Strata is read-only: " + what
        + " statements are not allowed; only queries (SELECT, WITH, VALUES, EXPLAIN PLAN FOR)"
        + " may be run (line " + line + ", column " + column + ")", line, column);
  }

  static String at(SqlParserPos pos) {
    return pos == null || pos.getLineNum() <= 0 ? ""
        : " (line " + pos.getLineNum() + ", column " + pos.getColumnNum() + ")";
  }

  private static String firstWord(String sql) {
    Matcher m = FIRST_WORD.matcher(sql);
    return m.find() ? m.group(1).toUpperCase(Locale.ROOT) : null;
  }

  /** Calcite's message without its long list of expected tokens. */
  private static String firstLine(String message) {
    if (message == null) {
      return "unexpected input";
    }
    String m = message.strip();
    int expecting = m.indexOf("\nWas expecting");
    if (expecting > 0) {
      m = m.substring(0, expecting).strip();
    }
    int nl = m.indexOf('\n');
    return nl > 0 ? m.substring(0, nl).strip() : m;
  }
}
