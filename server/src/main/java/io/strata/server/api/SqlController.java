package io.strata.server.api;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.server.types.files.StreamedFile;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.server.config.StrataConfig;
import io.strata.server.jobs.JobKind;
import io.strata.server.jobs.JobRequest;
import io.strata.server.jobs.Jobs;
import io.strata.server.jobs.JobsController;
import io.strata.server.security.AccessPolicy;
import io.strata.server.security.SecurityContext;
import io.strata.server.metadata.Role;
import io.strata.server.query.RowWriters;
import io.strata.server.sql.PreparedSql;
import io.strata.server.sql.SqlColumn;
import io.strata.server.sql.SqlCursor;
import io.strata.server.sql.SqlService;
import io.strata.server.sql.SqlSession;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL over REST, through the same path as the JDBC and Flight SQL endpoints: the body is the
 * SQL text ({@code text/plain}) or {@code {"sql": "...", "parameters": [...]}}. The answer is,
 * by the {@code Accept} header, JSON ({@code columns} and {@code data} as arrays of row values),
 * an Arrow IPC stream or CSV, the latter two streamed batch by batch.
 */
@Controller("/api/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
@SecurityRequirement(name = "basic")
@SecurityRequirement(name = "bearer")
public class SqlController {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final MediaType ARROW = new MediaType(QueryController.ARROW_STREAM);
  private static final MediaType CSV = new MediaType("text/csv; charset=utf-8");

  private final SqlService sql;
  private final Jobs jobs;
  private final AccessPolicy access;
  private final StrataConfig.RestSettings rest;

  public SqlController(SqlService sql, Jobs jobs, AccessPolicy access, StrataConfig config) {
    this.sql = sql;
    this.jobs = jobs;
    this.access = access;
    this.rest = config.rest();
  }

  @Operation(summary = "Run SQL over the semantic schema and the data sources",
      description = "Body: the SQL as text/plain, or JSON {\"sql\": \"...\", \"parameters\": [...],"
          + " \"cache\": \"on|no-cache|must-revalidate|stale-ok|bypass\"} (or ?cache=)."
          + " Rows as JSON (default), Arrow IPC stream or CSV, by the Accept header.")
  @Post(uri = "/sql", consumes = {MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN},
      produces = {MediaType.APPLICATION_JSON, QueryController.ARROW_STREAM, "text/csv"})
  public HttpResponse<?> run(HttpRequest<?> request, @Body @Nullable String body) {
    SecurityContext who = Requests.security(request, Role.VIEWER, access);
    String text = body;
    List<Object> parameters = List.of();
    JsonNode bodyCache = null;
    boolean async = QueryController.respondAsync(request);
    String type = request.getContentType().map(MediaType::getName).orElse("");
    if (body != null && (type.equals(MediaType.APPLICATION_JSON)
        || body.stripLeading().startsWith("{"))) {
      JsonNode tree;
      try {
        tree = io.strata.semantic.query.QueryJson.MAPPER.readTree(body);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        var p = io.strata.semantic.query.QueryJson.describe(e);
        throw new BadRequestException("MALFORMED_REQUEST", p.location(), p.message());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (tree == null || !tree.isObject()) {
        throw new BadRequestException("MALFORMED_REQUEST", null, "send {\"sql\": \"SELECT ...\", \"parameters\": [...]}"
            + " or the SQL itself as text/plain");
      }
      for (var it = tree.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!f.equals("sql") && !f.equals("parameters") && !f.equals("cache")) {
          throw new BadRequestException("MALFORMED_REQUEST", f, "unknown field '" + f
              + "' (expected cache, parameters, sql)");
        }
      }
      if (!tree.path("sql").isTextual()) {
        throw new BadRequestException("MALFORMED_REQUEST", "sql", "sql must be a string: the SQL to run"
            + (tree.has("sql") ? "" : " (it is missing)"));
      }
      text = tree.get("sql").asText();
      parameters = parameters(tree.path("parameters"), "MALFORMED_REQUEST");
      bodyCache = tree.get("cache");
      JsonNode a = tree.path("async");
      if (!a.isMissingNode() && !a.isBoolean()) {
        throw new BadRequestException("MALFORMED_REQUEST", "async", "async must be true or false"
            + " (got " + a + ")");
      }
      async |= a.asBoolean(false);
    }
    // the body's cache option, else the URL's
    SqlSession.Options options = new SqlSession.Options(bodyCache != null
        ? QueryController.cacheMode(bodyCache)
        : QueryController.cacheMode(request.getParameters().get("cache"), "the cache option"));
    if (text == null || text.isBlank()) {
      throw new BadRequestException("MALFORMED_REQUEST", null, "the request has no SQL; send it as the body");
    }
    SqlSession session = new SqlSession(who, "rest", null, options);
    PreparedSql prepared = sql.prepare(text, session); // a syntax error is a 400 now, not a failed job
    if (async) {
      return JobsController.accepted(jobs.submit(JobKind.QUERY, who.username(),
          JobRequest.sql(text, parameters, options.cache().id())));
    }
    SqlCursor cursor = sql.execute(prepared, parameters, session);
    String format = QueryController.format(request.getHeaders().get(HttpHeaders.ACCEPT));
    try {
      if (format.equals("json")) {
        try (cursor) {
          return HttpResponse.ok(json(cursor, rest.maxJsonBytes(), now()))
              .contentType(MediaType.APPLICATION_JSON_TYPE);
        }
      }
      BatchStream stream = format.equals("arrow") ? BatchStream.arrow(cursor)
          : BatchStream.csv(cursor, rest.csvNeutraliseFormulas());
      io.micronaut.http.MutableHttpResponse<?> response =
          HttpResponse.ok(new StreamedFile(stream, format.equals("arrow") ? ARROW : CSV))
          .header("X-Strata-Query-Id", cursor.queryId());
      cursor.cacheInfo().ifPresent(info -> QueryController.cacheHeaders(response, info, now()));
      return response;
    } catch (RuntimeException e) {
      cursor.close();
      throw e;
    }
  }

  /**
   * The {@code parameters} array of a JSON body as the values of a statement's {@code ?}
   * parameters; {@code code} is the error code a malformed one answers with.
   */
  public static List<Object> parameters(JsonNode node, String code) {
    List<Object> out = new ArrayList<>();
    if (node.isMissingNode() || node.isNull()) {
      return out;
    }
    if (!node.isArray()) {
      throw new BadRequestException(code, "parameters", "parameters must be an array of values");
    }
    for (JsonNode v : node) {
      if (v.isNull()) {
        out.add(null);
      } else if (v.isBoolean()) {
        out.add(v.booleanValue());
      } else if (v.isIntegralNumber()) {
        out.add(v.bigIntegerValue());
      } else if (v.isNumber()) {
        out.add(v.decimalValue());
      } else if (v.isTextual()) {
        out.add(v.asText());
      } else {
        throw new BadRequestException(code, "parameters[" + out.size() + "]",
            "parameter " + (out.size() + 1) + " is not a string, number, boolean or null");
      }
    }
    return out;
  }

  private java.time.Instant now() {
    return sql.queries().clock().instant();
  }

  /** Columns, rows, and where a semantic query's result came from (as /query says it). */
  private static byte[] json(SqlCursor cursor, long maxBytes, java.time.Instant now) {
    JsonBudget out = new JsonBudget(maxBytes);
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("queryId", cursor.queryId());
      g.writeArrayFieldStart("columns");
      for (SqlColumn c : cursor.columns()) {
        g.writeStartObject();
        g.writeStringField("name", c.name());
        g.writeStringField("type", c.typeName());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("data");
      while (cursor.next()) {
        RowWriters.writeJsonArrays(cursor.batch(), g);
      }
      g.writeEndArray();
      g.writeNumberField("rows", cursor.rows());
      if (cursor.cacheInfo().isPresent()) {
        QueryController.writeCache(g, cursor.cacheInfo().get(), now);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
