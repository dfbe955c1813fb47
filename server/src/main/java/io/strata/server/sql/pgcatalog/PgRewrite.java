package io.strata.server.sql.pgcatalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlJsonConstructorNullClause;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlUnresolvedFunction;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.util.SqlShuttle;
import org.apache.calcite.sql.validate.SqlConformanceEnum;

/**
 * Rewrites a parsed Postgres statement into one Calcite validates over Strata's catalog:
 * {@code ::} casts and Postgres type names become standard casts, {@code 'orders'::regclass}
 * a lookup in {@code pg_class}, catalog functions (obj_description, col_description,
 * pg_get_userbyid, pg_get_indexdef, pg_get_constraintdef, pg_table_is_visible) subqueries of
 * the catalog tables, session functions (version(), current_schema(), current_schemas(bool),
 * now()) their values, privilege checks TRUE (the catalog holds only what the user may query),
 * int2vector operations ({@code = ANY(indkey)}, {@code indkey[0]}) functions over their text
 * form, and unqualified {@code pg_*} tables are read from {@code pg_catalog}.
 */
final class PgRewrite extends SqlShuttle {
  private static final SqlParserPos POS = SqlParserPos.ZERO;
  /** int2vector / int2[] columns (kept in their text form) and the index of their first item. */
  private static final Map<String, Integer> VECTORS = Map.of("indkey", 0, "indcollation", 0,
      "indclass", 0, "indoption", 0, "proargtypes", 0, "conkey", 1, "confkey", 1,
      "polroles", 1,
      // pgjdbc's getIndexInfo reads i.indoption AS I_INDOPTION from a subquery
      "i_indoption", 0);
  private static final Set<String> TRUE_FUNCTIONS = Set.of("has_table_privilege",
      "has_schema_privilege", "has_database_privilege", "has_column_privilege",
      "has_any_column_privilege", "has_function_privilege", "has_sequence_privilege",
      "pg_has_role", "pg_type_is_visible", "pg_function_is_visible");
  private static final Set<String> NULL_FUNCTIONS = Set.of("pg_get_expr",
      "pg_get_function_result", "pg_get_function_arguments",
      "pg_get_function_identity_arguments", "pg_get_serial_sequence", "pg_get_viewdef",
      "pg_get_statisticsobjdef_columns", "pg_get_triggerdef", "pg_get_ruledef",
      "pg_get_partkeydef", "pg_tablespace_location");
  private static final Set<String> TEXT_TYPES = Set.of("text", "varchar", "name", "bpchar",
      "char", "character", "citext", "json", "jsonb", "uuid", "xml", "unknown");
  private static final Set<String> OID_TYPES = Set.of("oid", "regnamespace", "regrole",
      "regoper", "regoperator", "xid", "cid", "tid", "int2vector", "oidvector");

  private static final Set<String> BOOLEAN_COLUMNS = booleanColumns();

  private final String user;

  private PgRewrite(String user) {
    this.user = user;
  }

  static SqlNode rewrite(SqlNode node, String user) {
    return PgInline.inline(node.accept(new PgRewrite(user)));
  }

  @Override
  public SqlNode visit(SqlLiteral literal) {
    // E'' strings come as UTF-16 literals, which Calcite will not concatenate or compare with
    // the other strings; Strata's are one character set
    if (literal instanceof org.apache.calcite.sql.SqlCharStringLiteral s
        && s.getNlsString().getCharsetName() != null
        && s.getNlsString().getCharsetName().replace("-", "").toUpperCase(Locale.ROOT)
            .startsWith("UTF16")) {
      String value = s.getNlsString().getValue();
      if (value.chars().allMatch(ch -> ch < 256)) {
        return SqlLiteral.createCharString(value, literal.getParserPosition());
      }
    }
    return literal;
  }

  private static Set<String> booleanColumns() {
    Set<String> out = new java.util.HashSet<>();
    for (var defs : List.of(PgTables.PG_CATALOG, PgTables.INFORMATION_SCHEMA)) {
      for (PgTables.Def d : defs.values()) {
        for (PgTables.Col c : d.columns()) {
          if (c.type() == SqlTypeName.BOOLEAN) {
            out.add(c.name());
          }
        }
      }
    }
    return Set.copyOf(out);
  }

