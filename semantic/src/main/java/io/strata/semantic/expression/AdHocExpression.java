package io.strata.semantic.expression;

import io.strata.semantic.dialect.StrataOperators;
import io.strata.semantic.dialect.WarehouseDialect.CastType;
import io.strata.semantic.dialect.WarehouseDialect.DatePart;
import io.strata.semantic.dialect.WarehouseDialect.ScalarFunction;
import io.strata.semantic.model.DimensionType;
import io.strata.semantic.model.Granularity;
import io.strata.semantic.model.Member;
import io.strata.semantic.model.MemberKind;
import io.strata.semantic.sql.SqlExpressions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.calcite.avatica.util.TimeUnitRange;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlDateLiteral;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlIntervalLiteral;
import org.apache.calcite.sql.SqlIntervalQualifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlTimestampLiteral;
import org.apache.calcite.sql.dialect.CalciteSqlDialect;
import org.apache.calcite.sql.fun.SqlCase;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.util.SqlShuttle;

/**
 * An ad-hoc dimension: an expression over a query's dimensions ({@code EXTRACT(YEAR FROM
 * {orders.ordered_at})}, {@code UPPER({customers.region})}, a {@code CASE}) that a query groups
 * or filters by like a model dimension. The one entry point of this package: the SQL endpoints
 * make one with {@link #of}, the compiler reads it with {@link #parse} and writes it in a
 * warehouse's dialect with {@link #toSql}, access control asks {@link #references}.
 *
 * <p>In a semantic query an ad-hoc dimension stands where a member name would (an entry of
 * {@code dimensions}, a filter's {@code member}, an order's {@code member}): any such string
 * holding a brace reference is one. The text is Calcite's standard SQL with each dimension
 * written {@code {model.dimension}} (or {@code {view.column}}), so the same expression is the
 * same string (and the same cache key) whichever endpoint or SQL syntax it came from.
 *
 * <p>What is allowed is a closed list, each item written for every warehouse through
 * {@link io.strata.semantic.dialect.WarehouseDialect}: {@code EXTRACT} (and {@code DATE_PART})
 * of year, quarter, month, week (ISO), day, hour, minute, second, dow (0 = Sunday), isodow
 * (1 = Monday) and doy with PostgreSQL's meanings; {@code DATE_TRUNC} and {@code FLOOR(t TO
 * unit)} at every granularity; {@code CAST} to DATE, TIMESTAMP, VARCHAR, INTEGER, BIGINT and
 * DOUBLE; {@code CASE}; arithmetic; comparisons, AND/OR/NOT, IN lists, BETWEEN, LIKE, IS NULL;
 * {@code ||}, UPPER, LOWER, TRIM, LTRIM, RTRIM, SUBSTRING, REPLACE, LEFT, RIGHT, CHAR_LENGTH;
 * ABS, ROUND, FLOOR, CEIL, SIGN, MOD; COALESCE and NULLIF. Aggregates, measures, window
 * functions and subqueries are refused: an ad-hoc dimension is computed per row, before
 * aggregation.
 */
public final class AdHocExpression {
  private static final SqlParserPos POS = SqlParserPos.ZERO;

  /** What an expression's values are; {@code date} is a day without a time of day. */
  public enum Type {
    STRING, NUMBER, BOOLEAN, TIME, DATE;

    /** The name an output column's type has ({@code string}, {@code number}...). */
    public String lowerName() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Type of(DimensionType t) {
      return switch (t) {
        case STRING -> STRING;
        case NUMBER -> NUMBER;
        case BOOLEAN -> BOOLEAN;
        case TIME -> TIME;
      };
    }
  }

  /** A dimension an identifier of the caller's tree stands for, and how to write it. */
  public record Ref(String path, Member member) {}

  /** Why an expression cannot be an ad-hoc dimension, and where in its tree. */
  public static final class Unsupported extends RuntimeException {
    private final transient SqlParserPos pos;

    Unsupported(String message, SqlNode at) {
      super(message);
      this.pos = at == null ? null : at.getParserPosition();
    }

    /** The position of the offending node in the tree that was checked (may be null). */
    public SqlParserPos pos() {
      return pos;
    }
  }

