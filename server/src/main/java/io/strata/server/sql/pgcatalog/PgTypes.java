package io.strata.server.sql.pgcatalog;

import io.strata.server.sql.SqlColumn;
import java.sql.Types;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one table of Postgres types Strata uses: what {@code pg_type} shows and what the wire
 * endpoint ({@code server.pgwire.PgValues}) announces and encodes. OIDs are Postgres's own
 * (clients keep tables of them: pgjdbc, psycopg2 and npgsql decode a column by its type OID),
 * lengths are {@code typlen}, modifiers {@code atttypmod} as Postgres computes them, and
 * {@code format_type} spells them as Postgres does, which is what SQLAlchemy and psql parse.
 */
public final class PgTypes {
  /** One row of {@code pg_type}. */
  public record PgType(int oid, String name, String formatName, int length, String category,
      int element, int array) {}

  public static final int BOOL = 16;
  public static final int BYTEA = 17;
  public static final int CHAR = 18;
  public static final int NAME = 19;
  public static final int INT8 = 20;
  public static final int INT2 = 21;
  public static final int INT2VECTOR = 22;
  public static final int INT4 = 23;
  public static final int REGPROC = 24;
  public static final int TEXT = 25;
  public static final int OID = 26;
  public static final int OIDVECTOR = 30;
  public static final int FLOAT4 = 700;
  public static final int FLOAT8 = 701;
  public static final int BPCHAR = 1042;
  public static final int VARCHAR = 1043;
  public static final int DATE = 1082;
  public static final int TIME = 1083;
  public static final int TIMESTAMP = 1114;
  public static final int TIMESTAMPTZ = 1184;
  public static final int INTERVAL = 1186;
  public static final int NUMERIC = 1700;
  public static final int REGCLASS = 2205;
  public static final int REGTYPE = 2206;
  /** The type of an untyped literal: a parameter type, never a column's (not in pg_type). */
  public static final int UNKNOWN = 705;

  static final Map<Integer, PgType> ALL = new LinkedHashMap<>();

  static {
    add(BOOL, "bool", "boolean", 1, "B", 0, 1000);
    add(BYTEA, "bytea", "bytea", -1, "U", 0, 1001);
    add(CHAR, "char", "\"char\"", 1, "Z", 0, 1002);
    add(NAME, "name", "name", 64, "S", CHAR, 1003);
    add(INT8, "int8", "bigint", 8, "N", 0, 1016);
    add(INT2, "int2", "smallint", 2, "N", 0, 1005);
    add(INT2VECTOR, "int2vector", "int2vector", -1, "A", INT2, 1006);
    add(INT4, "int4", "integer", 4, "N", 0, 1007);
    add(REGPROC, "regproc", "regproc", 4, "N", 0, 1008);
    add(TEXT, "text", "text", -1, "S", 0, 1009);
    add(OID, "oid", "oid", 4, "N", 0, 1028);
    add(OIDVECTOR, "oidvector", "oidvector", -1, "A", OID, 1013);
    add(FLOAT4, "float4", "real", 4, "N", 0, 1021);
    add(FLOAT8, "float8", "double precision", 8, "N", 0, 1022);
    add(BPCHAR, "bpchar", "character", -1, "S", 0, 1014);
    add(VARCHAR, "varchar", "character varying", -1, "S", 0, 1015);
    add(DATE, "date", "date", 4, "D", 0, 1182);
    add(TIME, "time", "time without time zone", 8, "D", 0, 1183);
    add(TIMESTAMP, "timestamp", "timestamp without time zone", 8, "D", 0, 1115);
    add(TIMESTAMPTZ, "timestamptz", "timestamp with time zone", 8, "D", 0, 1185);
    add(INTERVAL, "interval", "interval", 16, "T", 0, 1187);
    add(NUMERIC, "numeric", "numeric", -1, "N", 0, 1231);
    add(REGCLASS, "regclass", "regclass", 4, "N", 0, 2210);
    add(REGTYPE, "regtype", "regtype", 4, "N", 0, 2211);
    // the array types clients look up by their element (pgjdbc's TypeInfoCache, psycopg2)
    for (PgType t : List.copyOf(ALL.values())) {
      add(t.array(), "_" + t.name(), t.formatName() + "[]", -1, "A", t.oid(), 0);
    }
  }

