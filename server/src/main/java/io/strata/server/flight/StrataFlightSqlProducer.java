package io.strata.server.flight;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.strata.acceleration.cache.CacheEntry;
import io.strata.server.sql.PreparedSql;
import io.strata.server.sql.SqlService;
import io.strata.server.sql.SqlSession;
import io.strata.server.security.SecurityContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.BackpressureStrategy;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.CancelFlightInfoRequest;
import org.apache.arrow.flight.CancelStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PreEncodedStreams;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.sql.BasicFlightSqlProducer;
import org.apache.arrow.flight.sql.FlightSqlProducer.Schemas;
import org.apache.arrow.flight.sql.SqlInfoBuilder;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.flight.sql.impl.FlightSql.ActionClosePreparedStatementRequest;
import org.apache.arrow.flight.sql.impl.FlightSql.ActionCreatePreparedStatementRequest;
import org.apache.arrow.flight.sql.impl.FlightSql.ActionCreatePreparedStatementResult;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandPreparedStatementQuery;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementQuery;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlNullOrdering;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlSupportedCaseSensitivity;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlSupportedTransaction;
import org.apache.arrow.flight.sql.impl.FlightSql.TicketStatementQuery;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.sql.SqlJdbcFunctionCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flight SQL over {@link SqlService}: statements, prepared statements with parameters, catalog
 * metadata, SQL info and cancellation. Strata is read-only: updates, bulk ingestion, Substrait
 * and transactions are refused {@code UNIMPLEMENTED}.
 *
 * <p>A statement runs once. {@code GetFlightInfo} executes it until the first batch is read
 * (so SQL and warehouse errors are the FlightInfo call's errors, and the schema is the result's
 * own), keeps the open result under a random handle and returns that handle as the ticket;
 * {@code DoGet} takes the result and streams it batch by batch. A result nobody fetches is
 * closed after {@code strata.query.timeout}, when its query would have timed out anyway.
 * Tickets are bound to the user who made them.
 *
 * <p>Streams honour gRPC flow control: the next batch is read from the warehouse only once the
 * client can take one, so a slow client slows the warehouse read instead of filling memory, and
 * only one batch per stream is in memory. A client that cancels its stream, or its
 * {@code GetFlightInfo} call while the query runs, or that sends {@code CancelFlightInfo}
 * (or the older {@code CancelQuery}) for its ticket, cancels the query at the warehouse.
 */
