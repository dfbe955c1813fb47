package io.strata.semantic.dialect;

import io.strata.semantic.model.Granularity;
import java.util.List;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;

/**
 * Operators the compiler puts into its SQL trees where warehouses disagree. Each one unparses
 * by asking the {@link WarehouseDialect} being written, so the quirks live in one place.
 */
public final class StrataOperators {
  private StrataOperators() {}

  private static final SqlParserPos POS = SqlParserPos.ZERO;

  /** Base for operators whose SQL text comes from the dialect. */
  private abstract static class DialectFunction extends SqlFunction {
    DialectFunction(String name) {
      super(name, SqlKind.OTHER_FUNCTION, ReturnTypes.ARG0, null, OperandTypes.ANY,
          SqlFunctionCategory.USER_DEFINED_FUNCTION);
    }

    @Override
    public void unparse(SqlWriter writer, SqlCall call, int leftPrec, int rightPrec) {
      SqlDialect d = writer.getDialect();
      if (!(d instanceof WarehouseDialect wd)) {
        throw new IllegalStateException(getName() + " can only be written by a Strata dialect, not "
            + d.getClass().getSimpleName());
      }
      unparse(wd, writer, call);
      writer.setNeedWhitespace(true);
    }

    abstract void unparse(WarehouseDialect d, SqlWriter w, SqlCall call);
  }

  private static String string(SqlNode node) {
    return ((SqlLiteral) node).getValueAs(String.class);
  }

  private static final SqlFunction TIME_TRUNC = new DialectFunction("STRATA_TIME_TRUNC") {
    @Override
    void unparse(WarehouseDialect d, SqlWriter w, SqlCall call) {
      d.unparseTimeTrunc(w, Granularity.parse(string(call.operand(0))), call.operand(1));
    }
  };

  private static final SqlFunction TO_LOCAL_TIME = new DialectFunction("STRATA_TO_LOCAL_TIME") {
    @Override
    void unparse(WarehouseDialect d, SqlWriter w, SqlCall call) {
      d.unparseToLocalTime(w, call.operand(0), string(call.operand(1)));
    }
  };

  private static final SqlFunction MINUS_INTERVAL = new DialectFunction("STRATA_MINUS_INTERVAL") {
    @Override
    void unparse(WarehouseDialect d, SqlWriter w, SqlCall call) {
      String[] spec = string(call.operand(1)).split(" ");
      d.unparseMinusInterval(w, call.operand(0), Integer.parseInt(spec[0]),
          Granularity.parse(spec[1]));
    }
  };

  private static final SqlFunction APPROX_COUNT_DISTINCT =
      new DialectFunction("STRATA_APPROX_COUNT_DISTINCT") {
        @Override
        void unparse(WarehouseDialect d, SqlWriter w, SqlCall call) {
          d.unparseApproxCountDistinct(w, call.operand(0));
        }
      };

  private static final SqlFunction TIMESTAMP_LITERAL = new DialectFunction("STRATA_TIMESTAMP") {
    @Override
    void unparse(WarehouseDialect d, SqlWriter w, SqlCall call) {
      d.unparseTimestampLiteral(w, string(call.operand(0)));
    }
  };

  private static final SqlFunction LOCAL_TIMESTAMP_LITERAL =
      new DialectFunction("STRATA_LOCAL_TIMESTAMP") {
        @Override
        void unparse(WarehouseDialect d, SqlWriter w, SqlCall call) {
          d.unparseLocalTimestampLiteral(w, string(call.operand(0)));
        }
      };

  private static final SqlFunction LIKE_IGNORE_CASE = new DialectFunction("STRATA_LIKE") {
    @Override
    void unparse(WarehouseDialect d, SqlWriter w, SqlCall call) {
      String flags = string(call.operand(2));
      d.unparseLikeIgnoreCase(w, call.operand(0), flags.charAt(0) == '%',
          string(call.operand(1)), flags.charAt(1) == '%', flags.charAt(2) == '!');
    }
  };

  /** Raw SQL text written as is, in parentheses (a model's {@code sql}). */
  private static final SqlFunction RAW = new DialectFunction("STRATA_RAW") {
    @Override
    void unparse(WarehouseDialect d, SqlWriter w, SqlCall call) {
      w.print("(" + string(call.operand(0)).trim() + ")");
      w.setNeedWhitespace(true);
    }
  };

  private static final SqlFunction EXTRACT = new DialectFunction("STRATA_EXTRACT") {
    @Override
    void unparse(WarehouseDialect d, SqlWriter w, SqlCall call) {
      d.unparseExtract(w, WarehouseDialect.DatePart.valueOf(string(call.operand(0))),
          call.operand(1));
    }
  };

