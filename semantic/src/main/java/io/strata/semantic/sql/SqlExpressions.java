package io.strata.semantic.sql;

import io.strata.semantic.model.SourcePosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
      // Later lines come from a block scalar, whose lines share the first line's indentation.
      return new SourcePosition(fragmentStart.file(), fragmentStart.line() + line - 1,
          fragmentStart.column() + column - 1);
    }
  }

  /**
   * A column named {@code name} as model SQL writes it: as is when it is a plain word, else
   * double-quoted (a reserved word such as {@code at}, {@code order}, {@code user}, or a name
   * that is not a plain word), so that it parses as a column and the compiled SQL quotes it in
   * each dialect's way.
   */
  public static String column(String name) {
    String upper = name.toUpperCase(java.util.Locale.ROOT);
    if (SIMPLE.matcher(name).matches() && !RESERVED.isReservedWord(upper)
        && !io.strata.semantic.dialect.WarehouseDialect.EXTRA_RESERVED.contains(upper)) {
      return name;
    }
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  private static final Pattern SIMPLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final org.apache.calcite.sql.parser.SqlAbstractParserImpl.Metadata RESERVED =
      SqlParser.create("", PARSER_CONFIG).getMetadata();

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

  /**
   * Functions that change the warehouse engine's own state or files rather than read data:
   * DuckDB's logging switches write log files to any path (and break every later query on that
   * database) and are not covered by its {@code enable_external_access} lockdown. A model's SQL
   * runs on every viewer's behalf, so it may not call them on any warehouse.
   */
  public static final Set<String> FORBIDDEN_FUNCTIONS = Set.of("enable_logging",
      "disable_logging", "truncate_duckdb_logs", "enable_profiling", "disable_profiling",
      "enable_checkpoint_on_shutdown", "force_checkpoint", "checkpoint");

  /** The first call in {@code node} of a {@link #FORBIDDEN_FUNCTIONS forbidden function}, or null. */
  public static String forbiddenCall(SqlNode node) {
    String[] found = {null};
    node.accept(new org.apache.calcite.sql.util.SqlBasicVisitor<Void>() {
      @Override
      public Void visit(org.apache.calcite.sql.SqlCall call) {
        String name = call.getOperator().getName().toLowerCase(java.util.Locale.ROOT);
        if (found[0] == null && FORBIDDEN_FUNCTIONS.contains(name)) {
          found[0] = name;
        }
        return super.visit(call);
      }
    });
    return found[0];
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
   * Text with each brace reference turned into a quoted identifier ({@code {count}} becomes
   * {@code "count"}, {@code {a.b}} becomes {@code "a"."b"}), so that member names that are SQL
   * keywords still parse; and for each line, the original column of every column of that text.
   */
  private record Stripped(String text, List<List<Integer>> originalColumns) {}

  private static Stripped strip(String text) {
    StringBuilder out = new StringBuilder();
    List<List<Integer>> columns = new ArrayList<>();
    columns.add(new ArrayList<>());
    Matcher m = BRACE.matcher(text);
    int i = 0;
    int col = 1;
    while (i < text.length()) {
      List<Integer> line = columns.get(columns.size() - 1);
      if (m.find(i) && m.start() == i) {
        String[] parts = m.group(1).split("\\.");
        out.append('"');
        line.add(col); // the opening brace
        int c = col + 1;
        for (int p = 0; p < parts.length; p++) {
          if (p > 0) {
            out.append("\".\"");
            line.add(c - 1);
            line.add(c);
            line.add(c + 1);
            c++;
          }
          out.append(parts[p]);
          for (int k = 0; k < parts[p].length(); k++) {
            line.add(c++);
          }
        }
        out.append('"');
        line.add(c); // the closing brace
        col += m.end() - m.start();
        i = m.end();
        continue;
      }
      char ch = text.charAt(i++);
      out.append(ch);
      line.add(col++);
      if (ch == '\n') {
        columns.add(new ArrayList<>());
        col = 1;
      }
    }
    return new Stripped(out.toString(), columns);
  }

  private static ParseError error(SqlParseException e, Stripped s) {
    int line = e.getPos() == null ? 1 : Math.max(1, e.getPos().getLineNum());
    int column = e.getPos() == null ? 1 : Math.max(1, e.getPos().getColumnNum());
    if (line - 1 < s.originalColumns.size()) {
      // Map the column in the rewritten text back to the column in the text as written.
      List<Integer> original = s.originalColumns.get(line - 1);
      if (column - 1 < original.size()) {
        column = original.get(column - 1);
      } else if (!original.isEmpty()) {
        column = original.get(original.size() - 1) + column - original.size();
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