  @Override
  public SqlNode visit(SqlIdentifier id) {
    if (id.names.size() == 1 && !id.isComponentQuoted(0)) {
      // Postgres's niladic functions (Calcite would give its own values)
      switch (id.names.get(0).toLowerCase(Locale.ROOT)) {
        case "current_catalog" -> {
          return SqlLiteral.createCharString(PgCatalog.DATABASE, id.getParserPosition());
        }
        case "current_schema" -> {
          return SqlLiteral.createCharString(PgCatalog.SEMANTIC, id.getParserPosition());
        }
        case "current_user", "session_user", "user", "current_role" -> {
          return SqlLiteral.createCharString(user, id.getParserPosition());
        }
        default -> { }
      }
    }
    // "demo.retail" is how a data source's schema shows in the catalog: demo.retail in Strata
    List<String> parts = new ArrayList<>();
    boolean split = false;
    for (int i = 0; i < id.names.size(); i++) {
      String n = id.names.get(i);
      if (n.contains(".") && !n.startsWith(".") && !n.endsWith(".")) {
        parts.addAll(List.of(n.split("\\.")));
        split = true;
      } else {
        parts.add(n);
      }
    }
    if (split) {
      return new SqlIdentifier(parts, id.getParserPosition());
    }
    return id;
  }

  @Override
  public SqlNode visit(SqlCall call) {
    SqlNode visited = super.visit(call);
    if (!(visited instanceof SqlCall c)) {
      return visited;
    }
    if (c instanceof SqlSelect select) {
      select.setFrom(qualify(select.getFrom()));
      unnest(select);
      return select;
    }
    if (c instanceof org.apache.calcite.sql.fun.SqlCase kase) {
      // Postgres's string literals are text: a CASE of 'TABLE' and 'VIEW' is not a CHAR(5)
      // padding 'VIEW' with a blank
      varying(kase.getThenOperands());
      if (kase.getElseOperand() instanceof SqlLiteral lit
          && lit.getTypeName() == SqlTypeName.CHAR) {
        kase.setOperand(3, varchar(lit));
      }
      return kase;
    }
    String op = c.getOperator().getName();
    if (op.equals("::") || c.getKind() == SqlKind.CAST) {
      return cast(c);
    }
    if (c.getOperator() instanceof SqlFunction f && f.getSqlIdentifier() != null
        && f.getFunctionType() == SqlFunctionCategory.USER_DEFINED_FUNCTION) {
      return function(c, f.getSqlIdentifier());
    }
    if (c.getOperator().getName().equalsIgnoreCase("CURRENT_CATALOG")) {
      return SqlLiteral.createCharString(PgCatalog.DATABASE, c.getParserPosition());
    }
    if (c.getKind() == SqlKind.DOT && c.operand(0) instanceof SqlIdentifier record
        && c.operand(1) instanceof SqlIdentifier f && last(f).equals("x")) {
      return record; // (keys).x of an expanded array (see unnest): the item itself
    }
    if (c.getKind() == SqlKind.SOME && c.operandCount() == 2 && "= SOME".equals(op)
        && c.operand(1) instanceof org.apache.calcite.sql.SqlNodeList list && list.size() == 1
        && vector(list.get(0)) != null) {
      c.setOperand(1, list.get(0));
    }
    if (c.getKind() == SqlKind.SOME && c.operandCount() == 2 && vector(c.operand(1)) != null
        && "= SOME".equals(op)) {
      return udf("strata$vector_has", c.getParserPosition(), c.operand(1), c.operand(0));
    }
    if (c.getKind() == SqlKind.ITEM && vector(c.operand(0)) != null) {
      return udf("strata$vector_at", c.getParserPosition(), c.operand(0), c.operand(1),
          SqlLiteral.createExactNumeric(String.valueOf(vector(c.operand(0))), POS));
    }
    if ((c.getKind() == SqlKind.EQUALS || c.getKind() == SqlKind.NOT_EQUALS)
        && c.operandCount() == 2) {
      for (int i = 0; i < 2; i++) {
        SqlLiteral b = booleanText(c.operand(1 - i));
        if (b != null && c.operand(i) instanceof SqlIdentifier id
            && BOOLEAN_COLUMNS.contains(last(id))) {
          c.setOperand(1 - i, b);
        }
      }
    }
    return c;
  }

