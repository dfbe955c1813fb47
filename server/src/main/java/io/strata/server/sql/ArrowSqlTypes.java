package io.strata.server.sql;

import java.math.BigDecimal;
import java.sql.Types;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.sql.type.SqlTypeName;

/** Arrow types as JDBC and Calcite see them, and Arrow values as Calcite's row values. */
final class ArrowSqlTypes {
  private static final long MILLIS_PER_DAY = 86_400_000L;

  private ArrowSqlTypes() {}

  /** The JDBC description of each field; remarks from {@code descriptions} by field name. */
  static List<SqlColumn> columns(Schema schema, Map<String, String> descriptions) {
    List<SqlColumn> out = new ArrayList<>();
    for (Field f : schema.getFields()) {
      out.add(column(f.getName(), f.getType(), descriptions.get(f.getName())));
    }
    return out;
  }

  static SqlColumn column(String name, ArrowType type, String remarks) {
    return switch (type.getTypeID()) {
      case Utf8, LargeUtf8, Utf8View -> new SqlColumn(name, Types.VARCHAR, "VARCHAR", true, 65536,
          0, remarks);
      case Int -> {
        int bits = ((ArrowType.Int) type).getBitWidth();
        yield switch (bits) {
          case 8 -> new SqlColumn(name, Types.TINYINT, "TINYINT", true, 3, 0, remarks);
          case 16 -> new SqlColumn(name, Types.SMALLINT, "SMALLINT", true, 5, 0, remarks);
          case 32 -> new SqlColumn(name, Types.INTEGER, "INTEGER", true, 10, 0, remarks);
          default -> new SqlColumn(name, Types.BIGINT, "BIGINT", true, 19, 0, remarks);
        };
      }
      case FloatingPoint -> switch (((ArrowType.FloatingPoint) type).getPrecision()) {
        case SINGLE, HALF -> new SqlColumn(name, Types.REAL, "REAL", true, 7, 0, remarks);
        default -> new SqlColumn(name, Types.DOUBLE, "DOUBLE", true, 15, 0, remarks);
      };
      case Decimal -> {
        ArrowType.Decimal d = (ArrowType.Decimal) type;
        yield new SqlColumn(name, Types.DECIMAL, "DECIMAL", true, d.getPrecision(), d.getScale(),
            remarks);
      }
      case Bool -> new SqlColumn(name, Types.BOOLEAN, "BOOLEAN", true, 1, 0, remarks);
      case Date -> new SqlColumn(name, Types.DATE, "DATE", true, 10, 0, remarks);
      case Time -> new SqlColumn(name, Types.TIME, "TIME", true, 8, 0, remarks);
      case Timestamp -> new SqlColumn(name, Types.TIMESTAMP, "TIMESTAMP", true, 26, 6, remarks);
      case Binary, LargeBinary, FixedSizeBinary, BinaryView -> new SqlColumn(name,
          Types.VARBINARY, "VARBINARY", true, 65536, 0, remarks);
      default -> new SqlColumn(name, Types.VARCHAR, "VARCHAR", true, 65536, 0, remarks);
    };
  }

  /** The Calcite type of a JDBC column description. */
  static SqlTypeName sqlTypeName(SqlColumn c) {
    return switch (c.jdbcType()) {
      case Types.TINYINT -> SqlTypeName.TINYINT;
      case Types.SMALLINT -> SqlTypeName.SMALLINT;
      case Types.INTEGER -> SqlTypeName.INTEGER;
      case Types.BIGINT -> SqlTypeName.BIGINT;
      case Types.REAL -> SqlTypeName.REAL;
      case Types.DOUBLE, Types.FLOAT -> SqlTypeName.DOUBLE;
      case Types.DECIMAL, Types.NUMERIC -> SqlTypeName.DECIMAL;
      case Types.BOOLEAN -> SqlTypeName.BOOLEAN;
      case Types.DATE -> SqlTypeName.DATE;
      case Types.TIME -> SqlTypeName.TIME;
      case Types.TIMESTAMP -> SqlTypeName.TIMESTAMP;
      case Types.VARBINARY -> SqlTypeName.VARBINARY;
      default -> SqlTypeName.VARCHAR;
    };
  }

  /**
   * A value of an Arrow vector in Calcite's internal representation for {@code target}: DATE as
   * int days, TIME as int milliseconds, TIMESTAMP as long milliseconds, numbers as the boxed
   * Java type of the SQL type, strings as String.
   */
  static Object value(FieldVector v, int row, SqlTypeName target) {
    if (v.isNull(row)) {
      return null;
    }
    Object o = v.getObject(row);
    switch (target) {
      case VARCHAR:
      case CHAR:
        return o.toString();
      case BOOLEAN:
        return o instanceof Boolean b ? b : Boolean.valueOf(o.toString());
      case TINYINT:
        return ((Number) o).byteValue();
      case SMALLINT:
        return ((Number) o).shortValue();
      case INTEGER:
        return ((Number) o).intValue();
      case BIGINT:
        return ((Number) o).longValue();
      case REAL:
        return ((Number) o).floatValue();
      case DOUBLE:
      case FLOAT:
        return ((Number) o).doubleValue();
      case DECIMAL:
        return o instanceof BigDecimal d ? d : new BigDecimal(o.toString());
      case DATE:
        if (o instanceof LocalDateTime t) {
          return (int) Math.floorDiv(millis(t), MILLIS_PER_DAY);
        }
        return ((Number) o).intValue();
      case TIMESTAMP:
        if (o instanceof LocalDateTime t) {
          return millis(t);
        }
        if (v.getField().getType() instanceof ArrowType.Date) {
          return ((Number) o).longValue() * MILLIS_PER_DAY;
        }
        return ((Number) o).longValue();
      case TIME:
        if (o instanceof LocalDateTime t) {
          return (int) (t.toLocalTime().toNanoOfDay() / 1_000_000);
        }
        return ((Number) o).intValue();
      default:
        return o;
    }
  }

  private static long millis(LocalDateTime t) {
    return t.toEpochSecond(java.time.ZoneOffset.UTC) * 1000 + t.getNano() / 1_000_000;
  }
}
