package io.strata.server.jobs;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.server.types.files.StreamedFile;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.server.api.BadRequestException;
import io.strata.server.api.BatchStream;
import io.strata.server.api.QueryController;
import io.strata.server.api.Requests;
import io.strata.server.api.SqlController;
import io.strata.server.auth.Principal;
import io.strata.server.metadata.NotFoundException;
import io.strata.server.metadata.Role;
import io.strata.server.query.RowWriters;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * {@code /api/v1/jobs}: submit, list, get, cancel, results, downloads and server-sent events of
 * jobs; {@code /api/v1/job-schedules}: recurring jobs. A user sees their own jobs (an admin
 * everyone's); another user's job answers 404 as an unknown one does, so ids do not leak.
 */
@Controller("/api/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
@SecurityRequirement(name = "basic")
@SecurityRequirement(name = "bearer")
public class JobsController {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final MediaType ARROW = new MediaType(QueryController.ARROW_STREAM);
  private static final MediaType CSV = new MediaType("text/csv; charset=utf-8");

  private final Jobs jobs;
  private final BufferAllocator allocator;
  private final SignedLinks signed;

  public JobsController(Jobs jobs, BufferAllocator allocator, SignedLinks signed) {
    this.jobs = jobs;
    this.allocator = allocator;
    this.signed = signed;
  }

  /** A job as the API shows it, with the links a client follows. */
  public record JobView(String id, String kind, String state, String owner, long progress,
      int attempts, String worker, String scheduleId, String createdAt, String startedAt,
      String finishedAt, String expiresAt, Map<String, Object> error,
      Map<String, Object> result, Map<String, String> links) {}

  public static JobView view(Job j) {
    return view(j, null);
  }

  /** With {@code signed}: a finished job's {@code links.file}, its signed, expiring link. */
  static JobView view(Job j, SignedLinks signed) {
    Map<String, Object> error = null;
    if (j.errorCode() != null || j.errorMessage() != null) {
      error = new LinkedHashMap<>();
      error.put("code", j.errorCode());
      error.put("message", j.errorMessage());
    }
    Map<String, Object> result = null;
    Map<String, String> links = new LinkedHashMap<>();
    String self = "/api/v1/jobs/" + j.id();
    links.put("self", self);
    links.put("events", self + "/events");
    if (!j.state().isFinal()) {
      links.put("cancel", self + "/cancel");
    }
    if (j.state() == JobState.SUCCEEDED) {
      result = new LinkedHashMap<>();
      result.put("rows", j.resultRows());
      result.put("bytes", j.resultBytes());
      result.put("available", j.resultLocation() != null);
      if (j.resultLocation() != null) {
        links.put(j.kind() == JobKind.EXPORT ? "download" : "result",
            self + (j.kind() == JobKind.EXPORT ? "/download" : "/result"));
        String file = signed == null ? null : signed.link(j);
        if (file != null) {
          links.put("file", file);
        }
      }
    }
    return new JobView(j.id(), j.kind().id(), j.state().id(), j.owner(), j.progress(),
        j.attempts(), j.worker(), j.scheduleId(), iso(j.createdAt()), iso(j.startedAt()),
        iso(j.finishedAt()), iso(j.expiresAt()), error, result, links);
  }

  private static String iso(Instant i) {
    return i == null ? null : i.toString();
  }

  /** 202 Accepted for a job just submitted, with where to follow it. */
  public static HttpResponse<JobView> accepted(Job job) {
    return HttpResponse.<JobView>status(HttpStatus.ACCEPTED).body(view(job))
        .header(HttpHeaders.LOCATION, "/api/v1/jobs/" + job.id());
  }

  @Operation(summary = "List jobs: your own, or everyone's (admins, with all=true)")
  @Get("/jobs")
  public List<JobView> list(HttpRequest<?> request, @QueryValue @Nullable Boolean all,
      @QueryValue @Nullable String state, @QueryValue @Nullable Integer limit) {
    Principal who = Requests.require(request, Role.VIEWER);
    JobState s = null;
    if (state != null && !state.isBlank()) {
      try {
        s = JobState.of(state.trim());
      } catch (IllegalArgumentException e) {
        throw new BadRequestException("INVALID_STATE", "state", "state '" + state + "' is not"
            + " one of queued, running, succeeded, failed, cancelled");
      }
    }
    if (limit != null && (limit < 1 || limit > 1000)) {
      throw new BadRequestException("INVALID_LIMIT", "limit", "limit must be from 1 to 1000"
          + " (got " + limit + ")");
    }
    return jobs.list(who, Boolean.TRUE.equals(all), s, limit == null ? 100 : limit).stream()
        .map(j -> view(j, signed)).toList();
  }

  @Operation(summary = "Submit a job (query, export or warmup); with cron, a recurring one",
      description = "Body: {\"kind\": \"query|export|warmup\", \"query\": {...} | \"sql\": \"...\","
          + " \"parameters\": [...], \"cache\": \"on\", \"gzip\": false,"
          + " \"neutraliseFormulas\": true, \"dashboardId\": 1, \"cron\": \"0 */5 * * * *\","
          + " \"timeZone\": \"UTC\"} or, for warmup, \"keepWarm\": true")
  @Post(uri = "/jobs", consumes = MediaType.APPLICATION_JSON)
  public HttpResponse<?> submit(HttpRequest<?> request, @Body @Nullable String body) {
    Principal who = Requests.require(request, Role.VIEWER);
    JsonNode tree = readBody(body);
    JsonNode kindNode = tree.path("kind");
    if (!kindNode.isTextual()) {
      throw new BadRequestException("INVALID_JOB", "kind", "kind is missing: give one of query,"
          + " export, warmup");
    }
    JobKind kind;
    try {
      kind = JobKind.parse(kindNode.asText());
    } catch (IllegalArgumentException e) {
      throw new BadRequestException("INVALID_JOB", "kind", e.getMessage());
    }
    JobRequest req = request(kind, tree);
    JsonNode keepWarm = tree.path("keepWarm");
    if (!keepWarm.isMissingNode() && !keepWarm.isBoolean()) {
      throw new BadRequestException("INVALID_JOB", "keepWarm", "keepWarm must be true or false");
    }
    if (keepWarm.asBoolean(false)) {
      if (kind != JobKind.WARMUP) {
        throw new BadRequestException("INVALID_JOB", "keepWarm", "keepWarm is for warmup jobs"
            + " (a dashboard kept warm), not " + kind.id() + " jobs");
      }
      if (tree.has("cron") || tree.has("timeZone")) {
        throw new BadRequestException("INVALID_JOB", tree.has("cron") ? "cron" : "timeZone",
            "give either keepWarm (before its cache entries expire) or cron (on a schedule),"
                + " not both");
      }
      who.require(Role.EDITOR);
      JobSchedule s = jobs.keepWarm(who.username(), req);
      return HttpResponse.created(view(s)).header(HttpHeaders.LOCATION,
          "/api/v1/job-schedules/" + s.id());
    }
    if (tree.has("cron") || tree.has("timeZone")) {
      // recurring work loads the warehouse with nobody waiting for it: editors decide that
      who.require(Role.EDITOR);
      JobSchedule s = jobs.schedule(kind, who.username(), text(tree, "cron"),
          text(tree, "timeZone"), req);
      return HttpResponse.created(view(s)).header(HttpHeaders.LOCATION,
          "/api/v1/job-schedules/" + s.id());
    }
    return accepted(jobs.submit(kind, who.username(), req));
  }

  private static String text(JsonNode tree, String field) {
    JsonNode n = tree.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new BadRequestException("INVALID_JOB", field, field + " must be a string");
    }
    return n.asText();
  }

  static JsonNode readBody(String body) {
    if (body == null || body.isBlank()) {
      throw new BadRequestException("MALFORMED_REQUEST", null, "the request has no body; send"
          + " the job as JSON");
    }
    try {
      JsonNode tree = MAPPER.readTree(body);
      if (tree == null || !tree.isObject()) {
        throw new BadRequestException("MALFORMED_REQUEST", null, "the body must be a JSON object");
      }
      return tree;
    } catch (IOException e) {
      throw new BadRequestException("MALFORMED_REQUEST", null, "the body is not valid JSON: "
          + e.getMessage());
    }
  }

  /** The job's input from a request body, checked so that a bad one is a 400 now, not a failed job later. */
  static JobRequest request(JobKind kind, JsonNode tree) {
    String cache = text(tree, "cache");
    QueryController.cacheMode(cache, "the cache option");
    if (kind == JobKind.ROLLUP_BUILD) {
      throw new BadRequestException("INVALID_JOB", "kind", "rollup builds are asked for with"
          + " POST /api/v1/rollups/{model}/{rollup}/build (editor role)");
    }
    if (kind == JobKind.WARMUP) {
      JsonNode d = tree.path("dashboardId");
      if (!d.canConvertToLong()) {
        throw new BadRequestException("INVALID_JOB", "dashboardId", "a warmup job needs"
            + " dashboardId, the id of a dashboard");
      }
      return JobRequest.warmup(d.asLong());
    }
    JobRequest r;
    if (tree.hasNonNull("sql")) {
      String sql = text(tree, "sql");
      if (sql.isBlank()) {
        throw new BadRequestException("INVALID_JOB", "sql", "sql is empty");
      }
      r = JobRequest.sql(sql, SqlController.parameters(tree.path("parameters"), "INVALID_JOB"), cache);
    } else if (tree.path("query").isObject()) {
      io.strata.semantic.query.QueryJson.parse(tree.get("query").toString()); // 400 if invalid
      r = JobRequest.query(tree.get("query"), cache);
    } else {
      throw new BadRequestException("INVALID_JOB", "query", "a " + kind.id() + " job needs"
          + " query (a semantic query object) or sql (a SQL statement)");
    }
    if (kind == JobKind.EXPORT) {
      JsonNode gzip = tree.path("gzip");
      JsonNode neutralise = tree.path("neutraliseFormulas");
      if (!gzip.isMissingNode() && !gzip.isBoolean()) {
        throw new BadRequestException("INVALID_JOB", "gzip", "gzip must be true or false");
      }
      if (!neutralise.isMissingNode() && !neutralise.isBoolean()) {
        throw new BadRequestException("INVALID_JOB", "neutraliseFormulas",
            "neutraliseFormulas must be true or false");
      }
      r = r.asExport(gzip.asBoolean(false), neutralise.isBoolean() ? neutralise.asBoolean() : null);
    }
    return r;
  }


  @Operation(summary = "A job: state, progress, timings, error and result link")
  @Get("/jobs/{id}")
  public JobView get(HttpRequest<?> request, @PathVariable String id) {
    return view(jobs.get(id, Requests.require(request, Role.VIEWER)), signed);
  }

  @Operation(summary = "Cancel a job; a running one has its warehouse query cancelled")
  @Post("/jobs/{id}/cancel")
  public JobView cancel(HttpRequest<?> request, @PathVariable String id) {
    return view(jobs.cancel(id, Requests.require(request, Role.VIEWER)));
  }

  @Operation(summary = "Cancel a job (same as POST /jobs/{id}/cancel)")
  @Delete("/jobs/{id}")
  public JobView delete(HttpRequest<?> request, @PathVariable String id) {
    return cancel(request, id);
  }

  @Operation(summary = "A query job's result, as JSON (default), Arrow IPC stream or CSV by Accept")
  @Get(uri = "/jobs/{id}/result", produces = {MediaType.APPLICATION_JSON,
      QueryController.ARROW_STREAM, "text/csv"})
  public HttpResponse<?> result(HttpRequest<?> request, @PathVariable String id) {
    Job job = jobs.get(id, Requests.require(request, Role.VIEWER));
    if (job.kind() != JobKind.QUERY) {
      throw new BadRequestException("NO_RESULT", "id", "job '" + id + "' is a " + job.kind().id()
          + " job; its file is at /api/v1/jobs/" + id + "/download");
    }
    return result(job, QueryController.format(request.getHeaders().get(HttpHeaders.ACCEPT)));
  }

  private HttpResponse<?> result(Job job, String format) {
    StoredResult stored = openStored(job);
    try {
      if (format.equals("json")) {
        try (stored) {
          return HttpResponse.ok(json(job, stored, jobs.columns(job)))
              .contentType(MediaType.APPLICATION_JSON_TYPE);
        }
      }
      BatchStream stream = format.equals("arrow") ? BatchStream.arrow(stored)
          : BatchStream.csv(stored, jobs.config().neutraliseFormulas());
      return HttpResponse.ok(new StreamedFile(stream, format.equals("arrow") ? ARROW : CSV))
          .header("X-Strata-Job-Id", job.id());
    } catch (RuntimeException e) {
      stored.close();
      throw e;
    }
  }

  private StoredResult openStored(Job job) {
    requireResult(job);
    try {
      return new StoredResult(job.id(), jobs.openResult(job), allocator);
    } catch (NoSuchFileException e) {
      throw new NotFoundException("the result of job '" + job.id() + "' is gone (swept)");
    } catch (IOException e) {
      throw new UncheckedIOException("reading the result of job " + job.id() + " failed", e);
    }
  }

  private void requireResult(Job job) {
    if (job.state() != JobState.SUCCEEDED) {
      throw new io.strata.server.metadata.ConflictException("job '" + job.id() + "' is "
          + job.state().id() + "; its result is there once it has succeeded");
    }
    if (job.resultLocation() == null || job.expiresAt() != null
        && !job.expiresAt().isAfter(Instant.now())) {
      throw new NotFoundException("the result of job '" + job.id() + "' expired at "
          + job.expiresAt() + "; submit the job again");
    }
  }

  /**
   * Rows as the synchronous endpoints answer: objects for a semantic query (with the
   * annotation of its members), arrays for SQL.
   */
  private static byte[] json(Job job, StoredResult r,
      List<io.strata.semantic.compile.OutputColumn> columns) {
    boolean sql = JobRequest.parse(job.parameters()).sql() != null;
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      List<String> names = r.schema().getFields().stream().map(Field::getName).toList();
      g.writeStartObject();
      g.writeStringField("jobId", job.id());
      if (sql) {
        g.writeArrayFieldStart("columns");
        for (String n : names) {
          g.writeString(n);
        }
        g.writeEndArray();
      }
      g.writeArrayFieldStart("data");
      long rows = 0;
      while (r.next()) {
        if (sql) {
          RowWriters.writeJsonArrays(r.batch(), g);
        } else {
          RowWriters.writeJsonRows(r.batch(), names, g);
        }
        rows += r.batch().getRowCount();
      }
      g.writeEndArray();
      g.writeNumberField("rows", rows);
      if (!sql && columns != null) {
        QueryController.writeAnnotation(g, columns);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Operation(summary = "An export job's CSV file (the link expires with the file)")
  @Get(uri = "/jobs/{id}/download", produces = {"text/csv", "application/gzip"})
  public HttpResponse<?> download(HttpRequest<?> request, @PathVariable String id) {
    Job job = jobs.get(id, Requests.require(request, Role.VIEWER));
    if (job.kind() != JobKind.EXPORT) {
      throw new BadRequestException("NO_DOWNLOAD", "id", "job '" + id + "' is a "
          + job.kind().id() + " job; its result is at /api/v1/jobs/" + id + "/result");
    }
    return download(job);
  }

  private HttpResponse<?> download(Job job) {
    String id = job.id();
    requireResult(job);
    InputStream in;
    try {
      in = jobs.openResult(job);
    } catch (NoSuchFileException e) {
      throw new NotFoundException("the export of job '" + id + "' is gone (swept)");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    boolean gz = job.resultLocation().endsWith(".gz");
    return HttpResponse.ok(new StreamedFile(in, gz ? new MediaType("application/gzip") : CSV))
        .header("Content-Disposition", "attachment; filename=\"export-" + id
            + (gz ? ".csv.gz\"" : ".csv\""));
  }

  @Operation(summary = "A job's file by its signed link, without a session",
      description = "The link is links.file of a finished job (GET /api/v1/jobs/{id}): signed"
          + " with the server's key and expiring after strata.exports.link-ttl. An export's CSV;"
          + " a query job's result as JSON, CSV or Arrow by format= or Accept. A changed,"
          + " cut or expired link is 403 LINK_INVALID or LINK_EXPIRED.")
  @Get(uri = "/job-files/{id}", produces = {"text/csv", "application/gzip",
      MediaType.APPLICATION_JSON, QueryController.ARROW_STREAM})
  public HttpResponse<?> file(HttpRequest<?> request, @PathVariable String id,
      @QueryValue @Nullable String expires, @QueryValue @Nullable String signature,
      @QueryValue @Nullable String format) {
    Job job = jobs.find(id);
    try {
      signed.verify(id, job == null || job.kind() == JobKind.WARMUP ? null : job.owner(),
          expires, signature);
    } catch (SignedLinks.RefusedException e) {
      return HttpResponse.status(HttpStatus.FORBIDDEN)
          .body(io.strata.server.api.ApiError.of(e.code(), e.getMessage()))
          .contentType(MediaType.APPLICATION_JSON_TYPE);
    }
    if (job.kind() == JobKind.EXPORT) {
      return download(job);
    }
    String f = format == null || format.isBlank()
        ? QueryController.format(request.getHeaders().get(HttpHeaders.ACCEPT))
        : format.trim().toLowerCase(java.util.Locale.ROOT);
    if (!List.of("json", "csv", "arrow").contains(f)) {
      throw new BadRequestException("INVALID_FORMAT", "format", "format '" + format
          + "' is not one of json, csv, arrow");
    }
    return result(job, f);
  }

  @Operation(summary = "Server-sent events of a job: its state each time it changes, until it ends")
  @Get(uri = "/jobs/{id}/events", produces = MediaType.TEXT_EVENT_STREAM)
  public HttpResponse<?> events(HttpRequest<?> request, @PathVariable String id) {
    Principal who = Requests.require(request, Role.VIEWER);
    jobs.get(id, who); // 404 now rather than inside the stream
    return HttpResponse.ok(new StreamedFile(new JobEvents(() -> view(jobs.get(id, who), signed), MAPPER,
        jobs.config().pollInterval()), MediaType.TEXT_EVENT_STREAM_TYPE))
        .header(HttpHeaders.CACHE_CONTROL, "no-cache");
  }

  // ---------------------------------------------------------------- schedules

  @Operation(summary = "Recurring jobs: your own (everyone's for admins)")
  @Get("/job-schedules")
  public List<Map<String, Object>> schedules(HttpRequest<?> request) {
    return jobs.schedules(Requests.require(request, Role.VIEWER)).stream()
        .map(JobsController::view).toList();
  }

  static Map<String, Object> view(JobSchedule s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", s.id());
    out.put("kind", s.kind().id());
    out.put("owner", s.owner());
    out.put("keepWarm", s.keepWarm());
    out.put("cron", s.keepWarm() ? null : s.cron());
    out.put("timeZone", s.keepWarm() ? null : s.timeZone());
    out.put("parameters", JobRequest.parse(s.parameters()));
    out.put("createdAt", iso(s.createdAt()));
    out.put("lastRunAt", iso(s.lastRunAt()));
    out.put("lastJobId", s.lastJobId());
    return out;
  }

  @Operation(summary = "A recurring job and its latest runs")
  @Get("/job-schedules/{id}")
  public Map<String, Object> schedule(HttpRequest<?> request, @PathVariable String id) {
    JobSchedule s = jobs.schedule(id, Requests.require(request, Role.VIEWER));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("schedule", view(s));
    out.put("runs", jobs.runs(s, 20).stream().map(JobsController::view).toList());
    return out;
  }

  @Operation(summary = "Delete a recurring job")
  @Delete("/job-schedules/{id}")
  public HttpResponse<?> deleteSchedule(HttpRequest<?> request, @PathVariable String id) {
    jobs.deleteSchedule(id, Requests.require(request, Role.VIEWER));
    return HttpResponse.noContent();
  }
}
