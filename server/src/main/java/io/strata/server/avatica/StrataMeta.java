package io.strata.server.avatica;

import io.strata.server.auth.Principal;
import io.strata.server.security.SecurityContext;
import io.strata.server.sql.PreparedSql;
import io.strata.server.sql.SqlColumn;
import io.strata.server.sql.SqlCursor;
import io.strata.server.sql.SqlService;
import io.strata.server.sql.SearchPattern;
import io.strata.server.sql.SqlCancel;
import io.strata.server.sql.SqlSession;
import io.strata.server.sql.SqlTable;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.function.Predicate;
import org.apache.calcite.avatica.AvaticaParameter;
import org.apache.calcite.avatica.AvaticaUtils;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.ConnectionPropertiesImpl;
import org.apache.calcite.avatica.MetaImpl;
import org.apache.calcite.avatica.MissingResultsException;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.QueryState;
import org.apache.calcite.avatica.remote.TypedValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of Avatica's remote JDBC protocol over Strata's {@link SqlService}: the
 * {@code Meta} that Avatica's {@code LocalService} calls for every request a JDBC client sends.
 *
 * <p><b>Who.</b> The HTTP handler authenticates every request and runs it inside
 * {@link #as(Principal, Supplier)}; {@link #openConnection} records that user as the
 * connection's owner, and every later request on the connection (or any of its statements) by
 * another user is refused (SQLState 28000).
 *
 * <p><b>Streaming.</b> A statement keeps its {@link SqlCursor} open between requests; each
 * frame is converted from the cursor's current Arrow batch ({@link ResultStream}), holding at
 * most the client's fetch size ({@value #DEFAULT_FRAME_ROWS} rows when the client leaves it to
 * the server, never more than {@value #MAX_FRAME_ROWS}). The last frame closes the cursor;
 * closing the statement or its connection closes it earlier, which cancels the query at the
 * warehouse. Connections and results unused for the idle timeout are closed by
 * {@link #expireIdle()}.
 *
 * <p><b>Errors</b> reach the client as {@link JdbcException}s (message, SQLState, no stack
 * trace); {@link AvaticaEndpoint} maps every exception through {@link JdbcException#of}.
 */
final class StrataMeta extends MetaImpl {
  private static final Logger LOG = LoggerFactory.getLogger(StrataMeta.class);

  /** Frame size when the client leaves it to the server (fetch size or max rows 0 or -1). */
  static final int DEFAULT_FRAME_ROWS = 10_000;
  /** The largest frame, whatever the client asks for. */
  static final int MAX_FRAME_ROWS = 100_000;
  static final String ENDPOINT = "jdbc";

  private static final ThreadLocal<Principal> CALLER = new ThreadLocal<>();

  private final SqlService sql;
  private final long idleNanos;
  private final ConcurrentMap<String, JdbcConnection> connections = new ConcurrentHashMap<>();
  private final AtomicInteger statementIds = new AtomicInteger(1);
  private final String version;

  StrataMeta(SqlService sql, Duration idleTimeout) {
    super(null);
    this.sql = sql;
    this.idleNanos = idleTimeout.toNanos();
    String v = StrataMeta.class.getPackage().getImplementationVersion();
    this.version = v == null ? "0.1.0-SNAPSHOT" : v;
  }

  // ------------------------------------------------------------------ callers

  /** Runs {@code action} as {@code caller}: the user every connection touched must belong to. */
  static <T> T as(Principal caller, Supplier<T> action) {
    Principal before = CALLER.get();
    CALLER.set(caller);
    try {
      return action.get();
    } finally {
      if (before == null) {
        CALLER.remove();
      } else {
        CALLER.set(before);
      }
    }
  }

  /** The caller as the query path sees them: their grants and row-level security. */
  private SecurityContext security() {
    return sql.access().context(caller());
  }

  private static Principal caller() {
    Principal p = CALLER.get();
    if (p == null) {
      throw JdbcException.of(JdbcException.NOT_YOURS, "28000", "not authenticated");
    }
    return p;
  }

  private JdbcConnection connection(String id) {
    JdbcConnection c = id == null ? null : connections.get(id);
    if (c == null) {
      throw JdbcException.noSuchConnection(id);
    }
    c.checkOwner(caller());
    c.touch();
    return c;
  }

  private Stmt statement(StatementHandle h) throws NoSuchStatementException {
    Stmt s = connection(h.connectionId).statements.get(h.id);
    if (s == null) {
      throw new NoSuchStatementException(h);
    }
    s.touch();
    return s;
  }

  // ------------------------------------------------------------------ connections

  @Override
  public void openConnection(ConnectionHandle ch, Map<String, String> info) {
    Principal owner = caller();
    Map<String, String> kept = new LinkedHashMap<>();
    if (info != null) {
      // remembered for what a client may ask later; never its secrets
      info.forEach((k, v) -> {
        if (!k.toLowerCase(Locale.ROOT).contains("password")) {
          kept.put(k, v);
        }
      });
    }
    SqlSession.Options options;
    try {
      options = SqlSession.Options.of(info == null ? null : propertyIgnoringCase(info,
          "strata_cache"));
    } catch (IllegalArgumentException e) {
      throw JdbcException.of(JdbcException.STATE, "22023", e.getMessage()
          + " (the strata_cache connection property: bypass, refresh or on)");
    }
    JdbcConnection c = new JdbcConnection(ch.id, owner, kept, options);
    if (connections.putIfAbsent(ch.id, c) != null) {
      throw JdbcException.of(JdbcException.STATE, "08002", "connection " + ch.id
          + " is already open");
    }
    LOG.debug("JDBC connection {} opened by {}", ch.id, owner.username());
  }

  private static String propertyIgnoringCase(Map<String, String> info, String name) {
    for (Map.Entry<String, String> e : info.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  @Override
  public void closeConnection(ConnectionHandle ch) {
    JdbcConnection c = connections.get(ch.id);
    if (c == null) {
      return;
    }
    c.checkOwner(caller());
    if (connections.remove(ch.id, c)) {
      c.close();
    }
  }

  @Override
  public ConnectionProperties connectionSync(ConnectionHandle ch, ConnectionProperties props) {
    JdbcConnection c = connection(ch.id);
    synchronized (c) {
      if (props != null) {
        c.properties.merge(props);
      }
      c.properties.setReadOnly(true); // Strata never writes
      c.properties.setDirty(false);
      return new ConnectionPropertiesImpl(c.properties.isAutoCommit(),
          c.properties.isReadOnly(), c.properties.getTransactionIsolation(),
          c.properties.getCatalog(), c.properties.getSchema());
    }
  }

  @Override
  public void commit(ConnectionHandle ch) {
    connection(ch.id); // nothing to commit: read-only
  }

  @Override
  public void rollback(ConnectionHandle ch) {
    connection(ch.id);
  }

  /** Connections open now (for tests and metrics). */
  int openConnections() {
    return connections.size();
  }

  /** Closes every connection (the endpoint is stopping). */
  void closeAll() {
    for (String id : List.copyOf(connections.keySet())) {
      JdbcConnection c = connections.remove(id);
      if (c != null) {
        c.close();
      }
    }
  }

  /**
   * Closes connections unused for the idle timeout, and the open results of statements unused
   * that long (a client that went away without closing them would otherwise hold a warehouse
   * connection until the query timeout).
   */
  void expireIdle() {
    long now = System.nanoTime();
    for (JdbcConnection c : connections.values()) {
      // a request still executing is not idleness, however long the warehouse takes
      if (c.statements.values().stream().anyMatch(s -> s.executing != null)) {
        continue;
      }
      if (now - c.lastUsed > idleNanos) {
        if (connections.remove(c.id, c)) {
          LOG.info("closing JDBC connection {} of {}: unused for {}s", c.id, c.owner.username(),
              TimeUnit.NANOSECONDS.toSeconds(idleNanos));
          c.close();
        }
        continue;
      }
      for (Stmt s : c.statements.values()) {
        if (now - s.lastUsed > idleNanos && s.live != null) {
          LOG.info("closing the result of JDBC statement {} on connection {}: unused for {}s",
              s.id, c.id, TimeUnit.NANOSECONDS.toSeconds(idleNanos));
          s.expire();
        }
      }
    }
  }

  // ------------------------------------------------------------------ statements

  @Override
  public StatementHandle createStatement(ConnectionHandle ch) {
    JdbcConnection c = connection(ch.id);
    Stmt s = new Stmt(statementIds.getAndIncrement(), c);
    c.statements.put(s.id, s);
    return new StatementHandle(ch.id, s.id, null);
  }

  @Override
  public void closeStatement(StatementHandle h) {
    JdbcConnection c = connections.get(h.connectionId);
    if (c == null) {
      return;
    }
    c.checkOwner(caller());
    Stmt s = c.statements.remove(h.id);
    if (s != null) {
      s.close();
    }
  }

  @Override
  public StatementHandle prepare(ConnectionHandle ch, String sqlText, long maxRowCount) {
    JdbcConnection c = connection(ch.id);
    PreparedSql prepared = sql.prepare(sqlText, new SqlSession(security(), ENDPOINT, null));
    Stmt s = new Stmt(statementIds.getAndIncrement(), c);
    s.prepared = prepared;
    s.maxRowCount = maxRowCount;
    s.signature = signature(prepared, prepared.columns().isEmpty() ? List.of()
        : declaredColumns(prepared.columns()));
    c.statements.put(s.id, s);
    return new StatementHandle(ch.id, s.id, s.signature);
  }

  @Override
  @SuppressWarnings("deprecation")
  public ExecuteResult prepareAndExecute(StatementHandle h, String sqlText, long maxRowCount,
      PrepareCallback callback) throws NoSuchStatementException {
    return prepareAndExecute(h, sqlText, maxRowCount, -1, callback);
  }

  @Override
  public ExecuteResult prepareAndExecute(StatementHandle h, String sqlText, long maxRowCount,
      int maxRowsInFirstFrame, PrepareCallback callback) throws NoSuchStatementException {
    Stmt s = statement(h);
    s.lock.lock();
    try {
      s.closeResult();
      s.prepared = null;
      s.signature = null;
      PreparedSql prepared = sql.prepare(sqlText, new SqlSession(security(), ENDPOINT, null));
      s.prepared = prepared;
      s.maxRowCount = maxRowCount;
      return new ExecuteResult(List.of(run(h, s, List.of(), maxRowCount, maxRowsInFirstFrame)));
    } finally {
      s.lock.unlock();
    }
  }

  @Override
  @SuppressWarnings("deprecation")
  public ExecuteResult execute(StatementHandle h, List<TypedValue> parameterValues,
      long maxRowCount) throws NoSuchStatementException {
    return execute(h, parameterValues, AvaticaUtils.toSaturatedInt(maxRowCount));
  }

  @Override
  public ExecuteResult execute(StatementHandle h, List<TypedValue> parameterValues,
      int maxRowsInFirstFrame) throws NoSuchStatementException {
    Stmt s = statement(h);
    s.lock.lock();
    try {
      s.closeResult();
      PreparedSql prepared = s.prepared;
      if (prepared == null) {
        throw JdbcException.of(JdbcException.STATE, "HY010", "statement " + h.id
            + " has not been prepared");
      }
      List<Object> values = JdbcParameters.values(parameterValues, prepared.parameterCount());
      return new ExecuteResult(List.of(run(h, s, values, s.maxRowCount, maxRowsInFirstFrame)));
    } finally {
      s.lock.unlock();
    }
  }

  /** Runs the statement's prepared SQL and reads its first frame; the caller holds the lock. */
  private MetaResultSet run(StatementHandle h, Stmt s, List<Object> values, long maxRowCount,
      int firstFrameRows) {
    Principal user = caller();
    s.cancelled = false;
    s.expired = false;
    SqlCancel token = new SqlCancel();
    s.executing = token;
    SqlCursor cursor;
    try {
      cursor = sql.execute(s.prepared, values, new SqlSession(sql.access().context(user),
          ENDPOINT, token,
          s.connection.options));
    } finally {
      s.executing = null;
      s.touch(); // idleness counts from the end of the request, not its start
      s.connection.touch();
    }
    ResultStream result;
    try {
      result = new ResultStream(cursor, maxRowCount);
    } catch (RuntimeException e) {
      cursor.close();
      throw e;
    }
    s.live = result;
    try {
      if (s.cancelled || s.closed) {
        throw JdbcException.of(JdbcException.CANCELLED, "57014", "statement " + s.id
            + " was cancelled (query " + cursor.queryId() + ")");
      }
      s.signature = signature(s.prepared, result.metaData());
      Frame first = result.next(frameRows(firstFrameRows));
      if (first.done) {
        s.live = null;
      }
      return MetaResultSet.create(h.connectionId, s.id, false, s.signature, first);
    } catch (RuntimeException e) {
      s.live = null;
      result.cancel();
      result.close();
      throw e;
    }
  }

  @Override
  public Frame fetch(StatementHandle h, long offset, int fetchMaxRowCount)
      throws NoSuchStatementException, MissingResultsException {
    Stmt s = statement(h);
    s.lock.lock();
    try {
      ResultStream result = s.live;
      if (result == null) {
        if (s.expired) {
          throw JdbcException.of(JdbcException.STATE, "HY010", "the result of statement " + s.id
              + " was closed after being unused for "
              + TimeUnit.NANOSECONDS.toSeconds(idleNanos) + "s; run the query again");
        }
        if (s.signature == null) {
          throw new MissingResultsException(h);
        }
        return new Frame(offset, true, List.of()); // read to the end already
      }
      if (offset != result.offset()) {
        throw JdbcException.of(JdbcException.STATE, "HY109", "results are read forward only: "
            + "asked for row " + offset + " of statement " + s.id + " but the next row is "
            + result.offset());
      }
      try {
        Frame frame = result.next(frameRows(fetchMaxRowCount));
        if (frame.done) {
          s.live = null;
        }
        return frame;
      } catch (RuntimeException e) {
        s.live = null;
        result.close();
        throw e;
      }
    } finally {
      s.lock.unlock();
    }
  }

  @Override
  public boolean syncResults(StatementHandle sh, QueryState state, long offset)
      throws NoSuchStatementException {
    statement(sh);
    throw JdbcException.of(JdbcException.STATE, "HY010", "the result of statement " + sh.id
        + " is gone (closed or expired) and Strata does not resume results; run the query again");
  }

  @Override
  public ExecuteBatchResult prepareAndExecuteBatch(StatementHandle h, List<String> sqlCommands)
      throws NoSuchStatementException {
    statement(h);
    throw batchRefused();
  }

  @Override
  public ExecuteBatchResult executeBatch(StatementHandle h, List<List<TypedValue>> values)
      throws NoSuchStatementException {
    statement(h);
    throw batchRefused();
  }

  private static JdbcException batchRefused() {
    return JdbcException.of(JdbcException.READ_ONLY, "25006", "batches are not supported: "
        + "Strata is read-only (run queries one at a time with executeQuery)");
  }

  @Override
  public Iterable<Object> createIterable(StatementHandle handle, QueryState state,
      Signature signature, List<TypedValue> parameterValues, Frame firstFrame) {
    throw new UnsupportedOperationException("a server-side Meta does not iterate results");
  }

  /**
   * Cancels the query a statement runs, for the {@code /strata/cancel} side channel: its open
   * result is cancelled at the warehouse; a statement still waiting for its first batch fails
   * with CANCELLED.
   *
   * @return false when the statement is unknown or runs nothing
   * @throws JdbcException the connection is another user's
   */
  boolean cancel(String connectionId, int statementId, Principal by) {
    JdbcConnection c = connections.get(connectionId);
    if (c == null) {
      return false;
    }
    c.checkOwner(by);
    Stmt s = c.statements.get(statementId);
    return s != null && s.cancel();
  }

  private static int frameRows(int asked) {
    return asked <= 0 ? DEFAULT_FRAME_ROWS : Math.min(asked, MAX_FRAME_ROWS);
  }

  private static Signature signature(PreparedSql prepared, List<ColumnMetaData> columns) {
    List<AvaticaParameter> parameters = new ArrayList<>(prepared.parameterCount());
    for (int i = 1; i <= prepared.parameterCount(); i++) {
      parameters.add(new AvaticaParameter(false, 0, 0, Types.OTHER, "ANY",
          Object.class.getName(), "?" + i));
    }
    return new Signature(columns, prepared.sql(), parameters, null, CursorFactory.LIST,
        StatementType.SELECT);
  }

  /** Columns known before execution (no Arrow type yet: the declared types as they are). */
  private static List<ColumnMetaData> declaredColumns(List<SqlColumn> columns) {
    List<ColumnMetaData> out = new ArrayList<>(columns.size());
    for (int i = 0; i < columns.size(); i++) {
      SqlColumn c = columns.get(i);
      int type = JdbcValues.normalise(c.jdbcType());
      try {
        org.apache.calcite.avatica.SqlType.valueOf(type);
      } catch (RuntimeException unknown) {
        type = Types.VARCHAR;
      }
      out.add(JdbcValues.metaData(i, c.name(), type, c.typeName() == null ? "VARCHAR"
          : c.typeName(), c.nullable(), c.precision(), c.scale()));
    }
    return out;
  }

  // ------------------------------------------------------------------ metadata

  @Override
  public Map<DatabaseProperty, Object> getDatabaseProperties(ConnectionHandle ch) {
    connection(ch.id);
    Map<DatabaseProperty, Object> m = new HashMap<>();
    m.put(DatabaseProperty.GET_DATABASE_PRODUCT_NAME, "Strata");
    m.put(DatabaseProperty.GET_DATABASE_PRODUCT_VERSION, version);
    int[] parts = versionParts(version);
    m.put(DatabaseProperty.GET_DATABASE_MAJOR_VERSION, parts[0]);
    m.put(DatabaseProperty.GET_DATABASE_MINOR_VERSION, parts[1]);
    m.put(DatabaseProperty.GET_DEFAULT_TRANSACTION_ISOLATION, Connection.TRANSACTION_NONE);
    m.put(DatabaseProperty.GET_S_Q_L_KEYWORDS, "MEASURE");
    return m;
  }

  static int[] versionParts(String version) {
    String[] p = version.split("[.-]");
    int[] out = new int[2];
    for (int i = 0; i < 2 && i < p.length; i++) {
      try {
        out[i] = Integer.parseInt(p[i]);
      } catch (NumberFormatException e) {
        break;
      }
    }
    return out;
  }

  @Override
  public MetaResultSet getCatalogs(ConnectionHandle ch) {
    connection(ch.id);
    Set<String> catalogs = new TreeSet<>();
    sql.tables(security()).forEach(t -> catalogs.add(t.catalog()));
    List<Object> rows = new ArrayList<>();
    catalogs.forEach(c -> rows.add(new Object[] {c}));
    return rows(ch, columns(col("TABLE_CAT", String.class, false)), rows);
  }

  @Override
  public MetaResultSet getSchemas(ConnectionHandle ch, String catalog, Pat schemaPattern) {
    connection(ch.id);
    Predicate<String> schema = like(schemaPattern);
    Set<List<String>> schemas = new TreeSet<>(
        Comparator.<List<String>, String>comparing(l -> l.get(1)).thenComparing(l -> l.get(0)));
    for (SqlTable t : sql.tables(security())) {
      if (catalogMatches(catalog, t) && schema.test(t.schema())) {
        schemas.add(List.of(t.schema(), t.catalog()));
      }
    }
    List<Object> rows = new ArrayList<>();
    schemas.forEach(s -> rows.add(s.toArray()));
    return rows(ch, columns(col("TABLE_SCHEM", String.class, false),
        col("TABLE_CATALOG", String.class, true)), rows);
  }

  @Override
  public MetaResultSet getTables(ConnectionHandle ch, String catalog, Pat schemaPattern,
      Pat tableNamePattern, List<String> typeList) {
    connection(ch.id);
    List<SqlTable> tables = tables(catalog, schemaPattern, tableNamePattern);
    List<Object> rows = new ArrayList<>();
    tables.stream()
        .filter(t -> typeList == null || typeList.stream().anyMatch(t.type()::equalsIgnoreCase))
        .sorted(Comparator.comparing(SqlTable::type).thenComparing(SqlTable::catalog)
            .thenComparing(SqlTable::schema).thenComparing(SqlTable::name))
        .forEach(t -> rows.add(new Object[] {t.catalog(), t.schema(), t.name(), t.type(),
            t.remarks(), null, null, null, null, null}));
    return rows(ch, columns(col("TABLE_CAT", String.class, true),
        col("TABLE_SCHEM", String.class, true), col("TABLE_NAME", String.class, false),
        col("TABLE_TYPE", String.class, false), col("REMARKS", String.class, true),
        col("TYPE_CAT", String.class, true), col("TYPE_SCHEM", String.class, true),
        col("TYPE_NAME", String.class, true), col("SELF_REFERENCING_COL_NAME", String.class, true),
        col("REF_GENERATION", String.class, true)), rows);
  }

  @Override
  public MetaResultSet getColumns(ConnectionHandle ch, String catalog, Pat schemaPattern,
      Pat tableNamePattern, Pat columnNamePattern) {
    connection(ch.id);
    Predicate<String> column = like(columnNamePattern);
    List<SqlTable> tables = new ArrayList<>(tables(catalog, schemaPattern, tableNamePattern));
    tables.sort(Comparator.comparing(SqlTable::catalog).thenComparing(SqlTable::schema)
        .thenComparing(SqlTable::name));
    List<Object> rows = new ArrayList<>();
    for (SqlTable t : tables) {
      for (int i = 0; i < t.columns().size(); i++) {
        SqlColumn c = t.columns().get(i);
        if (!column.test(c.name())) {
          continue;
        }
        int type = c.jdbcType();
        boolean numeric = JdbcValues.isNumeric(type);
        Integer size = columnSize(c);
        rows.add(new Object[] {t.catalog(), t.schema(), t.name(), c.name(), type,
            c.typeName(), size, null,
            numeric ? Integer.valueOf(decimalDigits(c)) : null,
            numeric ? 10 : null,
            c.nullable() ? DatabaseMetaData.columnNullable : DatabaseMetaData.columnNoNulls,
            c.remarks(), null, null, null,
            JdbcValues.isString(type) ? size : null,
            i + 1, c.nullable() ? "YES" : "NO", null, null, null, null, "NO", "NO"});
      }
    }
    return rows(ch, columns(col("TABLE_CAT", String.class, true),
        col("TABLE_SCHEM", String.class, true), col("TABLE_NAME", String.class, false),
        col("COLUMN_NAME", String.class, false), col("DATA_TYPE", Integer.class, false),
        col("TYPE_NAME", String.class, false), col("COLUMN_SIZE", Integer.class, true),
        col("BUFFER_LENGTH", Integer.class, true), col("DECIMAL_DIGITS", Integer.class, true),
        col("NUM_PREC_RADIX", Integer.class, true), col("NULLABLE", Integer.class, false),
        col("REMARKS", String.class, true), col("COLUMN_DEF", String.class, true),
        col("SQL_DATA_TYPE", Integer.class, true), col("SQL_DATETIME_SUB", Integer.class, true),
        col("CHAR_OCTET_LENGTH", Integer.class, true),
        col("ORDINAL_POSITION", Integer.class, false), col("IS_NULLABLE", String.class, false),
        col("SCOPE_CATALOG", String.class, true), col("SCOPE_SCHEMA", String.class, true),
        col("SCOPE_TABLE", String.class, true), col("SOURCE_DATA_TYPE", Short.class, true),
        col("IS_AUTOINCREMENT", String.class, false),
        col("IS_GENERATEDCOLUMN", String.class, false)), rows);
  }

  /** COLUMN_SIZE: the declared precision or length, else the type's usual one (null if none). */
  static Integer columnSize(SqlColumn c) {
    if (c.precision() > 0) {
      return c.precision();
    }
    return switch (c.jdbcType()) {
      case Types.BOOLEAN, Types.BIT -> 1;
      case Types.TINYINT -> 3;
      case Types.SMALLINT -> 5;
      case Types.INTEGER -> 10;
      case Types.BIGINT -> 19;
      case Types.REAL -> 7;
      case Types.FLOAT, Types.DOUBLE -> 15;
      case Types.DATE -> 10;
      case Types.TIME -> 8;
      case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> 23;
      default -> null;
    };
  }

  private static int decimalDigits(SqlColumn c) {
    return switch (c.jdbcType()) {
      case Types.DECIMAL, Types.NUMERIC -> c.scale();
      case Types.REAL, Types.FLOAT, Types.DOUBLE -> c.scale() > 0 ? c.scale() : 0;
      default -> 0;
    };
  }

  @Override
  public MetaResultSet getPrimaryKeys(ConnectionHandle ch, String catalog, String schema,
      String table) {
    connection(ch.id);
    List<Object> rows = new ArrayList<>(primaryKeyRows(catalog, schema, table));
    return rows(ch, columns(col("TABLE_CAT", String.class, true),
        col("TABLE_SCHEM", String.class, true), col("TABLE_NAME", String.class, false),
        col("COLUMN_NAME", String.class, false), col("KEY_SEQ", Short.class, false),
        col("PK_NAME", String.class, true)), rows);
  }

  /**
   * The caller's primary-key rows (TABLE_CAT, TABLE_SCHEM, TABLE_NAME, COLUMN_NAME, KEY_SEQ,
   * PK_NAME) of the tables named, ordered by column name as JDBC asks; also what the
   * {@code jdbc:strata:} driver fetches through {@code POST /strata/primary-keys}, since
   * Avatica's protocol has no request for them.
   */
  List<Object[]> primaryKeyRows(String catalog, String schema, String table) {
    List<Object[]> rows = new ArrayList<>();
    sql.tables(security()).stream()
        .filter(t -> (catalog == null || SearchPattern.exact(catalog).test(t.catalog()))
            && (schema == null || SearchPattern.exact(schema).test(t.schema()))
            && (table == null || SearchPattern.exact(table).test(t.name())))
        .sorted(Comparator.comparing(SqlTable::catalog).thenComparing(SqlTable::schema)
            .thenComparing(SqlTable::name))
        .forEach(t -> {
          for (int i = 0; i < t.primaryKey().size(); i++) {
            rows.add(new Object[] {t.catalog(), t.schema(), t.name(), t.primaryKey().get(i),
                (short) (i + 1), "pk_" + t.name()});
          }
        });
    rows.sort(Comparator.comparing(r -> (String) r[3]));
    return rows;
  }

  @Override
  public MetaResultSet getTableTypes(ConnectionHandle ch) {
    connection(ch.id);
    return rows(ch, columns(col("TABLE_TYPE", String.class, false)),
        List.of(new Object[] {"TABLE"}, new Object[] {"VIEW"}));
  }

  @Override
  public MetaResultSet getTypeInfo(ConnectionHandle ch) {
    connection(ch.id);
    List<Object> rows = new ArrayList<>();
    Object[][] types = {
        {"BOOLEAN", Types.BOOLEAN, 1, null, false},
        {"TINYINT", Types.TINYINT, 3, null, false},
        {"SMALLINT", Types.SMALLINT, 5, null, false},
        {"INTEGER", Types.INTEGER, 10, null, false},
        {"BIGINT", Types.BIGINT, 19, null, false},
        {"REAL", Types.REAL, 7, null, false},
        {"DOUBLE", Types.DOUBLE, 15, null, false},
        {"DECIMAL", Types.DECIMAL, 38, "precision,scale", false},
        {"VARCHAR", Types.VARCHAR, 65535, "length", true},
        {"DATE", Types.DATE, 10, null, false},
        {"TIME", Types.TIME, 12, null, false},
        {"TIMESTAMP", Types.TIMESTAMP, 23, null, false},
        {"VARBINARY", Types.VARBINARY, 65535, "length", false},
    };
    for (Object[] t : types) {
      int type = (Integer) t[1];
      boolean quoted = (Boolean) t[4] || type == Types.DATE || type == Types.TIME
          || type == Types.TIMESTAMP;
      String prefix = switch (type) {
        case Types.DATE -> "DATE '";
        case Types.TIME -> "TIME '";
        case Types.TIMESTAMP -> "TIMESTAMP '";
        default -> quoted ? "'" : null;
      };
      boolean numeric = JdbcValues.isNumeric(type);
      rows.add(new Object[] {t[0], type, t[2], prefix, quoted ? "'" : null, t[3],
          (short) DatabaseMetaData.typeNullable, (Boolean) t[4],
          (short) DatabaseMetaData.typeSearchable, !numeric, false, false, t[0],
          (short) 0, (short) (type == Types.DECIMAL ? 38 : 0), null, null,
          numeric ? 10 : null});
    }
    rows.sort(Comparator.comparing(r -> (Integer) ((Object[]) r)[1]));
    return rows(ch, columns(col("TYPE_NAME", String.class, false),
        col("DATA_TYPE", Integer.class, false), col("PRECISION", Integer.class, true),
        col("LITERAL_PREFIX", String.class, true), col("LITERAL_SUFFIX", String.class, true),
        col("CREATE_PARAMS", String.class, true), col("NULLABLE", Short.class, false),
        col("CASE_SENSITIVE", Boolean.class, false), col("SEARCHABLE", Short.class, false),
        col("UNSIGNED_ATTRIBUTE", Boolean.class, false),
        col("FIXED_PREC_SCALE", Boolean.class, false),
        col("AUTO_INCREMENT", Boolean.class, false), col("LOCAL_TYPE_NAME", String.class, true),
        col("MINIMUM_SCALE", Short.class, true), col("MAXIMUM_SCALE", Short.class, true),
        col("SQL_DATA_TYPE", Integer.class, true), col("SQL_DATETIME_SUB", Integer.class, true),
        col("NUM_PREC_RADIX", Integer.class, true)), rows);
  }

  /** The tables matching a catalog name and schema and table patterns, from one tables() call. */
  private List<SqlTable> tables(String catalog, Pat schemaPattern, Pat tablePattern) {
    Predicate<String> schema = like(schemaPattern);
    Predicate<String> table = like(tablePattern);
    return sql.tables(security()).stream()
        .filter(t -> catalogMatches(catalog, t) && schema.test(t.schema())
            && table.test(t.name()))
        .toList();
  }

  /** JDBC: null means any catalog, "" those without one (none here), else the name. */
  private static boolean catalogMatches(String catalog, SqlTable t) {
    return catalog == null || SearchPattern.exact(catalog).test(t.catalog());
  }

  /** A JDBC search pattern ({@link SearchPattern}); null matches every name. */
  static Predicate<String> like(Pat pat) {
    return SearchPattern.of(pat == null ? null : pat.s);
  }

  private record Col(String name, Class<?> type, boolean nullable) {}

  private static Col col(String name, Class<?> type, boolean nullable) {
    return new Col(name, type, nullable);
  }

  private static List<ColumnMetaData> columns(Col... cols) {
    List<ColumnMetaData> out = new ArrayList<>(cols.length);
    for (Col c : cols) {
      out.add(MetaImpl.columnMetaData(c.name(), out.size(), c.type(), c.nullable()));
    }
    return out;
  }

  /** A metadata result: all rows in the first frame, on a statement of its own. */
  private MetaResultSet rows(ConnectionHandle ch, List<ColumnMetaData> columns,
      List<Object> rows) {
    Signature signature = new Signature(columns, "", List.of(), null, CursorFactory.LIST,
        StatementType.SELECT);
    return MetaResultSet.create(ch.id, statementIds.getAndIncrement(), true, signature,
        new Frame(0, true, rows));
  }

  // ------------------------------------------------------------------ state

  /** A client's connection: its owner, properties and statements. */
  static final class JdbcConnection {
    final String id;
    final Principal owner;
    final Map<String, String> info;
    final ConnectionPropertiesImpl properties = new ConnectionPropertiesImpl(true, true,
        Connection.TRANSACTION_NONE, null, null);
    final ConcurrentMap<Integer, Stmt> statements = new ConcurrentHashMap<>();
    /** The connection's settings: {@code strata_cache} from its properties or SET. */
    final SqlSession.Options options;
    volatile long lastUsed = System.nanoTime();

    JdbcConnection(String id, Principal owner, Map<String, String> info,
        SqlSession.Options options) {
      this.id = id;
      this.owner = owner;
      this.info = info;
      this.options = options;
    }

    void touch() {
      lastUsed = System.nanoTime();
    }

    void checkOwner(Principal caller) {
      if (caller == null || caller.userId() != owner.userId()) {
        throw JdbcException.of(JdbcException.NOT_YOURS, "28000", "connection " + id
            + " belongs to another user");
      }
    }

    void close() {
      for (Integer sid : List.copyOf(statements.keySet())) {
        Stmt s = statements.remove(sid);
        if (s != null) {
          s.close();
        }
      }
    }
  }


  /** A statement: what it prepared and the result it has open. */
  final class Stmt {
    final int id;
    final JdbcConnection connection;
    final ReentrantLock lock = new ReentrantLock();
    // guarded by lock
    PreparedSql prepared;
    Signature signature;
    long maxRowCount = -1;
    // read by any thread
    volatile ResultStream live;
    /** Cancels what the statement executes before its cursor exists. */
    volatile SqlCancel executing;
    volatile boolean cancelled;
    volatile boolean closed;
    volatile boolean expired;
    volatile long lastUsed = System.nanoTime();

    Stmt(int id, JdbcConnection connection) {
      this.id = id;
      this.connection = connection;
    }

    void touch() {
      lastUsed = System.nanoTime();
    }

    /** Closes the open result, if any; the caller holds the lock. */
    void closeResult() {
      ResultStream r = live;
      live = null;
      if (r != null) {
        r.cancel();
        r.close();
      }
    }

    /**
     * Cancels what the statement runs: an open result through its cursor; a query still
     * reading its first batch inside {@link SqlService#execute} through its {@link SqlCancel},
     * and the statement is marked, so a result arriving anyway fails CANCELLED.
     */
    boolean cancel() {
      cancelled = true;
      ResultStream r = live;
      if (r != null && !r.done()) {
        r.cancel();
        return true;
      }
      SqlCancel e = executing;
      if (e == null) {
        return false;
      }
      e.cancel();
      return true;
    }

    /** Closes the statement: what it runs is cancelled, its result closed. */
    void close() {
      closed = true;
      cancel();
      lock.lock();
      try {
        closeResult();
      } finally {
        lock.unlock();
      }
    }

    /** Closes an idle open result; a later fetch says so. */
    void expire() {
      ResultStream r = live;
      if (r != null) {
        r.cancel();
      }
      lock.lock();
      try {
        if (live != null) {
          closeResult();
          expired = true;
        }
      } finally {
        lock.unlock();
      }
    }
  }
}