  private static final Map<String, ScalarFunction> SPELLED = Map.of(
      "SUBSTRING", ScalarFunction.SUBSTRING, "SUBSTR", ScalarFunction.SUBSTRING,
      "CHAR_LENGTH", ScalarFunction.CHAR_LENGTH, "CHARACTER_LENGTH", ScalarFunction.CHAR_LENGTH,
      "LENGTH", ScalarFunction.CHAR_LENGTH, "MOD", ScalarFunction.MOD,
      "TRUNC", ScalarFunction.TRUNC, "TRUNCATE", ScalarFunction.TRUNC);
  private static final Set<String> STRING_FUNCTIONS = Set.of("UPPER", "LOWER", "TRIM", "LTRIM",
      "RTRIM", "REPLACE", "LEFT", "RIGHT");
  private static final Set<String> NUMBER_FUNCTIONS = Set.of("ABS", "ROUND", "FLOOR", "CEIL",
      "CEILING", "SIGN");
  private static final Set<String> AGGREGATES = Set.of("SUM", "COUNT", "MIN", "MAX", "AVG",
      "MEASURE", "AGGREGATE", "APPROX_COUNT_DISTINCT", "STDDEV", "VARIANCE", "ANY_VALUE",
      "STRING_AGG", "ARRAY_AGG", "LISTAGG", "GROUP_CONCAT", "MEDIAN", "PERCENTILE_CONT");
  private static final String SUPPORTED = "EXTRACT, DATE_PART, DATE_TRUNC, FLOOR(t TO unit),"
      + " CAST, CASE, COALESCE, NULLIF, arithmetic, ||, UPPER, LOWER, TRIM, LTRIM, RTRIM,"
      + " SUBSTRING, REPLACE, LEFT, RIGHT, CHAR_LENGTH, ABS, ROUND, FLOOR, CEIL, SIGN, MOD,"
      + " TRUNC, time +/- INTERVAL";
  private static final Map<TimeUnitRange, DatePart> PARTS = new LinkedHashMap<>();

  static {
    PARTS.put(TimeUnitRange.YEAR, DatePart.YEAR);
    PARTS.put(TimeUnitRange.QUARTER, DatePart.QUARTER);
    PARTS.put(TimeUnitRange.MONTH, DatePart.MONTH);
    PARTS.put(TimeUnitRange.WEEK, DatePart.WEEK);
    PARTS.put(TimeUnitRange.DAY, DatePart.DAY);
    PARTS.put(TimeUnitRange.HOUR, DatePart.HOUR);
    PARTS.put(TimeUnitRange.MINUTE, DatePart.MINUTE);
    PARTS.put(TimeUnitRange.SECOND, DatePart.SECOND);
    PARTS.put(TimeUnitRange.DOW, DatePart.DOW);
    PARTS.put(TimeUnitRange.ISODOW, DatePart.ISODOW);
    PARTS.put(TimeUnitRange.DOY, DatePart.DOY);
    PARTS.put(TimeUnitRange.EPOCH, DatePart.EPOCH);
  }

  private final String text;
  private final SqlNode tree;
  private final Map<String, Member> members;
  private final Type type;

  private AdHocExpression(String text, SqlNode tree, Map<String, Member> members, Type type) {
    this.text = text;
    this.tree = tree;
    this.members = members;
    this.type = type;
  }

  /** True when a member name of a semantic query is an ad-hoc dimension's text. */
  public static boolean isExpression(String member) {
    return member != null && member.indexOf('{') >= 0;
  }

  /** The canonical text, as the query holds it. */
  public String text() {
    return text;
  }

  /** The type of the expression's values. */
  public Type type() {
    return type;
  }

  /** The dimensions it reads, in order of first use. */
  public List<Member> members() {
    return List.copyOf(members.values());
  }

  // ============================================================ writing: from a SQL endpoint

