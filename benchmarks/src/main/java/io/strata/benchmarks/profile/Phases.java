package io.strata.benchmarks.profile;

import java.util.List;

/**
 * Which phase of a query a sampled stack belongs to, from its frames: the frame nearest the
 * leaf that a rule names decides (the innermost work the stack was doing), rules in the order
 * of {@link #RULES} for one frame; when that frame is a library's (not Strata's, not a
 * transport's), the nearest Strata frame below it that a rule names decides instead, as the
 * library works for it (Hikari for the query log is log), and the library's own rule only when
 * there is none. A stack no rule names is {@link Phase#OTHER}; one under the
 * job system (warm-up, rollup builds, thumbnails) is {@link Phase#BACKGROUND}, whatever it did.
 *
 * <p>Frames are {@code class.method} names ({@code io.strata.server.sql.SqlParsing.parse}).
 * Rules are prefixes of them, so a rule may name a package, a class or one method.
 */
public final class Phases {
  /** The phases a server's work is split into, in report order. */
  public enum Phase {
    AUTH("auth", "credentials, sessions, security context"),
    PARSE("parse", "SQL (Calcite's parser, the statement cache), request JSON"),
    TRANSLATE("translate", "Calcite validation, SQL to relational algebra, semantic SELECTs"),
    COMPILE("compile", "semantic compile, rollup matching, query planning"),
    KEY("key", "results-cache keys"),
    LOOKUP("lookup", "results cache L1/L2, reading a cached entry"),
    EXECUTE("execute", "warehouse (JDBC, DuckDB), Calcite's engine, Arrow capture"),
    ENCODE("encode", "JSON, Avatica frames, Arrow IPC / Flight messages, pg values"),
    SEND("send", "Netty, gRPC, Jetty, socket I/O and protocol framing"),
    LOG("log", "query log, audit"),
    OTHER("other", "anything else on a server thread"),
    BACKGROUND("background", "jobs: warm-up, rollup builds, thumbnails (not the queries')");

    public final String label;
    public final String what;

    Phase(String label, String what) {
      this.label = label;
      this.what = what;
    }
  }

  /** A frame-name prefix and the phase of a stack whose innermost named frame it is. */
  public record Rule(String prefix, Phase phase) {}

