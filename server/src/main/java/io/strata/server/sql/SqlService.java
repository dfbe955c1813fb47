package io.strata.server.sql;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.semantic.compile.CompiledQuery;
import io.strata.semantic.expression.AdHocExpression;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.server.datasource.DataSourceRegistry;
import io.strata.acceleration.cache.CacheMode;
import io.strata.server.query.QueryCursor;
import io.strata.server.query.QueryExecutionException;
import io.strata.server.query.QueryRequest;
import io.strata.server.query.QueryService;
import io.strata.server.security.SecurityContext;
import io.strata.server.sql.pgcatalog.PgCatalog;
import io.strata.server.sql.SqlQueryException.Code;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.calcite.jdbc.CalciteConnection;
import org.apache.calcite.runtime.Hook;
import org.apache.calcite.sql2rel.SqlToRelConverter;
import org.apache.calcite.util.Holder;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.schema.Schema;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlExplain;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.parser.SqlAbstractParserImpl;
import org.apache.calcite.sql.parser.SqlParserImplFactory;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.parser.impl.SqlParserImpl;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.util.SqlShuttle;
import org.apache.calcite.util.DateString;
import org.apache.calcite.util.TimestampString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQL over the semantic layer and the data sources: the one SQL path of the JDBC, Flight SQL
 * and REST endpoints. Thread-safe.
 *
 * <p>A SELECT over one semantic table is translated into the semantic query the REST API would
 * build ({@link SemanticSelect}) and run by the query service directly. Anything else is
 * planned by Calcite: every semantic SELECT inside it becomes a leaf run as its own semantic
 * query, other references to semantic tables are scans grouped by the columns used, a data
 * source's tables ({@code demo.retail.orders}) are read through Calcite's JDBC adapter (pushed
 * down in the warehouse's dialect; joins across data sources are computed in Strata), and the
 * rest is computed by Calcite's engine.
 */
public final class SqlService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SqlService.class);
  static final String LEAVES = "$leaves";
  private static final SqlParserPos POS = SqlParserPos.ZERO;
  private static final ObjectMapper JSON = new ObjectMapper()
      .setSerializationInclusion(JsonInclude.Include.NON_EMPTY);
  /** The statement Calcite's JDBC driver "parses" next on this thread (see NodeParser). */
  private static final ThreadLocal<SqlNode> PENDING = new ThreadLocal<>();

  static {
    // An IN list stays a list (a SEARCH, unparsed as IN (...) for the warehouse). Calcite's
    // default turns a list of over 20 values into a join with a VALUES table, which the JDBC
    // adapter sends as one UNION ALL branch per value: 500 values crashed DuckDB's parser on
    // the native stack and took the server down with it (SIGSEGV).
    Hook.SQL2REL_CONVERTER_CONFIG_BUILDER.add(
        (java.util.function.Consumer<Holder<SqlToRelConverter.Config>>) h ->
            h.set(h.get().withInSubQueryThreshold(Integer.MAX_VALUE)));
  }

  private final SemanticTables tables;
  private final DataSourceSchemas sources;
  private final QueryService queries;
  private final BufferAllocator allocator;
  private final ScheduledExecutorService timer;
  private final org.apache.calcite.jdbc.Driver calcite = new org.apache.calcite.jdbc.Driver();
  private final SqlLimits limits;
  /** Default bound of the statement cache: the distinct statements of many dashboards. */
  public static final long STATEMENT_CACHE_ENTRIES = 10_000;
  private final StatementCache statements;
  private volatile boolean rememberDescriptions = true;

  public SqlService(Supplier<SemanticCatalog> catalog, DataSourceRegistry registry,
      QueryService queries, BufferAllocator allocator) {
    this(catalog, registry, queries, allocator, SqlLimits.defaults());
  }

  public SqlService(Supplier<SemanticCatalog> catalog, DataSourceRegistry registry,
      QueryService queries, BufferAllocator allocator, SqlLimits limits) {
    this(catalog, registry, queries, allocator, limits, STATEMENT_CACHE_ENTRIES);
  }

  /**
   * @param statementCacheEntries how many parsed and translated statements are kept (see
   *     {@link StatementCache}); 0 parses and translates every statement every time
   */
  public SqlService(Supplier<SemanticCatalog> catalog, DataSourceRegistry registry,
      QueryService queries, BufferAllocator allocator, SqlLimits limits,
      long statementCacheEntries) {
    this.statements = new StatementCache(statementCacheEntries, catalog,
        () -> queries.access().version());
    this.limits = limits;
    this.tables = new SemanticTables(catalog, queries);
    this.sources = new DataSourceSchemas(registry);
    this.queries = queries;
    this.allocator = allocator;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "strata-sql-timeout");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Parses and checks one statement without running it.
   *
   * @throws SqlQueryException not valid SQL, not read-only, or a semantic SELECT that asks for
   *     something the semantic layer cannot answer
   */
  public PreparedSql prepare(String sql, SecurityContext security) {
    return prepare(sql, security, null);
  }

  /**
   * As {@link #prepare(String, SecurityContext)} for the session's user; a statement refused as
   * too big or too deep is recorded in the query log as run by {@code session}, since it never
   * reaches execution.
   */
  public PreparedSql prepare(String sql, SqlSession session) {
    return prepare(sql, session.security(), session);
  }

  private PreparedSql prepare(String sql, SecurityContext security, SqlSession session) {
    boolean pg = session != null && session.options().postgres();
    StatementCache.Generation kept = statements.current();
    PreparedSql known = kept.get(StatementCache.Kind.PREPARED, sql, pg, security, null);
    if (known != null) {
      return known;
    }
    SemanticTables tables = this.tables.as(security);
    String postgres = pg ? security.username() : null;
    try {
      PreparedSql prepared = guarded(() -> prepareChecked(sql, tables, postgres));
      kept.put(StatementCache.Kind.PREPARED, sql, pg, security, null, prepared);
      return prepared;
    } catch (SqlQueryException e) {
      if (e.code() == Code.TOO_COMPLEX && session != null) {
        long micros = 0;
        log(UUID.randomUUID().toString(), session, sql, List.of(), queries.clock().instant(),
            micros, 0, micros, 0, e);
      }
      throw e;
    }
  }

  private PreparedSql prepareChecked(String sql, SemanticTables tables, String postgres) {
    if (setCache(sql) != null) {
      return new PreparedSql(sql, 0, List.of(new SqlColumn(SET_CACHE_COLUMN, java.sql.Types.VARCHAR,
          "VARCHAR", true, 16, 0, "the connection's results-cache mode")));
    }
    SqlParsing.Parsed parsed = parse(sql, tables, postgres);
    int[] count = {0};
    parsed.node().accept(new SqlShuttle() {
      @Override
      public SqlNode visit(SqlDynamicParam param) {
        count[0]++;
        return param;
      }
    });
    List<SqlColumn> columns = List.of();
    SqlNode node = parsed.node();
    if (!(node instanceof SqlExplain)) {
      if (count[0] == 0) {
        SemanticSelect.Translation t = SemanticSelect.of(node, tables, parsed.shifts());
        if (t != null) {
          columns = leafColumns(t);
        }
      } else {
        // A semantic SELECT's columns do not depend on its parameters' values: translated with
        // placeholder values for its columns only. Whatever the placeholders upset is reported
        // when the statement runs with its real values.
        try {
          List<Object> placeholders = new ArrayList<>();
          for (int i = 0; i < count[0]; i++) {
            placeholders.add("0");
          }
          SemanticSelect.Translation t = SemanticSelect.of(bind(node, placeholders), tables,
              parsed.shifts());
          if (t != null) {
            columns = leafColumns(t);
          }
        } catch (RuntimeException e) {
          LOG.debug("no columns before execution for {}: {}", sql, e.getMessage());
        }
      }
    }
    return new PreparedSql(sql, count[0], columns);
  }

  /**
   * Runs a prepared statement with its parameter values. The first batch is read before this
   * returns, so warehouse errors surface here.
   *
   * @throws SqlQueryException the statement does not translate, or a parameter is missing
   * @throws RuntimeException the query service's exceptions ({@code QueryException},
   *     {@code DataSourceException}, {@code QueryExecutionException})
   */
  public SqlCursor execute(PreparedSql statement, List<Object> parameters, SqlSession session) {
    boolean[] planning = {false}; // once Calcite plans it, its own query-log entry records it
    try {
      return guarded(() -> executeChecked(statement, parameters, session, planning));
    } catch (SqlQueryException e) {
      if (e.code() == Code.TOO_COMPLEX && !planning[0]) {
        log(UUID.randomUUID().toString(), session, statement.sql(), List.of(),
            queries.clock().instant(), 0, 0, 0, 0, e);
      }
      throw e;
    }
  }

  private SqlCursor executeChecked(PreparedSql statement, List<Object> parameters,
      SqlSession session, boolean[] planning) {
    int given = parameters == null ? 0 : parameters.size();
    if (given != statement.parameterCount()) {
      // a value without a placeholder is as much a mistake as a placeholder without a value:
      // the client meant another statement
      throw new SqlQueryException(Code.PARAMETER_ERROR, "the statement has "
          + statement.parameterCount() + " parameter" + (statement.parameterCount() == 1 ? "" : "s")
          + " (?) but " + given + " value" + (given == 1 ? " was" : "s were") + " given", 0, 0);
    }
    if (session.cancel().cancelled()) {
      throw new QueryExecutionException(QueryExecutionException.Code.CANCELLED, null,
          "the statement was cancelled before it started");
    }
    SemanticTables tables = this.tables.as(session.security());
    CacheMode set = setCache(statement.sql());
    if (set != null) {
      session.options().cache(set);
      return new ArrowSqlCursors.Lines(UUID.randomUUID().toString(), SET_CACHE_COLUMN,
          List.of(set.id()), allocator);
    }
    String sql = statement.sql();
    boolean pg = session.options().postgres();
    SecurityContext security = session.security();
    List<Object> values = parameters == null ? List.of() : parameters;
    StatementCache.Generation kept = statements.current();
    SemanticSelect.Translation known = kept.get(StatementCache.Kind.TRANSLATED, sql, pg,
        security, values);
    if (known != null) {
      return semantic(known, sql, session);
    }
    String postgres = pg ? session.user() : null;
    // a semantic SELECT's tree is only read (binding copies what it changes): it may be kept
    SqlParsing.Parsed parsed = kept.get(StatementCache.Kind.PARSED, sql, pg, security, null);
    boolean reused = parsed != null;
    if (!reused) {
      parsed = parse(sql, tables, postgres);
    }
    SqlNode node = bind(parsed.node(), values);
    if (node instanceof SqlExplain explain) {
      // Calcite's validator rewrites the tree it validates: each use gets a fresh one
      Supplier<SqlNode> fresh = () -> ((SqlExplain) bind(
          parse(sql, tables, postgres).node(), values)).getExplicandum();
      return explain(explain, fresh, parsed.shifts(), sql, session);
    }
    SemanticSelect.Translation t = SemanticSelect.of(node, tables, parsed.shifts());
    if (t != null) {
      if (!values.isEmpty()) {
        kept.put(StatementCache.Kind.PARSED, sql, pg, security, null, parsed);
      }
      kept.put(StatementCache.Kind.TRANSLATED, sql, pg, security, values, t);
      return semantic(t, sql, session);
    }
    if (reused) {
      // never a kept tree for Calcite: its validator rewrites what it is given
      parsed = parse(sql, tables, postgres);
      node = bind(parsed.node(), values);
    }
    planning[0] = true;
    return calcite(node, parsed.shifts(), sql, session);
  }

  /** Runs a semantic SELECT's translation as one query of the query service. */
  private SqlCursor semantic(SemanticSelect.Translation t, String sql, SqlSession session) {
    String id = UUID.randomUUID().toString();
    SqlCancel cancel = session.cancel();
    cancel.onCancel(() -> queries.cancel(id));
    QueryCursor cursor = queries.open(new QueryRequest(t.query(), sql, session.security(),
        session.endpoint(), id, cancel::cancelled, session.options().cache(),
        session.options().limits()));
    return new SemanticSqlCursor(queries, cursor, t.outputs());
  }

  /**
   * What a statement returns and the types of its parameters, from parsing, validation and
   * planning only: nothing runs (no warehouse query, no query-log entry). A parameter whose
   * type the statement does not decide is null (the client's, or text).
   *
   * @param columns the result's columns; empty when validation cannot tell (the statement is
   *     then described as it runs)
   */
  public record Description(List<SqlColumn> columns, List<SqlColumn> parameters) {
    public Description {
      // kept in the statement cache and shared: never changed (parameters hold nulls)
      columns = List.copyOf(columns);
      parameters = java.util.Collections.unmodifiableList(new ArrayList<>(parameters));
    }
  }

  /**
   * Describes a prepared statement for a client that asks before it binds values. A statement
   * described before (same text, kind of session and security context, under the same catalog
   * and access rules) is answered from the statement cache without parsing or validating.
   */
  public Description describe(PreparedSql statement, SqlSession session) {
    List<SqlColumn> none = new ArrayList<>();
    for (int i = 0; i < statement.parameterCount(); i++) {
      none.add(null);
    }
    if (setCache(statement.sql()) != null) {
      return new Description(statement.columns(), none);
    }
    boolean pg = session.options().postgres();
    StatementCache.Generation kept = statements.current();
    Description known = rememberDescriptions ? kept.get(StatementCache.Kind.DESCRIBED,
        statement.sql(), pg, session.security(), null) : null;
    if (known != null) {
      return known;
    }
    try {
      Description d = guarded(() -> describeChecked(statement, session, none));
      if (rememberDescriptions) {
        kept.put(StatementCache.Kind.DESCRIBED, statement.sql(), pg, session.security(), null,
            d);
      }
      return d;
    } catch (RuntimeException e) {
      // what validation alone cannot describe is described as returning no rows, as before;
      // running it with its values reports what is wrong
      LOG.debug("describing {} failed: {}", statement.sql(), e.toString());
      return new Description(statement.columns(), none);
    }
  }

  private Description describeChecked(PreparedSql statement, SqlSession session,
      List<SqlColumn> none) {
    SemanticTables tables = this.tables.as(session.security());
    String postgres = session.options().postgres() ? session.user() : null;
    SqlParsing.Parsed parsed = parse(statement.sql(), tables, postgres);
    SqlNode node = parsed.node();
    if (node instanceof SqlExplain) {
      return new Description(statement.columns(), none);
    }
    // a LIMIT's or OFFSET's placeholder is a number, every other one a string
    Set<Integer> limits = new HashSet<>();
    node.accept(new SqlShuttle() {
      @Override
      public SqlNode visit(SqlCall call) {
        List<SqlNode> bounds = call instanceof SqlSelect select
            ? java.util.Arrays.asList(select.getFetch(), select.getOffset())
            : call instanceof SqlOrderBy order ? java.util.Arrays.asList(order.fetch, order.offset)
            : List.of();
        for (SqlNode b : bounds) {
          if (b instanceof SqlDynamicParam p) {
            limits.add(p.getIndex());
          }
        }
        return super.visit(call);
      }
    });
    List<Object> placeholders = new ArrayList<>();
    for (int i = 0; i < statement.parameterCount(); i++) {
      placeholders.add(limits.contains(i) ? (Object) 1 : "0");
    }
    SemanticSelect.Translation t = null;
    try {
      t = SemanticSelect.of(bind(node, placeholders), tables, parsed.shifts());
    } catch (RuntimeException e) {
      LOG.debug("{} is not a semantic SELECT with placeholders: {}", statement.sql(),
          e.getMessage());
    }
    if (t != null) {
      return new Description(leafColumns(t), semanticParameters(
          parse(statement.sql(), tables, postgres).node(), t, tables, none));
    }
    return calciteDescription(node, parsed.shifts(), statement, session, none, false);
  }

  /**
   * The parameters of a semantic SELECT: compared with a member, the member's type; a LIMIT or
   * OFFSET, BIGINT.
   */
  private List<SqlColumn> semanticParameters(SqlNode node, SemanticSelect.Translation t,
      SemanticTables tables, List<SqlColumn> none) {
    List<SqlColumn> out = new ArrayList<>(none);
    SqlColumn bigint = new SqlColumn("limit", java.sql.Types.BIGINT, "BIGINT", false, 19, 0,
        null);
    node.accept(new SqlShuttle() {
      @Override
      public SqlNode visit(SqlCall call) {
        if (call instanceof SqlSelect select) {
          limit(select.getFetch());
          limit(select.getOffset());
        } else if (call instanceof SqlOrderBy order) {
          limit(order.fetch);
          limit(order.offset);
        } else {
          SqlIdentifier member = null;
          for (SqlNode operand : call.getOperandList()) {
            if (operand instanceof SqlIdentifier id) {
              member = id;
            }
          }
          if (member != null) {
            SqlColumn type = memberType(member);
            for (SqlNode operand : call.getOperandList()) {
              if (operand instanceof SqlDynamicParam p && type != null) {
                out.set(p.getIndex(), type);
              } else if (operand instanceof org.apache.calcite.sql.SqlNodeList list
                  && type != null) {
                for (SqlNode item : list) {
                  if (item instanceof SqlDynamicParam p) {
                    out.set(p.getIndex(), type);
                  }
                }
              }
            }
          }
        }
        return super.visit(call);
      }

      private void limit(SqlNode n) {
        if (n instanceof SqlDynamicParam p) {
          out.set(p.getIndex(), bigint);
        }
      }

      private SqlColumn memberType(SqlIdentifier id) {
        String name = id.names.get(id.names.size() - 1);
        for (SemanticTables.Column c : t.table().columns()) {
          if (c.name().equalsIgnoreCase(name)) {
            return tables.type(t.table(), c);
          }
        }
        return null;
      }
    });
    return out;
  }

  /** Calcite prepares the statement (validation and planning) without executing it. */
  private Description calciteDescription(SqlNode node, SqlParsing.Shifts shifts,
      PreparedSql statement, SqlSession session, List<SqlColumn> none, boolean nulls) {
    CalciteTables.Execution exec = new CalciteTables.Execution(session, statement.sql(),
        queries);
    try (CalciteTables.Execution.Scope scope = exec.enter()) {
      Map<String, org.apache.calcite.schema.Table> leaves = new LinkedHashMap<>();
      SqlNode rewritten = sessionUser(ColumnNames.name(withLeaves(node, shifts, leaves, exec)),
          session.user());
      try (Connection c = connect(exec, leaves, rewritten)) {
        PENDING.set(rewritten);
        try (java.sql.PreparedStatement ps = c.prepareStatement(statement.sql())) {
          java.sql.ResultSetMetaData md = ps.getMetaData();
          List<SqlColumn> columns = new ArrayList<>();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            columns.add(new SqlColumn(md.getColumnLabel(i), md.getColumnType(i),
                md.getColumnTypeName(i), md.isNullable(i) != java.sql.ResultSetMetaData.columnNoNulls,
                md.getPrecision(i), md.getScale(i), null));
          }
          List<SqlColumn> parameters = new ArrayList<>(none);
          java.sql.ParameterMetaData pm = ps.getParameterMetaData();
          for (int i = 1; i <= Math.min(pm.getParameterCount(), parameters.size()); i++) {
            int type = pm.getParameterType(i);
            if (type != java.sql.Types.OTHER && type != java.sql.Types.NULL
                && type != java.sql.Types.JAVA_OBJECT) {
              parameters.set(i - 1, new SqlColumn("$" + i, type, pm.getParameterTypeName(i),
                  true, pm.getPrecision(i), pm.getScale(i), null));
            }
          }
          return new Description(columns, parameters);
        } finally {
          PENDING.remove();
        }
      }
    } catch (SQLException | RuntimeException e) {
      if (!nulls) {
        // some plans cannot carry an untyped parameter (a cast of one, pushed to a warehouse):
        // the columns with NULL for each, the parameters' types from the statement's casts
        LOG.debug("describing {} with its parameters failed: {}", statement.sql(), e.toString());
        // parsed afresh: Calcite's validator rewrites the tree it validates
        SqlParsing.Parsed again = parse(statement.sql(), tables.as(session.security()),
            session.options().postgres() ? session.user() : null);
        List<SqlColumn> casts = castParameters(again.node(), none);
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < statement.parameterCount(); i++) {
          // a cast parameter gets a value of its type (Calcite types a bare NULL as BOOLEAN)
          SqlColumn c = casts.get(i);
          values.add(c == null ? null : switch (c.jdbcType()) {
            case java.sql.Types.BOOLEAN -> Boolean.FALSE;
            case java.sql.Types.DATE -> LocalDate.of(2000, 1, 1);
            case java.sql.Types.TIMESTAMP -> LocalDateTime.of(2000, 1, 1, 0, 0);
            case java.sql.Types.TINYINT, java.sql.Types.SMALLINT, java.sql.Types.INTEGER,
                java.sql.Types.BIGINT, java.sql.Types.DECIMAL, java.sql.Types.NUMERIC,
                java.sql.Types.REAL, java.sql.Types.FLOAT, java.sql.Types.DOUBLE -> 0;
            default -> "0";
          });
        }
        Description d = calciteDescription(bind(again.node(), values), shifts, statement,
            session, none, true);
        return new Description(d.columns(), casts);
      }
      throw e instanceof SQLException s ? translate(s, shifts) : (RuntimeException) e;
    } finally {
      exec.cancel();
    }
  }

  /** A parameter cast to a type ({@code $1::int8}) has that type. */
  private static List<SqlColumn> castParameters(SqlNode node, List<SqlColumn> none) {
    List<SqlColumn> out = new ArrayList<>(none);
    node.accept(new SqlShuttle() {
      @Override
      public SqlNode visit(SqlCall call) {
        if (call.getKind() == SqlKind.CAST && call.operand(0) instanceof SqlDynamicParam p
            && call.operand(1) instanceof org.apache.calcite.sql.SqlDataTypeSpec spec) {
          SqlTypeName type = SqlTypeName.get(spec.getTypeName().getSimple()
              .toUpperCase(Locale.ROOT));
          if (type != null && p.getIndex() < out.size()) {
            out.set(p.getIndex(), new SqlColumn("$" + (p.getIndex() + 1), type.getJdbcOrdinal(),
                type.getName(), true, 0, 0, null));
          }
        }
        return super.visit(call);
      }
    });
    return out;
  }

  private static final String SET_CACHE_COLUMN = "strata_cache";
  private static final java.util.regex.Pattern SET_CACHE = java.util.regex.Pattern.compile(
      "\\s*SET\\s+(?:SESSION\\s+)?STRATA_CACHE\\s*(?:=|\\bTO\\b)\\s*"
          + "(?:'([^']*)'|\"([^\"]*)\"|([A-Za-z_-]+))\\s*;?\\s*",
      java.util.regex.Pattern.CASE_INSENSITIVE);

  /**
   * The mode of a {@code SET strata_cache = 'bypass' | 'refresh' | 'on'} statement (the one
   * setting a SQL client may change: it applies to the connection's later statements), or null
   * for any other statement.
   *
   * @throws SqlQueryException INVALID_PARAMETER naming the value when it is not a mode
   */
  static CacheMode setCache(String sql) {
    java.util.regex.Matcher m = SET_CACHE.matcher(sql);
    if (!m.matches()) {
      return null;
    }
    String value = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
    try {
      return CacheMode.parse(value, "strata_cache");
    } catch (IllegalArgumentException e) {
      throw new SqlQueryException(SqlQueryException.Code.PARAMETER_ERROR, e.getMessage()
          + " (SET strata_cache = 'bypass' | 'refresh' | 'on')", 1, m.start(
          m.group(1) != null ? 1 : m.group(2) != null ? 2 : 3) + 1);
    }
  }

  /** Parses {@code sql} within this service's {@link SqlLimits}. */
  /** @param postgres the user of a Postgres session (its SQL is Postgres's), else null */
  private SqlParsing.Parsed parse(String sql, SemanticTables tables, String postgres) {
    SqlParsing.checkText(sql, limits);
    SqlParsing.Parsed parsed = SqlParsing.parse(sql, () -> names(tables), postgres);
    SqlParsing.checkTree(parsed, limits);
    return parsed;
  }

  /**
   * Runs {@code work} (parsing, translating, planning) turning a stack overflow into the same
   * error as a statement over the limits: past what the limits catch, Calcite's recursion may
   * still be too deep for the thread, and the request thread survives it.
   */
  private <T> T guarded(Supplier<T> work) {
    try {
      return work.get();
    } catch (StackOverflowError e) {
      throw tooComplex();
    }
  }

  private SqlQueryException tooComplex() {
    return new SqlQueryException(Code.TOO_COMPLEX, "the statement is too complex to plan: it"
        + " nests too deeply for Strata's SQL planner; simplify it (fewer nested expressions,"
        + " subqueries or set operations), or lower " + SqlLimits.MAX_DEPTH + " ("
        + limits.maxDepth() + ") so such statements are refused before planning", 0, 0);
  }

  /** Prepares and runs a statement without parameters. */
  public SqlCursor execute(String sql, SqlSession session) {
    return execute(prepare(sql, session), List.of(), session);
  }

  /** Lower-case column names of the semantic tables: reserved words among them get quoted. */
  private static Set<String> names(SemanticTables tables) {
    Set<String> names = new HashSet<>();
    for (SemanticTables.Table t : tables.tables()) {
      names.add(t.name().toLowerCase(Locale.ROOT));
      t.columns().forEach(c -> names.add(c.name().toLowerCase(Locale.ROOT)));
    }
    return names;
  }

  private List<SqlColumn> leafColumns(SemanticSelect.Translation t) {
    List<SqlColumn> out = new ArrayList<>();
    for (SemanticSelect.Output o : t.outputs()) {
      if (o.adHoc() != null) {
        out.add(adHocColumn(o.label(), o.adHoc().type()));
        continue;
      }
      SqlColumn type = tables.type(t.table(), o.column());
      if (o.granularity() != null) {
        type = new SqlColumn(o.label(), java.sql.Types.TIMESTAMP, "TIMESTAMP", true, 26, 6,
            type.remarks());
      } else {
        type = new SqlColumn(o.label(), type.jdbcType(), type.typeName(), true,
            type.precision(), type.scale(), type.remarks());
      }
      out.add(type);
    }
    return out;
  }

  /**
   * The declared type of an ad-hoc dimension's column, before the warehouse says: numbers as
   * DECIMAL, which holds what EXTRACT, arithmetic and ROUND give on every warehouse.
   */
  private static SqlColumn adHocColumn(String label, AdHocExpression.Type type) {
    return switch (type) {
      case STRING -> new SqlColumn(label, java.sql.Types.VARCHAR, "VARCHAR", true, 65536, 0, null);
      case NUMBER -> new SqlColumn(label, java.sql.Types.DECIMAL, "DECIMAL", true, 38, 10, null);
      case BOOLEAN -> new SqlColumn(label, java.sql.Types.BOOLEAN, "BOOLEAN", true, 1, 0, null);
      case DATE -> new SqlColumn(label, java.sql.Types.DATE, "DATE", true, 10, 0, null);
      case TIME -> new SqlColumn(label, java.sql.Types.TIMESTAMP, "TIMESTAMP", true, 26, 6, null);
    };
  }

  // --------------------------------------------------------------------------- parameters

  private static SqlNode bind(SqlNode node, List<Object> values) {
    int[] seen = {0};
    SqlNode bound = node.accept(new SqlShuttle() {
      @Override
      public SqlNode visit(SqlDynamicParam param) {
        seen[0]++;
        int i = param.getIndex();
        if (i >= values.size()) {
          throw new SqlQueryException(Code.PARAMETER_ERROR, "parameter " + (i + 1)
              + " has no value; the statement has " + (i + 1) + " or more parameters and "
              + values.size() + " were given" + SqlParsing.at(param.getParserPosition()),
              param.getParserPosition().getLineNum(), param.getParserPosition().getColumnNum());
        }
        return literal(values.get(i), i, param.getParserPosition());
      }
    });
    return bound;
  }

  private static SqlNode literal(Object v, int index, SqlParserPos pos) {
    if (v == null) {
      return SqlLiteral.createNull(pos);
    }
    if (v instanceof String s) {
      String bad = io.strata.semantic.query.TextValues.unstorable(s);
      if (bad != null) {
        throw new SqlQueryException(Code.PARAMETER_ERROR, "parameter " + (index + 1) + " holds "
            + bad + ", which no warehouse can store or compare" + SqlParsing.at(pos),
            pos.getLineNum(), pos.getColumnNum());
      }
      return SqlLiteral.createCharString(s, pos);
    }
    if (v instanceof Character c) {
      return SqlLiteral.createCharString(c.toString(), pos);
    }
    if (v instanceof Boolean b) {
      return SqlLiteral.createBoolean(b, pos);
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
        || v instanceof BigInteger) {
      return SqlLiteral.createExactNumeric(v.toString(), pos);
    }
    if (v instanceof BigDecimal d) {
      return SqlLiteral.createExactNumeric(d.toPlainString(), pos);
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new SqlQueryException(Code.PARAMETER_ERROR, "parameter " + (index + 1) + " is "
            + d + ", which SQL cannot compare", pos.getLineNum(), pos.getColumnNum());
      }
      return SqlLiteral.createExactNumeric(BigDecimal.valueOf(d).toPlainString(), pos);
    }
    LocalDate date = null;
    LocalDateTime timestamp = null;
    if (v instanceof java.sql.Date d) {
      date = d.toLocalDate();
    } else if (v instanceof LocalDate d) {
      date = d;
    } else if (v instanceof java.sql.Timestamp t) {
      timestamp = t.toLocalDateTime();
    } else if (v instanceof LocalDateTime t) {
      timestamp = t;
    } else if (v instanceof Instant i) {
      timestamp = LocalDateTime.ofInstant(i, ZoneOffset.UTC);
    } else if (v instanceof OffsetDateTime o) {
      timestamp = o.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
    } else if (v instanceof java.util.Date d) {
      timestamp = LocalDateTime.ofInstant(d.toInstant(), ZoneOffset.UTC);
    }
    if (date != null) {
      return SqlLiteral.createDate(new DateString(date.toString()), pos);
    }
    if (timestamp != null) {
      String text = timestamp.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS"));
      return SqlLiteral.createTimestamp(SqlTypeName.TIMESTAMP, new TimestampString(text), 3,
          pos);
    }
    if (v instanceof LocalTime || v instanceof java.sql.Time) {
      throw new SqlQueryException(Code.PARAMETER_ERROR, "parameter " + (index + 1) + " is a"
          + " TIME; Strata compares time dimensions with dates and timestamps",
          pos.getLineNum(), pos.getColumnNum());
    }
    throw new SqlQueryException(Code.PARAMETER_ERROR, "parameter " + (index + 1) + " is a "
        + v.getClass().getSimpleName() + "; use a string, number, boolean, date or timestamp",
        pos.getLineNum(), pos.getColumnNum());
  }

  // --------------------------------------------------------------------------- Calcite

  /** The query with each semantic SELECT inside it replaced by a scan of a leaf table. */
  private SqlNode withLeaves(SqlNode node, SqlParsing.Shifts shifts,
      Map<String, org.apache.calcite.schema.Table> leaves, CalciteTables.Execution exec) {
    return node.accept(new SqlShuttle() {
      @Override
      public SqlNode visit(SqlCall call) {
        if (call instanceof SqlSelect || call instanceof SqlOrderBy) {
          SemanticSelect.Translation t = SemanticSelect.of(call,
              tables.as(exec.session.security()), shifts);
          if (t != null) {
            String name = "leaf" + leaves.size();
            leaves.put(name, new CalciteTables.LeafTable(t, leafColumns(t), exec));
            return new SqlSelect(call.getParserPosition(), null,
                SqlNodeList.of(SqlIdentifier.star(POS)),
                new SqlIdentifier(List.of(LEAVES, name), call.getParserPosition()), null, null,
                null, null, null, null, null, null, null);
          }
          if (call instanceof SqlSelect select) {
            SemanticSelect.countRows(select, tables.as(exec.session.security()));
          }
        }
        return super.visit(call);
      }
    });
  }

  /**
   * {@code CURRENT_USER}, {@code SESSION_USER}, {@code USER} and {@code CURRENT_ROLE} are the
   * session's Strata user on every endpoint (Calcite's own answer is its fixed {@code sa}).
   */
  static SqlNode sessionUser(SqlNode node, String user) {
    return node.accept(new SqlShuttle() {
      @Override
      public SqlNode visit(SqlCall call) {
        org.apache.calcite.sql.SqlOperator op = call.getOperator();
        if (op == SqlStdOperatorTable.CURRENT_USER || op == SqlStdOperatorTable.SESSION_USER
            || op == SqlStdOperatorTable.USER || op == SqlStdOperatorTable.CURRENT_ROLE) {
          return SqlLiteral.createCharString(user, call.getParserPosition());
        }
        return super.visit(call);
      }

      @Override
      public SqlNode visit(SqlIdentifier id) {
        // the parser leaves niladic functions as identifiers; the validator makes them calls
        if (id.names.size() == 1 && !id.isComponentQuoted(0) && Set.of("current_user",
            "session_user", "user", "current_role").contains(
                id.names.get(0).toLowerCase(Locale.ROOT))) {
          return SqlLiteral.createCharString(user, id.getParserPosition());
        }
        return id;
      }
    });
  }

  private Connection connect(CalciteTables.Execution exec,
      Map<String, org.apache.calcite.schema.Table> leaves, SqlNode statement) throws SQLException {
    Properties p = new Properties();
    p.setProperty("caseSensitive", "false");
    p.setProperty("quoting", "DOUBLE_QUOTE");
    p.setProperty("unquotedCasing", "UNCHANGED");
    p.setProperty("quotedCasing", "UNCHANGED");
    p.setProperty("conformance", "LENIENT");
    p.setProperty("fun", "standard,postgresql");
    p.setProperty("timeZone", "UTC");
    p.setProperty("parserFactory", NodeParser.class.getName() + "#FACTORY");
    Connection c = calcite.connect("jdbc:calcite:", p);
    SchemaPlus root = c.unwrap(CalciteConnection.class).getRootSchema();
    // the Postgres catalog lists every table the user may query: built only when named
    PgCatalog.addTo(root, PgCatalog.referencedBy(statement)
        ? () -> tables(exec.session.security()) : null, exec.session.user());
    // Only the data sources the statement names: Calcite walks every schema under the root
    // while preparing (looking for lattices), which would list the catalog of each data source,
    // and wait on a dead one, for every statement.
    for (Map.Entry<String, Schema> e : readable(sources.referencedBy(statement),
        exec.session.security()).entrySet()) {
      root.add(e.getKey(), e.getValue());
    }
    Schema semantic = CalciteTables.semanticSchema(tables.as(exec.session.security()), exec);
    root.add(SemanticTables.SCHEMA, semantic);
    root.add(SemanticTables.CATALOG, CalciteTables.schemaOf(Map.of()))
        .add(SemanticTables.SCHEMA, semantic);
    root.add(LEAVES, CalciteTables.schemaOf(leaves));
    c.setSchema(SemanticTables.SCHEMA);
    return c;
  }

  private SqlCursor calcite(SqlNode node, SqlParsing.Shifts shifts, String sql,
      SqlSession session) {
    String id = UUID.randomUUID().toString();
    CalciteTables.Execution exec = new CalciteTables.Execution(session, sql, queries);
    Map<String, org.apache.calcite.schema.Table> leaves = new LinkedHashMap<>();
    SqlNode rewritten = sessionUser(ColumnNames.name(withLeaves(node, shifts, leaves, exec)),
        session.user());
    Connection c = null;
    Statement st = null;
    ResultSet rs = null;
    BufferAllocator child = allocator.newChildAllocator("sql-" + id, 0, allocator.getLimit());
    Instant started = queries.clock().instant();
    long t0 = System.nanoTime();
    List<String> pushed = new ArrayList<>();
    // the session's own limits (an export's) or the server's
    QueryRequest.Limits limits = session.options().limits() != null ? session.options().limits()
        : new QueryRequest.Limits(queries.limits().maxRows(), "strata.query.max-rows",
            queries.limits().timeout(), "strata.query.timeout");
    // Listed among the running queries, cancellable and bounded by its timeout from here on,
    // whatever the statement reads: data sources' tables run inside executeQuery.
    AutoCloseable listed = queries.track(new io.strata.server.query.RunningQuery(id,
        session.user(), String.join(",", sources.referencedBy(node).keySet()), sql, started),
        () -> session.cancel().cancel());
    java.util.concurrent.ScheduledFuture<?> deadline = timer.schedule(() -> {
      exec.timedOut = true;
      session.cancel().cancel();
    }, limits.timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    try (CalciteTables.Execution.Scope scope = exec.enter()) {
      c = connect(exec, leaves, rewritten);
      st = c.createStatement();
      Statement statement = st;
      Connection calcite = c;
      session.cancel().onCancel(() -> {
        exec.cancel();
        // Calcite's cancel flag, not its Statement.cancel(), which waits while the statement
        // is being planned (and would hold the timeout's or the canceller's thread)
        try {
          calcite.unwrap(org.apache.calcite.avatica.AvaticaConnection.class)
              .getCancelFlag(statement.unwrap(org.apache.calcite.avatica.AvaticaStatement.class)
                  .handle).set(true);
        } catch (SQLException | org.apache.calcite.avatica.NoSuchStatementException
            | RuntimeException e) {
          LOG.debug("cancelling statement {} in Calcite failed", id, e);
        }
      });
      PENDING.set(rewritten);
      try (Hook.Closeable h = Hook.QUERY_PLAN.addThread(
          (Object o) -> pushed.add(String.valueOf(o)))) {
        rs = st.executeQuery(sql);
      } finally {
        PENDING.remove();
      }
      long prepared = System.nanoTime();
      return new ArrowSqlCursors.Calcite(id, c, st, rs, exec, child,
          queries.limits().batchRows(), limits, deadline, (rows, failure) -> {
            long end = System.nanoTime();
            closeQuietly(listed);
            log(id, session, sql, pushed, started, (prepared - t0) / 1000,
                (end - prepared) / 1000, (end - t0) / 1000, rows, failure);
          });
    } catch (SQLException | RuntimeException | StackOverflowError e) {
      deadline.cancel(false);
      exec.cancel();
      closeQuietly(rs);
      closeQuietly(st);
      closeQuietly(c);
      closeQuietly(listed);
      child.close();
      RuntimeException failure = exec.timedOut
          ? new QueryExecutionException(QueryExecutionException.Code.TIMEOUT, id, "query " + id
              + " ran longer than strata.query.timeout (" + queries.limits().timeout()
              + ") and was cancelled", e)
          : session.cancel().cancelled()
              ? new QueryExecutionException(QueryExecutionException.Code.CANCELLED, id,
                  "query " + id + " was cancelled", e)
              : translate(e, shifts);
      long micros = (System.nanoTime() - t0) / 1000;
      log(id, session, sql, pushed, started, micros, 0, micros, 0, failure);
      throw failure;
    }
  }

  /** The query-log entry of a statement Calcite computed (its leaves are logged on their own). */
  private void log(String id, SqlSession session, String sql, List<String> pushed,
      Instant started, long compileMicros, long fetchMicros, long totalMicros, long rows,
      RuntimeException failure) {
    String code = failure instanceof SqlQueryException s ? s.code().name()
        : QueryService.errorCode(failure);
    // a statement refused for its size is kept in the log by its beginning only
    String text = sql != null && sql.length() > 10_000
        ? sql.substring(0, 10_000) + "... (" + sql.length() + " characters)" : sql;
    queries.log(new io.strata.server.query.QueryEvent(id, session.user(), session.endpoint(),
        text, pushed.isEmpty() ? null : String.join(";\n", pushed), null, started,
        new io.strata.server.query.StageTimings(compileMicros, 0, fetchMicros, totalMicros),
        rows, 0, code, failure == null ? null : String.valueOf(failure.getMessage())));
  }

  /** Calcite's failure as the exception a client should see. */
  private RuntimeException translate(Throwable e, SqlParsing.Shifts shifts) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StackOverflowError) {
        return tooComplex();
      }
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SqlQueryException s) {
        return s;
      }
      if (t instanceof QueryExecutionException q) {
        return q;
      }
      if (t instanceof io.strata.server.datasource.DataSourceException d) {
        return d;
      }
      if (t instanceof io.strata.semantic.query.QueryException q) {
        return q;
      }
      if (t instanceof CalciteContextException cce) {
        int line = cce.getPosLine();
        int column = shifts.column(line, cce.getPosColumn());
        String message = cce.getCause() != null && cce.getCause().getMessage() != null
            ? cce.getCause().getMessage() : cce.getMessage();
        return new SqlQueryException(Code.VALIDATION_ERROR, message + " (line " + line
            + ", column " + column + ")", line, column, e);
      }
    }
    java.util.Optional<String> refused =
        io.strata.server.datasource.ExternalAccess.refusal(e, null);
    if (refused.isPresent()) {
      return new QueryExecutionException(
          QueryExecutionException.Code.EXTERNAL_ACCESS_DENIED, null, refused.get(), e);
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    if (root instanceof SQLException || root instanceof UnsupportedOperationException) {
      return new SqlQueryException(Code.VALIDATION_ERROR, "the query cannot be run: " + m, 0, 0,
          e);
    }
    return new QueryExecutionException(QueryExecutionException.Code.WAREHOUSE_ERROR, null,
        "the query failed: " + m, e);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.debug("closing failed", e);
      }
    }
  }

  // --------------------------------------------------------------------------- EXPLAIN

  private SqlCursor explain(SqlExplain explain, Supplier<SqlNode> fresh,
      SqlParsing.Shifts shifts, String sql, SqlSession session) {
    String id = UUID.randomUUID().toString();
    SqlNode query = explain.getExplicandum();
    List<String> lines = new ArrayList<>();
    SemanticSelect.Translation t = SemanticSelect.of(query, tables.as(session.security()),
        shifts);
    if (t != null) {
      lines.add("Semantic query on semantic." + t.table().name() + ", run by the data source:");
      describe(t, lines, session);
      return new ArrowSqlCursors.Lines(id, "PLAN", lines, allocator);
    }
    CalciteTables.Execution exec = new CalciteTables.Execution(session, sql, queries);
    Map<String, org.apache.calcite.schema.Table> leaves = new LinkedHashMap<>();
    SqlNode rewritten = withLeaves(query, shifts, leaves, exec);
    List<String> pushed = new ArrayList<>();
    try (Connection c = connect(exec, leaves, rewritten)) {
      lines.add("Planned by Calcite; computed in Strata above the scans:");
      explain.setOperand(0, rewritten);
      try (Statement st = c.createStatement()) {
        PENDING.set(explain);
        ResultSet rs;
        try {
          rs = st.executeQuery(sql);
        } finally {
          PENDING.remove();
        }
        while (rs.next()) {
          for (String l : rs.getString(1).split("\n")) {
            if (!l.isBlank()) {
              lines.add("  " + l);
            }
          }
        }
      }
      PENDING.set(withLeaves(fresh.get(), shifts, new LinkedHashMap<>(), exec));
      try (Hook.Closeable h = Hook.QUERY_PLAN.addThread(
          (Object o) -> pushed.add(String.valueOf(o)));
          java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
        // preparing generates the SQL each JDBC scan pushes down; nothing runs
      } finally {
        PENDING.remove();
      }
    } catch (SQLException | RuntimeException | StackOverflowError e) {
      throw translate(e, shifts);
    }
    int i = 0;
    for (org.apache.calcite.schema.Table leaf : leaves.values()) {
      SemanticSelect.Translation lt = ((CalciteTables.LeafTable) leaf).translation();
      lines.add(LEAVES + ".leaf" + i++ + ": semantic query on semantic." + lt.table().name()
          + ":");
      describe(lt, lines, session);
    }
    for (String p : pushed) {
      lines.add("Pushed down to a data source:");
      for (String l : p.split("\n")) {
        lines.add("  " + l);
      }
    }
    return new ArrowSqlCursors.Lines(id, "PLAN", lines, allocator);
  }

  private void describe(SemanticSelect.Translation t, List<String> lines, SqlSession session) {
    try {
      lines.add("  " + JSON.writeValueAsString(t.query()));
    } catch (JsonProcessingException e) {
      lines.add("  " + t.query());
    }
    io.strata.server.query.QueryPlan plan = queries.explain(t.query(), session.security());
    CompiledQuery compiled = plan.compiled();
    if (plan.rollup() != null) {
      lines.add("  answered by rollup " + plan.rollup());
    } else if (!plan.rejections().isEmpty()) {
      lines.add("  no rollup answers it:");
      plan.rejections().forEach(r -> lines.add("    " + r));
    }
    lines.add("  data source " + compiled.dataSource() + " (" + compiled.dialect().id() + "):");
    for (String l : compiled.sql().split("\n")) {
      lines.add("    " + l);
    }
  }

  // --------------------------------------------------------------------------- metadata

  /**
   * Every table {@code security} may query: the semantic schema's, then each data source's
   * they are granted.
   */
  public List<SqlTable> tables(SecurityContext security) {
    SemanticTables tables = this.tables.as(security);
    List<SqlTable> out = new ArrayList<>();
    for (SemanticTables.Table t : tables.tables()) {
      out.add(new SqlTable(SemanticTables.CATALOG, SemanticTables.SCHEMA, t.name(),
          t.view() ? "VIEW" : "TABLE", t.description(), tables.types(t), t.primaryKey()));
    }
    JavaTypeFactoryImpl types = new JavaTypeFactoryImpl();
    for (Map.Entry<String, Schema> source : readable(sources.available(), security).entrySet()) {
      Schema ds = source.getValue();
      try {
        for (String schemaName : new java.util.TreeSet<>(ds.getSubSchemaNames())) {
          Schema schema = ds.getSubSchema(schemaName);
          if (schema == null) {
            continue;
          }
          for (String tableName : new java.util.TreeSet<>(schema.getTableNames())) {
            org.apache.calcite.schema.Table table = schema.getTable(tableName);
            if (table == null) {
              continue;
            }
            String type = table.getJdbcTableType() == Schema.TableType.VIEW ? "VIEW" : "TABLE";
            out.add(new SqlTable(source.getKey(), schemaName, tableName, type, null,
                columns(table.getRowType(types)), List.of()));
          }
        }
      } catch (RuntimeException e) {
        LOG.warn("could not list the tables of data source '{}': {}", source.getKey(),
            e.getMessage());
      }
    }
    return out;
  }

  private static List<SqlColumn> columns(RelDataType row) {
    List<SqlColumn> out = new ArrayList<>();
    for (RelDataTypeField f : row.getFieldList()) {
      RelDataType t = f.getType();
      SqlTypeName n = t.getSqlTypeName();
      int precision = t.getPrecision() == RelDataType.PRECISION_NOT_SPECIFIED ? 0
          : t.getPrecision();
      int scale = t.getScale() == RelDataType.SCALE_NOT_SPECIFIED ? 0 : t.getScale();
      out.add(new SqlColumn(f.getName(), n.getJdbcOrdinal(), n.getName(), t.isNullable(),
          precision, scale, null));
    }
    return out;
  }

  /**
   * The data sources {@code security} may send SQL to: the others are absent, so naming one is
   * the same error as naming a schema that does not exist.
   */
  /** Those of {@code schemas} whose data source {@code security} may read raw. */
  private Map<String, Schema> readable(Map<String, Schema> schemas, SecurityContext security) {
    Map<String, Schema> out = new LinkedHashMap<>();
    schemas.forEach((name, schema) -> {
      if (queries.access().canReadDataSource(security, name)) {
        out.put(name, schema);
      }
    });
    return out;
  }

  /** The query service every statement's queries run through. */
  public QueryService queries() {
    return queries;
  }

  /** The row-level security and grants statements run under (the query service's). */
  public io.strata.server.security.AccessPolicy access() {
    return queries.access();
  }

  /**
   * Whether descriptions are kept in the statement cache (on by default); off, every
   * {@link #describe} validates the statement again, as it did before they were kept: the
   * baseline of {@code PgWireHitBenchmark}.
   */
  public void rememberDescriptions(boolean on) {
    rememberDescriptions = on;
  }

  /** Forgets cached warehouse catalogs (after a data source changes, or on request). */
  public void refresh() {
    sources.refresh();
    statements.clear();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /**
   * Calcite's parser, except that the statement to run comes already parsed from this
   * thread's {@link #PENDING}: Strata hands Calcite's JDBC driver the statement it has
   * rewritten while keeping every node's position in the client's text.
   */
  public static final class NodeParser extends SqlParserImpl {
    public static final SqlParserImplFactory FACTORY = new SqlParserImplFactory() {
      @Override
      public SqlAbstractParserImpl getParser(Reader stream) {
        return new NodeParser(stream);
      }
    };

    NodeParser(Reader reader) {
      super(reader);
    }

    @Override
    public SqlNode parseSqlStmtEof() throws Exception {
      SqlNode pending = PENDING.get();
      if (pending != null) {
        PENDING.remove();
        return pending;
      }
      return super.parseSqlStmtEof();
    }
  }
}
