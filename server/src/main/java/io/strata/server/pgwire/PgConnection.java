package io.strata.server.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandler;
import io.strata.server.auth.AuthService;
import io.strata.server.auth.Principal;
import io.strata.server.auth.throttle.Client;
import io.strata.server.auth.throttle.LoginRefusedException;
import io.strata.server.sql.PreparedSql;
import io.strata.server.sql.SqlCancel;
import io.strata.server.sql.SqlColumn;
import io.strata.server.sql.SqlCursor;
import io.strata.server.sql.SqlService;
import io.strata.server.sql.SqlSession;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Postgres client connection: protocol 3.0 from the startup message through authentication
 * to simple and extended queries, run through Strata's SQL path as endpoint {@code pgwire}.
 *
 * <p>Netty's event loop only frames messages (and answers SSLRequest, which must switch the
 * pipeline before the next byte is read); everything else runs on a worker thread, one message
 * at a time in order, since authentication and queries block. Results are written from that
 * thread in chunks, and it waits while the channel is not writable, so a result streams at the
 * client's pace and only a chunk of it is ever in memory.
 */
final class PgConnection extends ChannelInboundHandlerAdapter implements PgCommands.Session {
  private static final Logger LOG = LoggerFactory.getLogger(PgConnection.class);
  static final int SSL_REQUEST = 80877103;
  static final int GSSENC_REQUEST = 80877104;
  static final int CANCEL_REQUEST = 80877102;
  private static final int CHUNK = 64 * 1024;
  private static final String ENDPOINT = "pgwire";

  /** A framed message: its type ({@code 0} for the startup message) and body. */
  private record Message(char type, byte[] body) {}

  private enum Phase { STARTUP, SASL_INITIAL, SASL_FINAL, PASSWORD, READY, CLOSED }

  /** A parsed statement. {@code command} is set for statements the endpoint answers itself. */
  private record Statement(String name, String sql, PgSql.Parameters parameters, int[] types,
      PreparedSql prepared, PgCommands.Command command) {}

  /** A statement bound to values: the cursor opens when it is described or executed. */
  private static final class Portal implements PgMessages.Formats {
    final String name;
    final Statement statement;
    final List<Object> values;
    final short[] formats;
    SqlCursor cursor;
    List<PgValues.Column> columns;
    FieldVector[] vectors;
    int row;
    int batchRows;
    long sent;
    boolean done;
    List<List<String>> fixed;

    Portal(String name, Statement statement, List<Object> values, short[] formats) {
      this.name = name;
      this.statement = statement;
      this.values = values;
      this.formats = formats;
    }

    @Override
    public boolean binary(int column) {
      if (formats.length == 0) {
        return false;
      }
      return (formats.length == 1 ? formats[0] : formats[column]) == 1;
    }

    void close() {
      if (cursor != null) {
        try {
          cursor.close();
        } catch (RuntimeException e) {
          LOG.debug("closing a portal's cursor failed", e);
        }
        cursor = null;
      }
      done = true;
    }
  }

  /** The client went away while a result was being written. */
  private static final class ClientGone extends RuntimeException {
    ClientGone() {
      super("the client closed the connection", null, false, false);
    }
  }

  private final PgWireEndpoint endpoint;
  private final int pid;
  private final int secret;
  private final Queue<Message> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final Object writability = new Object();
  private volatile Channel channel;
  private volatile SqlCancel running;
  private volatile boolean cancelRequested;
  private volatile boolean startupFraming = true;

  // worker-thread state
  private Phase phase = Phase.STARTUP;
  private ByteBuf out;
  private Client client;
  private String user;
  private String database;
  private Principal principal;
  private PgScram scram;
  private PgSettings settings;
  // statements are read as Postgres SQL, over the emulated pg_catalog (server.sql.pgcatalog)
  private final SqlSession.Options options = SqlSession.Options.postgres(
      io.strata.acceleration.cache.CacheMode.ON);
  private boolean inBlock;
  private boolean failedBlock;
  private boolean skipToSync;
  private final Map<String, Statement> statements = new HashMap<>();
  private final Map<String, Portal> portals = new LinkedHashMap<>();

