package io.strata.semantic.dialect;

import io.strata.semantic.model.Granularity;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlAbstractParserImpl;
import org.apache.calcite.sql.parser.SqlParser;

/**
 * What Strata needs from a warehouse's SQL beyond Calcite's {@link SqlDialect}: the one place
 * that knows each warehouse's quirks. Each method has a portable default; a warehouse overrides
 * only what it does differently (as Trino's SPI does with capabilities).
 *
 * <p>Contract: implementations are stateless and thread-safe. Methods are called by
 * {@link StrataOperators} while a compiled query is unparsed; they write to the given
 * {@link SqlWriter} and unparse operand nodes through it, never through strings.
 *
 * <p>Time values: a time dimension is a timestamp without time zone that holds UTC. Query time
 * zones shift it to local time with {@link #unparseToLocalTime}; date-range bounds are converted
 * to UTC by the compiler, so filters compare the raw column against UTC literals.
 */
public interface WarehouseDialect {
  Pattern SIMPLE_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  Set<String> EXTRA_RESERVED = Set.of("ORDER", "GROUP", "USER", "VALUE", "YEAR", "MONTH", "DAY",
      "HOUR", "MINUTE", "SECOND", "DATE", "TIME", "TIMESTAMP", "KEY", "RANK", "ROWS", "WINDOW");

  Dialect kind();

  /**
   * Writes a piece of SQL text with tidy spacing: no space before a closing parenthesis or a
   * comma, none after an opening parenthesis.
   */
  static void text(SqlWriter w, String s) {
    if (s.startsWith(")") || s.startsWith(",") || s.startsWith(" ")) {
      w.setNeedWhitespace(false);
    }
    w.print(s);
    w.setNeedWhitespace(!s.endsWith("(") && !s.endsWith(" "));
  }

  /**
   * {@code value} with each backslash doubled, for warehouses whose string literals treat a
   * backslash as an escape (MySQL and MariaDB unless NO_BACKSLASH_ESCAPES, BigQuery, Snowflake,
   * Redshift): without it a value ending in a backslash would end the literal early.
   */
  static String escapeBackslashes(String value) {
    return value.indexOf('\\') < 0 ? value : value.replace("\\", "\\\\");
  }

  /** The Calcite dialect that unparses everything else: implementations are one. */
  default SqlDialect calcite() {
    return (SqlDialect) this;
  }

  /** {@code DATE_TRUNC('month', x)}: the start of the period that contains {@code x}. */
  default void unparseTimeTrunc(SqlWriter w, Granularity g, SqlNode x) {
    text(w, "DATE_TRUNC('" + g.lowerName() + "', ");
    x.unparse(w, 0, 0);
    text(w, ")");
  }

  /** The UTC timestamp {@code x} as local time in {@code zone} (an IANA zone id). */
  default void unparseToLocalTime(SqlWriter w, SqlNode x, String zone) {
    text(w, "((");
    x.unparse(w, 0, 0);
    text(w, ") AT TIME ZONE 'UTC' AT TIME ZONE " + quote(zone) + ")");
  }

  /**
   * {@code x} minus {@code n} units of {@code unit} (day, week, month, quarter or year), where
   * {@code x} is a truncated local time. Standard SQL: {@code x - INTERVAL '3' MONTH}, with weeks
   * as days and quarters as months (the standard has neither unit).
   */
  default void unparseMinusInterval(SqlWriter w, SqlNode x, int n, Granularity unit) {
    int count = unit == Granularity.WEEK ? 7 * n : unit == Granularity.QUARTER ? 3 * n : n;
    Granularity u = unit == Granularity.WEEK ? Granularity.DAY
        : unit == Granularity.QUARTER ? Granularity.MONTH : unit;
    text(w, "(");
    x.unparse(w, 0, 0);
    text(w, " - INTERVAL '" + count + "' " + u.name() + ")");
  }

  /**
   * True when time values must always pass through {@link #unparseToLocalTime} before they are
   * truncated, even in UTC (BigQuery truncates DATETIMEs, and stores TIMESTAMPs).
   */
  default boolean truncatesLocalTimeOnly() {
    return false;
  }

  /**
   * True when a NULL stacked under a UNION ALL must carry its column's type: Postgres (and
   * Redshift) resolve union columns pair by pair, so two untyped NULLs become text and then clash
   * with the numbers of a third branch ("UNION types text and bigint cannot be matched").
   */
  default boolean unionNeedsTypedNulls() {
    return false;
  }

  /** An exact distinct count, for warehouses without an approximate one. */
  static void exactCountDistinct(SqlWriter w, SqlNode x) {
    text(w, "COUNT(DISTINCT ");
    x.unparse(w, 0, 0);
    text(w, ")");
  }

  /** An approximate distinct count; exact where the warehouse has no approximation. */
  default void unparseApproxCountDistinct(SqlWriter w, SqlNode x) {
    text(w, "APPROX_COUNT_DISTINCT(");
    x.unparse(w, 0, 0);
    text(w, ")");
  }

  /** A timestamp literal, {@code value} as {@code yyyy-MM-dd HH:mm:ss}. */
  default void unparseTimestampLiteral(SqlWriter w, String value) {
    text(w, "TIMESTAMP '" + value + "'");
  }

  /**
   * A literal of local time (a value computed in the query's zone, as ad-hoc dimensions are),
   * {@code value} as {@code yyyy-MM-dd HH:mm:ss}; a timestamp literal where local and stored
   * time values have one type.
   */
  default void unparseLocalTimestampLiteral(SqlWriter w, String value) {
    unparseTimestampLiteral(w, value);
  }

