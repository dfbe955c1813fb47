package io.strata.semantic.dialect;

import io.strata.semantic.model.Granularity;
import static io.strata.semantic.dialect.WarehouseDialect.text;

import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.dialect.BigQuerySqlDialect;
import org.apache.calcite.sql.dialect.DuckDBSqlDialect;
import org.apache.calcite.sql.dialect.MysqlSqlDialect;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.apache.calcite.sql.dialect.RedshiftSqlDialect;
import org.apache.calcite.sql.dialect.SnowflakeSqlDialect;

/**
 * Strata's six warehouse dialects: each extends Calcite's dialect for that warehouse and adds
 * the {@link WarehouseDialect} quirks. Identifiers are quoted only when needed.
 */
public final class StrataSqlDialect {
  private StrataSqlDialect() {}

  static WarehouseDialect of(Dialect d) {
    return switch (d) {
      case POSTGRES -> new Postgres();
      case DUCKDB -> new DuckDb();
      case MYSQL -> new MySql();
      case BIGQUERY -> new BigQuery();
      case SNOWFLAKE -> new Snowflake();
      case REDSHIFT -> new Redshift();
    };
  }

  /** PostgreSQL: DATE_TRUNC, AT TIME ZONE, no approximate distinct count without extensions. */
  static final class Postgres extends PostgresqlSqlDialect implements WarehouseDialect {
    Postgres() {
      super(PostgresqlSqlDialect.DEFAULT_CONTEXT);
    }

    @Override public Dialect kind() { return Dialect.POSTGRES; }
    @Override public boolean unionNeedsTypedNulls() { return true; }
    @Override public boolean foldsToLower() { return true; }
    @Override protected boolean identifierNeedsQuote(String val) { return needsQuote(val); }

    /** LIMIT n OFFSET m reads better than the standard OFFSET/FETCH, and both accept it. */
    @Override
    public void unparseOffsetFetch(SqlWriter writer, SqlNode offset, SqlNode fetch) {
      unparseFetchUsingLimit(writer, offset, fetch);
    }

    @Override
    public void unparseApproxCountDistinct(SqlWriter w, SqlNode x) {
      WarehouseDialect.exactCountDistinct(w, x);
    }
  }

  /** DuckDB: Postgres-like; time zones through ICU (bundled with the JDBC driver). */
  static final class DuckDb extends DuckDBSqlDialect implements WarehouseDialect {
    DuckDb() {
      super(DuckDBSqlDialect.DEFAULT_CONTEXT);
    }

    @Override public Dialect kind() { return Dialect.DUCKDB; }

    @Override
    public String castTypeName(CastType type) {
      return type.name();
    }
    @Override protected boolean identifierNeedsQuote(String val) { return needsQuote(val); }

    /** LIMIT n OFFSET m reads better than the standard OFFSET/FETCH, and both accept it. */
    @Override
    public void unparseOffsetFetch(SqlWriter writer, SqlNode offset, SqlNode fetch) {
      unparseFetchUsingLimit(writer, offset, fetch);
    }
  }

  /** Snowflake and Redshift share CONVERT_TIMEZONE and DATEADD. */
  interface ConvertTimezoneFamily extends WarehouseDialect {
    @Override
    default void unparseToLocalTime(SqlWriter w, SqlNode x, String zone) {
      text(w, "CONVERT_TIMEZONE('UTC', " + quote(zone) + ", ");
      x.unparse(w, 0, 0);
      text(w, ")");
    }

    @Override
    default void unparseMinusInterval(SqlWriter w, SqlNode x, int n, Granularity unit) {
      text(w, "DATEADD(" + unit.name() + ", " + (-n) + ", "); // n < 0 adds
      x.unparse(w, 0, 0);
      text(w, ")");
    }
  }

  /** Redshift: Postgres-like, CONVERT_TIMEZONE, APPROXIMATE COUNT(DISTINCT ...). */
  static final class Redshift extends RedshiftSqlDialect implements ConvertTimezoneFamily {
    /** A backslash escapes in this warehouse's string literals: doubled, it stands for itself. */
    @Override
    public void quoteStringLiteral(StringBuilder buf, String charsetName, String val) {
      super.quoteStringLiteral(buf, charsetName, WarehouseDialect.escapeBackslashes(val));
    }