  /**
   * The ad-hoc dimension {@code e} is, an expression of a client's SQL in which {@code refs}
   * says which dimension each identifier is (it throws, with its own message, for one that is
   * not a dimension of the query's table). Its {@link #text} is what the semantic query holds.
   *
   * @throws Unsupported naming what is not allowed and its position in {@code e}
   */
  public static AdHocExpression of(SqlNode e, Function<SqlIdentifier, Ref> refs) {
    Map<String, Member> byPath = new LinkedHashMap<>();
    String text = text(e, refs, byPath);
    try {
      return parse(text, byPath::get);
    } catch (SqlExpressions.ParseError | Unsupported p) {
      // the text is written from a tree that passed the same checks: a bug, not bad input
      throw new IllegalStateException("the expression '" + e + "' was written as '" + text
          + "', which does not read back: " + p.getMessage(), p);
    }
  }

  private static String text(SqlNode e, Function<SqlIdentifier, Ref> refs,
      Map<String, Member> members) {
    Map<SqlIdentifier, Ref> seen = new java.util.IdentityHashMap<>();
    new Checker(id -> {
      Ref r = seen.computeIfAbsent(id, refs);
      members.putIfAbsent(r.path(), r.member());
      return r.member();
    }).type(e);
    if (members.isEmpty()) {
      throw new Unsupported("'" + e + "' reads no dimension; an expression in a query on a"
          + " semantic table must use at least one of its dimensions", e);
    }
    SqlNode canonical = e.accept(new SqlShuttle() {
      @Override
      public SqlNode visit(SqlIdentifier id) {
        return new SqlIdentifier("{" + seen.get(id).path() + "}", POS);
      }

      @Override
      public SqlNode visit(SqlCall call) {
        if (call.getKind() == SqlKind.CAST) {
          // '::' and the CAST function alike; the type under its standard name
          SqlNode operand = call.operand(0).accept(this);
          CastType target = castType((SqlDataTypeSpec) call.operand(1));
          return SqlStdOperatorTable.CAST.createCall(POS, operand, new SqlDataTypeSpec(
              new SqlBasicTypeNameSpec(SqlTypeName.valueOf(target.name()), POS), POS));
        }
        return super.visit(call);
      }
    });
    return canonical.toSqlString(c -> c.withDialect(CANONICAL).withQuoteAllIdentifiers(false)
        .withLineLength(0).withIndentation(0)).getSql().replaceAll("\\s+", " ").trim();
  }

  /** Calcite's dialect, but a brace reference is written as it is. */
  private static final SqlDialect CANONICAL = new CalciteSqlDialect(
      CalciteSqlDialect.DEFAULT_CONTEXT) {
    @Override
    public String quoteIdentifier(String val) {
      return val.startsWith("{") ? val : super.quoteIdentifier(val);
    }

    @Override
    public StringBuilder quoteIdentifier(StringBuilder buf, String val) {
      return val.startsWith("{") ? buf.append(val) : super.quoteIdentifier(buf, val);
    }

    @Override
    protected boolean identifierNeedsQuote(String val) {
      return val.startsWith("{") || !Pattern.matches("[A-Za-z_][A-Za-z0-9_]*", val);
    }
  };

  // ============================================================ reading: the compiler

  /**
   * Parses and checks an ad-hoc dimension's text; {@code resolve} finds the member each
   * {@code {reference}} names (throwing, with its own message, for one it does not know).
   *
   * @throws Unsupported what is not allowed, with its position in the text
   * @throws SqlExpressions.ParseError the text does not parse
   */
  public static AdHocExpression parse(String text, Function<String, Member> resolve)
      throws SqlExpressions.ParseError {
    SqlNode tree = SqlExpressions.parseExpression(text);
    Map<String, Member> members = new LinkedHashMap<>();
    Type type = new Checker(id -> {
      if (id.names.size() > 2 || id.isStar()) {
        throw new Unsupported("'" + id + "' is not a dimension reference; write dimensions as"
            + " {model.dimension}", id);
      }
      String path = String.join(".", id.names);
      if (id.names.size() == 1) {
        throw new Unsupported("'" + path + "' is not a dimension reference; write dimensions"
            + " as {model.dimension}", id);
      }
      Member m = resolve.apply(path);
      members.putIfAbsent(path, m);
      return m;
    }).type(tree);
    if (members.isEmpty()) {
      throw new Unsupported("the expression reads no dimension; refer to at least one as"
          + " {model.dimension}", tree);
    }
    return new AdHocExpression(text, tree, members, type);
  }