  /**
   * A case-insensitive match of {@code x} against {@code value} with wildcards around it:
   * {@code contains} is {@code %value%}, {@code startsWith} {@code value%}. Wildcards inside the
   * value are escaped, with an {@code ESCAPE '!'} clause only when there are any.
   */
  default void unparseLikeIgnoreCase(SqlWriter w, SqlNode x, boolean anyBefore, String value,
      boolean anyAfter, boolean negated) {
    String v = value.toLowerCase(Locale.ROOT);
    // a backslash too: LIKE's default escape in PostgreSQL, DuckDB and MySQL, overridden by ESCAPE
    boolean special = v.indexOf('%') >= 0 || v.indexOf('_') >= 0 || v.indexOf('!') >= 0
        || v.indexOf('\\') >= 0;
    if (special) {
      v = v.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }
    text(w, "LOWER(");
    x.unparse(w, 0, 0);
    text(w, ")" + (negated ? " NOT LIKE " : " LIKE ")
        + quote((anyBefore ? "%" : "") + v + (anyAfter ? "%" : "")));
    if (special) {
      text(w, " ESCAPE '!'");
    }
  }

  /**
   * A part of a time value, as an ad-hoc dimension's {@code EXTRACT} asks for it, with
   * PostgreSQL's meaning on every warehouse: {@code week} is the ISO week, {@code dow} 0 (Sunday)
   * to 6, {@code isodow} 1 (Monday) to 7, {@code doy} the day of the year. The standard form
   * suits the units every warehouse shares.
   */
  default void unparseExtract(SqlWriter w, DatePart part, SqlNode x) {
    text(w, "EXTRACT(" + part.name() + " FROM ");
    x.unparse(w, 0, 0);
    text(w, ")");
  }

  /** {@code CAST(x AS type)} with the type named as this warehouse names it. */
  default void unparseCast(SqlWriter w, SqlNode x, CastType type) {
    text(w, "CAST(");
    x.unparse(w, 0, 0);
    text(w, " AS " + castTypeName(type) + ")");
  }

  /** The name of a cast's target type here; the standard names by default. */
  default String castTypeName(CastType type) {
    return switch (type) {
      case DOUBLE -> "DOUBLE PRECISION";
      default -> type.name();
    };
  }

  /** String concatenation; NULL when any part is NULL, as the standard {@code ||} is. */
  default void unparseConcat(SqlWriter w, java.util.List<SqlNode> parts) {
    text(w, "(");
    for (int i = 0; i < parts.size(); i++) {
      if (i > 0) {
        text(w, " || ");
      }
      parts.get(i).unparse(w, 0, 0);
    }
    text(w, ")");
  }

  /**
   * A scalar function of an ad-hoc dimension whose spelling differs between warehouses (its
   * arguments as the standard gives them): {@code SUBSTRING(s, from, count)},
   * {@code CHAR_LENGTH(s)}, {@code MOD(a, b)}.
   */
  default void unparseScalar(SqlWriter w, ScalarFunction f, java.util.List<SqlNode> args) {
    call(w, f.name(), args);
  }

  /** Writes {@code name(a, b, ...)}. */
  static void call(SqlWriter w, String name, java.util.List<SqlNode> args) {
    text(w, name + "(");
    for (int i = 0; i < args.size(); i++) {
      if (i > 0) {
        text(w, ", ");
      }
      args.get(i).unparse(w, 0, 0);
    }
    text(w, ")");
  }

  /** Parts of a time value {@link #unparseExtract} writes. */
  enum DatePart { YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, DOW, ISODOW, DOY,
    /** Seconds since 1970-01-01 00:00:00 of the (local) time value. */
    EPOCH }

  /** Types an ad-hoc dimension may cast to. */
  enum CastType { DATE, TIMESTAMP, VARCHAR, INTEGER, BIGINT, DOUBLE }

  /** Scalar functions spelled differently by some warehouses. */
  enum ScalarFunction { SUBSTRING, CHAR_LENGTH, MOD,
    /** Truncation of a number towards zero: {@code TRUNC(x)}. */
    TRUNC }

  /** Quotes a string literal for this warehouse. */
  default String quote(String value) {
    return calcite().quoteStringLiteral(value);
  }

  /** How unquoted identifiers are folded: lower (Postgres), upper (Snowflake), or kept. */
  default boolean foldsToLower() {
    return false;
  }

  /**
   * True when an identifier must be quoted: it is not a plain word, is a reserved word, or (on
   * warehouses that fold unquoted names to lower case) contains capitals. Quoting only when
   * needed keeps Snowflake's upper-case folding working for lower-case model names.
   */
  default boolean needsQuote(String identifier) {
    if (!SIMPLE_IDENTIFIER.matcher(identifier).matches()) {
      return true;
    }
    String upper = identifier.toUpperCase(Locale.ROOT);
    if (Reserved.METADATA.isReservedWord(upper) || EXTRA_RESERVED.contains(upper)) {
      return true;
    }
    return foldsToLower() && !identifier.equals(identifier.toLowerCase(Locale.ROOT));
  }

  /** Holder for the parser's reserved-word list. */
  final class Reserved {
    static final SqlAbstractParserImpl.Metadata METADATA =
        SqlParser.create("").getMetadata();

    private Reserved() {}
  }
}
