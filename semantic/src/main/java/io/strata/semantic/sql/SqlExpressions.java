package io.strata.semantic.sql;

import io.strata.semantic.model.SourcePosition;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.validate.SqlConformanceEnum;

/**
 * Parses the SQL fragments written in models ({@code expr}, {@code filter}, join {@code on},
 * {@code sql}) with Calcite's parser. Brace references ({@code {orders}},
 * {@code {order_items.revenue}}) become plain identifiers before parsing; callers decide what an
 * identifier means in their context. Case is kept as written; double quotes quote identifiers.
 */
public final class SqlExpressions {
  private static final Pattern BRACE = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)?)}");
  public static final SqlParser.Config PARSER_CONFIG = SqlParser.config()
      .withConformance(SqlConformanceEnum.LENIENT)
      .withQuoting(Quoting.DOUBLE_QUOTE)
      .withUnquotedCasing(Casing.UNCHANGED)
      .withQuotedCasing(Casing.UNCHANGED)
      .withCaseSensitive(true);

  private SqlExpressions() {}

  /** A fragment that does not parse: the message and its position within the fragment text. */
  public static final class ParseError extends Exception {
    private final int line;
    private final int column;

    ParseError(String message, int line, int column) {
      super(message);
      this.line = line;
      this.column = column;
    }

    /** 1-based line within the fragment. */
    public int line() {
      return line;
    }

    /** 1-based column within the fragment's line. */
    public int column() {
      return column;
    }

    /** The error's position in the file, given where the fragment's text starts there. */
    public SourcePosition in(SourcePosition fragmentStart) {
      if (line <= 1) {
        return fragmentStart.plusColumns(Math.max(0, column - 1));
      }
      return new SourcePosition(fragmentStart.file(), fragmentStart.line() + line - 1, column);
    }
  }

  /** The brace references in a fragment, in order, e.g. {@code [orders, order_items.revenue]}. */
  public static List<String> braceReferences(String text) {
    List<String> refs = new ArrayList<>();
    Matcher m = BRACE.matcher(text);
    while (m.find()) {
      refs.add(m.group(1));
    }
    return refs;
  }

  /** Parses a scalar or boolean expression. */
  public static SqlNode parseExpression(String text) throws ParseError {
    Stripped s = strip(text);
    try {
      return SqlParser.create(s.text, PARSER_CONFIG).parseExpression();
    } catch (SqlParseException e) {
      throw error(e, s);
    }
  }

  /** Parses a query (a model's {@code sql}). */
  public static SqlNode parseQuery(String text) throws ParseError {
    Stripped s = strip(text);
    try {
      return SqlParser.create(s.text, PARSER_CONFIG).parseQuery();
    } catch (SqlParseException e) {
      throw error(e, s);
    }
  }

  /**
   * Text with brace references turned into quoted identifiers ({@code {count}} becomes
   * {@code "count"}, so reserved words work), and for each character of the new text the offset
   * of the character it came from.
   */
  private record Stripped(String text, int[] origin, String original) {}

  private static Stripped strip(String text) {
    StringBuilder out = new StringBuilder();
    List<Integer> origin = new ArrayList<>();
    Matcher m = BRACE.matcher(text);
    int last = 0;
    while (m.find()) {
      for (int i = last; i < m.start(); i++) {
        out.append(text.charAt(i));
        origin.add(i);
      }
      String[] parts = m.group(1).split("\\.");
      int at = m.start();
      for (int p = 0; p < parts.length; p++) {
        if (p > 0) {
          out.append('.');
          origin.add(at);
        }
        out.append('"').append(parts[p]).append('"');
        for (int c = 0; c < parts[p].length() + 2; c++) {
          origin.add(at);
        }
        at += parts[p].length() + 1;
      }
      last = m.end();
    }
    for (int i = last; i < text.length(); i++) {
      out.append(text.charAt(i));
      origin.add(i);
    }
    return new Stripped(out.toString(), origin.stream().mapToInt(Integer::intValue).toArray(),
        text);
  }

  private static ParseError error(SqlParseException e, Stripped s) {
    int line = e.getPos() == null ? 1 : Math.max(1, e.getPos().getLineNum());
    int column = e.getPos() == null ? 1 : Math.max(1, e.getPos().getColumnNum());
    // Offset in the rewritten text, then back to the text as written.
    int offset = 0;
    for (int l = 1; l < line && offset < s.text.length(); offset++) {
      if (s.text.charAt(offset) == '\n') {
        l++;
      }
    }
    offset = Math.min(offset + column - 1, s.origin.length - 1);
    if (offset >= 0) {
      int orig = s.origin[offset];
      line = 1;
      column = 1;
      for (int i = 0; i < orig; i++) {
        if (s.original.charAt(i) == '\n') {
          line++;
          column = 1;
        } else {
          column++;
        }
      }
    }
    String message = e.getMessage();
    int nl = message.indexOf('\n');
    String first = nl < 0 ? message : message.substring(0, nl);
    // Calcite's first line repeats the position; the useful part is what it expected.
    first = first.replaceFirst(" at line \\d+, column \\d+\\.?", "");
    return new ParseError(first.trim(), line, column);
  }
}