  private static final SqlFunction CAST = new DialectFunction("STRATA_CAST") {
    @Override
    void unparse(WarehouseDialect d, SqlWriter w, SqlCall call) {
      d.unparseCast(w, call.operand(0),
          WarehouseDialect.CastType.valueOf(string(call.operand(1))));
    }
  };

  private static final SqlFunction CONCAT = new DialectFunction("STRATA_CONCAT") {
    @Override
    void unparse(WarehouseDialect d, SqlWriter w, SqlCall call) {
      d.unparseConcat(w, call.getOperandList());
    }
  };

  private static final SqlFunction SCALAR = new DialectFunction("STRATA_SCALAR") {
    @Override
    void unparse(WarehouseDialect d, SqlWriter w, SqlCall call) {
      List<SqlNode> operands = call.getOperandList();
      d.unparseScalar(w, WarehouseDialect.ScalarFunction.valueOf(string(operands.get(0))),
          operands.subList(1, operands.size()));
    }
  };

  private static final SqlFunction FUNCTION = new DialectFunction("STRATA_FUNCTION") {
    @Override
    void unparse(WarehouseDialect d, SqlWriter w, SqlCall call) {
      List<SqlNode> operands = call.getOperandList();
      WarehouseDialect.call(w, string(operands.get(0)), operands.subList(1, operands.size()));
    }
  };

  /**
   * {@code name(args)}, a function every warehouse spells the same way, written as it is: the
   * name is never quoted, as Calcite would quote a function named like a reserved word.
   */
  public static SqlNode function(String name, List<SqlNode> args) {
    List<SqlNode> operands = new java.util.ArrayList<>();
    operands.add(SqlLiteral.createCharString(name, POS));
    operands.addAll(args);
    return FUNCTION.createCall(POS, operands);
  }

  /** A part of a time value ({@code EXTRACT(YEAR FROM x)}), as {@link WarehouseDialect#unparseExtract}. */
  public static SqlNode extract(WarehouseDialect.DatePart part, SqlNode x) {
    return EXTRACT.createCall(POS, SqlLiteral.createCharString(part.name(), POS), x);
  }

  public static SqlNode cast(SqlNode x, WarehouseDialect.CastType type) {
    return CAST.createCall(POS, x, SqlLiteral.createCharString(type.name(), POS));
  }

  public static SqlNode concat(List<SqlNode> parts) {
    return CONCAT.createCall(POS, parts);
  }

  public static SqlNode scalar(WarehouseDialect.ScalarFunction f, List<SqlNode> args) {
    List<SqlNode> operands = new java.util.ArrayList<>();
    operands.add(SqlLiteral.createCharString(f.name(), POS));
    operands.addAll(args);
    return SCALAR.createCall(POS, operands);
  }

  public static SqlNode timeTrunc(Granularity g, SqlNode x) {
    return TIME_TRUNC.createCall(POS, SqlLiteral.createCharString(g.lowerName(), POS), x);
  }

  public static SqlNode toLocalTime(SqlNode x, String zone) {
    return TO_LOCAL_TIME.createCall(POS, x, SqlLiteral.createCharString(zone, POS));
  }

  /** {@code x} minus {@code n} units of a granularity (day, week, month, quarter, year). */
  public static SqlNode minusInterval(SqlNode x, int n, Granularity unit) {
    return MINUS_INTERVAL.createCall(POS, x,
        SqlLiteral.createCharString(n + " " + unit.lowerName(), POS));
  }

  public static SqlNode approxCountDistinct(SqlNode x) {
    return APPROX_COUNT_DISTINCT.createCall(POS, x);
  }

  /** A timestamp literal; {@code value} is {@code yyyy-MM-dd HH:mm:ss}. */
  public static SqlNode timestamp(String value) {
    return TIMESTAMP_LITERAL.createCall(POS, SqlLiteral.createCharString(value, POS));
  }

  /** A local-time literal (see {@link WarehouseDialect#unparseLocalTimestampLiteral}). */
  public static SqlNode localTimestamp(String value) {
    return LOCAL_TIMESTAMP_LITERAL.createCall(POS, SqlLiteral.createCharString(value, POS));
  }

  /** Case-insensitive LIKE with {@code %} before and/or after {@code value}. */
  public static SqlNode likeIgnoreCase(SqlNode x, String value, boolean anyBefore,
      boolean anyAfter, boolean negated) {
    String flags = (anyBefore ? "%" : "-") + (anyAfter ? "%" : "-") + (negated ? "!" : "-");
    return LIKE_IGNORE_CASE.createCall(POS, x, SqlLiteral.createCharString(value, POS),
        SqlLiteral.createCharString(flags, POS));
  }

  public static SqlNode raw(String sql) {
    return RAW.createCall(POS, SqlLiteral.createCharString(sql, POS));
  }
}
