package io.strata.server.sql.pgcatalog;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.util.SqlBasicVisitor;
import org.apache.calcite.sql.util.SqlShuttle;

/**
 * Merges a subquery that only picks and renames columns of one table into the query over it:
 * {@code SELECT "rows"."status", count(1) FROM (SELECT "_"."status" FROM semantic.orders "_"
 * WHERE ...) "rows" GROUP BY "status"} (Power Query's folded steps, Tableau's and Superset's
 * wrappers) becomes {@code SELECT "_"."status", count(1) FROM semantic.orders "_" WHERE ...
 * GROUP BY "_"."status"}. Over a semantic table the difference matters: the subquery alone is a
 * semantic SELECT grouped by its columns (one row per status), so the outer count would count
 * groups, where the tool means rows; merged, the count is the table's count measure.
 *
 * <p>Only a subquery without aggregates, GROUP BY, HAVING, DISTINCT, window, ORDER BY, LIMIT
 * or *, over one table (not a join or another subquery) is merged, under an outer query whose
 * select list has no * and whose FROM is that subquery alone: there the merge is equivalent
 * SQL for any table.
 */
final class PgInline {
  private PgInline() {}

  static SqlNode inline(SqlNode statement) {
    return statement.accept(new SqlShuttle() {
      @Override
      public SqlNode visit(SqlCall call) {
        if (call instanceof SqlOrderBy ob && ob.query instanceof SqlSelect s) {
          SqlNode visited = super.visit(s);
          if (!(visited instanceof SqlSelect select)) {
            return new SqlOrderBy(ob.getParserPosition(), visited, ob.orderList, ob.offset,
                ob.fetch);
          }
          Map<String, SqlNode> columns = merge(select);
          SqlNodeList order = ob.orderList;
          if (columns != null) {
            String alias = outerAlias;
            order = (SqlNodeList) substitute(order, columns, alias);
          }
          return new SqlOrderBy(ob.getParserPosition(), select, order, ob.offset, ob.fetch);
        }
        SqlNode visited = super.visit(call);
        if (visited instanceof SqlSelect select) {
          merge(select);
        }
        return visited;
      }

      /** The alias of the subquery merged last (for the ORDER BY around its query). */
      private String outerAlias;

      /** Merges the select's FROM subquery into it; its columns by name, or null. */
      private Map<String, SqlNode> merge(SqlSelect outer) {
        Merge m = mergeable(outer);
        if (m == null) {
          return null;
        }
        SqlSelect inner = m.inner();
        outer.setSelectList(selectList(outer.getSelectList(), m.columns(), m.alias()));
        SqlNode where = outer.getWhere() == null ? null
            : substitute(outer.getWhere(), m.columns(), m.alias());
        if (inner.getWhere() != null) {
          where = where == null ? inner.getWhere()
              : SqlStdOperatorTable.AND.createCall(SqlParserPos.ZERO, inner.getWhere(), where);
        }
        outer.setWhere(where);
        if (outer.getGroup() != null) {
          outer.setGroupBy((SqlNodeList) substitute(outer.getGroup(), m.columns(), m.alias()));
        }
        if (outer.getHaving() != null) {
          outer.setHaving(substitute(outer.getHaving(), m.columns(), m.alias()));
        }
        if (outer.getOrderList() != null) {
          outer.setOrderBy((SqlNodeList) substitute(outer.getOrderList(), m.columns(),
              m.alias()));
        }
        outer.setFrom(inner.getFrom());
        outerAlias = m.alias();
        return m.columns();
      }
    });
  }

  private record Merge(SqlSelect inner, String alias, Map<String, SqlNode> columns) {}