  /**
   * The members an expression's text names ({@code orders.ordered_at}), for checking that a
   * caller may see them; empty when the text does not parse (the compiler then says why).
   */
  public static List<String> references(String text) {
    SqlNode tree;
    try {
      tree = SqlExpressions.parseExpression(text);
    } catch (SqlExpressions.ParseError e) {
      return List.of();
    }
    List<String> refs = new ArrayList<>();
    tree.accept(new org.apache.calcite.sql.util.SqlBasicVisitor<Void>() {
      @Override
      public Void visit(SqlIdentifier id) {
        String path = String.join(".", id.names);
        if (!refs.contains(path)) {
          refs.add(path);
        }
        return null;
      }

      @Override
      public Void visit(SqlDataTypeSpec type) {
        return null; // a type name is not a reference
      }
    });
    return refs;
  }

  /**
   * The expression in SQL trees the warehouse dialects write: {@code value} gives the SQL of
   * each dimension it reads (time dimensions in the query's zone).
   */
  public SqlNode toSql(Function<Member, SqlNode> value) {
    return tree.accept(new SqlShuttle() {
      @Override
      public SqlNode visit(SqlIdentifier id) {
        return value.apply(members.get(String.join(".", id.names)));
      }

      @Override
      public SqlNode visit(SqlLiteral literal) {
        if (literal instanceof SqlTimestampLiteral t) {
          return StrataOperators.localTimestamp(t.toFormattedString());
        }
        return literal;
      }

      @Override
      public SqlNode visit(SqlCall call) {
        String name = call.getOperator().getName().toUpperCase(Locale.ROOT);
        List<SqlNode> args = new ArrayList<>();
        if (call.getKind() == SqlKind.EXTRACT || name.equals("DATE_PART")) {
          return StrataOperators.extract(datePart(call), call.operand(1).accept(this));
        }
        if (call.getKind() == SqlKind.CAST) {
          return StrataOperators.cast(call.operand(0).accept(this),
              castType((SqlDataTypeSpec) call.operand(1)));
        }
        Shift shift = shift(call);
        if (shift != null) {
          // x + INTERVAL '1' DAY is x minus -1 day
          return StrataOperators.minusInterval(call.operand(0).accept(this), shift.count(),
              shift.unit());
        }
        if (truncation(call)) {
          SqlNode[] unitAndValue = unitAndValue(call);
          return StrataOperators.timeTrunc(granularity(unitAndValue[0]),
              unitAndValue[1].accept(this));
        }
        if (name.equals("||")) {
          flattenConcat(call, args);
          return StrataOperators.concat(args);
        }
        if (call.getKind() == SqlKind.MOD || SPELLED.containsKey(name)) {
          for (SqlNode o : call.getOperandList()) {
            args.add(o.accept(this));
          }
          return StrataOperators.scalar(call.getKind() == SqlKind.MOD ? ScalarFunction.MOD
              : SPELLED.get(name), args);
        }
        if (call.getKind() == SqlKind.TRIM) {
          // TRIM(x) arrives as TRIM(BOTH ' ' FROM x), which not every warehouse accepts
          return StrataOperators.function("TRIM", List.of(call.operand(2).accept(this)));
        }
        if (STRING_FUNCTIONS.contains(name) || NUMBER_FUNCTIONS.contains(name)
            || name.equals("COALESCE") || name.equals("NULLIF")) {
          for (SqlNode o : call.getOperandList()) {
            args.add(o.accept(this));
          }
          return StrataOperators.function(name.equals("CEILING") ? "CEIL" : name, args);
        }
        return super.visit(call);
      }

      private void flattenConcat(SqlCall call, List<SqlNode> into) {
        for (SqlNode o : call.getOperandList()) {
          if (o instanceof SqlCall c && c.getOperator().getName().equals("||")) {
            flattenConcat(c, into);
          } else {
            into.add(o.accept(this));
          }
        }
      }
    });
  }

  // ============================================================ the allowed shapes

  /** Walks a tree, refusing what is not allowed, and says what type of values it has. */
  private static final class Checker {
    private final Function<SqlIdentifier, Member> refs;

    Checker(Function<SqlIdentifier, Member> refs) {
      this.refs = refs;
    }

