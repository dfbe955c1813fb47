package io.strata.server.sql;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlWith;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.validate.SqlValidatorUtil;

/**
 * Names the result columns a statement leaves unnamed as Postgres does, where Calcite would say
 * {@code EXPR$0}: a function or aggregate call by the function's name ({@code sum},
 * {@code count}, {@code coalesce}), a CASE by {@code case}, a CAST by what it casts when that
 * has a name. Clients read results by label; {@code rs.getLong("count")} works as it does on
 * Postgres.
 */
final class ColumnNames {
  private ColumnNames() {}

  /** {@code statement} with its result columns named (changed in place; returned). */
  static SqlNode name(SqlNode statement) {
    SqlNode query = statement;
    if (query instanceof SqlOrderBy o) {
      query = o.query;
    }
    if (query instanceof SqlWith w) {
      query = w.body;
      if (query instanceof SqlOrderBy o) {
        query = o.query;
      }
    }
    // a set operation's columns are named by its first branch
    while (query instanceof SqlBasicCall call && call.getOperator().getKind().belongsTo(
        SqlKind.SET_QUERY)) {
      query = call.operand(0);
    }
    if (query instanceof SqlSelect select) {
      name(select.getSelectList());
    }
    return statement;
  }

  private static void name(SqlNodeList items) {
    Set<String> used = new HashSet<>();
    for (SqlNode n : items) {
      String alias = n.getKind() == SqlKind.AS
          ? ((SqlIdentifier) ((SqlCall) n).operand(1)).getSimple()
          : SqlValidatorUtil.alias(n);
      if (alias != null) {
        used.add(alias.toLowerCase(Locale.ROOT));
      }
    }
    for (int i = 0; i < items.size(); i++) {
      SqlNode n = items.get(i);
      if (n.getKind() == SqlKind.AS || SqlValidatorUtil.alias(n) != null) {
        continue;
      }
      String name = postgresName(n);
      if (name == null || !used.add(name)) {
        continue; // a second "sum": Calcite's own name rather than two columns of one label
      }
      SqlParserPos pos = n.getParserPosition();
      items.set(i, SqlStdOperatorTable.AS.createCall(pos, n, new SqlIdentifier(name, pos)));
    }
  }

  /** Postgres's name for an unnamed result column, or null to keep Calcite's. */
  static String postgresName(SqlNode n) {
    if (!(n instanceof SqlCall call)) {
      return null;
    }
    if (call.getKind() == SqlKind.CASE) {
      return "case";
    }
    if (call.getKind() == SqlKind.CAST) {
      String inner = SqlValidatorUtil.alias(call.operand(0));
      return inner != null ? inner : postgresName(call.operand(0));
    }
    if (call.getOperator() instanceof SqlFunction f) {
      return f.getName().toLowerCase(Locale.ROOT);
    }
    if (call.getOperator().isAggregator()) {
      return call.getOperator().getName().toLowerCase(Locale.ROOT);
    }
    return null;
  }
}