  /** Checked for each frame from the leaf down; for one frame, the first that matches wins. */
  public static final List<Rule> RULES = list(
      // auth
      rule(Phase.AUTH, "io.strata.server.auth.", "io.strata.server.flight.FlightAuthenticator",
          "org.apache.arrow.flight.auth2.", "org.apache.arrow.flight.auth.",
          "io.strata.server.security.", "io.strata.server.pgwire.PgScram",
          "io.strata.server.flight.StrataFlightSqlProducer.security",
          "io.strata.server.flight.FlightSessions"),
      // the query log
      rule(Phase.LOG, "io.strata.server.query.QueryLogger", "io.strata.server.audit."),
      // parse: SQL text and request bodies
      rule(Phase.PARSE, "org.apache.calcite.sql.parser.", "io.strata.server.sql.SqlParsing",
          "io.strata.server.sql.StatementCache", "io.strata.semantic.query.QueryJson",
          "io.strata.server.api.StrictJson", "com.fasterxml.jackson.databind.deser.",
          "com.fasterxml.jackson.databind.ObjectMapper.readTree",
          "com.fasterxml.jackson.databind.ObjectMapper.readValue",
          "com.fasterxml.jackson.databind.ObjectMapper._readValue",
          "com.fasterxml.jackson.databind.ObjectReader.",
          "com.fasterxml.jackson.core.json.ReaderBasedJsonParser",
          "com.fasterxml.jackson.core.json.UTF8StreamJsonParser",
          "com.fasterxml.jackson.core.json.UTF8DataInputJsonParser"),
      // translate: Calcite's validator and SQL-to-rel, Strata's semantic SELECT recognition
      rule(Phase.TRANSLATE, "org.apache.calcite.sql.validate.", "org.apache.calcite.sql2rel.",
          "org.apache.calcite.prepare.", "org.apache.calcite.plan.",
          "org.apache.calcite.rel.", "org.apache.calcite.tools.", "org.apache.calcite.sql.",
          "io.strata.server.sql.SemanticSelect", "io.strata.server.sql.SemanticTables",
          "io.strata.server.sql.CalciteTables", "io.strata.server.sql.ColumnNames"),
      // key
      rule(Phase.KEY, "io.strata.acceleration.cache.CacheKey", "io.strata.acceleration.cache.ResultCache.key",
          "io.strata.server.query.QueryCaching"),
      // lookup
      rule(Phase.LOOKUP, "io.strata.acceleration.cache.", "io.lettuce.",
          "io.strata.server.cache."),
      // compile
      rule(Phase.COMPILE, "io.strata.semantic.", "io.strata.acceleration.rollup.",
          "io.strata.server.query.RollupRouting", "io.strata.server.query.QueryPlan",
          "io.strata.server.rollup."),
      // execute
      rule(Phase.EXECUTE, "org.duckdb.", "org.h2.", "org.postgresql.", "org.mariadb.", "com.zaxxer.hikari.",
          "io.strata.server.query.JdbcArrowReader", "io.strata.server.query.ArrowConversion",
          "io.strata.server.datasource.", "org.apache.calcite.linq4j.",
          "org.apache.calcite.runtime.", "org.apache.calcite.adapter.",
          "org.apache.calcite.jdbc.", "io.strata.server.sql.RegistryDataSource",
          "io.strata.server.sql.ArrowSqlCursors", "org.apache.arrow.adapter.jdbc."),
      // encode
      rule(Phase.ENCODE, "io.strata.server.avatica.FrameWriter", "io.strata.server.avatica.ArrowFrames",
          "io.strata.server.avatica.EncodedRows", "io.strata.server.avatica.JdbcValues",
          "io.strata.server.avatica.ResultStream", "io.strata.server.avatica.FrameTranslation",
          "io.strata.server.avatica.WireFormat",
          "org.apache.calcite.avatica.remote.ProtobufTranslation",
          "org.apache.calcite.avatica.remote.ProtobufHandler",
          "org.apache.calcite.avatica.remote.JsonHandler",
          "org.apache.calcite.avatica.remote.Service$", "org.apache.calcite.avatica.proto.",
          "com.google.protobuf.", "io.strata.server.api.BatchStream",
          "io.strata.server.api.ChunkStream", "io.strata.server.api.JsonBudget",
          "io.strata.server.query.RowWriters", "io.strata.server.query.ArrowBatches",
          "com.fasterxml.jackson.", "io.strata.server.pgwire.PgValues",
          "io.strata.server.pgwire.PgMessages", "org.apache.arrow.flight.ArrowMessage",
          "org.apache.arrow.flight.PreEncodedStreams", "org.apache.arrow.flight.OutboundStreamListenerImpl",
          "org.apache.arrow.vector.ipc.", "org.apache.arrow.vector.VectorUnloader",
          "org.apache.arrow.vector.VectorLoader", "org.apache.arrow.vector.types.pojo.",
          "io.strata.server.flight.CachedStream", "io.strata.server.flight.FlightMetadata",
          "org.apache.arrow.flight.FlightInfo", "org.apache.arrow.flight.sql.",
          "org.apache.arrow.flight.Ticket", "org.apache.arrow.flight.FlightEndpoint",
          "org.apache.arrow.flight.FlightDescriptor", "org.apache.arrow.compression.",
          "com.github.luben.zstd."),
      // send: transports
      // (io.netty.buffer is anyone's memory, Arrow's too: its caller decides)
      rule(Phase.SEND, "io.netty.channel.", "io.netty.handler.", "io.netty.util.concurrent.",
          "io.grpc.", "org.eclipse.jetty.", "sun.nio.ch.",
          "java.nio.channels.", "sun.nio.cs.", "io.micronaut.http.server.netty.",
          "io.micronaut.http.netty.", "io.strata.server.pgwire.PgConnection"));

  private static final String BACKGROUND_PREFIX = "io.strata.server.jobs.";
  private static final String STRATA = "io.strata.";

  private Phases() {}

  private static Rule[] rule(Phase phase, String... prefixes) {
    Rule[] out = new Rule[prefixes.length];
    for (int i = 0; i < prefixes.length; i++) {
      out[i] = new Rule(prefixes[i], phase);
    }
    return out;
  }

  @SafeVarargs
  private static List<Rule> list(Rule[]... groups) {
    List<Rule> out = new java.util.ArrayList<>();
    for (Rule[] g : groups) {
      out.addAll(List.of(g));
    }
    return List.copyOf(out);
  }

  /**
   * The phase of a stack given leaf first ({@code frames.get(0)} is the method that was
   * running).
   */
  public static Phase classify(List<String> frames) {
    for (String f : frames) {
      if (f.startsWith(BACKGROUND_PREFIX)) {
        return Phase.BACKGROUND;
      }
    }
    for (int i = 0; i < frames.size(); i++) {
      Phase p = match(frames.get(i));
      if (p == null) {
        continue;
      }
      if (p == Phase.SEND || frames.get(i).startsWith(STRATA)) {
        return p;
      }
      // a library works for whoever called it: Calcite for the SQL endpoints' parser and
      // validator or for the semantic compiler, Hikari for a warehouse, the user lookup or the
      // query log, Jackson for a request or an answer
      for (int j = i + 1; j < frames.size(); j++) {
        String f = frames.get(j);
        if (f.startsWith(STRATA)) {
          Phase caller = match(f);
          if (caller != null && caller != Phase.SEND) {
            return caller;
          }
        }
      }
      return p;
    }
    return Phase.OTHER;
  }

  private static Phase match(String frame) {
    for (Rule r : RULES) {
      if (frame.startsWith(r.prefix())) {
        return r.phase();
      }
    }
    return null;
  }
}