final class StrataFlightSqlProducer extends BasicFlightSqlProducer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StrataFlightSqlProducer.class);
  static final String ENDPOINT = "flight";
  /** The dataset schema of a prepared statement whose columns are only known once it runs. */
  static final Schema UNKNOWN_RESULT = new Schema(List.of(new Field("result",
      FieldType.nullable(ArrowType.Utf8.INSTANCE), null)));

  private final SqlService sql;
  private final FlightUsers users;
  private final BufferAllocator allocator;
  private final Duration timeout;
  private final SqlInfoBuilder sqlInfo;
  private final Set<Integer> sqlInfoIds;
  /** Results executed and not yet streamed, by handle. */
  private final Cache<String, FlightQuery> pending;
  /** This node's address for a statement's ticket (strata.advertised-host); null: none. */
  private volatile org.apache.arrow.flight.Location advertised;
  /** Names this process in its tickets: another node redeems them by running them again. */
  private final String origin = UUID.randomUUID().toString();
  private final Map<String, FlightQuery> streaming = new ConcurrentHashMap<>();
  private final Set<FlightQuery> executing = ConcurrentHashMap.newKeySet();
  private final Cache<String, Prepared> prepared;
  private volatile boolean closed;

  /** What a prepared statement's parameters are bound to: values, or why they cannot be. */
  private record Binding(List<Object> values, RuntimeException error) {
    static final Binding NONE = new Binding(List.of(), null);
  }

  /** A prepared statement: its SQL, its bound parameters, and maybe a result run at prepare. */
  private static final class Prepared {
    final String handle;
    final String user;
    final PreparedSql statement;
    volatile Binding binding = Binding.NONE;
    /** The handle of the result run when the statement was prepared, until it is used. */
    volatile String prefetched;

    Prepared(String handle, String user, PreparedSql statement) {
      this.handle = handle;
      this.user = user;
      this.statement = statement;
    }

    synchronized String takePrefetched() {
      String p = prefetched;
      prefetched = null;
      return p;
    }
  }

  StrataFlightSqlProducer(SqlService sql, BufferAllocator allocator,
      Duration timeout, FlightUsers users) {
    this.sql = sql;
    this.users = users;
    this.allocator = allocator;
    this.timeout = timeout.isZero() ? Duration.ofMinutes(5) : timeout;
    this.pending = Caffeine.newBuilder()
        .expireAfterWrite(this.timeout)
        .scheduler(Scheduler.systemScheduler())
        .<String, FlightQuery>removalListener((handle, q, cause) -> {
          if (cause.wasEvicted() && q != null) {
            LOG.debug("Flight result {} was not fetched within {}; closed", handle,
                this.timeout);
            q.close();
          }
        })
        .build();
    this.prepared = Caffeine.newBuilder()
        .expireAfterAccess(Duration.ofHours(1))
        .maximumSize(100_000)
        .build();
    this.sqlInfo = sqlInfo(this.timeout);
    this.sqlInfoIds = sqlInfoIds(sqlInfo);
  }

  private static SqlInfoBuilder sqlInfo(Duration timeout) {
    String version = Optional.ofNullable(StrataFlightSqlProducer.class.getPackage()
        .getImplementationVersion()).orElse("0.1.0-SNAPSHOT");
    String arrow = Optional.ofNullable(VectorSchemaRoot.class.getPackage()
        .getImplementationVersion()).orElse("18.3.0");
    return new SqlInfoBuilder()
        .withFlightSqlServerName("Strata")
        .withFlightSqlServerVersion(version)
        .withFlightSqlServerArrowVersion(arrow)
        .withFlightSqlServerReadOnly(true)
        .withFlightSqlServerSql(true)
        .withFlightSqlServerSubstrait(false)
        .withFlightSqlServerTransaction(SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_NONE)
        .withFlightSqlServerCancel(true)
        .withFlightSqlServerBulkIngestion(false)
        .withFlightSqlServerStatementTimeout((int) Math.min(Integer.MAX_VALUE,
            timeout.toSeconds()))
        .withSqlIdentifierQuoteChar("\"")
        .withSqlIdentifierCase(SqlSupportedCaseSensitivity.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE)
        .withSqlQuotedIdentifierCase(
            SqlSupportedCaseSensitivity.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE)
        .withSqlSearchStringEscape("\\")
        .withSqlCatalogTerm("catalog")
        .withSqlSchemaTerm("schema")
        .withSqlProcedureTerm("procedure")
        .withSqlDdlCatalog(false)
        .withSqlDdlSchema(false)
        .withSqlDdlTable(false)
        .withSqlAllTablesAreSelectable(true)
        .withSqlNullOrdering(SqlNullOrdering.SQL_NULLS_SORTED_HIGH)
        .withSqlSupportsColumnAliasing(true)
        .withSqlNullPlusNullIsNull(true)
        .withSqlSupportsTableCorrelationNames(true)
        .withSqlSupportsDifferentTableCorrelationNames(true)
        .withSqlSupportsExpressionsInOrderBy(true)
        .withSqlSupportsOrderByUnrelated(true)
        .withSqlSupportsLikeEscapeClause(true)
        .withSqlSupportsNonNullableColumns(true)
        .withSqlSupportsIntegrityEnhancementFacility(false)
        .withSqlCatalogAtStart(true)
        .withSqlSelectForUpdateSupported(false)
        .withSqlStoredProceduresSupported(false)
        .withSqlCorrelatedSubqueriesSupported(true)
        .withSqlTransactionsSupported(false)
        .withSqlBatchUpdatesSupported(false)
        .withSqlSavepointsSupported(false)
        .withSqlNamedParametersSupported(false)
        .withSqlStoredFunctionsUsingCallSyntaxSupported(false)
        .withSqlMaxRowSizeIncludesBlobs(false)
        .withSqlDataDefinitionCausesTransactionCommit(false)
        .withSqlDataDefinitionsInTransactionsIgnored(false)
        .withSqlLocatorsUpdateCopy(false)
        .withSqlExtraNameCharacters("")
        .withFlightSqlServerTransactionTimeout(0)
        .withFlightSqlServerBulkIngestionTransaction(false)
        // 0: no limit Strata knows of (JDBC's "unknown"); the warehouse's own limits apply
        .withSqlMaxBinaryLiteralLength(0)
        .withSqlMaxCharLiteralLength(0)
        .withSqlMaxColumnNameLength(0)
        .withSqlMaxColumnsInGroupBy(0)
        .withSqlMaxColumnsInIndex(0)
        .withSqlMaxColumnsInOrderBy(0)
        .withSqlMaxColumnsInSelect(0)
        .withSqlMaxColumnsInTable(0)
        .withSqlMaxConnections(0)
        .withSqlMaxCursorNameLength(0)
        .withSqlMaxIndexLength(0)
        .withSqlDbSchemaNameLength(0)
        .withSqlMaxProcedureNameLength(0)
        .withSqlMaxCatalogNameLength(0)
        .withSqlMaxRowSize(0)
        .withSqlMaxStatementLength(0)
        .withSqlMaxStatements(0)
        .withSqlMaxTableNameLength(0)
        .withSqlMaxTablesInSelect(0)
        .withSqlMaxUsernameLength(0)
        // read-only and without transactions: each statement sees what it reads
        .withSqlDefaultTransactionIsolation(java.sql.Connection.TRANSACTION_NONE)
        .withSqlSupportedTransactionsIsolationLevels()
        .withSqlSupportedGroupBy(FlightSql.SqlSupportedGroupBy.SQL_GROUP_BY_UNRELATED,
            FlightSql.SqlSupportedGroupBy.SQL_GROUP_BY_BEYOND_SELECT)
        .withSqlSupportedGrammar(FlightSql.SupportedSqlGrammar.SQL_MINIMUM_GRAMMAR,
            FlightSql.SupportedSqlGrammar.SQL_CORE_GRAMMAR)
        .withSqlAnsi92SupportedLevel(FlightSql.SupportedAnsi92SqlGrammarLevel.ANSI92_ENTRY_SQL)
        .withSqlSchemasSupportedActions()
        .withSqlCatalogsSupportedActions()
        .withSqlSupportedPositionedCommands()
        .withSqlSubQueriesSupported(FlightSql.SqlSupportedSubqueries.SQL_SUBQUERIES_IN_COMPARISONS,
            FlightSql.SqlSupportedSubqueries.SQL_SUBQUERIES_IN_EXISTS,
            FlightSql.SqlSupportedSubqueries.SQL_SUBQUERIES_IN_INS,
            FlightSql.SqlSupportedSubqueries.SQL_SUBQUERIES_IN_QUANTIFIEDS)
        .withSqlSupportedUnions(FlightSql.SqlSupportedUnions.SQL_UNION,
            FlightSql.SqlSupportedUnions.SQL_UNION_ALL)
        .withSqlOuterJoinSupportLevel(FlightSql.SqlOuterJoinsSupportLevel.SQL_FULL_OUTER_JOINS)
        .withSqlSupportedResultSetTypes(
            FlightSql.SqlSupportedResultSetType.SQL_RESULT_SET_TYPE_FORWARD_ONLY)
        .withSqlSupportsConvert(java.util.Map.of())
        .withSqlKeywords(list(new org.apache.calcite.sql.parser.impl.SqlParserImpl(
            new java.io.StringReader("")).getMetadata().getJdbcKeywords()))
        .withSqlNumericFunctions(list(SqlJdbcFunctionCall.getNumericFunctions()))
        .withSqlStringFunctions(list(SqlJdbcFunctionCall.getStringFunctions()))
        .withSqlDatetimeFunctions(list(SqlJdbcFunctionCall.getTimeDateFunctions()))
        .withSqlSystemFunctions(list(SqlJdbcFunctionCall.getSystemFunctions()));
  }

  private static String[] list(String commaSeparated) {
    return java.util.Arrays.stream(commaSeparated.split(",")).map(String::trim)
        .filter(x -> !x.isEmpty()).toArray(String[]::new);
  }

  // --------------------------------------------------------------------------- statements

  @Override
  public FlightInfo getFlightInfoStatement(CommandStatementQuery command, CallContext context,
      FlightDescriptor descriptor) {
    if (command.hasTransactionId()) {
      throw FlightErrors.readOnly("a transaction");
    }
    try {
      FlightQuery q = execute(context, sql.prepare(command.getQuery(),
          new SqlSession(security(context), ENDPOINT, null)), List.of());
      return info(q, descriptor, command.getQuery());
    } catch (RuntimeException e) {
      throw FlightErrors.status(e);
    }
  }

  @Override
  public SchemaResult getSchemaStatement(CommandStatementQuery command, CallContext context,
      FlightDescriptor descriptor) {
    try {
      return new SchemaResult(schemaOf(context, sql.prepare(command.getQuery(),
          new SqlSession(security(context), ENDPOINT, null)), List.of()));
    } catch (RuntimeException e) {
      throw FlightErrors.status(e);
    }
  }

  /**
   * Checks a ticket before Flight SQL's dispatch reads it: bytes that are not a protobuf
   * {@code Any} would otherwise reach the client as {@code INTERNAL}; any failure of the
   * dispatch itself is mapped as every other call's.
   */
  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    try {
      Any.parseFrom(ticket.getBytes());
    } catch (InvalidProtocolBufferException e) {
      listener.error(FlightErrors.invalid("malformed ticket: it is not a ticket this server"
          + " issued (use the ticket of a FlightInfo from GetFlightInfo)"));
      return;
    }
    try {
      super.getStream(context, ticket, listener);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.status(e));
    }
  }

  /** A command that does not parse is the client's mistake, not the server's. */
  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    checkCommand(descriptor);
    try {
      return super.getFlightInfo(context,
          descriptor);
    } catch (RuntimeException e) {
      throw FlightErrors.status(e);
    }
  }

  @Override
  public SchemaResult getSchema(CallContext context, FlightDescriptor descriptor) {
    checkCommand(descriptor);
    try {
      return super.getSchema(context, descriptor);
    } catch (RuntimeException e) {
      throw FlightErrors.status(e);
    }
  }

  /** Garbage in an action's body is INVALID_ARGUMENT, whichever action it is. */
  @Override
  public void doAction(CallContext context, org.apache.arrow.flight.Action action,
      StreamListener<Result> listener) {
    if (action.getType().equals(org.apache.arrow.flight.FlightConstants.CANCEL_FLIGHT_INFO
        .getType())) {
      try {
        CancelFlightInfoRequest.deserialize(java.nio.ByteBuffer.wrap(action.getBody()));
      } catch (java.io.IOException | java.net.URISyntaxException | RuntimeException e) {
        listener.onError(FlightErrors.invalid("malformed CancelFlightInfo request: "
            + e.getMessage()));
        return;
      }
    }
    try {
      super.doAction(context, action, listener);
    } catch (RuntimeException e) {
      listener.onError(FlightErrors.status(e));
    }
  }

  private static void checkCommand(FlightDescriptor descriptor) {
    if (!descriptor.isCommand()) {
      throw FlightErrors.invalid("Strata answers Flight SQL commands; a descriptor by path"
          + " names nothing here");
    }
    try {
      Any.parseFrom(descriptor.getCommand());
    } catch (InvalidProtocolBufferException e) {
      throw FlightErrors.invalid("malformed command: not a Flight SQL command message");
    }
  }

  @Override
  public void getStreamStatement(TicketStatementQuery ticket, CallContext context,
      ServerStreamListener listener) {
    String handle = handleOf(ticket.getStatementHandle().toStringUtf8());
    String user = user(context);
    FlightQuery q = pending.getIfPresent(handle);
    String replay = replayOf(ticket.getStatementHandle().toStringUtf8(), origin);
    if (q == null && replay != null) {
      // asked on another node (it died or drained, and the client's connection moved here):
      // the ticket carries its statement, run again here as this call's user
      try {
        q = execute(context, sql.prepare(replay, new SqlSession(security(context), ENDPOINT,
            null)), List.of());
      } catch (RuntimeException e) {
        listener.error(FlightErrors.status(e));
        return;
      }
      stream(q, listener, context.getMiddleware(FlightSessions.KEY));
      return;
    }
    if (q == null || !q.user.equals(user) || !pending.asMap().remove(handle, q)) {
      listener.error(FlightErrors.notFound("no result for this ticket: it was read already,"
          + " cancelled, or not fetched within " + timeout.toSeconds() + "s"));
      return;
    }
    stream(q, listener, context.getMiddleware(FlightSessions.KEY));
  }

  // --------------------------------------------------------------------------- prepared

  @Override
  public void createPreparedStatement(ActionCreatePreparedStatementRequest request,
      CallContext context, StreamListener<Result> listener) {
    try {
      if (request.hasTransactionId()) {
        throw FlightErrors.readOnly("a transaction");
      }
      PreparedSql statement = sql.prepare(request.getQuery(),
          new SqlSession(security(context), ENDPOINT, null));
      Prepared p = new Prepared(UUID.randomUUID().toString(), user(context), statement);
      Schema dataset;
      if (!statement.columns().isEmpty()) {
        dataset = FlightMetadata.schema(statement.columns());
      } else if (statement.parameterCount() == 0) {
        // the columns are known once it runs: run it now, and give this result to the first
        // execution (clients such as the Flight SQL JDBC driver prepare, then execute at once)
        FlightQuery q = execute(context, statement, List.of());
        pending.put(q.handle, q);
        p.prefetched = q.handle;
        dataset = q.schema();
      } else {
        dataset = UNKNOWN_RESULT;
      }
      prepared.put(p.handle, p);
      ActionCreatePreparedStatementResult result = ActionCreatePreparedStatementResult
          .newBuilder()
          .setPreparedStatementHandle(ByteString.copyFromUtf8(p.handle))
          .setDatasetSchema(ByteString.copyFrom(FlightMetadata.serialize(dataset)))
          .setParameterSchema(ByteString.copyFrom(FlightMetadata.serialize(
              FlightParameters.schema(statement.parameterCount()))))
          .build();
      listener.onNext(new Result(Any.pack(result).toByteArray()));
      listener.onCompleted();
    } catch (RuntimeException e) {
      listener.onError(FlightErrors.status(e));
    }
  }

  @Override
  public void closePreparedStatement(ActionClosePreparedStatementRequest request,
      CallContext context, StreamListener<Result> listener) {
    String handle = request.getPreparedStatementHandle().toStringUtf8();
    Prepared p = prepared.getIfPresent(handle);
    if (p != null && p.user.equals(user(context))) {
      prepared.invalidate(handle);
      discard(p.takePrefetched());
    }
    listener.onCompleted();
  }

  @Override
  public Runnable acceptPutPreparedStatementQuery(CommandPreparedStatementQuery command,
      CallContext context, FlightStream flightStream, StreamListener<PutResult> ackStream) {
    Prepared p = find(command.getPreparedStatementHandle(), context);
    return () -> {
      Binding binding;
      try {
        List<List<Object>> rows = new ArrayList<>();
        while (flightStream.next()) {
          VectorSchemaRoot root = flightStream.getRoot();
          for (int r = 0; r < root.getRowCount() && rows.size() < 2; r++) {
            rows.add(FlightParameters.row(root, r));
          }
        }
        if (rows.size() > 1) {
          binding = new Binding(null, FlightErrors.invalid("Strata runs a query with one row"
              + " of parameter values at a time; more rows were bound"));
        } else {
          binding = rows.isEmpty() ? Binding.NONE : new Binding(rows.get(0), null);
        }
      } catch (RuntimeException e) {
        // reported when the statement runs: an error here reaches the client as CANCELLED
        binding = new Binding(null, e);
      }
      p.binding = binding;
      discard(p.takePrefetched()); // run without parameters; any parameters bound change that
      ackStream.onCompleted();
    };
  }

  @Override
  public FlightInfo getFlightInfoPreparedStatement(CommandPreparedStatementQuery command,
      CallContext context, FlightDescriptor descriptor) {
    Prepared p = find(command.getPreparedStatementHandle(), context);
    try {
      String pre = p.takePrefetched();
      FlightQuery q = pre == null ? null : pending.asMap().remove(pre);
      if (q == null) {
        q = execute(context, p.statement, values(p));
      }
      return info(q, descriptor);
    } catch (RuntimeException e) {
      throw FlightErrors.status(e);
    }
  }

  @Override
  public SchemaResult getSchemaPreparedStatement(CommandPreparedStatementQuery command,
      CallContext context, FlightDescriptor descriptor) {
    Prepared p = find(command.getPreparedStatementHandle(), context);
    try {
      String pre = p.prefetched;
      FlightQuery q = pre == null ? null : pending.getIfPresent(pre);
      if (q != null) {
        return new SchemaResult(q.schema());
      }
      return new SchemaResult(schemaOf(context, p.statement, values(p)));
    } catch (RuntimeException e) {
      throw FlightErrors.status(e);
    }
  }

  /** A client that uses the prepared statement's command as its ticket: run and stream it. */
  @Override
  public void getStreamPreparedStatement(CommandPreparedStatementQuery command,
      CallContext context, ServerStreamListener listener) {
    FlightQuery q;
    try {
      Prepared p = find(command.getPreparedStatementHandle(), context);
      String pre = p.takePrefetched();
      q = pre == null ? null : pending.asMap().remove(pre);
      if (q == null) {
        q = execute(context, p.statement, values(p));
      }
    } catch (RuntimeException e) {
      listener.error(FlightErrors.status(e));
      return;
    }
    stream(q, listener, context.getMiddleware(FlightSessions.KEY));
  }

  private List<Object> values(Prepared p) {
    Binding b = p.binding;
    if (b.error() != null) {
      throw b.error();
    }
    return b.values();
  }

  private Prepared find(ByteString handle, CallContext context) {
    Prepared p = prepared.getIfPresent(handle.toStringUtf8());
    if (p == null || !p.user.equals(user(context))) {
      throw FlightErrors.notFound("no such prepared statement: it was closed, or not used for"
          + " an hour");
    }
    return p;
  }

  // --------------------------------------------------------------------------- cancel

  @Override
  public void cancelFlightInfo(CancelFlightInfoRequest request, CallContext context,
      StreamListener<CancelStatus> listener) {
    String user = user(context);
    CancelStatus status = CancelStatus.NOT_CANCELLABLE;
    for (FlightEndpoint e : request.getInfo().getEndpoints()) {
      String handle = handle(e.getTicket());
      if (handle == null) {
        continue;
      }
      FlightQuery waiting = pending.getIfPresent(handle);
      if (waiting != null && waiting.user.equals(user)
          && pending.asMap().remove(handle, waiting)) {
        waiting.cancel();
        waiting.close();
        status = CancelStatus.CANCELLED;
        continue;
      }
      FlightQuery running = streaming.get(handle);
      if (running != null && running.user.equals(user)) {
        running.cancel();
        status = CancelStatus.CANCELLED;
      }
    }
    listener.onNext(status);
    listener.onCompleted();
  }

  private static final char REPLAY = '\u0000';

  private static String handleOf(String ticketHandle) {
    int i = ticketHandle.indexOf(REPLAY);
    return i < 0 ? ticketHandle : ticketHandle.substring(0, i);
  }

  /** The statement to run again, when the ticket was issued by another node (or process). */
  private static String replayOf(String ticketHandle, String origin) {
    int i = ticketHandle.indexOf(REPLAY);
    int j = i < 0 ? -1 : ticketHandle.indexOf(REPLAY, i + 1);
    if (j < 0 || ticketHandle.substring(i + 1, j).equals(origin)) {
      return null; // issued here: read once, as before
    }
    return ticketHandle.substring(j + 1);
  }

  private static String handle(Ticket ticket) {
    try {
      Any any = Any.parseFrom(ticket.getBytes());
      if (any.is(TicketStatementQuery.class)) {
        return handleOf(any.unpack(TicketStatementQuery.class).getStatementHandle()
            .toStringUtf8());
      }
    } catch (InvalidProtocolBufferException e) {
      // not one of Strata's tickets
    }
    return null;
  }

  // --------------------------------------------------------------------------- execution

  /** The peer as the query path sees them: their grants and row-level security. */
  private SecurityContext security(CallContext context) {
    return users.context(user(context), sql.access()).orElseThrow(() -> CallStatus.UNAUTHENTICATED
        .withDescription("no such user").toRuntimeException());
  }

  private String user(CallContext context) {
    String user = context.peerIdentity();
    if (user == null || user.isEmpty()) {
      throw CallStatus.UNAUTHENTICATED.withDescription("no user").toRuntimeException();
    }
    return user;
  }

  /**
   * Executes a statement for the calling user until its first batch is read. If the client
   * cancels its call meanwhile (or its deadline passes), the query is cancelled.
   */
  private FlightQuery execute(CallContext context, PreparedSql statement,
      List<Object> parameters) {
    if (closed) {
      throw CallStatus.UNAVAILABLE.withDescription("the server is shutting down")
          .toRuntimeException();
    }
    FlightQuery q = new FlightQuery(UUID.randomUUID().toString(), user(context));
    io.grpc.Context call = io.grpc.Context.current();
    io.grpc.Context.CancellationListener onCancel = c -> q.cancel();
    executing.add(q);
    call.addListener(onCancel, Runnable::run);
    try {
      FlightSessions.Call session = context.getMiddleware(FlightSessions.KEY);
      q.execute(sql, statement, parameters, new SqlSession(security(context), ENDPOINT, null,
          session == null ? null : session.options));
      return q;
    } finally {
      call.removeListener(onCancel);
      executing.remove(q);
    }
  }

  /** The schema of a statement's result: its columns when known, else from running it. */
  private Schema schemaOf(CallContext context, PreparedSql statement, List<Object> values) {
    if (!statement.columns().isEmpty()) {
      return FlightMetadata.schema(statement.columns());
    }
    FlightQuery q = execute(context, statement, values);
    try {
      return q.schema();
    } finally {
      q.close();
    }
  }

  /**
   * Puts {@code location} in every statement's endpoint: its ticket is held in this node's
   * memory, so behind a balancer a client redeems it here (strata.advertised-host).
   */
  void advertise(org.apache.arrow.flight.Location location) {
    this.advertised = location;
  }

  private FlightInfo info(FlightQuery q, FlightDescriptor descriptor) {
    return info(q, descriptor, null);
  }

  /**
   * A statement's ticket: the handle of its result held here, and with {@code replay} (a plain
   * statement's SQL) that SQL after a NUL, so that any node can redeem it by running it again.
   */
  private FlightInfo info(FlightQuery q, FlightDescriptor descriptor, String replay) {
    TicketStatementQuery ticket = TicketStatementQuery.newBuilder()
        .setStatementHandle(ByteString.copyFromUtf8(replay == null ? q.handle
            : q.handle + REPLAY + origin + REPLAY + replay)).build();
    pending.put(q.handle, q);
    if (closed) {
      discard(q.handle);
      throw CallStatus.UNAVAILABLE.withDescription("the server is shutting down")
          .toRuntimeException();
    }
    return new FlightInfo(q.schema(), descriptor,
        List.of(advertised == null ? new FlightEndpoint(new Ticket(Any.pack(ticket).toByteArray()))
            : new FlightEndpoint(new Ticket(Any.pack(ticket).toByteArray()), advertised)), -1, -1);
  }

  /** Closes a result nobody will stream. */
  private void discard(String handle) {
    if (handle != null) {
      FlightQuery q = pending.asMap().remove(handle);
      if (q != null) {
        q.cancel();
        q.close();
      }
    }
  }

  /**
   * Streams a result to the client, one batch at a time as the client can take it, and closes
   * it. A hit whose columns are its cache entry's goes as stored: the entry's record batches
   * become Flight messages without being decoded ({@link CachedStream}). Otherwise the cursor's
   * batches are handed over without copying: their buffers are loaded into this stream's root,
   * which the endpoint's allocator accounts for until gRPC has sent them.
   */
  private void stream(FlightQuery q, ServerStreamListener listener,
      FlightSessions.Call session) {
    streaming.put(q.handle, q);
    Backpressure backpressure = new Backpressure(q);
    backpressure.register(listener);
    q.onCancel(backpressure::interruptWait);
    try {
      if (closed) {
        q.cancel();
      }
      Optional<CacheEntry> entry = (session == null || !session.decoded) && !q.cancelled()
          && PreEncodedStreams.supports(listener) ? q.cursor().takeCachedEntry()
          : Optional.empty();
      if (entry.isPresent()) {
        sendAsStored(entry.get(), q, listener, backpressure, session == null
            ? Set.of() : session.compressions);
      } else try (VectorSchemaRoot out = VectorSchemaRoot.create(q.schema(), allocator)) {
        VectorLoader loader = new VectorLoader(out);
        // each batch is new memory that nothing writes to once read (the JDBC reader does not
        // reuse its vectors): gRPC may send the buffers themselves, kept until written
        listener.setUseZeroCopy(true);
        listener.start(out);
        while (ready(backpressure, listener, q) && q.cursor().next()) {
          try (ArrowRecordBatch batch = new VectorUnloader(q.cursor().batch()).getRecordBatch()) {
            loader.load(batch);
          }
          listener.putNext();
          out.clear();
        }
      }
      if (listener.isCancelled()) {
        listener.error(CallStatus.CANCELLED.withDescription("cancelled by the client")
            .toRuntimeException());
      } else {
        listener.completed();
      }
    } catch (RuntimeException | Error e) {
      FlightRuntimeException status = q.cancelled() && !(e instanceof FlightRuntimeException)
          ? cancelledOr(e) : FlightErrors.status(e);
      try {
        listener.error(status);
      } catch (RuntimeException ignored) {
        // the call is gone already
      }
    } finally {
      streaming.remove(q.handle);
      q.onCancel(null);
      q.close();
    }
  }

  /** Sends a cached entry's record batches as they are stored, as the client can take them. */
  private void sendAsStored(CacheEntry entry, FlightQuery q, ServerStreamListener listener,
      Backpressure backpressure, Set<CompressionUtil.CodecType> compressions) {
    PreEncodedStreams.start(listener, q.schema());
    try (CachedStream batches = new CachedStream(entry.ipc(), allocator, compressions)) {
      while (ready(backpressure, listener, q)) {
        if (q.cancelled()) {
          throw CallStatus.CANCELLED.withDescription("the query was cancelled")
              .toRuntimeException();
        }
        ArrowRecordBatch batch = batches.next();
        if (batch == null) {
          return;
        }
        if (batch.getLength() == 0) {
          batch.close();
          continue;
        }
        PreEncodedStreams.send(listener, batch);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("reading a cached result: " + e.getMessage(), e);
    }
  }

  private static FlightRuntimeException cancelledOr(Throwable e) {
    FlightRuntimeException status = FlightErrors.status(e);
    return status.status().code() == CallStatus.CANCELLED.code() ? status
        : CallStatus.CANCELLED.withDescription("the query was cancelled: " + e.getMessage())
            .toRuntimeException();
  }

  /**
   * Waits until the client can take a batch. False when the client cancelled the stream;
   * fails TIMED_OUT when the client takes nothing for {@code strata.query.timeout}.
   */
  private boolean ready(Backpressure backpressure, ServerStreamListener listener, FlightQuery q) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (q.cancelled() && listener.isCancelled()) {
        return false;
      }
      if (q.cancelled()) {
        return true; // the cursor reports the cancellation
      }
      BackpressureStrategy.WaitResult r = backpressure.waitForListener(1000);
      switch (r) {
        case READY:
          return true;
        case CANCELLED:
          q.cancel();
          return false;
        default:
          if (System.nanoTime() > deadline) {
            q.cancel();
            throw CallStatus.TIMED_OUT.withDescription("the client read nothing for "
                + timeout.toSeconds() + "s (strata.query.timeout); the query was cancelled")
                .toRuntimeException();
          }
      }
    }
  }

  /** Arrow's callback back-pressure, cancelling the query when the client cancels. */
  private static final class Backpressure
      extends BackpressureStrategy.CallbackBackpressureStrategy {
    private final FlightQuery query;

    Backpressure(FlightQuery query) {
      this.query = query;
    }

    @Override
    protected void cancelCallback() {
      query.cancel();
    }

    @Override
    protected boolean shouldContinueWaiting(ServerStreamListener listener, long remaining) {
      return !query.cancelled();
    }
  }

  // --------------------------------------------------------------------------- metadata

  @Override
  protected <T extends Message> List<FlightEndpoint> determineEndpoints(T request,
      FlightDescriptor descriptor, Schema schema) {
    return List.of(new FlightEndpoint(new Ticket(Any.pack(request).toByteArray())));
  }

  /**
   * The SQL info asked for; ids Strata does not answer are left out (the JDBC driver asks for
   * some, and Arrow's builder would fail on them).
   */
  @Override
  public void getStreamSqlInfo(FlightSql.CommandGetSqlInfo command, CallContext context,
      ServerStreamListener listener) {
    List<Integer> asked = command.getInfoList().stream().filter(sqlInfoIds::contains).toList();
    if (!command.getInfoList().isEmpty() && asked.isEmpty()) {
      send(listener, () -> VectorSchemaRoot.create(Schemas.GET_SQL_INFO_SCHEMA, allocator));
      return;
    }
    sqlInfo.send(asked, listener);
  }

  /** The ids of the SQL info the builder answers, read by letting it send them all once. */
  private static Set<Integer> sqlInfoIds(SqlInfoBuilder builder) {
    Set<Integer> ids = new java.util.HashSet<>();
    builder.send(List.of(), new ServerStreamListener() {
      private VectorSchemaRoot root;

      @Override
      public boolean isCancelled() {
        return false;
      }

      @Override
      public void setOnCancelHandler(Runnable handler) {}

      @Override
      public boolean isReady() {
        return true;
      }

      @Override
      public void start(VectorSchemaRoot root,
          org.apache.arrow.vector.dictionary.DictionaryProvider dictionaries,
          org.apache.arrow.vector.ipc.message.IpcOption option) {
        this.root = root;
      }

      @Override
      public void putNext() {
        putNext(null);
      }

      @Override
      public void putNext(org.apache.arrow.memory.ArrowBuf metadata) {
        org.apache.arrow.vector.UInt4Vector names =
            (org.apache.arrow.vector.UInt4Vector) root.getVector("info_name");
        for (int i = 0; i < root.getRowCount(); i++) {
          ids.add(names.get(i));
        }
      }

      @Override
      public void putMetadata(org.apache.arrow.memory.ArrowBuf metadata) {}

      @Override
      public void error(Throwable ex) {
        LOG.warn("reading the SQL info Strata answers failed", ex);
      }

      @Override
      public void completed() {}
    });
    return Set.copyOf(ids);
  }

  @Override
  public void getStreamTypeInfo(FlightSql.CommandGetXdbcTypeInfo command, CallContext context,
      ServerStreamListener listener) {
    send(listener, () -> FlightMetadata.typeInfo(command, allocator));
  }

  @Override
  public void getStreamCatalogs(CallContext context, ServerStreamListener listener) {
    send(listener, () -> FlightMetadata.catalogs(sql.tables(security(context)), allocator));
  }

  @Override
  public void getStreamSchemas(FlightSql.CommandGetDbSchemas command, CallContext context,
      ServerStreamListener listener) {
    send(listener, () -> FlightMetadata.schemas(sql.tables(security(context)), command, allocator));
  }

  @Override
  public void getStreamTables(FlightSql.CommandGetTables command, CallContext context,
      ServerStreamListener listener) {
    send(listener, () -> FlightMetadata.tables(sql.tables(security(context)), command, allocator));
  }

  @Override
  public void getStreamTableTypes(CallContext context, ServerStreamListener listener) {
    send(listener, () -> FlightMetadata.tableTypes(allocator));
  }

  @Override
  public void getStreamPrimaryKeys(FlightSql.CommandGetPrimaryKeys command, CallContext context,
      ServerStreamListener listener) {
    send(listener, () -> FlightMetadata.primaryKeys(sql.tables(security(context)), command,
        allocator));
  }

  @Override
  public void getStreamExportedKeys(FlightSql.CommandGetExportedKeys command,
      CallContext context, ServerStreamListener listener) {
    send(listener, () -> FlightMetadata.noKeys(allocator));
  }

  @Override
  public void getStreamImportedKeys(FlightSql.CommandGetImportedKeys command,
      CallContext context, ServerStreamListener listener) {
    send(listener, () -> FlightMetadata.noKeys(allocator));
  }

  @Override
  public void getStreamCrossReference(FlightSql.CommandGetCrossReference command,
      CallContext context, ServerStreamListener listener) {
    send(listener, () -> FlightMetadata.noKeys(allocator));
  }

  /** Sends one batch; the root is freed once gRPC has sent it. */
  private static void send(ServerStreamListener listener,
      java.util.function.Supplier<VectorSchemaRoot> answer) {
    try (VectorSchemaRoot root = answer.get()) {
      listener.start(root);
      listener.putNext();
      listener.completed();
    } catch (RuntimeException e) {
      listener.error(FlightErrors.status(e));
    }
  }

  @Override
  public void listFlights(CallContext context, Criteria criteria,
      StreamListener<FlightInfo> listener) {
    listener.onError(CallStatus.UNIMPLEMENTED.withDescription("Strata lists no flights; run SQL"
        + " with Flight SQL commands").toRuntimeException());
  }

  // --------------------------------------------------------------------------- read-only

  @Override
  public Runnable acceptPutStatement(FlightSql.CommandStatementUpdate command,
      CallContext context, FlightStream flightStream, StreamListener<PutResult> ackStream) {
    throw FlightErrors.readOnly("an update (" + abbreviate(command.getQuery()) + ")");
  }

  @Override
  public Runnable acceptPutStatementBulkIngest(FlightSql.CommandStatementIngest command,
      CallContext context, FlightStream flightStream, StreamListener<PutResult> ackStream) {
    throw FlightErrors.readOnly("bulk ingestion");
  }

  @Override
  public Runnable acceptPutSubstraitPlan(FlightSql.CommandStatementSubstraitPlan command,
      CallContext context, FlightStream flightStream, StreamListener<PutResult> ackStream) {
    throw FlightErrors.readOnly("a Substrait plan");
  }

  @Override
  public Runnable acceptPutPreparedStatementUpdate(
      FlightSql.CommandPreparedStatementUpdate command, CallContext context,
      FlightStream flightStream, StreamListener<PutResult> ackStream) {
    throw FlightErrors.readOnly("an update");
  }

  @Override
  public FlightInfo getFlightInfoSubstraitPlan(FlightSql.CommandStatementSubstraitPlan command,
      CallContext context, FlightDescriptor descriptor) {
    throw FlightErrors.readOnly("a Substrait plan");
  }

  @Override
  public void createPreparedSubstraitPlan(
      FlightSql.ActionCreatePreparedSubstraitPlanRequest request, CallContext context,
      StreamListener<FlightSql.ActionCreatePreparedStatementResult> listener) {
    listener.onError(FlightErrors.readOnly("a Substrait plan"));
  }

  @Override
  public void beginTransaction(FlightSql.ActionBeginTransactionRequest request,
      CallContext context, StreamListener<FlightSql.ActionBeginTransactionResult> listener) {
    listener.onError(FlightErrors.readOnly("a transaction"));
  }

  @Override
  public void beginSavepoint(FlightSql.ActionBeginSavepointRequest request, CallContext context,
      StreamListener<FlightSql.ActionBeginSavepointResult> listener) {
    listener.onError(FlightErrors.readOnly("a savepoint"));
  }

  @Override
  public void endTransaction(FlightSql.ActionEndTransactionRequest request, CallContext context,
      StreamListener<Result> listener) {
    listener.onError(FlightErrors.readOnly("a transaction"));
  }

  @Override
  public void endSavepoint(FlightSql.ActionEndSavepointRequest request, CallContext context,
      StreamListener<Result> listener) {
    listener.onError(FlightErrors.readOnly("a savepoint"));
  }

  private static String abbreviate(String sql) {
    String s = sql == null ? "" : sql.strip().replaceAll("\\s+", " ");
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  // --------------------------------------------------------------------------- lifecycle

  /** Results not yet streamed, streaming, or executing (for tests and shutdown). */
  int open() {
    return pending.asMap().size() + streaming.size() + executing.size();
  }

  /** Cancels whatever runs and closes every result nobody streams. */
  @Override
  public void close() {
    closed = true;
    executing.forEach(FlightQuery::cancel);
    streaming.values().forEach(FlightQuery::cancel);
    for (String handle : List.copyOf(pending.asMap().keySet())) {
      discard(handle);
    }
    prepared.invalidateAll();
  }

  /** Waits up to {@code millis} for streams and executions to end. */
  boolean awaitIdle(long millis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!streaming.isEmpty() || !executing.isEmpty()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }
}