  private static void varying(org.apache.calcite.sql.SqlNodeList values) {
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i) instanceof SqlLiteral lit && lit.getTypeName() == SqlTypeName.CHAR) {
        values.set(i, varchar(lit));
      }
    }
  }

  private static SqlNode varchar(SqlLiteral lit) {
    return standardCast(lit, new SqlBasicTypeNameSpec(SqlTypeName.VARCHAR,
        lit.getParserPosition()), lit.getParserPosition());
  }

  /** {@code 't'} or {@code 'false'} as Postgres reads it against a boolean, else null. */
  private static SqlLiteral booleanText(SqlNode node) {
    if (node instanceof SqlLiteral lit && lit.getTypeName() == SqlTypeName.CHAR) {
      String v = lit.getValueAs(String.class).trim().toLowerCase(Locale.ROOT);
      if (Set.of("t", "true", "y", "yes", "on", "1").contains(v)) {
        return SqlLiteral.createBoolean(true, lit.getParserPosition());
      }
      if (Set.of("f", "false", "n", "no", "off", "0").contains(v)) {
        return SqlLiteral.createBoolean(false, lit.getParserPosition());
      }
    }
    return null;
  }

  /**
   * {@code SELECT unnest(ix.indkey) attnum, generate_subscripts(ix.indkey, 1) ord FROM
   * pg_index ix} (SQLAlchemy's primary-key columns): Postgres's set-returning functions in a
   * select list, over an int2vector, become a join with the positions 1..32 of the vector.
   */
  private static void unnest(SqlSelect select) {
    SqlNode vector = null;
    List<SqlNode> items = select.getSelectList() == null ? List.of()
        : select.getSelectList().getList();
    for (int k = 0; k < items.size(); k++) {
      SqlNode item = items.get(k);
      SqlNode expr = item.getKind() == SqlKind.AS ? ((SqlCall) item).operand(0) : item;
      String field = "x";
      if (expr.getKind() == SqlKind.DOT && ((SqlCall) expr).operand(1) instanceof SqlIdentifier f
          && "_pg_expandarray".equals(functionName(((SqlCall) expr).operand(0)))) {
        field = last(f);
        expr = ((SqlCall) expr).operand(0);
      }
      String fn = functionName(expr);
      if (fn == null || !(fn.equals("unnest") || fn.equals("generate_subscripts")
          || fn.equals("_pg_expandarray"))) {
        continue;
      }
      // information_schema._pg_expandarray(v) is the record (x, n): the item, its position
      if (fn.equals("_pg_expandarray")) {
        fn = field.equals("n") ? "generate_subscripts" : "unnest";
      }
      SqlCall call = (SqlCall) expr;
      Integer base = call.operandCount() == 0 ? null : vector(call.operand(0));
      if (base == null || vector != null && !vector.equalsDeep(call.operand(0),
          org.apache.calcite.util.Litmus.IGNORE)) {
        continue;
      }
      vector = call.operand(0);
      SqlParserPos pos = call.getParserPosition();
      SqlNode index = template(fn.equals("generate_subscripts") && base == 0
          && functionName(expr).equals("_pg_expandarray") ? "strata_s.i"
          : "strata_s.i - 1 + " + base);
      SqlNode value = fn.equals("unnest")
          ? udf("strata$vector_at", pos, vector, index,
              SqlLiteral.createExactNumeric(String.valueOf(base), pos))
          : index;
      SqlNode named = item.getKind() == SqlKind.AS
          ? SqlStdOperatorTable.AS.createCall(pos, value, ((SqlCall) item).operand(1))
          : SqlStdOperatorTable.AS.createCall(pos, value, new SqlIdentifier(fn, pos));
      select.getSelectList().set(k, named);
    }
    if (vector == null) {
      return;
    }
    SqlSelect positions = (SqlSelect) template("(SELECT * FROM pg_catalog.\"" + PgTables.SERIES
        + "\" strata_s WHERE strata_s.i <= \"strata$vector_length\"(\"$1\"))",
        List.of(vector));
    SqlJoin join = (SqlJoin) ((SqlSelect) template("(SELECT * FROM strata_t CROSS JOIN"
        + " pg_catalog.\"" + PgTables.SERIES + "\" strata_s)")).getFrom();
    join.setLeft(select.getFrom());
    select.setFrom(join);
    SqlNode bound = positions.getWhere();
    select.setWhere(select.getWhere() == null ? bound
        : SqlStdOperatorTable.AND.createCall(POS, select.getWhere(), bound));
  }

  private static String functionName(SqlNode node) {
    if (node instanceof SqlCall call && call.getOperator() instanceof SqlFunction f
        && f.getSqlIdentifier() != null) {
      List<String> names = f.getSqlIdentifier().names;
      return names.get(names.size() - 1).toLowerCase(Locale.ROOT);
    }
    return null;
  }

  /** The first-item index of an int2vector/int2[] column named by {@code node}, else null. */
  private static Integer vector(SqlNode node) {
    return node instanceof SqlIdentifier id ? VECTORS.get(last(id)) : null;
  }

  private static String last(SqlIdentifier id) {
    return id.names.get(id.names.size() - 1).toLowerCase(Locale.ROOT);
  }

  /**
   * Unqualified {@code pg_class} in a FROM clause is {@code pg_catalog.pg_class};
   * {@code generate_series(a, b) [AS] s(n)} (pgjdbc's foreign keys and type cache) the rows of
   * a table of integers; {@code pg_get_keywords()} a table of keywords.
   */
  private static SqlNode qualify(SqlNode from) {
    SqlNode function = tableFunction(from);
    if (function != null) {
      return function;
    }
    if (from instanceof SqlIdentifier id && id.names.size() == 1
        && PgTables.PG_CATALOG.containsKey(id.names.get(0).toLowerCase(Locale.ROOT))) {
      return new SqlIdentifier(List.of(PgCatalog.PG_CATALOG,
          id.names.get(0).toLowerCase(Locale.ROOT)), id.getParserPosition());
    }
    if (from instanceof SqlJoin join) {
      join.setLeft(qualify(join.getLeft()));
      join.setRight(qualify(join.getRight()));
    } else if (from instanceof SqlCall call && call.getKind() == SqlKind.AS) {
      SqlNode series = tableFunction(call.operand(0));
      if (series != null && series instanceof SqlCall as && as.getKind() == SqlKind.AS) {
        // generate_series(1, 32) pos(n): the column is n (else the alias, as in Postgres)
        SqlIdentifier column = call.operandCount() > 2 ? (SqlIdentifier) call.operand(2)
            : (SqlIdentifier) call.operand(1);
        SqlSelect select = (SqlSelect) as.operand(0);
        SqlCall item = (SqlCall) select.getSelectList().get(0);
        item.setOperand(1, column);
        return SqlStdOperatorTable.AS.createCall(call.getParserPosition(), select,
            call.operand(1));
      }
      call.setOperand(0, qualify(call.operand(0)));
    }
    return from;
  }

  /**
   * A set-returning function in FROM as the subquery that yields its rows, aliased by the
   * function's name, or null when {@code node} is not one Strata answers.
   */
  private static SqlNode tableFunction(SqlNode node) {
    SqlNode call = node;
    if (call instanceof SqlCall c && c.getKind() == SqlKind.COLLECTION_TABLE) {
      call = c.operand(0);
    }
    String name = functionName(call);
    if (name == null) {
      return null;
    }
    List<SqlNode> args = ((SqlCall) call).getOperandList();
    SqlParserPos pos = call.getParserPosition();
    if (name.equals("generate_series") && (args.size() == 2 || args.size() == 3)) {
      String step = args.size() == 3 ? " AND MOD(strata_i.i - CAST(\"$1\" AS INTEGER),"
          + " CAST(\"$3\" AS INTEGER)) = 0" : "";
      SqlNode select = template("(SELECT strata_i.i AS generate_series FROM pg_catalog.\""
          + PgTables.INTEGERS + "\" strata_i WHERE strata_i.i >= CAST(\"$1\" AS INTEGER)"
          + " AND strata_i.i <= CAST(\"$2\" AS INTEGER)" + step + ")", args);
      return SqlStdOperatorTable.AS.createCall(pos, select,
          new SqlIdentifier("generate_series", pos));
    }
    if (name.equals("pg_get_keywords") && args.isEmpty()) {
      return SqlStdOperatorTable.AS.createCall(pos, new SqlIdentifier(List.of(
          PgCatalog.PG_CATALOG, PgTables.KEYWORDS), pos),
          new SqlIdentifier("pg_get_keywords", pos));
    }
    return null;
  }

  private SqlNode cast(SqlCall c) {
    SqlNode value = c.operand(0);
    if (!(c.operand(1) instanceof SqlDataTypeSpec spec)) {
      return c;
    }
    SqlParserPos pos = c.getParserPosition();
    String type = spec.getTypeName().names.get(spec.getTypeName().names.size() - 1)
        .toLowerCase(Locale.ROOT);
    boolean literal = value instanceof SqlLiteral lit && lit.getTypeName() == SqlTypeName.CHAR;
    if (spec.getTypeNameSpec() instanceof org.apache.calcite.sql.SqlCollectionTypeNameSpec) {
      return value; // int2[] and the like: Strata keeps such values in their text form
    }
    switch (type) {
      case "regclass" -> {
        if (literal) {
          String name = ((SqlLiteral) value).getValueAs(String.class);
          int dot = name.lastIndexOf('.');
          String relname = unquote(dot < 0 ? name : name.substring(dot + 1));
          String filter = dot < 0 ? "" : " AND strata_n.nspname = '"
              + unquote(name.substring(0, dot)).replace("'", "''") + "'";
          return template("(SELECT strata_c.oid FROM pg_catalog.pg_class strata_c"
              + " JOIN pg_catalog.pg_namespace strata_n ON strata_n.oid = strata_c.relnamespace"
              + " WHERE strata_c.relname = '" + relname.replace("'", "''") + "'" + filter + ")");
        }
        if (!(value instanceof SqlCall)) {
          return value; // an OID column (c.oid::regclass): the OID itself
        }
        // a name computed in the statement (Metabase: format('%I.%I', schema, table)::regclass)
        return template("(SELECT strata_c.oid FROM pg_catalog.pg_class strata_c"
            + " JOIN pg_catalog.pg_namespace strata_n ON strata_n.oid = strata_c.relnamespace"
            + " WHERE strata_c.relname = \"strata$regclass_part\"(\"$1\", 1)"
            + " AND strata_n.nspname = COALESCE(\"strata$regclass_part\"(\"$1\", 0), '"
            + PgCatalog.SEMANTIC + "'))", List.of(value));
      }
      case "regtype" -> {
        if (literal) {
          Integer oid = PgTypes.byName(((SqlLiteral) value).getValueAs(String.class));
          return oid == null ? SqlLiteral.createNull(pos)
              : SqlLiteral.createExactNumeric(String.valueOf(oid), pos);
        }
        return value;
      }
      case "regproc", "regprocedure" -> {
        if (literal) {
          String name = ((SqlLiteral) value).getValueAs(String.class);
          return SqlLiteral.createCharString(name.startsWith("pg_catalog.")
              ? name.substring("pg_catalog.".length()) : name, pos);
        }
        return value;
      }
      default -> { }
    }
    if (OID_TYPES.contains(type)) {
      return literal ? standardCast(value, new SqlBasicTypeNameSpec(SqlTypeName.INTEGER, pos),
          pos) : value;
    }
    if (TEXT_TYPES.contains(type) || type.equals("character varying")) {
      if (vector(value) != null) {
        return value; // already text
      }
      if (spec.getTypeNameSpec() instanceof SqlBasicTypeNameSpec basic) {
        return standardCast(value, basic, pos);
      }
      return standardCast(value, new SqlBasicTypeNameSpec(SqlTypeName.VARCHAR, pos), pos);
    }
    SqlTypeName mapped = switch (type) {
      case "int2", "smallint" -> SqlTypeName.SMALLINT;
      case "int4", "int", "integer", "serial" -> SqlTypeName.INTEGER;
      case "int8", "bigint", "bigserial" -> SqlTypeName.BIGINT;
      case "float4", "real" -> SqlTypeName.REAL;
      case "float8", "double", "float" -> SqlTypeName.DOUBLE;
      case "bool", "boolean" -> SqlTypeName.BOOLEAN;
      case "timestamptz" -> SqlTypeName.TIMESTAMP;
      default -> null;
    };
    if (mapped != null && !(spec.getTypeNameSpec() instanceof SqlBasicTypeNameSpec)) {
      return standardCast(value, new SqlBasicTypeNameSpec(mapped, pos), pos);
    }
    return SqlStdOperatorTable.CAST.createCall(pos, value, spec);
  }

  private static SqlNode standardCast(SqlNode value,
      org.apache.calcite.sql.SqlTypeNameSpec type, SqlParserPos pos) {
    return SqlStdOperatorTable.CAST.createCall(pos, value,
        new SqlDataTypeSpec(type, null, true, pos));
  }

  private static String unquote(String name) {
    String n = name.trim();
    if (n.length() >= 2 && n.startsWith("\"") && n.endsWith("\"")) {
      return n.substring(1, n.length() - 1).replace("\"\"", "\"");
    }
    return n.toLowerCase(Locale.ROOT);
  }

  private SqlNode function(SqlCall c, SqlIdentifier id) {
    List<String> names = id.names;
    String qualifier = names.size() > 1 ? names.get(names.size() - 2).toLowerCase(Locale.ROOT)
        : null;
    if (qualifier != null && !qualifier.equals(PgCatalog.PG_CATALOG)
        && !qualifier.equals(PgCatalog.INFORMATION_SCHEMA)) {
      return c;
    }
    String name = names.get(names.size() - 1).toLowerCase(Locale.ROOT);
    SqlParserPos pos = c.getParserPosition();
    List<SqlNode> args = c.getOperandList();
    if (TRUE_FUNCTIONS.contains(name)) {
      return SqlLiteral.createBoolean(true, pos);
    }
    if (NULL_FUNCTIONS.contains(name)) {
      return standardCast(SqlLiteral.createNull(pos),
          new SqlBasicTypeNameSpec(SqlTypeName.VARCHAR, pos), pos);
    }
    switch (name) {
      case "now", "transaction_timestamp", "statement_timestamp", "clock_timestamp" -> {
        return SqlStdOperatorTable.CURRENT_TIMESTAMP.createCall(pos);
      }
      case "version" -> {
        return SqlLiteral.createCharString(PgCatalog.VERSION, pos);
      }
      case "current_database" -> {
        return SqlLiteral.createCharString(PgCatalog.DATABASE, pos);
      }
      case "current_schema" -> {
        return SqlLiteral.createCharString(PgCatalog.SEMANTIC, pos);
      }
      case "current_schemas" -> {
        boolean implicit = args.isEmpty() || !(args.get(0) instanceof SqlLiteral l)
            || Boolean.TRUE.equals(l.getValueAs(Boolean.class));
        List<SqlNode> items = new ArrayList<>();
        if (implicit) {
          items.add(SqlLiteral.createCharString(PgCatalog.PG_CATALOG, pos));
        }
        items.add(SqlLiteral.createCharString(PgCatalog.SEMANTIC, pos));
        return SqlStdOperatorTable.ARRAY_VALUE_CONSTRUCTOR.createCall(pos, items);
      }
      case "pg_backend_pid" -> {
        return SqlLiteral.createExactNumeric("0", pos);
      }
      case "pg_relation_is_publishable" -> {
        return SqlLiteral.createBoolean(false, pos);
      }
      case "array_upper", "array_length" -> {
        if (args.size() == 2) {
          Integer base = vector(args.get(0));
          if (base != null) {
            SqlNode length = udf("strata$vector_length", pos, args.get(0));
            return base == 0 && name.equals("array_upper")
                ? SqlStdOperatorTable.MINUS.createCall(pos, length,
                    SqlLiteral.createExactNumeric("1", pos)) : length;
          }
          return SqlStdOperatorTable.CARDINALITY.createCall(pos, args.get(0));
        }
        return c;
      }
      case "array_lower" -> {
        Integer base = args.isEmpty() ? null : vector(args.get(0));
        return SqlLiteral.createExactNumeric(base == null ? "1" : String.valueOf(base), pos);
      }
      case "obj_description" -> {
        String classFilter = args.size() < 2 ? "" : " AND strata_d.classoid = (SELECT"
            + " strata_k.oid FROM pg_catalog.pg_class strata_k WHERE strata_k.relname = \"$2\")";
        return template("(SELECT strata_d.description FROM pg_catalog.pg_description strata_d"
            + " WHERE strata_d.objoid = \"$1\" AND strata_d.objsubid = 0" + classFilter + ")",
            args);
      }
      case "col_description" -> {
        return template("(SELECT strata_d.description FROM pg_catalog.pg_description strata_d"
            + " WHERE strata_d.objoid = \"$1\" AND strata_d.objsubid = \"$2\""
            + " AND strata_d.classoid = " + PgModel.PG_CLASS + ")", args);
      }
      case "shobj_description" -> {
        return standardCast(SqlLiteral.createNull(pos),
            new SqlBasicTypeNameSpec(SqlTypeName.VARCHAR, pos), pos);
      }
      case "pg_get_userbyid" -> {
        return template("(SELECT strata_r.rolname FROM pg_catalog.pg_roles strata_r"
            + " WHERE strata_r.oid = \"$1\")", args);
      }
      case "pg_table_is_visible" -> {
        return template("(SELECT strata_c.relnamespace IN (" + PgModel.PG_CATALOG_NS + ", "
            + PgModel.SEMANTIC_NS + ") FROM pg_catalog.pg_class strata_c"
            + " WHERE strata_c.oid = \"$1\")", args);
      }
      case "pg_get_indexdef" -> {
        List<SqlNode> a = args.size() >= 2 ? args
            : List.of(args.get(0), SqlLiteral.createExactNumeric("0", pos));
        return udf("strata$indexdef", pos, a.get(0), a.get(1));
      }
      case "pg_get_constraintdef" -> {
        return template("(SELECT strata_x.def FROM pg_catalog.\"" + PgTables.CONSTRAINTDEF
            + "\" strata_x WHERE strata_x.oid = \"$1\")", args);
      }
      case "json_build_object" -> {
        List<SqlNode> operands = new ArrayList<>();
        operands.add(SqlLiteral.createSymbol(SqlJsonConstructorNullClause.NULL_ON_NULL, pos));
        operands.addAll(args);
        return SqlStdOperatorTable.JSON_OBJECT.createCall(pos, operands);
      }
      case "format_type" -> {
        return udf("format_type", pos, args.toArray(SqlNode[]::new));
      }
      case "pg_encoding_to_char" -> {
        return udf("pg_encoding_to_char", pos, args.toArray(SqlNode[]::new));
      }
      case "date_trunc", "array_to_string" -> {
        return udf(name, pos, args.toArray(SqlNode[]::new));
      }
      case "format" -> {
        if (args.size() >= 2 && args.size() <= 4) {
          List<SqlNode> text = new ArrayList<>();
          for (SqlNode a : args) {
            text.add(standardCast(a, new SqlBasicTypeNameSpec(SqlTypeName.VARCHAR, pos), pos));
          }
          return udf("strata$format" + args.size(), pos, text.toArray(SqlNode[]::new));
        }
        return c;
      }
      case "to_timestamp", "to_date" -> {
        SqlNode folded = PgTimeLiterals.fold(name, args, pos);
        return folded == null ? c : folded;
      }
      default -> {
        if (qualifier == null) {
          return c;
        }
        // pg_catalog.lower(x) is lower(x)
        return new SqlBasicCall(new SqlUnresolvedFunction(
            new SqlIdentifier(names.get(names.size() - 1), id.getParserPosition()), null, null,
            null, null, SqlFunctionCategory.USER_DEFINED_FUNCTION), args, pos,
            c.getFunctionQuantifier());
      }
    }
  }

  /** A call of one of Strata's functions ({@link PgFunctions}), unqualified. */
  private static SqlNode udf(String name, SqlParserPos pos, SqlNode... args) {
    return new SqlBasicCall(new SqlUnresolvedFunction(new SqlIdentifier(name, pos), null, null,
        null, null, SqlFunctionCategory.USER_DEFINED_FUNCTION), args, pos);
  }

  private static final SqlParser.Config TEMPLATES = SqlParser.config()
      .withQuoting(Quoting.DOUBLE_QUOTE)
      .withUnquotedCasing(Casing.UNCHANGED)
      .withQuotedCasing(Casing.UNCHANGED)
      .withCaseSensitive(false)
      .withConformance(SqlConformanceEnum.LENIENT);

  private static SqlNode template(String sql) {
    return template(sql, List.of());
  }

  /** An expression from SQL text, with {@code "$1"}, {@code "$2"} replaced by {@code args}. */
  private static SqlNode template(String sql, List<SqlNode> args) {
    SqlNode parsed;
    try {
      parsed = SqlParser.create(sql, TEMPLATES).parseExpression();
    } catch (SqlParseException e) {
      throw new IllegalStateException("a catalog rewrite does not parse: " + sql, e);
    }
    return parsed.accept(new SqlShuttle() {
      @Override
      public SqlNode visit(SqlIdentifier id) {
        if (id.names.size() == 1 && id.names.get(0).startsWith("$")) {
          int i = Integer.parseInt(id.names.get(0).substring(1)) - 1;
          return args.get(i);
        }
        return id;
      }
    });
  }
}
