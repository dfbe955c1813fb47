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
      text(w, "DATEADD(" + unit.name() + ", -" + n + ", ");
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
    @Override public boolean truncatesLocalTimeOnly() { return true; }

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