    /** The node's type, or null for a NULL literal (any type). */
    Type type(SqlNode n) {
      if (n instanceof SqlIdentifier id) {
        if (id.isStar()) {
          throw new Unsupported("* is not allowed in an expression", n);
        }
        Member m = refs.apply(id);
        if (m.kind() != MemberKind.DIMENSION) {
          throw new Unsupported(id + " is a " + m.kind().name().toLowerCase(Locale.ROOT)
              + (m.aggregated() ? ": an expression over dimensions cannot also use a measure"
                  + " (measures are aggregated, the expression is computed per row); compute"
                  + " it in an outer query over this one" : "; only dimensions can be used in"
                  + " an expression"), n);
        }
        return Type.of(m.dimension().type());
      }
      if (n instanceof SqlDynamicParam) {
        throw new Unsupported("a parameter inside an expression over dimensions", n);
      }
      if (n instanceof SqlLiteral l) {
        return literal(l);
      }
      if (n instanceof SqlNodeList list) {
        Type t = null;
        for (SqlNode e : list) {
          Type et = type(e);
          t = t == null ? et : t;
        }
        return t;
      }
      if (!(n instanceof SqlCall call)) {
        throw new Unsupported("'" + n + "' is not allowed in an expression over dimensions", n);
      }
      if (n.getKind() == SqlKind.SELECT || n.getKind() == SqlKind.ORDER_BY
          || n.getKind() == SqlKind.WITH || n.getKind() == SqlKind.UNION
          || n.getKind() == SqlKind.EXISTS || n.getKind() == SqlKind.SCALAR_QUERY
          || SqlKind.QUERY.contains(n.getKind())) {
        throw new Unsupported("a subquery cannot be part of an expression over dimensions in a"
            + " query on one semantic table; join or filter in an outer query", n);
      }
      if (n.getKind() == SqlKind.OVER || n.getKind() == SqlKind.WINDOW
          || n.getKind() == SqlKind.FILTER || n.getKind() == SqlKind.WITHIN_GROUP) {
        throw new Unsupported("window functions cannot be part of a query on one semantic"
            + " table; compute them in an outer query over this one", n);
      }
      String name = call.getOperator().getName().toUpperCase(Locale.ROOT);
      if (call.getOperator().isAggregator() || AGGREGATES.contains(name)) {
        throw new Unsupported(name + "(...) inside an expression: an expression over"
            + " dimensions is computed per row, before aggregation, so it cannot hold an"
            + " aggregate or a measure; select the measure on its own, or compute the"
            + " combination in an outer query over this one", n);
      }
      if (n instanceof SqlCase c) {
        if (c.getValueOperand() != null) {
          type(c.getValueOperand());
        }
        type(c.getWhenOperands());
        Type t = type(c.getThenOperands());
        Type e = c.getElseOperand() == null ? null : type(c.getElseOperand());
        return t != null ? t : e;
      }
      if (call.getKind() == SqlKind.EXTRACT || name.equals("DATE_PART")) {
        datePart(call);
        time(call.operand(1), name);
        return Type.NUMBER;
      }
      if (truncation(call)) {
        SqlNode[] unitAndValue = unitAndValue(call);
        granularity(unitAndValue[0]);
        time(unitAndValue[1], name);
        return Type.TIME;
      }
      if (call.getKind() == SqlKind.CAST) {
        type(call.operand(0));
        return switch (castType((SqlDataTypeSpec) call.operand(1))) {
          case DATE -> Type.DATE;
          case TIMESTAMP -> Type.TIME;
          case VARCHAR -> Type.STRING;
          default -> Type.NUMBER;
        };
      }
      switch (call.getKind()) {
        case PLUS, MINUS, TIMES, DIVIDE, MOD, MINUS_PREFIX, PLUS_PREFIX -> {
          if (shift(call) != null) {
            time(call.operand(0), call.getOperator().getName());
            return Type.TIME;
          }
          for (SqlNode o : call.getOperandList()) {
            Type t = type(o);
            if (t == Type.TIME || t == Type.DATE) {
              throw new Unsupported("arithmetic on time values is not supported in an"
                  + " expression over dimensions; use DATE_TRUNC or EXTRACT", o);
            }
          }
          return Type.NUMBER;
        }
        case EQUALS, NOT_EQUALS, LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN,
            GREATER_THAN_OR_EQUAL, AND, OR, NOT, IS_NULL, IS_NOT_NULL, IS_TRUE, IS_FALSE,
            IS_NOT_TRUE, IS_NOT_FALSE, BETWEEN, LIKE, IN, NOT_IN -> {
          if (call.getKind() == SqlKind.LIKE && call.operandCount() > 2) {
            throw new Unsupported("LIKE ... ESCAPE is not supported in an expression", n);
          }
          for (SqlNode o : call.getOperandList()) {
            if (o != null && !(o instanceof SqlLiteral l && l.getValue() instanceof Enum)) {
              type(o);
            }
          }
          return Type.BOOLEAN;
        }
        case TRIM -> {
          SqlNode chars = call.operand(1);
          if (!(call.operand(0) instanceof SqlLiteral flag)
              || !"BOTH".equals(String.valueOf(flag.getValue()))
              || !(chars instanceof SqlCharStringLiteral s)
              || !" ".equals(s.getValueAs(String.class))) {
            throw new Unsupported("TRIM takes one string here: TRIM(x)", n);
          }
          type(call.operand(2));
          return Type.STRING;
        }
        default -> { }
      }
      if (name.equals("||")) {
        call.getOperandList().forEach(this::type);
        return Type.STRING;
      }
      if (name.equals("CONCAT")) {
        throw new Unsupported("CONCAT differs between warehouses on NULL; use a || b", n);
      }
      if (STRING_FUNCTIONS.contains(name) || NUMBER_FUNCTIONS.contains(name)
          || SPELLED.containsKey(name)) {
        if (call.getFunctionQuantifier() != null) {
          throw new Unsupported(name + " takes no DISTINCT or ALL", n);
        }
        call.getOperandList().forEach(this::type);
        return STRING_FUNCTIONS.contains(name) || name.startsWith("SUBSTR") ? Type.STRING
            : Type.NUMBER;
      }
      if (name.equals("COALESCE") || name.equals("NULLIF")) {
        Type t = null;
        for (SqlNode o : call.getOperandList()) {
          Type ot = type(o);
          t = t == null ? ot : t;
        }
        return t;
      }
      throw new Unsupported(name + " is not supported in an expression over dimensions;"
          + " supported are " + SUPPORTED, n);
    }