    Redshift() {
      super(RedshiftSqlDialect.DEFAULT_CONTEXT);
    }

    @Override public Dialect kind() { return Dialect.REDSHIFT; }
    @Override public boolean unionNeedsTypedNulls() { return true; }

    /** Redshift has no ISODOW: Monday 1 to Sunday 7 from DOW (Sunday 0). */
    @Override
    public void unparseExtract(SqlWriter w, DatePart part, SqlNode x) {
      if (part != DatePart.ISODOW) {
        ConvertTimezoneFamily.super.unparseExtract(w, part, x);
        return;
      }
      text(w, "(MOD(CAST(EXTRACT(DOW FROM ");
      x.unparse(w, 0, 0);
      text(w, ") AS INTEGER) + 6, 7) + 1)");
    }

    @Override public boolean foldsToLower() { return true; }
    @Override protected boolean identifierNeedsQuote(String val) { return needsQuote(val); }

    @Override
    public void unparseApproxCountDistinct(SqlWriter w, SqlNode x) {
      text(w, "APPROXIMATE COUNT(DISTINCT ");
      x.unparse(w, 0, 0);
      text(w, ")");
    }
  }

  /** Snowflake: unquoted names fold to upper case, so lower-case names stay unquoted. */
  static final class Snowflake extends SnowflakeSqlDialect implements ConvertTimezoneFamily {
    /** A backslash escapes in this warehouse's string literals: doubled, it stands for itself. */
    @Override
    public void quoteStringLiteral(StringBuilder buf, String charsetName, String val) {
      super.quoteStringLiteral(buf, charsetName, WarehouseDialect.escapeBackslashes(val));
    }

    Snowflake() {
      super(SnowflakeSqlDialect.DEFAULT_CONTEXT);
    }

    @Override public Dialect kind() { return Dialect.SNOWFLAKE; }

    /** The ISO functions, so the session's WEEK_START setting cannot change the answer. */
    @Override
    public void unparseExtract(SqlWriter w, DatePart part, SqlNode x) {
      String fn = switch (part) {
        case WEEK -> "WEEKISO(";
        case DOW -> "MOD(DAYOFWEEKISO(";
        case ISODOW -> "DAYOFWEEKISO(";
        case DOY -> "DAYOFYEAR(";
        case EPOCH -> "DATE_PART(EPOCH_SECOND, ";
        default -> null;
      };
      if (fn == null) {
        ConvertTimezoneFamily.super.unparseExtract(w, part, x);
        return;
      }
      text(w, fn);
      x.unparse(w, 0, 0);
      text(w, part == DatePart.DOW ? "), 7)" : ")");
    }

    @Override
    public String castTypeName(CastType type) {
      return type.name();
    }

    @Override
    public void unparseScalar(SqlWriter w, ScalarFunction f, java.util.List<SqlNode> args) {
      WarehouseDialect.call(w, f == ScalarFunction.CHAR_LENGTH ? "LENGTH" : f.name(), args);
    }

    @Override protected boolean identifierNeedsQuote(String val) { return needsQuote(val); }
  }

  /**
   * BigQuery: time dimensions are TIMESTAMP columns (UTC); truncation happens on the DATETIME
   * in the query's zone. LIKE escapes with a backslash.
   */
  static final class BigQuery extends BigQuerySqlDialect implements WarehouseDialect {
    /** A backslash escapes in this warehouse's string literals: doubled, it stands for itself. */
    @Override
    public void quoteStringLiteral(StringBuilder buf, String charsetName, String val) {
      super.quoteStringLiteral(buf, charsetName, WarehouseDialect.escapeBackslashes(val));
    }

    BigQuery() {
      super(BigQuerySqlDialect.DEFAULT_CONTEXT);
    }

    @Override public Dialect kind() { return Dialect.BIGQUERY; }

    /** BigQuery's DAYOFWEEK runs from 1 (Sunday) to 7; ISOWEEK is the ISO week. */
    @Override
    public void unparseExtract(SqlWriter w, DatePart part, SqlNode x) {
      String[] around = switch (part) {
        case WEEK -> new String[] {"EXTRACT(ISOWEEK FROM ", ")"};
        case DOW -> new String[] {"(EXTRACT(DAYOFWEEK FROM ", ") - 1)"};
        case ISODOW -> new String[] {"(MOD(EXTRACT(DAYOFWEEK FROM ", ") + 5, 7) + 1)"};
        case DOY -> new String[] {"EXTRACT(DAYOFYEAR FROM ", ")"};
        case EPOCH -> new String[] {"UNIX_SECONDS(TIMESTAMP(", "))"};
        default -> new String[] {"EXTRACT(" + part.name() + " FROM ", ")"};
      };
      text(w, around[0]);
      x.unparse(w, 0, 0);
      text(w, around[1]);
    }

