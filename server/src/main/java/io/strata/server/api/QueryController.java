package io.strata.server.api;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.server.types.files.StreamedFile;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.semantic.compile.CompiledQuery;
import io.strata.semantic.compile.OutputColumn;
import io.strata.semantic.model.MemberKind;
import io.strata.semantic.query.QueryException;
import io.strata.semantic.query.QueryJson;
import io.strata.semantic.query.SemanticQuery;
import io.strata.server.config.StrataConfig;
import io.strata.server.jobs.JobKind;
import io.strata.server.jobs.JobRequest;
import io.strata.server.jobs.Jobs;
import io.strata.server.jobs.JobsController;
import io.strata.server.metadata.Role;
import io.strata.server.security.SecurityContext;
import io.micronaut.http.MutableHttpResponse;
import io.strata.acceleration.cache.CacheMode;
import io.strata.server.query.CacheInfo;
import io.strata.server.query.QueryCursor;
import io.strata.server.query.QueryPlan;
import io.strata.server.query.QueryRequest;
import io.strata.server.query.QueryResult;
import io.strata.server.query.QueryService;
import io.strata.server.query.RowWriters;
import io.strata.server.query.StageTimings;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Semantic queries over REST. {@code POST /api/v1/query} takes Cube's query JSON (bare or as
 * {@code {"query": {...}}}) and answers, by the {@code Accept} header, with JSON rows plus an
 * annotation of each member, an Arrow IPC stream, or CSV. JSON answers are bounded by the row
 * limit and {@code strata.query.max-json-bytes} and built whole, so an error still gets a clean
 * status; Arrow and CSV are streamed batch by batch as the warehouse returns them.
 */