    private Type literal(SqlLiteral l) {
      if (l.getValue() == null) {
        return null;
      }
      if (l instanceof SqlNumericLiteral) {
        return Type.NUMBER;
      }
      if (l instanceof SqlCharStringLiteral s) {
        if (Pattern.compile("\\{[A-Za-z_]").matcher(s.getValueAs(String.class)).find()) {
          throw new Unsupported("a string holding '{' followed by a name cannot be part of an"
              + " expression over dimensions (it would read as a reference)", l);
        }
        return Type.STRING;
      }
      if (l instanceof SqlDateLiteral) {
        return Type.DATE;
      }
      if (l instanceof SqlTimestampLiteral) {
        return Type.TIME;
      }
      if (l.getValue() instanceof Boolean) {
        return Type.BOOLEAN;
      }
      throw new Unsupported("the literal " + l + " is not supported in an expression over"
          + " dimensions", l);
    }

    private void time(SqlNode operand, String fn) {
      Type t = type(operand);
      if (t != Type.TIME && t != Type.DATE && t != null) {
        throw new Unsupported(fn + " applies to time values, and '" + operand + "' is a "
            + t.lowerName(), operand);
      }
    }
  }

  // ============================================================ shared helpers

  /** A time value moved back by {@code count} of one unit ({@code count} < 0: forward). */
  private record Shift(int count, Granularity unit) {}

