package io.strata.server.sql;

import io.strata.semantic.expression.AdHocExpression;
import io.strata.semantic.model.Aggregation;
import io.strata.semantic.model.Granularity;
import io.strata.semantic.model.MemberKind;
import io.strata.semantic.query.Filter;
import io.strata.semantic.query.FilterOperator;
import io.strata.semantic.query.SemanticQuery;
import io.strata.server.sql.SemanticTables.Column;
import io.strata.server.sql.SemanticTables.Table;
import io.strata.server.sql.SqlQueryException.Code;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlDateLiteral;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlIntervalQualifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlTimestampLiteral;
import org.apache.calcite.sql.SqlTimeLiteral;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * Turns a SELECT over one semantic table into the semantic query the REST API would build for
 * it: dimensions and {@code DATE_TRUNC}/{@code FLOOR ... TO} of time dimensions become
 * dimensions and time dimensions with a granularity, {@code MEASURE(m)}, {@code AGGREGATE(m)}
 * or the aggregate matching the measure's type become measures, WHERE becomes filters and
 * segments, HAVING measure filters, ORDER BY and LIMIT/OFFSET order and limit. Any other
 * expression over the table's dimensions, in SELECT, WHERE, GROUP BY or ORDER BY, becomes an
 * ad-hoc dimension ({@link AdHocExpression}), pushed down like a model dimension. What cannot be
 * (an expression reading a measure, a window function, a subquery) is refused with an error
 * that names it and its position; queries that are not a SELECT over one semantic table are not
 * translated ({@link #of} returns null).
 */
final class SemanticSelect {

  /**
   * One column of the SQL result: its label and the compiled output column it reads; for an
   * ad-hoc dimension (an expression over dimensions) {@code column} is null and {@code adHoc}
   * says what it is.
   */
  record Output(String label, String name, Column column, String granularity,
      AdHocExpression adHoc) {
    Output(String label, String name, Column column, String granularity) {
      this(label, name, column, granularity, null);
    }
  }

  /**
   * The translation: the semantic query, the SQL result's columns in order, and the table.
   * The query may hold members no column shows (grouped or ordered by, not selected).
   */
  record Translation(Table table, SemanticQuery query, List<Output> outputs) {}

  /**
   * A select item understood: a dimension (maybe truncated), a measure, or an ad-hoc dimension
   * (then {@code column} is null).
   */
  private record Item(Column column, String granularity, AdHocExpression adHoc,
      SqlParserPos pos) {
    Item(Column column, String granularity, SqlParserPos pos) {
      this(column, granularity, null, pos);
    }

    boolean measure() {
      return column != null && column.aggregated();
    }

    /** The member (or ad-hoc dimension's text) the semantic query names it by. */
    String name() {
      return adHoc != null ? adHoc.text()
          : granularity == null ? column.path() : column.path() + "." + granularity;
    }

    /** What the query's order names it by: time dimensions by their plain name. */
    String orderName() {
      return adHoc != null ? adHoc.text() : column.path();
    }
  }

  private final SemanticTables tables;
  private final SqlParsing.Shifts shifts;
  private Table table;
  private String alias;

  private SemanticSelect(SemanticTables tables, SqlParsing.Shifts shifts) {
    this.tables = tables;
    this.shifts = shifts;
  }

  /**
   * Translates {@code node} when it is a SELECT (possibly with ORDER BY/LIMIT) whose FROM is
   * one semantic table; null otherwise.
   *
   * @throws SqlQueryException when it is such a SELECT but asks for something the semantic
   *     layer cannot answer
   */
  static Translation of(SqlNode node, SemanticTables tables, SqlParsing.Shifts shifts) {
    SqlSelect select;
    SqlNodeList order = null;
    SqlNode offset = null;
    SqlNode fetch = null;
    if (node instanceof SqlOrderBy ob && ob.query instanceof SqlSelect s) {
      select = s;
      order = ob.orderList;
      offset = ob.offset;
      fetch = ob.fetch;
    } else if (node instanceof SqlSelect s) {
      select = s;
    } else {
      return null;
    }
    SemanticSelect t = new SemanticSelect(tables, shifts);
    if (!t.from(select.getFrom())) {
      return null;
    }
    boolean constants = select.getGroup() == null;
    for (SqlNode item : select.getSelectList()) {
      SqlNode e = item.getKind() == SqlKind.AS ? ((SqlCall) item).operand(0) : item;
      constants &= e instanceof SqlLiteral;
    }
    if (constants) {
      // SELECT TRUE AS "_" FROM t WHERE 1 <> 1 LIMIT 0 (Metabase's select-privilege probe):
      // no member is read; Calcite answers it, and a false WHERE never scans the table
      return null;
    }
    if (select.getOrderList() != null && !select.getOrderList().isEmpty()) {
      order = select.getOrderList();
    }
    offset = select.getOffset() != null ? select.getOffset() : offset;
    fetch = select.getFetch() != null ? select.getFetch() : fetch;
    return t.translate(select, order, offset, fetch);
  }

  /**
   * In a query Calcite plans (a join, say), a semantic table is scanned grouped by the columns
   * used, one row per group: there {@code COUNT(*)}, {@code COUNT(1)} and {@code SUM(1)} over
   * the one semantic table of the FROM would count groups where the client (Tableau's top-N
   * join, Superset's series limit) counts rows. They become {@code $SUM0(t.count)},
   * the sum of the table's count measure over the groups: its row count.
   */
  static void countRows(SqlSelect select, SemanticTables tables) {
    List<String[]> refs = new ArrayList<>();
    List<Table> found = new ArrayList<>();
    semanticRefs(select.getFrom(), tables, refs, found);
    if (found.size() != 1) {
      return;
    }
    Column count = null;
    for (Column c : found.get(0).columns()) {
      if (c.kind() == MemberKind.MEASURE && c.agg() == Aggregation.COUNT
          && c.member().measure().filter() == null && c.member().measure().expr() == null
          && (count == null || c.name().equalsIgnoreCase("count"))) {
        count = c;
      }
    }
    if (count == null) {
      return;
    }
    SqlIdentifier column = new SqlIdentifier(List.of(refs.get(0)[0], count.name()),
        SqlParserPos.ZERO);
    org.apache.calcite.sql.util.SqlShuttle rows = new org.apache.calcite.sql.util.SqlShuttle() {
      @Override
      public SqlNode visit(SqlCall call) {
        if (call instanceof SqlSelect || call instanceof SqlOrderBy) {
          return call; // a subquery counts its own FROM
        }
        String fn = call.getOperator().getName().toUpperCase(Locale.ROOT);
        boolean distinct = call.getFunctionQuantifier() != null;
        if (!distinct && call.operandCount() == 1 && (fn.equals("COUNT")
            && (call.operand(0) instanceof SqlIdentifier id && id.isStar()
                || call.operand(0) instanceof SqlNumericLiteral)
            || fn.equals("SUM") && call.operand(0) instanceof SqlNumericLiteral n
                && n.isInteger() && n.intValue(false) == 1)) {
          // SUM0: 0 over no rows, as COUNT; (COALESCE(SUM(x), 0) trips Calcite 1.42's
          // ProjectAggregateMergeRule into a type mismatch)
          return org.apache.calcite.sql.fun.SqlStdOperatorTable.SUM0.createCall(
              call.getParserPosition(), column);
        }
        return super.visit(call);
      }
    };
    select.setSelectList((SqlNodeList) select.getSelectList().accept(rows));
    if (select.getHaving() != null) {
      select.setHaving(select.getHaving().accept(rows));
    }
    if (select.getOrderList() != null) {
      select.setOrderBy((SqlNodeList) select.getOrderList().accept(rows));
    }
  }

  private static void semanticRefs(SqlNode from, SemanticTables tables, List<String[]> refs,
      List<Table> found) {
    if (from instanceof org.apache.calcite.sql.SqlJoin join) {
      semanticRefs(join.getLeft(), tables, refs, found);
      semanticRefs(join.getRight(), tables, refs, found);
      return;
    }
    SqlNode named = from;
    String alias = null;
    if (from != null && from.getKind() == SqlKind.AS && ((SqlCall) from).operandCount() == 2) {
      named = ((SqlCall) from).operand(0);
      alias = ((SqlIdentifier) ((SqlCall) from).operand(1)).getSimple();
    }
    if (named instanceof SqlIdentifier id && !id.isStar()) {
      Optional<Table> t;
      try {
        t = table(id, tables);
      } catch (SqlQueryException e) {
        return;
      }
      if (t.isPresent()) {
        found.add(t.get());
        refs.add(new String[] {alias != null ? alias : id.names.get(id.names.size() - 1)});
      }
    }
  }

  /** Names of semantic tables in a FROM: {@code orders}, {@code semantic.orders}, {@code strata.semantic.orders}. */
  static Optional<Table> table(SqlIdentifier id, SemanticTables tables) {
    List<String> names = id.names;
    boolean semantic = switch (names.size()) {
      case 1 -> true;
      case 2 -> names.get(0).equalsIgnoreCase(SemanticTables.SCHEMA);
      case 3 -> names.get(0).equalsIgnoreCase(SemanticTables.CATALOG)
          && names.get(1).equalsIgnoreCase(SemanticTables.SCHEMA);
      default -> false;
    };
    if (!semantic) {
      return Optional.empty();
    }
    Optional<Table> t = tables.table(names.get(names.size() - 1));
    if (t.isEmpty() && names.size() > 1) {
      throw new SqlQueryException(Code.VALIDATION_ERROR, "no table "
          + String.join(".", names) + " in the semantic schema; its tables are "
          + tables.tables().stream().map(Table::name).toList() + at(id.getParserPosition()),
          id.getParserPosition().getLineNum(), id.getParserPosition().getColumnNum());
    }
    return t;
  }

  private boolean from(SqlNode from) {
    SqlNode target = from;
    String as = null;
    if (from != null && from.getKind() == SqlKind.AS) {
      SqlCall call = (SqlCall) from;
      target = call.operand(0);
      as = ((SqlIdentifier) call.operand(1)).getSimple();
    }
    if (!(target instanceof SqlIdentifier id)) {
      return false;
    }
    Optional<Table> t = table(id, tables);
    if (t.isEmpty()) {
      return false;
    }
    if (from.getKind() == SqlKind.AS && ((SqlCall) from).getOperandList().size() > 2) {
      // only a semantic table's: a subquery's or a function's column aliases are Calcite's
      throw error("column aliases on a semantic table are not supported", from);
    }
    table = t.get();
    alias = as;
    return true;
  }

  private Translation translate(SqlSelect select, SqlNodeList order, SqlNode offset,
      SqlNode fetch) {
    if (select.getWindowList() != null && !select.getWindowList().isEmpty()) {
      throw error("WINDOW is not supported in a query on one semantic table", select);
    }
    if (select.getQualify() != null) {
      throw error("QUALIFY is not supported in a query on one semantic table",
          select.getQualify());
    }
    // SELECT list
    List<Output> outputs = new ArrayList<>();
    List<Item> items = new ArrayList<>();
    Map<String, Item> aliases = new LinkedHashMap<>();
    for (SqlNode n : select.getSelectList()) {
      SqlNode e = n;
      String label = null;
      if (n.getKind() == SqlKind.AS) {
        e = ((SqlCall) n).operand(0);
        label = ((SqlIdentifier) ((SqlCall) n).operand(1)).getSimple();
      }
      if (e instanceof SqlIdentifier id && id.isStar()) {
        if (id.names.size() > 1 && !qualifierMatches(id.names.subList(0, id.names.size() - 1))) {
          throw error("unknown table " + String.join(".", id.names.subList(0,
              id.names.size() - 1)) + " in " + id, id);
        }
        for (Column c : table.columns()) {
          // segments are filters; cumulative metrics need a time granularity to mean anything
          boolean cumulative = c.kind() == MemberKind.METRIC
              && c.member().metric().type() == io.strata.semantic.model.MetricType.CUMULATIVE;
          if (!c.segment() && !cumulative) {
            Item item = new Item(c, null, id.getParserPosition());
            items.add(item);
            outputs.add(new Output(c.name(), item.name(), c, null));
          }
        }
        continue;
      }
      Item item = item(e);
      items.add(item);
      // an expression is labelled as Calcite labels it, EXPR$ and its position
      String l = label != null ? label
          : item.adHoc() != null ? "EXPR$" + (items.size() - 1) : item.column().name();
      outputs.add(new Output(l, item.name(), item.column(), item.granularity(), item.adHoc()));
      aliases.put(l.toLowerCase(Locale.ROOT), item);
    }

    // GROUP BY
    List<Item> groups = new ArrayList<>();
    SqlNodeList groupBy = select.getGroup();
    if (groupBy != null) {
      for (SqlNode g : groupBy) {
        Item item = reference(g, items, aliases);
        if (item.measure()) {
          throw error("GROUP BY " + item.column().name() + ": " + item.column().name()
              + " is a measure; group by dimensions only", g);
        }
        groups.add(item);
      }
      for (Item item : items) {
        if (!item.measure() && groups.stream().noneMatch(g -> g.name().equals(item.name()))) {
          throw error(describe(item) + " is selected but not in GROUP BY; add it to GROUP BY"
              + " or select a measure of it", item.pos());
        }
      }
    }

    // dimensions, time dimensions and measures of the query
    Set<String> dimensions = new LinkedHashSet<>();
    Map<String, SemanticQuery.TimeDimension> timeDimensions = new LinkedHashMap<>();
    Set<String> measures = new LinkedHashSet<>();
    List<Item> all = new ArrayList<>(items);
    all.addAll(groups);
    for (Item item : all) {
      addMember(item, dimensions, timeDimensions, measures);
    }
    if (select.isDistinct() && !measures.isEmpty()) {
      throw error("SELECT DISTINCT with measures: measures are already aggregated per group;"
          + " drop DISTINCT", select);
    }

    // WHERE
    List<Filter> filters = new ArrayList<>();
    List<String> segments = new ArrayList<>();
    if (select.getWhere() != null) {
      where(select.getWhere(), filters, segments);
    }
    // HAVING
    if (select.getHaving() != null) {
      List<Filter> having = new ArrayList<>();
      having(select.getHaving(), having, aliases);
      filters.addAll(having);
    }

    // ORDER BY
    List<SemanticQuery.Order> orders = new ArrayList<>();
    if (order != null) {
      for (SqlNode o : order) {
        boolean descending = false;
        SqlNode e = o;
        while (e.getKind() == SqlKind.DESCENDING || e.getKind() == SqlKind.NULLS_FIRST
            || e.getKind() == SqlKind.NULLS_LAST) {
          if (e.getKind() == SqlKind.DESCENDING) {
            descending = true;
          }
          e = ((SqlCall) e).operand(0);
        }
        Item item = reference(e, items, aliases);
        if (!item.measure() && !groups.isEmpty()
            && groups.stream().noneMatch(g -> g.name().equals(item.name()))) {
          throw error("ORDER BY " + describe(item) + ", which is not in GROUP BY", e);
        }
        addMember(item, dimensions, timeDimensions, measures);
        orders.add(new SemanticQuery.Order(item.orderName(), descending));
      }
    }

    Integer limit = count(fetch, "LIMIT");
    Integer skip = count(offset, "OFFSET");
    SemanticQuery q = new SemanticQuery(List.copyOf(measures), List.copyOf(dimensions),
        List.copyOf(timeDimensions.values()), filters, segments, orders, limit, skip, null);
    return new Translation(table, q, outputs);
  }

  private static void addMember(Item item, Set<String> dimensions,
      Map<String, SemanticQuery.TimeDimension> timeDimensions, Set<String> measures) {
    if (item.measure()) {
      measures.add(item.column().path());
    } else if (item.adHoc() != null) {
      dimensions.add(item.adHoc().text());
    } else if (item.granularity() != null) {
      timeDimensions.putIfAbsent(item.name(), new SemanticQuery.TimeDimension(
          item.column().path(), item.granularity(), null));
    } else {
      dimensions.add(item.column().path());
    }
  }

  private static String describe(Item item) {
    if (item.adHoc() != null) {
      return "the expression at " + at(item.pos()).replaceFirst("^ at ", "");
    }
    return item.granularity() == null ? item.column().name()
        : item.column().name() + " truncated to " + item.granularity();
  }

  /** A GROUP BY or ORDER BY item: a select list position, a select alias or an expression. */
  private Item reference(SqlNode e, List<Item> items, Map<String, Item> aliases) {
    if (e instanceof SqlNumericLiteral n && n.isInteger()) {
      int i = n.intValue(true);
      if (i < 1 || i > items.size()) {
        throw error("position " + i + " is not in the select list, which has " + items.size()
            + " columns", e);
      }
      return items.get(i - 1);
    }
    if (e instanceof SqlIdentifier id && id.isSimple()) {
      Optional<Column> c = table.column(id.getSimple());
      if (c.isEmpty() && aliases.containsKey(id.getSimple().toLowerCase(Locale.ROOT))) {
        return aliases.get(id.getSimple().toLowerCase(Locale.ROOT));
      }
    }
    return item(e);
  }

  // ------------------------------------------------------------------- select items

  private Item item(SqlNode e) {
    if (e instanceof SqlIdentifier id) {
      Column c = column(id);
      if (c.segment()) {
        throw error(c.name() + " is a segment: use it as a filter (WHERE " + c.name()
            + "), not as a column", e);
      }
      return new Item(c, null, e.getParserPosition());
    }
    if (e instanceof SqlBasicCall cast && cast.getKind() == SqlKind.CAST
        && cast.operand(0) instanceof SqlBasicCall measure
        && Set.of("MEASURE", "AGGREGATE", "SUM", "COUNT", "MIN", "MAX", "AVG")
            .contains(measure.getOperator().getName().toUpperCase(Locale.ROOT))
        && cast.operand(1) instanceof org.apache.calcite.sql.SqlDataTypeSpec type
        && Set.of("BIGINT", "INT8", "NUMERIC", "DECIMAL", "DOUBLE", "FLOAT8", "FLOAT")
            .contains(type.getTypeName().getSimple().toUpperCase(Locale.ROOT))) {
      // MEASURE(count)::int8, CAST(SUM(revenue) AS NUMERIC): the measure, in its own type
      return item(measure);
    }
    if (e instanceof SqlBasicCall call) {
      String name = call.getOperator().getName().toUpperCase(Locale.ROOT);
      switch (name) {
        case "MEASURE", "AGGREGATE" -> {
          Column c = measureOperand(call, name);
          return new Item(c, null, e.getParserPosition());
        }
        case "SUM", "MIN", "MAX", "AVG", "COUNT", "APPROX_COUNT_DISTINCT" -> {
          return new Item(aggregate(call, name), null, e.getParserPosition());
        }
        case "DATE_TRUNC" -> {
          return truncation(call);
        }
        case "FLOOR" -> {
          if (call.operandCount() == 2) {
            return truncation(call);
          }
        }
        default -> { }
      }
    }
    return adHoc(e);
  }

  /**
   * An expression over the table's dimensions, pushed down as an ad-hoc dimension; refused,
   * naming the reason and its position, when it reads a measure, aggregates, or holds a window
   * function or a subquery.
   */
  private Item adHoc(SqlNode e) {
    try {
      AdHocExpression x = AdHocExpression.of(e, id -> {
        Column c = column(id);
        if (c.segment()) {
          throw error(c.name() + " is a segment: use it as a filter (WHERE " + c.name()
              + "), not inside an expression", id);
        }
        return new AdHocExpression.Ref(c.path(), c.member());
      });
      return new Item(null, null, x, e.getParserPosition());
    } catch (AdHocExpression.Unsupported u) {
      throw error(u.getMessage(), u.pos() != null ? u.pos() : e.getParserPosition());
    }
  }

  private Column measureOperand(SqlBasicCall call, String fn) {
    if (call.operandCount() != 1 || !(call.operand(0) instanceof SqlIdentifier id)
        || id.isStar()) {
      throw error(fn + " takes one measure: " + fn + "(revenue)", call);
    }
    Column c = column(id);
    if (!c.aggregated()) {
      throw error(fn + "(" + c.name() + "): " + c.name() + " is a "
          + c.kind().name().toLowerCase(Locale.ROOT) + ", not a measure", call);
    }
    return c;
  }

  /** SUM(m), COUNT(DISTINCT m), COUNT(*)...: allowed when it is the measure's own aggregate. */
  private Column aggregate(SqlBasicCall call, String fn) {
    boolean distinct = call.getFunctionQuantifier() != null
        && "DISTINCT".equalsIgnoreCase(call.getFunctionQuantifier().toValue());
    if (fn.equals("COUNT") && call.operandCount() == 1
        && call.operand(0) instanceof SqlIdentifier star && star.isStar()) {
      return countMeasure(call);
    }
    // COUNT(1) (Tableau, Power BI) and SUM(1) (Tableau's "Number of Records") count rows too
    if (!distinct && call.operandCount() == 1 && call.operand(0) instanceof SqlNumericLiteral n
        && (fn.equals("COUNT") || fn.equals("SUM") && n.isInteger() && n.intValue(false) == 1)) {
      return countMeasure(call);
    }
    if (call.operandCount() != 1 || !(call.operand(0) instanceof SqlIdentifier id)
        || id.isStar()) {
      throw error(fn + " takes one measure of " + table.name(), call);
    }
    Column c = column(id);
    if (!c.aggregated()) {
      throw error(fn + "(" + (distinct ? "DISTINCT " : "") + c.name() + "): " + c.name()
          + " is a " + c.kind().name().toLowerCase(Locale.ROOT) + "; in a query on a semantic"
          + " table aggregates apply to measures (define a measure in the model, or aggregate"
          + " in an outer query)", call);
    }
    String allowed = allowedAggregate(c);
    String used = fn.equals("COUNT") && distinct ? "COUNT(DISTINCT)" : fn;
    boolean ok = used.equals(allowed)
        || ("APPROX_COUNT_DISTINCT".equals(used) && "COUNT(DISTINCT)".equals(allowed))
        || ("COUNT(DISTINCT)".equals(used) && c.agg() == Aggregation.COUNT_DISTINCT_APPROX);
    if (!ok) {
      String agg = c.agg() == null ? "metric" : c.agg().name().toLowerCase(Locale.ROOT);
      throw error(used + "(" + c.name() + ") does not match measure " + c.path() + " ("
          + agg + "): use MEASURE(" + c.name() + ")"
          + (allowed == null ? "" : " or " + allowed.replace("(DISTINCT)", "(DISTINCT ")
              + (allowed.endsWith(")") ? "" : "(") + c.name() + ")"), call);
    }
    return c;
  }

  /** The SQL aggregate that re-states a measure, or null when only MEASURE() may read it. */
  private static String allowedAggregate(Column c) {
    Aggregation agg = c.agg();
    if (agg == null) {
      return null;
    }
    return switch (agg) {
      case SUM, COUNT -> "SUM";
      case MIN -> "MIN";
      case MAX -> "MAX";
      case AVG -> "AVG";
      case COUNT_DISTINCT, COUNT_DISTINCT_APPROX -> "COUNT(DISTINCT)";
      case NUMBER -> null;
    };
  }

  /** COUNT(*) reads the table's unfiltered count measure, preferably one named count. */
  private Column countMeasure(SqlBasicCall call) {
    Column found = null;
    for (Column c : table.columns()) {
      if (c.kind() == MemberKind.MEASURE && c.agg() == Aggregation.COUNT
          && c.member().measure().filter() == null && c.member().measure().expr() == null) {
        if (found == null || c.name().equalsIgnoreCase("count")) {
          found = c;
        }
      }
    }
    if (found == null) {
      throw error("COUNT(*) needs a count measure in " + table.name()
          + "; it has none: select one of its measures with MEASURE(m)", call);
    }
    return found;
  }

  private Item truncation(SqlBasicCall call) {
    SqlNode unit;
    SqlNode operand;
    if (call.getOperator().getName().equalsIgnoreCase("FLOOR")) {
      operand = call.operand(0);
      unit = call.operand(1);
    } else {
      if (call.operandCount() != 2) {
        throw error("DATE_TRUNC takes a unit and a time dimension: DATE_TRUNC('month', t)", call);
      }
      unit = call.operand(0);
      operand = call.operand(1);
      if (!(unit instanceof SqlCharStringLiteral) && call.operand(0) instanceof SqlIdentifier
          && call.operand(1) instanceof SqlIdentifier) {
        // DATE_TRUNC(t, MONTH), as BigQuery writes it
        operand = call.operand(0);
        unit = call.operand(1);
      }
    }
    String unitName;
    if (unit instanceof SqlIntervalQualifier q) {
      unitName = q.timeUnitRange.name();
    } else if (unit instanceof SqlCharStringLiteral s) {
      unitName = s.getValueAs(String.class);
    } else if (unit instanceof SqlLiteral l) {
      unitName = String.valueOf(l.getValue());
    } else if (unit instanceof SqlIdentifier id && id.isSimple()) {
      unitName = id.getSimple();
    } else {
      throw error("unknown time unit " + unit, unit);
    }
    Granularity g = Granularity.parse(unitName);
    if (g == null) {
      throw error("unknown time unit '" + unitName + "'; use one of second, minute, hour, day,"
          + " week, month, quarter, year", unit);
    }
    if (!(operand instanceof SqlIdentifier id)) {
      return adHoc(call); // truncating an expression
    }
    Column c = column(id);
    if (!c.time()) {
      throw error(call.getOperator().getName() + "(" + c.name() + "): " + c.name()
          + " is not a time dimension", call);
    }
    return new Item(c, g.lowerName(), call.getParserPosition());
  }

  private boolean qualifierMatches(List<String> qualifier) {
    if (qualifier.size() == 1) {
      String q = qualifier.get(0);
      return alias != null ? q.equalsIgnoreCase(alias) : q.equalsIgnoreCase(table.name());
    }
    List<String> full = new ArrayList<>(List.of(SemanticTables.CATALOG, SemanticTables.SCHEMA,
        table.name()));
    List<String> tail = full.subList(full.size() - qualifier.size(), full.size());
    if (alias != null) {
      return false;
    }
    for (int i = 0; i < qualifier.size(); i++) {
      if (!qualifier.get(i).equalsIgnoreCase(tail.get(i))) {
        return false;
      }
    }
    return true;
  }

  private Column column(SqlIdentifier id) {
    List<String> names = id.names;
    String name = names.get(names.size() - 1);
    if (names.size() > 1 && !qualifierMatches(names.subList(0, names.size() - 1))) {
      throw error("unknown table " + String.join(".", names.subList(0, names.size() - 1))
          + " in " + id + "; this query reads " + (alias != null ? alias : table.name()), id);
    }
    return table.column(name).orElseThrow(() -> error("no column '" + name + "' in semantic."
        + table.name() + "; its columns are " + table.columns().stream().map(Column::name)
        .toList(), id));
  }

  // ------------------------------------------------------------------- WHERE and HAVING

  private void where(SqlNode e, List<Filter> filters, List<String> segments) {
    if (e.getKind() == SqlKind.AND) {
      for (SqlNode part : ((SqlCall) e).getOperandList()) {
        where(part, filters, segments);
      }
      return;
    }
    String segment = segment(e);
    if (segment != null) {
      segments.add(segment);
      return;
    }
    filters.add(condition(e, false, Map.of()));
  }

  /** The segment a condition names ({@code completed}, {@code completed = TRUE}), or null. */
  private String segment(SqlNode e) {
    SqlIdentifier id = null;
    if (e instanceof SqlIdentifier i) {
      id = i;
    } else if ((e.getKind() == SqlKind.EQUALS || e.getKind() == SqlKind.IS_TRUE)
        && ((SqlCall) e).operand(0) instanceof SqlIdentifier i) {
      if (e.getKind() == SqlKind.IS_TRUE
          || (((SqlCall) e).operand(1) instanceof SqlLiteral l
              && Boolean.TRUE.equals(l.getValue()))) {
        id = i;
      }
    }
    if (id == null) {
      return null;
    }
    Column c = column(id);
    return c.segment() ? c.path() : null;
  }

  private void having(SqlNode e, List<Filter> filters, Map<String, Item> aliases) {
    if (e.getKind() == SqlKind.AND) {
      for (SqlNode part : ((SqlCall) e).getOperandList()) {
        having(part, filters, aliases);
      }
      return;
    }
    filters.add(condition(e, true, aliases));
  }

  /** A condition of WHERE (on dimensions) or HAVING (on measures) as a filter. */
  private Filter condition(SqlNode e, boolean having, Map<String, Item> aliases) {
    SqlKind kind = e.getKind();
    switch (kind) {
      case AND, OR -> {
        List<Filter> parts = new ArrayList<>();
        for (SqlNode p : ((SqlCall) e).getOperandList()) {
          if (!having && segment(p) != null) {
            throw error("a segment can only be combined with AND at the top of WHERE", p);
          }
          parts.add(condition(p, having, aliases));
        }
        return kind == SqlKind.AND ? new Filter.And(parts) : new Filter.Or(parts);
      }
      case NOT -> {
        SqlNode inner = ((SqlCall) e).operand(0);
        return negate(inner, having, aliases, e);
      }
      case EQUALS, NOT_EQUALS, GREATER_THAN, GREATER_THAN_OR_EQUAL, LESS_THAN,
          LESS_THAN_OR_EQUAL -> {
        SqlCall call = (SqlCall) e;
        SqlNode left = call.operand(0);
        SqlNode right = call.operand(1);
        if (isValue(left) && !isValue(right)) {
          SqlNode t = left;
          left = right;
          right = t;
          kind = kind.reverse();
        }
        if (!having && !isValue(right)) {
          return booleanAdHoc(e); // a comparison of two expressions: {a} > {b}
        }
        String c = operand(left, having, aliases);
        String v = value(right);
        FilterOperator op = switch (kind) {
          case EQUALS -> FilterOperator.EQUALS;
          case NOT_EQUALS -> FilterOperator.NOT_EQUALS;
          case GREATER_THAN -> FilterOperator.GT;
          case GREATER_THAN_OR_EQUAL -> FilterOperator.GTE;
          case LESS_THAN -> FilterOperator.LT;
          default -> FilterOperator.LTE;
        };
        return new Filter.Condition(c, op, List.of(v));
      }
      case IN, NOT_IN -> {
        SqlCall call = (SqlCall) e;
        String c = operand(call.operand(0), having, aliases);
        if (!(call.operand(1) instanceof SqlNodeList list)) {
          throw error("IN takes a list of values here; subqueries are not supported in a query"
              + " on one semantic table", call.operand(1));
        }
        List<String> values = new ArrayList<>();
        for (SqlNode v : list) {
          values.add(value(v));
        }
        return new Filter.Condition(c,
            kind == SqlKind.IN ? FilterOperator.EQUALS : FilterOperator.NOT_EQUALS, values);
      }
      case IS_NULL, IS_NOT_NULL -> {
        String c = operand(((SqlCall) e).operand(0), having, aliases);
        return new Filter.Condition(c,
            kind == SqlKind.IS_NULL ? FilterOperator.NOT_SET : FilterOperator.SET, List.of());
      }
      case BETWEEN -> {
        SqlCall call = (SqlCall) e;
        String c = operand(call.operand(0), having, aliases);
        String low = value(call.operand(1));
        String high = value(call.operand(2));
        if (call.getOperator().getName().toUpperCase(Locale.ROOT).contains("NOT")) {
          return new Filter.Or(List.of(
              new Filter.Condition(c, FilterOperator.LT, List.of(low)),
              new Filter.Condition(c, FilterOperator.GT, List.of(high))));
        }
        return new Filter.And(List.of(
            new Filter.Condition(c, FilterOperator.GTE, List.of(low)),
            new Filter.Condition(c, FilterOperator.LTE, List.of(high))));
      }
      case LIKE -> {
        SqlCall call = (SqlCall) e;
        if (call.operandCount() > 2) {
          throw error("LIKE ... ESCAPE is not supported in a query on one semantic table", e);
        }
        boolean negated = call.getOperator().getName().toUpperCase(Locale.ROOT).contains("NOT");
        String c = operand(call.operand(0), having, aliases);
        return like(c, value(call.operand(1)), negated, call.operand(1));
      }
      default -> { }
    }
    if (e instanceof SqlIdentifier id && !having) {
      Column c = column(id);
      if (c.kind() == MemberKind.DIMENSION
          && c.member().dimension().type() == io.strata.semantic.model.DimensionType.BOOLEAN) {
        return new Filter.Condition(c.path(), FilterOperator.EQUALS, List.of("true"));
      }
    }
    if (!having) {
      return booleanAdHoc(e);
    }
    throw error("'" + e + "' is not a condition a query on one semantic table can filter by:"
        + " compare a measure with values (=, <>, <, >, IN, BETWEEN, LIKE, IS NULL), combined"
        + " with AND, OR and NOT", e);
  }

  /**
   * A WHERE condition no filter operator says, such as {@code a > b} or a CASE: pushed down
   * whole as a boolean ad-hoc dimension that must be true.
   */
  private Filter booleanAdHoc(SqlNode e) {
    Item item = adHoc(e);
    if (item.adHoc().type() != AdHocExpression.Type.BOOLEAN) {
      throw error("'" + e + "' is not a condition: WHERE needs a true/false expression over"
          + " dimensions (or compare one with values)", e);
    }
    return new Filter.Condition(item.name(), FilterOperator.EQUALS, List.of("true"));
  }

  private Filter negate(SqlNode inner, boolean having, Map<String, Item> aliases, SqlNode at) {
    switch (inner.getKind()) {
      case IN -> {
        Filter.Condition c = (Filter.Condition) condition(inner, having, aliases);
        return new Filter.Condition(c.member(), FilterOperator.NOT_EQUALS, c.values());
      }
      case EQUALS -> {
        Filter.Condition c = (Filter.Condition) condition(inner, having, aliases);
        return new Filter.Condition(c.member(), FilterOperator.NOT_EQUALS, c.values());
      }
      case IS_NULL -> {
        Filter.Condition c = (Filter.Condition) condition(inner, having, aliases);
        return new Filter.Condition(c.member(), FilterOperator.SET, List.of());
      }
      case LIKE -> {
        SqlCall call = (SqlCall) inner;
        boolean negated = call.getOperator().getName().toUpperCase(Locale.ROOT).contains("NOT");
        String c = operand(call.operand(0), having, aliases);
        return like(c, value(call.operand(1)), !negated, call.operand(1));
      }
      default -> { }
    }
    if (inner instanceof SqlIdentifier id && !having) {
      Column c = column(id);
      if (c.kind() == MemberKind.DIMENSION
          && c.member().dimension().type() == io.strata.semantic.model.DimensionType.BOOLEAN) {
        return new Filter.Condition(c.path(), FilterOperator.EQUALS, List.of("false"));
      }
      if (c.segment()) {
        throw error("NOT " + c.name() + ": a segment cannot be negated; define the opposite"
            + " segment in the model", at);
      }
    }
    if (!having) {
      return booleanAdHoc(at);
    }
    throw error("NOT is supported before IN, =, LIKE, IS NULL and boolean dimensions in a query"
        + " on one semantic table", at);
  }

  private Filter like(String c, String pattern, boolean negated, SqlNode at) {
    if (pattern.indexOf('_') >= 0) {
      throw error("LIKE patterns with _ are not supported; use % at the start, the end or"
          + " both", at);
    }
    boolean before = pattern.startsWith("%");
    boolean after = pattern.endsWith("%") && pattern.length() > (before ? 1 : 0);
    String core = pattern.substring(before ? 1 : 0, pattern.length() - (after ? 1 : 0));
    if (core.indexOf('%') >= 0) {
      throw error("LIKE patterns with % in the middle are not supported", at);
    }
    FilterOperator op;
    if (before && after) {
      op = negated ? FilterOperator.NOT_CONTAINS : FilterOperator.CONTAINS;
    } else if (negated) {
      if (!before && !after) {
        op = FilterOperator.NOT_EQUALS;
      } else {
        throw error("NOT LIKE is supported with '%text%' and 'text' patterns", at);
      }
    } else if (before) {
      op = FilterOperator.ENDS_WITH;
    } else if (after) {
      op = FilterOperator.STARTS_WITH;
    } else {
      op = FilterOperator.EQUALS;
    }
    return new Filter.Condition(c, op, List.of(core));
  }

  /**
   * The member a condition tests: a dimension or an expression over dimensions (an ad-hoc
   * dimension) in WHERE, a measure in HAVING; as the filter names it.
   */
  private String operand(SqlNode e, boolean having, Map<String, Item> aliases) {
    Column c;
    if (having) {
      if (e instanceof SqlIdentifier id && id.isSimple()
          && table.column(id.getSimple()).isEmpty()
          && aliases.containsKey(id.getSimple().toLowerCase(Locale.ROOT))) {
        c = aliases.get(id.getSimple().toLowerCase(Locale.ROOT)).column();
      } else {
        Item item = item(e);
        if (item.granularity() != null || item.adHoc() != null) {
          throw error("HAVING filters measures; filter dimensions and expressions over them"
              + " in WHERE", e);
        }
        c = item.column();
      }
      if (!c.aggregated()) {
        throw error("HAVING " + c.name() + ": " + c.name() + " is a dimension; filter it in"
            + " WHERE", e);
      }
      return c.path();
    }
    if (!(e instanceof SqlIdentifier id)) {
      if (e instanceof SqlBasicCall call) {
        String fn = call.getOperator().getName().toUpperCase(Locale.ROOT);
        if (Set.of("MEASURE", "AGGREGATE", "SUM", "COUNT", "MIN", "MAX", "AVG").contains(fn)) {
          throw error("measures are filtered in HAVING, not WHERE", e);
        }
      }
      return adHoc(e).name();
    }
    c = column(id);
    if (c.aggregated()) {
      throw error(c.name() + " is a measure: filter measures in HAVING, not WHERE", e);
    }
    if (c.segment()) {
      throw error(c.name() + " is a segment: use it alone (WHERE " + c.name() + ")", e);
    }
    return c.path();
  }

  private static boolean isValue(SqlNode e) {
    return e instanceof SqlLiteral || e.getKind() == SqlKind.MINUS_PREFIX
        || e.getKind() == SqlKind.CAST && ((SqlCall) e).operand(0) instanceof SqlLiteral;
  }

  /** A literal as the string a filter value is. */
  private String value(SqlNode e) {
    if (e.getKind() == SqlKind.CAST && ((SqlCall) e).operand(0) instanceof SqlLiteral l) {
      return value(l);
    }
    if (e.getKind() == SqlKind.MINUS_PREFIX
        && ((SqlCall) e).operand(0) instanceof SqlNumericLiteral n) {
      return n.bigDecimalValue().negate().toPlainString();
    }
    if (!(e instanceof SqlLiteral l)) {
      throw error("'" + e + "' is not a value; a query on one semantic table compares members"
          + " with literal values or ? parameters", e);
    }
    if (l.getValue() == null) {
      throw error("comparing with NULL is never true; use IS NULL or IS NOT NULL", e);
    }
    if (l instanceof SqlNumericLiteral n) {
      return Objects.requireNonNull(n.bigDecimalValue()).toPlainString();
    }
    if (l instanceof SqlCharStringLiteral s) {
      return s.getValueAs(String.class);
    }
    if (l instanceof SqlDateLiteral d) {
      return d.toFormattedString();
    }
    if (l instanceof SqlTimestampLiteral t) {
      return t.toFormattedString().replace(' ', 'T');
    }
    if (l instanceof SqlTimeLiteral) {
      throw error("TIME literals are not supported in filters; compare with a TIMESTAMP", e);
    }
    Object v = l.getValue();
    if (v instanceof Boolean b) {
      return b.toString();
    }
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return l.toValue();
  }

  private Integer count(SqlNode n, String what) {
    if (n == null) {
      return null;
    }
    if (n instanceof SqlNumericLiteral lit && lit.isInteger()) {
      long v = lit.longValue(true);
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw error(what + " " + v + " is out of range", n);
      }
      return (int) v;
    }
    throw error(what + " takes a whole number", n);
  }

  private SqlQueryException error(String message, SqlNode at) {
    return error(message, at == null ? null : at.getParserPosition());
  }

  private SqlQueryException error(String message, SqlParserPos pos) {
    return shifts.error(Code.VALIDATION_ERROR, message, pos);
  }

  private static String at(SqlParserPos pos) {
    return SqlParsing.at(pos);
  }
}