    /** Time values are DATETIMEs in the query's zone here, so TIMESTAMP casts to DATETIME. */
    @Override
    public String castTypeName(CastType type) {
      return switch (type) {
        case VARCHAR -> "STRING";
        case INTEGER, BIGINT -> "INT64";
        case DOUBLE -> "FLOAT64";
        case TIMESTAMP -> "DATETIME";
        default -> type.name();
      };
    }

    @Override
    public void unparseScalar(SqlWriter w, ScalarFunction f, java.util.List<SqlNode> args) {
      WarehouseDialect.call(w, f == ScalarFunction.SUBSTRING ? "SUBSTR" : f.name(), args);
    }
    @Override public boolean truncatesLocalTimeOnly() { return true; }

    /** Local time is a DATETIME here, which BigQuery does not compare with a TIMESTAMP. */
    @Override
    public void unparseLocalTimestampLiteral(SqlWriter w, String value) {
      text(w, "DATETIME '" + value + "'");
    }

    @Override
    public void unparseMinusInterval(SqlWriter w, SqlNode x, int n, Granularity unit) {
      text(w, "DATETIME_SUB(");
      x.unparse(w, 0, 0);
      text(w, ", INTERVAL " + n + " " + unit.name() + ")");
    }
    @Override protected boolean identifierNeedsQuote(String val) { return needsQuote(val); }

    @Override
    public void unparseTimeTrunc(SqlWriter w, Granularity g, SqlNode x) {
      text(w, "DATETIME_TRUNC(");
      x.unparse(w, 0, 0);
      text(w, ", " + (g == Granularity.WEEK ? "ISOWEEK" : g.name()) + ")");
    }

    @Override
    public void unparseToLocalTime(SqlWriter w, SqlNode x, String zone) {
      text(w, "DATETIME(");
      x.unparse(w, 0, 0);
      text(w, ", " + quote(zone) + ")");
    }

    /** BigQuery's LIKE has no ESCAPE clause: a backslash (doubled in the literal) escapes. */
    @Override
    public void unparseLikeIgnoreCase(SqlWriter w, SqlNode x, boolean anyBefore, String value,
        boolean anyAfter, boolean negated) {
      String v = value.toLowerCase(java.util.Locale.ROOT).replace("\\", "\\\\")
          .replace("%", "\\%").replace("_", "\\_");
      text(w, "LOWER(");
      x.unparse(w, 0, 0);
      text(w, ")" + (negated ? " NOT LIKE " : " LIKE ")
          + quote((anyBefore ? "%" : "") + v + (anyAfter ? "%" : "")));
    }
  }

  /**
   * MySQL and MariaDB: no DATE_TRUNC, so periods are rebuilt from their parts; CONVERT_TZ
   * needs the server's time zone tables for named zones; no approximate distinct count.
   */
  static final class MySql extends MysqlSqlDialect implements WarehouseDialect {
    /** A backslash escapes in this warehouse's string literals: doubled, it stands for itself. */
    @Override
    public void quoteStringLiteral(StringBuilder buf, String charsetName, String val) {
      super.quoteStringLiteral(buf, charsetName, WarehouseDialect.escapeBackslashes(val));
    }

    MySql() {
      super(MysqlSqlDialect.DEFAULT_CONTEXT);
    }

    @Override public Dialect kind() { return Dialect.MYSQL; }

    /** MySQL has no TRUNC: TRUNCATE(x, 0). */
    @Override
    public void unparseScalar(SqlWriter w, ScalarFunction f, java.util.List<SqlNode> args) {
      if (f == ScalarFunction.TRUNC && args.size() == 1) {
        text(w, "TRUNCATE(");
        args.get(0).unparse(w, 0, 0);
        text(w, ", 0)");
        return;
      }
      WarehouseDialect.super.unparseScalar(w, f, args);
    }