  private static Merge mergeable(SqlSelect outer) {
    SqlNode from = outer.getFrom();
    if (from == null || from.getKind() != SqlKind.AS || ((SqlCall) from).operandCount() != 2
        || !(((SqlCall) from).operand(0) instanceof SqlSelect inner)
        || !(((SqlCall) from).operand(1) instanceof SqlIdentifier aliasId)) {
      return null;
    }
    if (inner.getGroup() != null || inner.getHaving() != null || inner.isDistinct()
        || inner.getOrderList() != null && inner.getOrderList().size() > 0
        || inner.getFetch() != null || inner.getOffset() != null
        || inner.getWindowList() != null && inner.getWindowList().size() > 0
        || inner.getQualify() != null) {
      return null;
    }
    SqlNode table = inner.getFrom();
    SqlNode named = table != null && table.getKind() == SqlKind.AS
        ? ((SqlCall) table).operand(0) : table;
    if (!(named instanceof SqlIdentifier)) {
      return null;
    }
    for (SqlNode item : outer.getSelectList()) {
      if (item instanceof SqlIdentifier id && id.isStar()) {
        return null;
      }
    }
    Map<String, SqlNode> columns = new HashMap<>();
    for (SqlNode item : inner.getSelectList()) {
      SqlNode expr = item;
      String name;
      if (item.getKind() == SqlKind.AS) {
        expr = ((SqlCall) item).operand(0);
        name = ((SqlIdentifier) ((SqlCall) item).operand(1)).getSimple();
      } else if (item instanceof SqlIdentifier id && !id.isStar()) {
        name = id.names.get(id.names.size() - 1);
      } else {
        return null;
      }
      if (aggregates(expr) || columns.put(name.toLowerCase(Locale.ROOT), expr) != null) {
        return null;
      }
    }
    return new Merge(inner, aliasId.getSimple(), columns);
  }

  /** Whether an expression holds an aggregate, a window or a subquery. */
  private static boolean aggregates(SqlNode expr) {
    boolean[] found = {false};
    expr.accept(new SqlBasicVisitor<Void>() {
      @Override
      public Void visit(SqlCall call) {
        if (call.getOperator().isAggregator() || call.getKind() == SqlKind.OVER
            || call.getKind() == SqlKind.SELECT
            || call.getOperator().getName().equalsIgnoreCase("MEASURE")
            || call.getOperator().getName().equalsIgnoreCase("AGGREGATE")) {
          found[0] = true;
          return null;
        }
        return super.visit(call);
      }
    });
    return found[0];
  }

  /** The outer select list with each column of the subquery replaced, its name kept. */
  private static SqlNodeList selectList(SqlNodeList items, Map<String, SqlNode> columns,
      String alias) {
    List<SqlNode> out = new ArrayList<>();
    for (SqlNode item : items) {
      if (item instanceof SqlIdentifier id) {
        SqlNode e = substitute(id, columns, alias);
        out.add(e == id ? id : SqlStdOperatorTable.AS.createCall(id.getParserPosition(), e,
            new SqlIdentifier(id.names.get(id.names.size() - 1), id.getParserPosition())));
      } else if (item.getKind() == SqlKind.AS) {
        SqlCall as = (SqlCall) item;
        List<SqlNode> operands = new ArrayList<>(as.getOperandList());
        operands.set(0, substitute(operands.get(0), columns, alias)); // not the name it gives
        out.add(SqlStdOperatorTable.AS.createCall(as.getParserPosition(), operands));
      } else {
        out.add(substitute(item, columns, alias));
      }
    }
    return new SqlNodeList(out, items.getParserPosition());
  }

  /** {@code node} with references to the subquery's columns replaced by their expressions. */
  private static SqlNode substitute(SqlNode node, Map<String, SqlNode> columns, String alias) {
    if (node == null) {
      return null;
    }
    return node.accept(new SqlShuttle() {
      @Override
      public SqlNode visit(SqlIdentifier id) {
        if (id.isStar()) {
          return id;
        }
        if (id.names.size() == 2 && id.names.get(0).equalsIgnoreCase(alias)
            || id.names.size() == 1) {
          SqlNode e = columns.get(id.names.get(id.names.size() - 1).toLowerCase(Locale.ROOT));
          if (e != null) {
            return e;
          }
        }
        return id;
      }
    });
  }
}