  /**
   * {@code t + INTERVAL '1' DAY} or {@code t - INTERVAL '2' MONTH} (Metabase's weeks starting
   * on Sunday: {@code date_trunc('week', t + INTERVAL '1 day') + INTERVAL '-1 day'}), else
   * null.
   */
  private static Shift shift(SqlCall call) {
    if ((call.getKind() != SqlKind.PLUS && call.getKind() != SqlKind.MINUS)
        || call.operandCount() != 2
        || !(call.operand(1) instanceof SqlIntervalLiteral interval)) {
      return null;
    }
    SqlIntervalLiteral.IntervalValue v =
        (SqlIntervalLiteral.IntervalValue) interval.getValue();
    TimeUnitRange range = v.getIntervalQualifier().timeUnitRange;
    Granularity unit = range.endUnit != null ? null : Granularity.parse(range.startUnit.name());
    int count;
    try {
      count = v.getSign() * Integer.parseInt(v.getIntervalLiteral().trim());
    } catch (NumberFormatException e) {
      unit = null;
      count = 0;
    }
    if (unit == null) {
      throw new Unsupported("the interval " + interval + " is not supported in an expression"
          + " over dimensions; add or subtract a whole number of one unit: INTERVAL '1' DAY",
          interval);
    }
    return new Shift(call.getKind() == SqlKind.MINUS ? count : -count, unit);
  }

  private static boolean truncation(SqlCall call) {
    String name = call.getOperator().getName().toUpperCase(Locale.ROOT);
    return name.equals("DATE_TRUNC")
        || (call.getKind() == SqlKind.FLOOR && call.operandCount() == 2);
  }

  /** A truncation's unit and value: DATE_TRUNC('month', t), DATE_TRUNC(t, MONTH), FLOOR(t TO MONTH). */
  private static SqlNode[] unitAndValue(SqlCall call) {
    if (call.operandCount() != 2) {
      throw new Unsupported("DATE_TRUNC takes a unit and a time value: DATE_TRUNC('month', t)",
          call);
    }
    if (call.getKind() == SqlKind.FLOOR || call.operand(1) instanceof SqlIntervalQualifier) {
      return new SqlNode[] {call.operand(1), call.operand(0)};
    }
    return new SqlNode[] {call.operand(0), call.operand(1)};
  }

  private static Granularity granularity(SqlNode unit) {
    String name = unit instanceof SqlIntervalQualifier q ? q.timeUnitRange.name()
        : unit instanceof SqlCharStringLiteral s ? s.getValueAs(String.class)
        : unit instanceof SqlIdentifier id && id.isSimple() ? id.getSimple() : null;
    Granularity g = Granularity.parse(name);
    if (g == null) {
      throw new Unsupported("unknown time unit " + unit + " for DATE_TRUNC; use one of second,"
          + " minute, hour, day, week, month, quarter, year", unit);
    }
    return g;
  }

  private static DatePart datePart(SqlCall call) {
    SqlNode unit = call.operand(0);
    DatePart p = null;
    if (unit instanceof SqlIntervalQualifier q) {
      p = PARTS.get(q.timeUnitRange);
    } else if (unit instanceof SqlCharStringLiteral s) {
      String name = s.getValueAs(String.class).trim().toUpperCase(Locale.ROOT);
      for (DatePart d : DatePart.values()) {
        if (d.name().equals(name)) {
          p = d;
        }
      }
    }
    if (p == null || call.operandCount() != 2) {
      throw new Unsupported("EXTRACT of " + unit + " is not supported; use one of year,"
          + " quarter, month, week, day, hour, minute, second, dow, isodow, doy, epoch", unit);
    }
    return p;
  }

  private static CastType castType(SqlDataTypeSpec spec) {
    String name = spec.getTypeNameSpec().getTypeName().getSimple().toUpperCase(Locale.ROOT);
    return switch (name) {
      case "DATE" -> CastType.DATE;
      case "TIMESTAMP", "DATETIME" -> CastType.TIMESTAMP;
      case "VARCHAR", "CHAR", "TEXT", "STRING", "CHARACTER" -> CastType.VARCHAR;
      case "INTEGER", "INT", "SMALLINT", "TINYINT", "INT4", "INT2" -> CastType.INTEGER;
      case "BIGINT", "INT8", "INT64" -> CastType.BIGINT;
      case "DOUBLE", "FLOAT", "REAL", "FLOAT8", "FLOAT64" -> CastType.DOUBLE;
      default -> throw new Unsupported("CAST to " + name + " is not supported in an expression"
          + " over dimensions; cast to DATE, TIMESTAMP, VARCHAR, INTEGER, BIGINT or DOUBLE",
          spec);
    };
  }

  @Override
  public String toString() {
    return text;
  }
}