  private static void add(int oid, String name, String formatName, int length, String category,
      int element, int array) {
    ALL.put(oid, new PgType(oid, name, formatName, length, category, element, array));
  }

  private PgTypes() {}

  /** A column's Postgres type and type modifier ({@code atttypmod}). */
  public record Typed(int oid, int typmod) {}

  /** The Postgres type a column of this JDBC description is sent as. */
  public static Typed of(SqlColumn c) {
    return switch (c.jdbcType()) {
      case Types.BOOLEAN, Types.BIT -> new Typed(BOOL, -1);
      case Types.TINYINT, Types.SMALLINT -> new Typed(INT2, -1);
      case Types.INTEGER -> new Typed(INT4, -1);
      case Types.BIGINT -> new Typed(INT8, -1);
      case Types.REAL -> new Typed(FLOAT4, -1);
      case Types.DOUBLE, Types.FLOAT -> new Typed(FLOAT8, -1);
      case Types.DECIMAL, Types.NUMERIC -> c.precision() > 0 && c.precision() <= 1000
          ? new Typed(NUMERIC, numericTypmod(c.precision(), Math.max(0, c.scale())))
          : new Typed(NUMERIC, -1);
      case Types.CHAR, Types.NCHAR -> c.precision() > 0 && c.precision() < 65536
          ? new Typed(BPCHAR, varcharTypmod(c.precision())) : new Typed(BPCHAR, -1);
      case Types.DATE -> new Typed(DATE, -1);
      case Types.TIME -> new Typed(TIME, -1);
      case Types.TIMESTAMP -> new Typed(TIMESTAMP, -1);
      case Types.TIMESTAMP_WITH_TIMEZONE -> new Typed(TIMESTAMPTZ, -1);
      case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> new Typed(BYTEA, -1);
      // the warehouse's text has no useful length: 65536 is "unbounded" in ArrowSqlTypes
      default -> c.precision() > 0 && c.precision() < 65536
          ? new Typed(VARCHAR, varcharTypmod(c.precision())) : new Typed(VARCHAR, -1);
    };
  }

  /** {@code numeric(p,s)}'s {@code atttypmod}. */
  public static int numericTypmod(int precision, int scale) {
    return ((precision << 16) | scale) + 4;
  }

  /** {@code varchar(n)}'s and {@code char(n)}'s {@code atttypmod}. */
  public static int varcharTypmod(int length) {
    return length + 4;
  }

  /**
   * Postgres's {@code format_type(type_oid, typemod)}: the type's SQL name with its modifier,
   * {@code NULL} for a null OID, {@code ???} for an unknown one (as Postgres answers).
   */
  public static String formatType(Integer oid, Integer typmod) {
    if (oid == null) {
      return null;
    }
    PgType t = ALL.get(oid);
    if (t == null) {
      return "???";
    }
    int mod = typmod == null ? -1 : typmod;
    if (mod >= 4) {
      switch (oid) {
        case NUMERIC -> {
          int p = ((mod - 4) >> 16) & 0xffff;
          int s = (mod - 4) & 0xffff;
          return "numeric(" + p + "," + s + ")";
        }
        case VARCHAR -> {
          return "character varying(" + (mod - 4) + ")";
        }
        case BPCHAR -> {
          return "character(" + (mod - 4) + ")";
        }
        default -> { }
      }
    }
    return t.formatName();
  }

  /** The type's length in bytes ({@code typlen}: -1 for variable-length types). */
  public static int length(int oid) {
    PgType t = ALL.get(oid);
    return t == null ? -1 : t.length();
  }

  /** The oid of a type by its name ({@code int4}) or SQL spelling ({@code integer}), or null. */
  static Integer byName(String name) {
    String n = name.toLowerCase(java.util.Locale.ROOT);
    if (n.startsWith("pg_catalog.")) {
      n = n.substring("pg_catalog.".length());
    }
    for (PgType t : ALL.values()) {
      if (t.name().equals(n) || t.formatName().equals(n)) {
        return t.oid();
      }
    }
    return switch (n) {
      case "int", "int4" -> INT4;
      case "decimal" -> NUMERIC;
      case "timestamp" -> TIMESTAMP;
      default -> null;
    };
  }
}