@Controller("/api/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
@SecurityRequirement(name = "basic")
@SecurityRequirement(name = "bearer")
public class QueryController {
  public static final String ARROW_STREAM = "application/vnd.apache.arrow.stream";
  private static final MediaType ARROW = new MediaType(ARROW_STREAM);
  private static final MediaType CSV = new MediaType("text/csv; charset=utf-8");

  private final QueryService queries;
  private final Jobs jobs;
  private final StrataConfig.RestSettings rest;

  public QueryController(QueryService queries, Jobs jobs, StrataConfig config) {
    this.queries = queries;
    this.jobs = jobs;
    this.rest = config.rest();
  }

  @Operation(summary = "Run a semantic query",
      description = "Rows as JSON (default), Arrow IPC stream or CSV, by the Accept header.")
  @Post(uri = "/query", consumes = {MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN,
      MediaType.APPLICATION_FORM_URLENCODED},
      produces = {MediaType.APPLICATION_JSON, ARROW_STREAM, "text/csv"})
  public HttpResponse<?> query(HttpRequest<?> request, @Body @Nullable String body) {
    return run(request, body);
  }

  /**
   * A query and how it uses the cache, as a request gives them; {@code json} is the query's own
   * JSON and {@code async} whether the body asked for a job ({@code "async": true}).
   */
  record Parsed(SemanticQuery query, CacheMode cache, JsonNode json, boolean async) {
    Parsed(SemanticQuery query, CacheMode cache) {
      this(query, cache, null, false);
    }
  }

  @Operation(summary = "Run a semantic query given as the `query` URL parameter")
  @Get(uri = "/query", produces = {MediaType.APPLICATION_JSON, ARROW_STREAM, "text/csv"})
  public HttpResponse<?> queryGet(HttpRequest<?> request, @QueryValue @Nullable String query) {
    return run(request, query);
  }

  @Operation(summary = "Compile a semantic query to the SQL its data source would run, without running it")
  @Post(uri = "/query/sql", consumes = {MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN,
      MediaType.APPLICATION_FORM_URLENCODED})
  public HttpResponse<?> sql(HttpRequest<?> request, @Body @Nullable String body) {
    SecurityContext who = Requests.security(request, Role.VIEWER, queries.access());
    QueryPlan plan = queries.explain(parseRequest(body, null).query(), who);
    CompiledQuery c = plan.compiled();
    return HttpResponse.ok(new SqlResponse(c.sql(), c.dataSource(), c.dialect().id(),
        c.columns().stream().map(QueryController::column).toList(), plan.rollup(),
        plan.rejections()));
  }

  /**
   * The compiled form of a query: what {@code /api/v1/query/sql} returns.
   *
   * @param rollup the rollup answering the query ({@code model.rollup@version}), null when the
   *     source does
   * @param rollupRejections when no rollup answers: each candidate rollup's first reason
   *     ({@code orders.daily: orders.channel is not in rollup orders.daily})
   */
  public record SqlResponse(String sql, String dataSource, String dialect, List<Column> columns,
      String rollup, List<String> rollupRejections) {}

  /** A result column and the member it shows. */
  public record Column(String name, String member, String granularity, String kind, String type,
      String title, String format) {}

  static Column column(OutputColumn c) {
    return new Column(c.name(), c.member(), c.granularity(),
        c.kind().name().toLowerCase(Locale.ROOT), c.type(), c.title(), c.format());
  }

  private HttpResponse<?> run(HttpRequest<?> request, String body) {
    SecurityContext who = Requests.security(request, Role.VIEWER, queries.access());
    Parsed p = parseRequest(body, request.getParameters().get("cache"));
    if (p.async() || respondAsync(request)) {
      // a job: answered 202 at once, the result fetched from the job's result link
      return JobsController.accepted(jobs.submit(JobKind.QUERY, who.username(),
          JobRequest.query(p.json(), p.cache().id())));
    }
    String queryId = clientQueryId(request);
    if (queryId != null && queries.running().stream().anyMatch(q -> q.queryId().equals(queryId))) {
      throw new io.strata.server.metadata.ConflictException("a query with id " + queryId
          + " (header " + QUERY_ID_HEADER + ") is already running: give each query a new id");
    }
    QueryRequest req = new QueryRequest(p.query(), body, who, "rest", queryId, null, p.cache());
    String accept = request.getHeaders().get(HttpHeaders.ACCEPT);
    String format = format(accept);
    if (format.equals("json")) {
      try (QueryResult result = queries.execute(req)) {
        return HttpResponse.ok(json(result, queries.clock().instant(), rest.maxJsonBytes()))
            .contentType(MediaType.APPLICATION_JSON_TYPE);
      }
    }
    QueryCursor cursor = queries.open(req);
    try {
      BatchStream stream = format.equals("arrow")
          ? BatchStream.arrow(cursor)
          : BatchStream.csv(cursor, rest.csvNeutraliseFormulas());
      MutableHttpResponse<?> response =
          HttpResponse.ok(new StreamedFile(stream, format.equals("arrow") ? ARROW : CSV))
          .header("X-Strata-Query-Id", cursor.queryId())
          .header("X-Strata-Data-Source", String.valueOf(cursor.compiled().dataSource()));
      if (cursor.rollup() != null) {
        response.header("X-Strata-Rollup", cursor.rollup());
      }
      return cacheHeaders(response, cursor.cacheInfo(), queries.clock().instant());
    } catch (RuntimeException e) {
      cursor.close();
      throw e;
    }
  }

  /** The header naming the id a client wants its query to run under, so it can cancel it. */
  public static final String QUERY_ID_HEADER = "X-Strata-Query-Id";

  /**
   * The id the client chose for its query ({@value #QUERY_ID_HEADER}, a UUID), or null for one
   * the server picks. A client that may stop waiting before the answer (a dashboard chart that
   * continues as a job, a Cancel button) names its query so that it can cancel it with
   * {@code DELETE /api/v1/queries/{id}} without having seen the answer.
   */
  static String clientQueryId(HttpRequest<?> request) {
    String id = request.getHeaders().get(QUERY_ID_HEADER);
    if (id == null) {
      return null;
    }
    String v = id.trim();
    if (!v.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
      throw new BadRequestException("BAD_REQUEST", QUERY_ID_HEADER, "header " + QUERY_ID_HEADER
          + " must be a UUID such as 3f1c2a4e-8b7d-4c1e-9a2b-5d6e7f809a1b (got '"
          + (v.length() > 60 ? v.substring(0, 60) + "…" : v) + "')");
    }
    return v.toLowerCase(Locale.ROOT);
  }

  /** json, arrow or csv: the first of them the Accept header names, JSON when it names none. */
  public static String format(String accept) {
    if (accept == null) {
      return "json";
    }
    for (String part : accept.split(",")) {
      String type = part.split(";")[0].trim().toLowerCase(Locale.ROOT);
      switch (type) {
        case ARROW_STREAM:
          return "arrow";
        case "text/csv":
          return "csv";
        case "application/json", "*/*", "application/*":
          return "json";
        default:
          break;
      }
    }
    return "json";
  }

  /** Whether the client asked for a job instead of waiting: {@code Prefer: respond-async}. */
  static boolean respondAsync(HttpRequest<?> request) {
    for (String prefer : request.getHeaders().getAll("Prefer")) {
      for (String part : prefer.split(",")) {
        if (part.trim().toLowerCase(Locale.ROOT).startsWith("respond-async")) {
          return true;
        }
      }
    }
    return false;
  }

  /** A streamed answer's X-Strata-Cache headers: tier, age in seconds, stale. */
  static MutableHttpResponse<?> cacheHeaders(MutableHttpResponse<?> response, CacheInfo info,
      java.time.Instant now) {
    response.header("X-Strata-Cache", info.tier().id());
    if (info.createdAt() != null) {
      response.header("X-Strata-Cache-Age", String.valueOf(info.ageMillis(now) / 1000));
    }
    if (info.stale()) {
      response.header("X-Strata-Cache-Stale", "true");
    }
    return response;
  }

  /** A JSON answer's {@code cache} object: tier, stale (and why), age, created, expires. */
  static void writeCache(com.fasterxml.jackson.core.JsonGenerator g, CacheInfo info,
      java.time.Instant now) throws IOException {
    g.writeObjectFieldStart("cache");
    g.writeStringField("tier", info.tier().id());
    g.writeBooleanField("stale", info.stale());
    if (info.staleReason() != null) {
      g.writeStringField("staleReason", info.staleReason());
    }
    if (info.createdAt() != null) {
      g.writeNumberField("ageMs", info.ageMillis(now));
      g.writeStringField("createdAt", info.createdAt().toString());
    }
    if (info.expiresAt() != null) {
      g.writeStringField("expiresAt", info.expiresAt().toString());
    }
    g.writeEndObject();
  }

  static SemanticQuery parse(String body) {
    return parseRequest(body, null).query();
  }

  /**
   * The query, bare or as {@code {"query": {...}, "cache": "no-cache"}}, and its cache mode
   * (the body's {@code cache}, else the {@code cache} URL parameter, else {@code on}).
   */
  static Parsed parseRequest(String body, String cacheParameter) {
    if (body == null || body.isBlank()) {
      throw new QueryException(QueryException.Code.MALFORMED_QUERY, null,
          "the request has no query; send the query JSON as the body");
    }
    JsonNode tree;
    try {
      tree = QueryJson.MAPPER.readTree(body);
    } catch (IOException e) {
      return new Parsed(QueryJson.parse(body), null); // reports the syntax error's position
    }
    CacheMode mode = cacheMode(cacheParameter, "the cache URL parameter");
    boolean async = false;
    if (tree != null && tree.isObject() && tree.has("async")) {
      JsonNode a = tree.get("async");
      if (!a.isBoolean()) {
        throw new BadRequestException("MALFORMED_REQUEST", "async", "async must be true or false"
            + " (got " + a + ")");
      }
      async = a.asBoolean();
      tree = ((com.fasterxml.jackson.databind.node.ObjectNode) tree.deepCopy()).without("async");
    }
    if (tree != null && tree.isObject() && tree.has("query")
        && (tree.size() == 1 || tree.size() == 2 && tree.has("cache"))) {
      if (tree.has("cache")) {
        mode = cacheMode(tree.get("cache"));
      }
      JsonNode inner = tree.get("query");
      if (inner.isTextual()) {
        SemanticQuery q = QueryJson.parse(inner.asText());
        try {
          return new Parsed(q, mode, QueryJson.MAPPER.readTree(inner.asText()), async);
        } catch (IOException e) {
          throw new UncheckedIOException(e); // parsed just above
        }
      }
      return new Parsed(QueryJson.parse(inner.toString()), mode, inner, async);
    }
    return new Parsed(QueryJson.parse(tree.toString()), mode, tree, async);
  }

  /** A cache mode a client named ({@code on} when absent), or 400 INVALID_CACHE_OPTION. */
  public static CacheMode cacheMode(String value, String where) {
    try {
      return CacheMode.parse(value, where);
    } catch (IllegalArgumentException e) {
      throw new BadRequestException("INVALID_CACHE_OPTION", "cache", e.getMessage());
    }
  }

  /** A request body's {@code "cache"} field: a mode's name, or 400 INVALID_CACHE_OPTION. */
  static CacheMode cacheMode(JsonNode value) {
    if (!value.isTextual()) {
      throw new BadRequestException("INVALID_CACHE_OPTION", "cache", "the cache option must be"
          + " a string: on, no-cache (refresh), must-revalidate, stale-ok or bypass (got "
          + value + ")");
    }
    return cacheMode(value.asText(), "the cache option");
  }

  private static byte[] json(QueryResult r, java.time.Instant now, long maxBytes) {
    JsonBudget out = new JsonBudget(maxBytes);
    try (JsonGenerator g = QueryJson.MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      List<OutputColumn> columns = r.compiled().columns();
      List<String> names = columns.stream().map(OutputColumn::name).toList();
      g.writeStartObject();
      g.writeStringField("queryId", r.queryId());
      g.writeArrayFieldStart("data");
      for (VectorSchemaRoot batch : r.batches()) {
        RowWriters.writeJsonRows(batch, names, g);
      }
      g.writeEndArray();
      g.writeNumberField("rows", r.rows());
      writeAnnotation(g, columns);
      g.writeStringField("dataSource", r.compiled().dataSource());
      g.writeStringField("dialect", r.compiled().dialect().id());
      g.writeStringField("sql", r.compiled().sql());
      g.writeStringField("rollup", r.rollup());
      writeCache(g, r.cacheInfo(), now);
      StageTimings t = r.timings();
      g.writeObjectFieldStart("timings");
      g.writeNumberField("compileMs", t.compileMicros() / 1000.0);
      g.writeNumberField("executeMs", t.executeMicros() / 1000.0);
      g.writeNumberField("fetchMs", t.fetchMicros() / 1000.0);
      g.writeNumberField("totalMs", t.totalMicros() / 1000.0);
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The {@code annotation} field of a semantic answer: title, type and format of each member. */
  public static void writeAnnotation(JsonGenerator g, List<OutputColumn> columns)
      throws IOException {
    g.writeObjectFieldStart("annotation");
    annotation(g, "measures", columns, c -> c.kind() != MemberKind.DIMENSION);
    annotation(g, "dimensions", columns, c -> c.kind() == MemberKind.DIMENSION && c.granularity() == null);
    annotation(g, "timeDimensions", columns, c -> c.kind() == MemberKind.DIMENSION && c.granularity() != null);
    g.writeEndObject();
  }

  private static void annotation(JsonGenerator g, String field, List<OutputColumn> columns,
      java.util.function.Predicate<OutputColumn> which) throws IOException {
    g.writeObjectFieldStart(field);
    for (OutputColumn c : columns) {
      if (which.test(c)) {
        g.writeObjectFieldStart(c.name());
        g.writeStringField("member", c.member());
        g.writeStringField("title", c.title());
        g.writeStringField("shortTitle", c.title());
        g.writeStringField("type", c.type());
        if (c.granularity() != null) {
          g.writeStringField("granularity", c.granularity());
        }
        g.writeStringField("format", c.format());
        g.writeEndObject();
      }
    }
    g.writeEndObject();
  }
}