    /** MySQL's EXTRACT has no DOW, ISODOW or DOY, and its WEEK starts on Sunday. */
    @Override
    public void unparseExtract(SqlWriter w, DatePart part, SqlNode x) {
      String[] around = switch (part) {
        case WEEK -> new String[] {"WEEK(", ", 3)"};
        case DOW -> new String[] {"(DAYOFWEEK(", ") - 1)"};
        case ISODOW -> new String[] {"(WEEKDAY(", ") + 1)"};
        case DOY -> new String[] {"DAYOFYEAR(", ")"};
        case EPOCH -> new String[] {"TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', ", ")"};
        default -> new String[] {"EXTRACT(" + part.name() + " FROM ", ")"};
      };
      text(w, around[0]);
      x.unparse(w, 0, 0);
      text(w, around[1]);
    }

    /** A CAST written in a model's SQL to an integer type: MySQL casts to SIGNED only. */
    @Override
    public void unparseCall(SqlWriter writer, org.apache.calcite.sql.SqlCall call, int leftPrec,
        int rightPrec) {
      if (call.getKind() == org.apache.calcite.sql.SqlKind.CAST && call.operandCount() == 2
          && call.operand(1) instanceof org.apache.calcite.sql.SqlDataTypeSpec spec
          && java.util.Set.of("BIGINT", "INTEGER", "INT").contains(
              spec.getTypeName().getSimple().toUpperCase(java.util.Locale.ROOT))) {
        unparseCast(writer, call.operand(0), CastType.BIGINT);
        return;
      }
      super.unparseCall(writer, call, leftPrec, rightPrec);
    }

    @Override
    public String castTypeName(CastType type) {
      return switch (type) {
        case VARCHAR -> "CHAR";
        case INTEGER, BIGINT -> "SIGNED";
        case TIMESTAMP -> "DATETIME";
        default -> type.name();
      };
    }

    /** {@code ||} is OR in MySQL's default mode; CONCAT is NULL when a part is, like {@code ||}. */
    @Override
    public void unparseConcat(SqlWriter w, java.util.List<SqlNode> parts) {
      WarehouseDialect.call(w, "CONCAT", parts);
    }

    @Override
    public void unparseMinusInterval(SqlWriter w, SqlNode x, int n, Granularity unit) {
      text(w, "(");
      x.unparse(w, 0, 0);
      text(w, " - INTERVAL " + n + " " + unit.name() + ")");
    }
    @Override protected boolean identifierNeedsQuote(String val) { return needsQuote(val); }

    @Override
    public void unparseTimeTrunc(SqlWriter w, Granularity g, SqlNode x) {
      switch (g) {
        case SECOND -> format(w, x, "%Y-%m-%d %H:%i:%s");
        case MINUTE -> format(w, x, "%Y-%m-%d %H:%i:00");
        case HOUR -> format(w, x, "%Y-%m-%d %H:00:00");
        case DAY -> format(w, x, "%Y-%m-%d 00:00:00");
        case MONTH -> format(w, x, "%Y-%m-01 00:00:00");
        case YEAR -> format(w, x, "%Y-01-01 00:00:00");
        case WEEK -> {
          text(w, "TIMESTAMP(DATE_SUB(DATE(");
          x.unparse(w, 0, 0);
          text(w, "), INTERVAL WEEKDAY(");
          x.unparse(w, 0, 0);
          text(w, ") DAY))");
        }
        case QUARTER -> {
          text(w, "TIMESTAMP(MAKEDATE(YEAR(");
          x.unparse(w, 0, 0);
          text(w, "), 1) + INTERVAL (QUARTER(");
          x.unparse(w, 0, 0);
          text(w, ") - 1) QUARTER)");
        }
      }
    }

    private void format(SqlWriter w, SqlNode x, String pattern) {
      text(w, "TIMESTAMP(DATE_FORMAT(");
      x.unparse(w, 0, 0);
      text(w, ", '" + pattern + "'))");
    }

    @Override
    public void unparseToLocalTime(SqlWriter w, SqlNode x, String zone) {
      text(w, "CONVERT_TZ(");
      x.unparse(w, 0, 0);
      text(w, ", '+00:00', " + quote(zone) + ")");
    }

    @Override
    public void unparseApproxCountDistinct(SqlWriter w, SqlNode x) {
      WarehouseDialect.exactCountDistinct(w, x);
    }

  }
}