  PgConnection(PgWireEndpoint endpoint, int pid, int secret) {
    this.endpoint = endpoint;
    this.pid = pid;
    this.secret = secret;
  }

  int secret() {
    return secret;
  }

  /** Cancels the statement running now, if any (a CancelRequest naming this connection). */
  void cancelRunning() {
    SqlCancel c = running;
    if (c != null) {
      c.cancel();
    } else if (draining.get()) {
      // the client's query is between messages (being parsed, say): it is cancelled when it
      // starts, unless the answer to it is complete first
      cancelRequested = true;
    }
  }

  // --------------------------------------------------------------------------- event loop

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    InetSocketAddress peer = (InetSocketAddress) channel.remoteAddress();
    client = new Client(ENDPOINT, peer == null ? null : peer.getAddress());
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    try {
      if (startupFraming) {
        startupFrame(ctx, frame);
        return;
      }
      char type = (char) frame.readUnsignedByte();
      frame.skipBytes(4);
      byte[] body = new byte[frame.readableBytes()];
      frame.readBytes(body);
      enqueue(new Message(type, body));
    } finally {
      frame.release();
    }
  }

  private void startupFrame(ChannelHandlerContext ctx, ByteBuf frame) {
    frame.skipBytes(4);
    if (frame.readableBytes() < 4) {
      fatalNow(ctx, PgException.fatal("08P01", "invalid startup packet layout: no protocol"
          + " version"));
      return;
    }
    int code = frame.readInt();
    if (code == SSL_REQUEST) {
      if (endpoint.ssl() != null && ctx.pipeline().get(SslHandler.class) == null) {
        ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte('S'));
        ctx.pipeline().addFirst("tls", endpoint.ssl().newHandler(ctx.alloc()));
      } else {
        ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte('N'));
      }
      return;
    }
    if (code == GSSENC_REQUEST) {
      ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte('N'));
      return;
    }
    if (code == CANCEL_REQUEST) {
      int target = frame.readableBytes() >= 8 ? frame.readInt() : 0;
      int key = frame.readableBytes() >= 4 ? frame.readInt() : 0;
      endpoint.cancel(target, key);
      ctx.close();
      return;
    }
    byte[] body = new byte[frame.readableBytes() + 4];
    ByteBuffer.wrap(body).putInt(code);
    frame.readBytes(body, 4, body.length - 4);
    startupFraming = false;
    // every later message has a type byte before its length
    ctx.pipeline().replace("framing", "framing", new LengthFieldBasedFrameDecoder(
        endpoint.maxMessageBytes() + 5, 1, 4, -4, 0, true));
    enqueue(new Message('\0', body));
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    synchronized (writability) {
      writability.notifyAll();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    endpoint.closed(pid);
    cancelRunning();
    synchronized (writability) {
      writability.notifyAll();
    }
    enqueue(new Message('\u0001', new byte[0])); // releases cursors on the worker thread
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable c = cause instanceof DecoderException && cause.getCause() != null
        && !(cause instanceof TooLongFrameException) && !(cause instanceof CorruptedFrameException)
        ? cause.getCause() : cause;
    if (c instanceof TooLongFrameException) {
      fatalNow(ctx, PgException.fatal("08P01", "a message is longer than "
          + endpoint.maxMessageBytes() + " bytes, the largest this server accepts"
          + " (strata.pgwire.max-message-size): " + c.getMessage()));
    } else if (c instanceof CorruptedFrameException) {
      fatalNow(ctx, PgException.fatal("08P01", "invalid message length: " + c.getMessage()));
    } else if (c instanceof javax.net.ssl.SSLException || c.getCause() instanceof javax.net.ssl.SSLException) {
      LOG.debug("Postgres wire TLS failed: {}", c.toString());
      ctx.close();
    } else if (c instanceof java.io.IOException) {
      ctx.close(); // reset by the peer: nothing to tell it
    } else {
      LOG.warn("Postgres wire connection failed", c);
      ctx.close();
    }
  }

  /** Sends a FATAL error from the event loop and closes. */
  private void fatalNow(ChannelHandlerContext ctx, PgException e) {
    ByteBuf b = ctx.alloc().buffer();
    PgMessages.error(b, e);
    ctx.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
  }

  private void enqueue(Message m) {
    inbox.add(m);
    if (queued.incrementAndGet() > 1_000 && channel != null) {
      // a client pipelining without reading answers waits until the worker catches up
      channel.config().setAutoRead(false);
    }
    schedule();
  }

  private void schedule() {
    if (draining.compareAndSet(false, true)) {
      endpoint.workers().execute(this::drain);
    }
  }

  private void drain() {
    try {
      Message m;
      while ((m = inbox.poll()) != null) {
        queued.decrementAndGet();
        handle(m);
      }
    } finally {
      // Once logged in, answers go out at Sync, Flush, a simple query's end or a full chunk, as
      // Postgres sends them: not after whichever message the worker happened to catch up with
      // (a client's Parse/Bind/Execute/Sync arrive as one packet and get one answer packet)
      if (phase != Phase.READY) {
        flush();
      }
      draining.set(false);
      Channel ch = channel;
      if (ch != null && !ch.config().isAutoRead() && queued.get() < 100) {
        ch.config().setAutoRead(true);
      }
    }
    if (!inbox.isEmpty()) {
      schedule();
    }
  }

  // --------------------------------------------------------------------------- worker

  private void handle(Message m) {
    if (m.type() == '\u0001') {
      closeAll();
      phase = Phase.CLOSED;
      return;
    }
    if (phase == Phase.CLOSED) {
      return;
    }
    boolean extended = "PBDEHCS".indexOf(m.type()) >= 0;
    if (skipToSync && m.type() != 'S' && m.type() != 'X') {
      return;
    }
    try {
      dispatch(m);
    } catch (ClientGone e) {
      closeAll();
      phase = Phase.CLOSED;
    } catch (Throwable t) {
      PgException e = PgErrors.of(t, "");
      send(e);
      if (e.severity() == PgException.Severity.FATAL) {
        close();
      } else if (extended && phase == Phase.READY) {
        skipToSync = true;
        if (inBlock) {
          failedBlock = true;
        }
      }
    }
  }

  private void dispatch(Message m) {
    PgMessages.Reader r = new PgMessages.Reader(m.body());
    switch (phase) {
      case STARTUP -> startup(r);
      case SASL_INITIAL, SASL_FINAL, PASSWORD -> {
        if (m.type() == 'X') {
          close();
        } else if (m.type() != 'p') {
          throw PgException.fatal("08P01", "expected a password message, got message type '"
              + m.type() + "'");
        } else {
          password(r, m.body());
        }
      }
      case READY -> ready(m.type(), r);
      default -> { }
    }
  }

  private void ready(char type, PgMessages.Reader r) {
    switch (type) {
      case 'Q' -> simpleQuery(r.string());
      case 'P' -> parse(r);
      case 'B' -> bind(r);
      case 'D' -> describe(r);
      case 'E' -> execute(r);
      case 'C' -> closeMessage(r);
      case 'H' -> flush();
      case 'S' -> sync();
      case 'X' -> close();
      case 'F' -> throw PgException.error("0A000", "the function call protocol is not"
          + " supported");
      case 'd', 'c', 'f' -> { } // COPY data outside COPY: ignored, as Postgres does
      default -> throw PgException.fatal("08P01", "invalid frontend message type "
          + (int) type + (type >= ' ' && type < 127 ? " ('" + type + "')" : ""));
    }
  }

  // --------------------------------------------------------------------------- startup, auth

  private void startup(PgMessages.Reader r) {
    int version = r.int32();
    int major = version >>> 16;
    int minor = version & 0xFFFF;
    if (major != 3) {
      throw PgException.fatal("0A000", "unsupported frontend protocol " + major + "." + minor
          + ": Strata speaks protocol 3.0");
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    List<String> unknownOptions = new ArrayList<>();
    while (r.remaining() > 0) {
      String name = r.string();
      if (name.isEmpty()) {
        break;
      }
      String value = r.string();
      if (name.startsWith("_pq_.")) {
        unknownOptions.add(name);
      } else {
        parameters.put(name, value);
      }
    }
    user = parameters.get("user");
    if (user == null || user.isEmpty()) {
      throw PgException.fatal("28000", "no PostgreSQL user name specified in startup packet");
    }
    database = parameters.getOrDefault("database", user);
    if (database.isEmpty()) {
      database = user;
    }
    settings = new PgSettings(user, options);
    for (Map.Entry<String, String> p : parameters.entrySet()) {
      String name = p.getKey();
      if (name.equals("user") || name.equals("database") || name.equals("replication")) {
        continue;
      }
      if (name.equals("options")) {
        options(p.getValue());
      } else {
        try {
          settings.set(name, p.getValue());
        } catch (PgException e) {
          throw PgException.fatal(e.sqlState(), e.getMessage());
        }
      }
    }
    if (minor > 0 || !unknownOptions.isEmpty()) {
      PgMessages.negotiateVersion(out(), 0, unknownOptions);
    }
    if (channel.pipeline().get(SslHandler.class) != null) {
      PgMessages.auth(out(), 3, null); // cleartext: safe inside TLS, and lets API tokens in
      phase = Phase.PASSWORD;
    } else {
      PgMessages.authSasl(out(), PgScram.MECHANISM);
      phase = Phase.SASL_INITIAL;
    }
    flush();
  }

  /** The startup {@code options}: {@code -c name=value} and {@code --name=value}. */
  private void options(String text) {
    String[] words = text.trim().split("\\s+");
    for (int i = 0; i < words.length; i++) {
      String w = words[i];
      String setting = null;
      if (w.equals("-c") && i + 1 < words.length) {
        setting = words[++i];
      } else if (w.startsWith("-c")) {
        setting = w.substring(2);
      } else if (w.startsWith("--")) {
        setting = w.substring(2);
      }
      if (setting != null && setting.contains("=")) {
        int eq = setting.indexOf('=');
        try {
          settings.set(setting.substring(0, eq).replace('-', '_'), setting.substring(eq + 1));
        } catch (PgException e) {
          throw PgException.fatal(e.sqlState(), e.getMessage());
        }
      }
    }
  }

  private void password(PgMessages.Reader r, byte[] body) {
    AuthService auth = endpoint.auth();
    try {
      switch (phase) {
        case SASL_INITIAL -> {
          String mechanism = r.string();
          if (!mechanism.equals(PgScram.MECHANISM)) {
            throw PgException.fatal("28000", "SASL mechanism " + mechanism + " is not"
                + " supported; Strata offers " + PgScram.MECHANISM);
          }
          int length = r.int32();
          String data = length < 0 ? "" : r.text(length);
          scram = new PgScram(user, auth.scramVerifier(user, client).orElse(null));
          PgMessages.auth(out(), 11, scram.first(data).getBytes(StandardCharsets.UTF_8));
          phase = Phase.SASL_FINAL;
          flush();
        }
        case SASL_FINAL -> {
          String last = scram.last(new String(body, StandardCharsets.UTF_8));
          java.util.Optional<Principal> p = auth.scramLogin(user, last != null, client);
          if (p.isEmpty()) {
            throw failed();
          }
          PgMessages.auth(out(), 12, last.getBytes(StandardCharsets.UTF_8));
          loggedIn(p.get());
        }
        case PASSWORD -> {
          String password = r.string();
          java.util.Optional<Principal> p = password.startsWith(AuthService.TOKEN_PREFIX)
              ? auth.bearer(password, client).filter(x -> x.username().equals(user))
              : auth.password(user, password, client);
          if (p.isEmpty()) {
            throw failed();
          }
          loggedIn(p.get());
        }
        default -> throw new IllegalStateException(phase.toString());
      }
    } catch (LoginRefusedException e) {
      throw PgException.fatal("28000", e.getMessage());
    }
  }

  private PgException failed() {
    return PgException.fatal("28P01", "password authentication failed for user \"" + user
        + "\"");
  }

  private void loggedIn(Principal p) {
    principal = p;
    scram = null;
    PgMessages.auth(out(), 0, null);
    settings.reported().forEach((name, value) -> PgMessages.parameterStatus(out(), name, value));
    PgMessages.backendKey(out(), pid, secret);
    phase = Phase.READY;
    readyForQuery();
    LOG.debug("Postgres wire: {} connected to {} (pid {})", user, database, pid);
  }

  // --------------------------------------------------------------------------- simple query

  private void simpleQuery(String query) {
    List<PgSql.Statement> list = PgSql.split(query);
    if (list.isEmpty()) {
      PgMessages.emptyQuery(out());
    }
    for (PgSql.Statement s : list) {
      try {
        Statement statement = statement("", s.text(), new int[0], false);
        Portal portal = new Portal("", statement, List.of(), new short[0]);
        try {
          open(portal);
          // the simple protocol describes only results with rows (no NoData)
          if (statement.command() != null ? statement.command().returnsRows()
              : portal.columns != null) {
            describePortal(portal);
          }
          run(portal, 0);
        } finally {
          portal.close();
        }
      } catch (ClientGone e) {
        throw e;
      } catch (Throwable t) {
        send(PgErrors.of(t, s.text()).shifted(s.offset()));
        if (inBlock) {
          failedBlock = true;
        }
        break;
      }
    }
    readyForQuery();
  }

  // --------------------------------------------------------------------------- extended

  private void parse(PgMessages.Reader r) {
    String name = r.string();
    String sql = r.string();
    int count = r.int16();
    int[] types = new int[Math.max(count, 0)];
    for (int i = 0; i < types.length; i++) {
      types[i] = r.int32();
    }
    if (!name.isEmpty() && statements.containsKey(name)) {
      throw PgException.error("42P05", "prepared statement \"" + name + "\" already exists");
    }
    List<PgSql.Statement> parts = PgSql.split(sql);
    if (parts.size() > 1) {
      throw PgException.error("42601", "cannot insert multiple commands into a prepared"
          + " statement");
    }
    Statement s;
    try {
      s = statement(name, sql, types, true);
    } catch (PgException e) {
      throw e;
    } catch (RuntimeException e) {
      throw PgErrors.of(e, sql);
    }
    if (name.isEmpty()) {
      closeStatement("");
    }
    statements.put(name, s);
    PgMessages.simple(out(), '1');
  }

  /** Parses one statement: a command the endpoint answers, or SQL checked by Strata. */
  private Statement statement(String name, String sql, int[] types, boolean parameters) {
    PgCommands.Command command = PgSql.blank(sql) ? null : PgCommands.of(sql);
    if (command != null || PgSql.blank(sql)) {
      return new Statement(name, sql, new PgSql.Parameters(sql, List.of(), types.length), types,
          null, command);
    }
    if (failedBlock) {
      throw aborted();
    }
    PgSql.Parameters p = parameters ? PgSql.parameters(sql, types.length)
        : new PgSql.Parameters(sql, List.of(), 0);
    PreparedSql prepared = endpoint.sql().prepare(p.sql(), session(null));
    return new Statement(name, sql, p, types, prepared, null);
  }

  private static PgException aborted() {
    return PgException.error("25P02", "current transaction is aborted, commands ignored until"
        + " end of transaction block");
  }

  private void bind(PgMessages.Reader r) {
    String portalName = r.string();
    String statementName = r.string();
    short[] paramFormats = new short[Math.max(r.int16(), 0)];
    for (int i = 0; i < paramFormats.length; i++) {
      paramFormats[i] = (short) r.int16();
    }
    int count = r.int16();
    Statement s = statements.get(statementName);
    if (s == null) {
      throw PgException.error("26000", "prepared statement \"" + statementName
          + "\" does not exist");
    }
    if (!portalName.isEmpty() && portals.containsKey(portalName)) {
      throw PgException.error("42P03", "portal \"" + portalName + "\" already exists");
    }
    if (count != s.parameters().count()) {
      throw PgException.error("08P01", "bind message supplies " + count + " parameters, but"
          + " prepared statement \"" + statementName + "\" requires "
          + s.parameters().count());
    }
    if (paramFormats.length > 1 && paramFormats.length != count) {
      throw PgException.error("08P01", "bind message has " + paramFormats.length
          + " parameter formats but " + count + " parameters");
    }
    Object[] given = new Object[count];
    int[] inferred = null;
    for (int i = 0; i < count; i++) {
      byte[] value = r.bytes();
      boolean binary = paramFormats.length > 0
          && (paramFormats.length == 1 ? paramFormats[0] : paramFormats[i]) == 1;
      int oid = i < s.types().length ? s.types()[i] : 0;
      if (oid == 0 && !binary && value != null && s.prepared() != null) {
        // undeclared (node-postgres declares nothing): a text value is read as the type the
        // statement gives its parameter, as Postgres does ('3' for LIMIT $1 is 3)
        if (inferred == null) {
          inferred = inferredNumbers(s);
        }
        oid = inferred[i];
      }
      given[i] = PgValues.parameter(oid, binary, value, i);
    }
    short[] formats = new short[Math.max(r.int16(), 0)];
    for (int i = 0; i < formats.length; i++) {
      formats[i] = (short) r.int16();
    }
    List<Object> values = new ArrayList<>();
    for (int index : s.parameters().order()) {
      values.add(given[index]);
    }
    closePortal(portalName.isEmpty() ? "" : null);
    portals.put(portalName, new Portal(portalName, s, values, formats));
    PgMessages.simple(out(), '2');
  }

  private void describe(PgMessages.Reader r) {
    char kind = (char) r.int8();
    String name = r.string();
    if (kind == 'S') {
      Statement s = statements.get(name);
      if (s == null) {
        throw PgException.error("26000", "prepared statement \"" + name + "\" does not exist");
      }
      if (s.command() != null || s.prepared() == null) {
        PgMessages.parameterDescription(out(), declaredTypes(s, null));
        if (s.command() != null) {
          describeCommand(s.command());
        } else {
          PgMessages.simple(out(), 'n');
        }
        return;
      }
      if (failedBlock) {
        throw aborted();
      }
      // from validation and planning only: describing a statement never runs it
      SqlService.Description d = endpoint.sql().describe(s.prepared(), session(null));
      PgMessages.parameterDescription(out(), declaredTypes(s, d));
      if (!d.columns().isEmpty()) {
        PgMessages.rowDescription(out(), PgValues.declared(d.columns()), null);
      } else {
        PgMessages.simple(out(), 'n');
      }
    } else if (kind == 'P') {
      Portal p = portals.get(name);
      if (p == null) {
        throw PgException.error("34000", "portal \"" + name + "\" does not exist");
      }
      open(p);
      describePortal(p);
    } else {
      throw PgException.error("08P01", "invalid DESCRIBE message subtype " + (int) kind);
    }
  }

  /**
   * For each parameter, the number or boolean type the statement gives it, else 0 (its text is
   * then read as {@link PgValues} reads an undeclared value: a date or timestamp as one,
   * whatever its offset, anything else as text). From the statement's description (kept in the
   * statement cache after the first).
   */
  private int[] inferredNumbers(Statement s) {
    int[] types = declaredTypes(s, endpoint.sql().describe(s.prepared(), session(null)));
    for (int i = 0; i < types.length; i++) {
      if (!PgValues.NUMBERS.contains(types[i])) {
        types[i] = 0;
      }
    }
    return types;
  }

  /**
   * The parameters' types as a ParameterDescription gives them: what the client declared, else
   * what the statement decides ({@code region = $1}: the column's type; {@code LIMIT $1}:
   * int8), else text.
   */
  private static int[] declaredTypes(Statement s, SqlService.Description d) {
    int[] types = new int[s.parameters().count()];
    List<Integer> order = s.parameters().order();
    for (int i = 0; i < types.length; i++) {
      if (i < s.types().length && s.types()[i] != 0) {
        types[i] = s.types()[i];
        continue;
      }
      types[i] = PgValues.TEXT;
      if (d == null) {
        continue;
      }
      // $n may appear several times: the first use that has a type decides
      for (int k = 0; k < order.size() && k < d.parameters().size(); k++) {
        SqlColumn c = d.parameters().get(k);
        if (order.get(k) == i && c != null) {
          types[i] = io.strata.server.sql.pgcatalog.PgTypes.of(c).oid();
          break;
        }
      }
    }
    return types;
  }

  private void describeCommand(PgCommands.Command c) {
    if (!c.returnsRows()) {
      PgMessages.simple(out(), 'n');
      return;
    }
    PgMessages.rowDescription(out(), fixedColumns(c), null);
  }

  private static List<PgValues.Column> fixedColumns(PgCommands.Command c) {
    List<PgValues.Column> columns = new ArrayList<>();
    for (int i = 0; i < c.columns().size(); i++) {
      int oid = c.types().get(i);
      columns.add(new PgValues.Column(c.columns().get(i), oid, oid == PgValues.INT4 ? 4 : -1, -1,
          null, null));
    }
    return columns;
  }

  private void describePortal(Portal p) {
    PgCommands.Command c = p.statement.command();
    if (c != null) {
      describeCommand(c);
    } else if (p.columns == null) {
      PgMessages.simple(out(), 'n');
    } else {
      PgMessages.rowDescription(out(), p.columns, p);
    }
  }

  private void execute(PgMessages.Reader r) {
    String name = r.string();
    int max = r.int32();
    Portal p = portals.get(name);
    if (p == null) {
      throw PgException.error("34000", "portal \"" + name + "\" does not exist");
    }
    open(p);
    run(p, max);
  }

  /** Opens the portal's cursor (runs its query) unless it is open or done. */
  private void open(Portal p) {
    if (p.cursor != null || p.done || p.statement.command() != null
        || p.statement.prepared() == null) {
      return;
    }
    if (failedBlock) {
      throw aborted();
    }
    SqlCancel cancel = new SqlCancel();
    running = cancel;
    if (cancelRequested) {
      cancel.cancel();
    }
    try {
      p.cursor = endpoint.sql().execute(p.statement.prepared(), p.values, session(cancel));
    } finally {
      if (p.cursor == null) {
        running = null;
      }
    }
    p.columns = PgValues.columns(p.cursor.columns(), p.cursor.schema().getFields());
  }

  /** Sends the portal's rows, at most {@code max} (0: all), then its completion or suspension. */
  private void run(Portal p, int max) {
    PgCommands.Command c = p.statement.command();
    if (c != null) {
      if (failedBlock && !c.endsTransaction()) {
        throw aborted();
      }
      if (p.fixed == null) {
        p.fixed = c.run().run(this);
      }
      for (List<String> row : p.fixed) {
        PgMessages.fixedRow(out(), row, c.types(), p.formats);
      }
      String tag = c.tag().equals("SELECT 1") || c.tag().equals("SHOW")
          ? (c.tag().equals("SHOW") ? "SHOW" : "SELECT " + p.fixed.size()) : c.tag();
      PgMessages.commandComplete(out(), tag);
      return;
    }
    if (p.statement.prepared() == null) {
      PgMessages.emptyQuery(out());
      return;
    }
    if (p.done && p.cursor == null) {
      PgMessages.commandComplete(out(), "SELECT " + p.sent);
      return;
    }
    java.time.ZoneId zone = settings.zone();
    long sent = 0;
    try {
      while (true) {
        if (p.row >= p.batchRows) {
          if (!p.cursor.next()) {
            break;
          }
          VectorSchemaRoot batch = p.cursor.batch();
          p.vectors = batch.getFieldVectors().toArray(new FieldVector[0]);
          p.row = 0;
          p.batchRows = batch.getRowCount();
          continue;
        }
        if (max > 0 && sent == max) {
          PgMessages.simple(out(), 's');
          return;
        }
        PgMessages.dataRow(out(), p.vectors, p.row++, p.columns, p, zone);
        sent++;
        p.sent++;
        if (out.writerIndex() > CHUNK) {
          flushAndWait();
        }
      }
    } catch (RuntimeException e) {
      p.close();
      running = null;
      throw e;
    }
    p.close();
    running = null;
    PgMessages.commandComplete(out(), "SELECT " + p.sent);
  }

  private void closeMessage(PgMessages.Reader r) {
    char kind = (char) r.int8();
    String name = r.string();
    if (kind == 'S') {
      closeStatement(name);
    } else if (kind == 'P') {
      closePortal(name);
    } else {
      throw PgException.error("08P01", "invalid CLOSE message subtype " + (int) kind);
    }
    PgMessages.simple(out(), '3');
  }

  private void closeStatement(String name) {
    Statement s = statements.remove(name);
    if (s != null) {
      portals.values().removeIf(p -> {
        if (p.statement == s) {
          p.close();
          return true;
        }
        return false;
      });
    }
  }

  private void closePortal(String name) {
    if (name == null) {
      return;
    }
    Portal p = portals.remove(name);
    if (p != null) {
      p.close();
    }
  }

  private void sync() {
    skipToSync = false;
    if (!inBlock) {
      // outside a transaction block a Sync ends the implicit transaction and its portals
      portals.values().forEach(Portal::close);
      portals.clear();
    }
    readyForQuery();
  }

  private void readyForQuery() {
    cancelRequested = false;
    PgMessages.readyForQuery(out(), failedBlock ? 'E' : inBlock ? 'T' : 'I');
    flush();
  }

  // --------------------------------------------------------------------------- session

  private SqlSession session(SqlCancel cancel) {
    return new SqlSession(endpoint.sql().access().context(principal), ENDPOINT, cancel, options);
  }

  @Override
  public PgSettings settings() {
    return settings;
  }

  @Override
  public String user() {
    return user;
  }

  @Override
  public int pid() {
    return pid;
  }

  @Override
  public void begin() {
    inBlock = true;
  }

  @Override
  public void end() {
    inBlock = false;
    failedBlock = false;
    portals.values().forEach(Portal::close);
  }

  @Override
  public void recover() {
    failedBlock = false;
  }

  @Override
  public void changed(String name) {
    String display = PgSettings.display(name);
    PgMessages.parameterStatus(out(), display, settings.get(name));
  }

  @Override
  public void discard() {
    portals.values().forEach(Portal::close);
    statements.clear();
    settings.resetAll().forEach(this::changed);
  }

  @Override
  public void deallocate(String name) {
    if (name == null) {
      statements.keySet().removeIf(n -> !n.isEmpty());
    } else if (statements.remove(name) == null) {
      throw PgException.error("26000", "prepared statement \"" + name + "\" does not exist");
    }
  }

  // --------------------------------------------------------------------------- output

  private ByteBuf out() {
    if (out == null) {
      out = channel.alloc().buffer(CHUNK + 1024);
    }
    return out;
  }

  private void send(PgException e) {
    PgMessages.error(out(), e);
  }

  private void flush() {
    Channel ch = channel;
    if (out != null && out.isReadable() && ch != null) {
      ch.writeAndFlush(out);
      out = null;
    } else if (out != null && !out.isReadable()) {
      out.release();
      out = null;
    }
  }

  /** Sends what is written and waits until the client has read enough to take more. */
  private void flushAndWait() {
    flush();
    Channel ch = channel;
    synchronized (writability) {
      while (ch.isActive() && !ch.isWritable()) {
        try {
          writability.wait(1_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ClientGone();
        }
      }
    }
    if (!ch.isActive()) {
      throw new ClientGone();
    }
  }

  private void close() {
    flush();
    closeAll();
    phase = Phase.CLOSED;
    Channel ch = channel;
    if (ch != null) {
      ch.close();
    }
  }

  private void closeAll() {
    portals.values().forEach(Portal::close);
    portals.clear();
    statements.clear();
    running = null;
    if (out != null) {
      out.release();
      out = null;
    }
  }
}
