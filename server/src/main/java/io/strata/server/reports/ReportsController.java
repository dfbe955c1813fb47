package io.strata.server.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micronaut.core.annotation.Nullable;
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
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.server.api.Requests;
import io.strata.server.audit.AuditLog;
import io.strata.server.auth.Principal;
import io.strata.server.jobs.Job;
import io.strata.server.metadata.Role;
import io.strata.server.reports.ReportSpec.Kind;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * REST for reports ({@code /api/v1/reports}), alerts ({@code /api/v1/alerts}) and thumbnails
 * ({@code /api/v1/thumbnails}): a thin adapter over {@link Reports}. Anyone signed in lists
 * their own; making, changing, test-sending, pausing and deleting needs an editor; an admin sees
 * and manages everyone's.
 */
@Controller("/api/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
@SecurityRequirement(name = "basic")
@SecurityRequirement(name = "bearer")
public class ReportsController {
  @Inject
  AuditLog audit;

  private final Reports reports;

  public ReportsController(Reports reports) {
    this.reports = reports;
  }

  private static HttpResponse<String> json(HttpStatus status, JsonNode body) {
    return HttpResponse.<String>status(status).body(body.toString())
        .contentType(MediaType.APPLICATION_JSON_TYPE);
  }

  static ObjectNode view(ReportStore.Report r) {
    ObjectNode o = ReportSpec.JSON.createObjectNode();
    o.put("id", r.id()).put("kind", r.kind().id()).put("owner", r.owner());
    o.setAll(r.spec().json());
    o.put("state", r.state());
    o.put("lastValue", r.lastValue());
    o.put("lastNotifiedAt", r.lastNotifiedAt() == null ? null : r.lastNotifiedAt().toString());
    o.put("createdAt", r.createdAt().toString()).put("updatedAt", r.updatedAt().toString());
    String self = "/api/v1/" + r.kind().id() + "s/" + r.id();
    o.putObject("links").put("self", self).put("runs", self + "/runs");
    return o;
  }

  static ObjectNode view(ReportStore.Run r) {
    ObjectNode o = ReportSpec.JSON.createObjectNode();
    o.put("id", r.id()).put("jobId", r.jobId()).put("test", r.test()).put("state", r.state());
    o.put("value", r.value()).put("error", r.error());
    o.set("deliveries", r.deliveries() == null ? ReportSpec.JSON.createArrayNode()
        : r.deliveries());
    o.put("startedAt", r.startedAt().toString());
    o.put("finishedAt", r.finishedAt() == null ? null : r.finishedAt().toString());
    return o;
  }

  // ---------------------------------------------------------------- shared by both kinds

  private HttpResponse<String> list(HttpRequest<?> request, Kind kind) {
    Principal who = Requests.require(request, Role.VIEWER);
    ArrayNode out = ReportSpec.JSON.createArrayNode();
    reports.list(kind, who).forEach(r -> out.add(view(r)));
    return json(HttpStatus.OK, out);
  }

  private HttpResponse<String> get(HttpRequest<?> request, Kind kind, String id) {
    return json(HttpStatus.OK, view(reports.get(kind, id, Requests.require(request,
        Role.VIEWER))));
  }

  private HttpResponse<String> create(HttpRequest<?> request, Kind kind, String body) {
    Principal who = Requests.require(request, Role.EDITOR);
    ReportStore.Report r = reports.create(ReportSpec.parse(kind, body), who);
    Requests.audit(audit, request, "create", kind.id(), r.spec().name(), Map.of("id", r.id()));
    return HttpResponse.<String>status(HttpStatus.CREATED).body(view(r).toString())
        .contentType(MediaType.APPLICATION_JSON_TYPE)
        .header("Location", "/api/v1/" + kind.id() + "s/" + r.id());
  }

  private HttpResponse<String> update(HttpRequest<?> request, Kind kind, String id,
      String body) {
    Principal who = Requests.require(request, Role.EDITOR);
    reports.get(kind, id, who);
    ReportStore.Report r = reports.update(kind, id, ReportSpec.parse(kind, body), who);
    Requests.audit(audit, request, "update", kind.id(), r.spec().name(), Map.of("id", id));
    return json(HttpStatus.OK, view(r));
  }

  private HttpResponse<?> delete(HttpRequest<?> request, Kind kind, String id) {
    Principal who = Requests.require(request, Role.EDITOR);
    String name = reports.get(kind, id, who).spec().name();
    reports.delete(kind, id, who);
    Requests.audit(audit, request, "delete", kind.id(), name, Map.of("id", id));
    return HttpResponse.noContent();
  }

  private HttpResponse<String> runs(HttpRequest<?> request, Kind kind, String id,
      Integer limit) {
    Principal who = Requests.require(request, Role.VIEWER);
    ArrayNode out = ReportSpec.JSON.createArrayNode();
    reports.runs(kind, id, who, limit == null ? 100 : limit).forEach(r -> out.add(view(r)));
    return json(HttpStatus.OK, out);
  }

  private HttpResponse<String> testSend(HttpRequest<?> request, Kind kind, String id) {
    Principal who = Requests.require(request, Role.EDITOR);
    Job job = reports.testSend(kind, id, who);
    ObjectNode o = ReportSpec.JSON.createObjectNode().put("jobId", job.id())
        .put("runs", "/api/v1/" + kind.id() + "s/" + id + "/runs");
    return json(HttpStatus.ACCEPTED, o);
  }

  private HttpResponse<String> active(HttpRequest<?> request, Kind kind, String id,
      boolean active) {
    Principal who = Requests.require(request, Role.EDITOR);
    ReportStore.Report r = reports.setActive(kind, id, active, who);
    Requests.audit(audit, request, active ? "resume" : "pause", kind.id(), r.spec().name(),
        Map.of("id", id));
    return json(HttpStatus.OK, view(r));
  }

  // ---------------------------------------------------------------- reports

  @Operation(summary = "Your reports (everyone's for an admin)")
  @Get("/reports")
  public HttpResponse<String> listReports(HttpRequest<?> request) {
    return list(request, Kind.REPORT);
  }

  @Operation(summary = "Create a report: {name, dashboardId | chartId, format, cron, timeZone,"
      + " channels, width?, height?, active?}")
  @Post(uri = "/reports", consumes = MediaType.APPLICATION_JSON)
  public HttpResponse<String> createReport(HttpRequest<?> request, @Body @Nullable String body) {
    return create(request, Kind.REPORT, body);
  }

  @Operation(summary = "A report")
  @Get("/reports/{id}")
  public HttpResponse<String> getReport(HttpRequest<?> request, @PathVariable String id) {
    return get(request, Kind.REPORT, id);
  }

  @Operation(summary = "Replace a report's definition (and its schedule)")
  @Put(uri = "/reports/{id}", consumes = MediaType.APPLICATION_JSON)
  public HttpResponse<String> updateReport(HttpRequest<?> request, @PathVariable String id,
      @Body @Nullable String body) {
    return update(request, Kind.REPORT, id, body);
  }

  @Operation(summary = "Delete a report, its schedule and its runs")
  @Delete("/reports/{id}")
  public HttpResponse<?> deleteReport(HttpRequest<?> request, @PathVariable String id) {
    return delete(request, Kind.REPORT, id);
  }

  @Operation(summary = "A report's runs, newest first: state, error, what was sent to whom")
  @Get("/reports/{id}/runs")
  public HttpResponse<String> reportRuns(HttpRequest<?> request, @PathVariable String id,
      @QueryValue @Nullable Integer limit) {
    return runs(request, Kind.REPORT, id, limit);
  }

  @Operation(summary = "Send the report now (a run marked test)")
  @Post("/reports/{id}/test-send")
  public HttpResponse<String> testSendReport(HttpRequest<?> request, @PathVariable String id) {
    return testSend(request, Kind.REPORT, id);
  }

  @Operation(summary = "Pause a report: no scheduled runs until resumed")
  @Post("/reports/{id}/pause")
  public HttpResponse<String> pauseReport(HttpRequest<?> request, @PathVariable String id) {
    return active(request, Kind.REPORT, id, false);
  }

  @Operation(summary = "Resume a paused report")
  @Post("/reports/{id}/resume")
  public HttpResponse<String> resumeReport(HttpRequest<?> request, @PathVariable String id) {
    return active(request, Kind.REPORT, id, true);
  }

  // ---------------------------------------------------------------- alerts

  @Operation(summary = "Your alerts (everyone's for an admin)")
  @Get("/alerts")
  public HttpResponse<String> listAlerts(HttpRequest<?> request) {
    return list(request, Kind.ALERT);
  }

  @Operation(summary = "Create an alert: {name, query | sql, condition {op, value}, cron,"
      + " timeZone, gracePeriod, channels, attachChartId?, active?}")
  @Post(uri = "/alerts", consumes = MediaType.APPLICATION_JSON)
  public HttpResponse<String> createAlert(HttpRequest<?> request, @Body @Nullable String body) {
    return create(request, Kind.ALERT, body);
  }

  @Operation(summary = "An alert, with its state (ok, triggered, error)")
  @Get("/alerts/{id}")
  public HttpResponse<String> getAlert(HttpRequest<?> request, @PathVariable String id) {
    return get(request, Kind.ALERT, id);
  }

  @Operation(summary = "Replace an alert's definition (and its schedule); its state starts at ok")
  @Put(uri = "/alerts/{id}", consumes = MediaType.APPLICATION_JSON)
  public HttpResponse<String> updateAlert(HttpRequest<?> request, @PathVariable String id,
      @Body @Nullable String body) {
    return update(request, Kind.ALERT, id, body);
  }

  @Operation(summary = "Delete an alert, its schedule and its history")
  @Delete("/alerts/{id}")
  public HttpResponse<?> deleteAlert(HttpRequest<?> request, @PathVariable String id) {
    return delete(request, Kind.ALERT, id);
  }

  @Operation(summary = "An alert's history, newest first: value, state, what was sent to whom")
  @Get("/alerts/{id}/runs")
  public HttpResponse<String> alertRuns(HttpRequest<?> request, @PathVariable String id,
      @QueryValue @Nullable Integer limit) {
    return runs(request, Kind.ALERT, id, limit);
  }

  @Operation(summary = "Check the alert now and send its current state (a run marked test)")
  @Post("/alerts/{id}/test-send")
  public HttpResponse<String> testSendAlert(HttpRequest<?> request, @PathVariable String id) {
    return testSend(request, Kind.ALERT, id);
  }

  @Operation(summary = "Pause an alert")
  @Post("/alerts/{id}/pause")
  public HttpResponse<String> pauseAlert(HttpRequest<?> request, @PathVariable String id) {
    return active(request, Kind.ALERT, id, false);
  }

  @Operation(summary = "Resume a paused alert")
  @Post("/alerts/{id}/resume")
  public HttpResponse<String> resumeAlert(HttpRequest<?> request, @PathVariable String id) {
    return active(request, Kind.ALERT, id, true);
  }

  // ---------------------------------------------------------------- sent files

  @Operation(summary = "A file a report or alert sent to a webhook (its image), by the signed"
      + " link in the message: no session; 403 LINK_INVALID or LINK_EXPIRED otherwise")
  @Get(uri = "/report-images/{id}", produces = {MediaType.IMAGE_PNG, "application/pdf",
      "text/csv", MediaType.APPLICATION_JSON})
  public HttpResponse<?> sentFile(@PathVariable String id, @QueryValue @Nullable String expires,
      @QueryValue @Nullable String signature) {
    Message.Attachment file;
    try {
      file = reports.sentFile(id, expires, signature);
    } catch (io.strata.server.jobs.SignedLinks.RefusedException e) {
      return HttpResponse.status(HttpStatus.FORBIDDEN)
          .body(io.strata.server.api.ApiError.of(e.code(), e.getMessage()))
          .contentType(MediaType.APPLICATION_JSON_TYPE);
    }
    return HttpResponse.ok(file.bytes()).contentType(MediaType.of(file.mimeType()))
        .header("Content-Disposition", "inline; filename=\"" + file.name() + "\"")
        .header("Cache-Control", "private, max-age=3600");
  }

  // ---------------------------------------------------------------- thumbnails

  @Operation(summary = "Your thumbnail of a dashboard (PNG), rendered with what you may see;"
      + " 202 while the first one is rendered")
  @Get(uri = "/thumbnails/dashboards/{id}", produces = {MediaType.IMAGE_PNG,
      MediaType.APPLICATION_JSON})
  public HttpResponse<?> dashboardThumbnail(HttpRequest<?> request, @PathVariable long id) {
    return thumbnail(request, "dashboard", id);
  }

  @Operation(summary = "Your thumbnail of a chart (PNG); 202 while the first one is rendered")
  @Get(uri = "/thumbnails/charts/{id}", produces = {MediaType.IMAGE_PNG,
      MediaType.APPLICATION_JSON})
  public HttpResponse<?> chartThumbnail(HttpRequest<?> request, @PathVariable long id) {
    return thumbnail(request, "chart", id);
  }

  private HttpResponse<?> thumbnail(HttpRequest<?> request, String type, long id) {
    Principal who = Requests.require(request, Role.VIEWER);
    Optional<Reports.Thumbnail> t = reports.thumbnail(type, id, who);
    if (t.isEmpty()) {
      return json(HttpStatus.ACCEPTED, ReportSpec.JSON.createObjectNode()
          .put("state", "rendering").put("message", "the thumbnail is being rendered: ask again"
              + " in a few seconds"));
    }
    return HttpResponse.ok(t.get().png()).contentType(MediaType.IMAGE_PNG_TYPE)
        .header("ETag", "\"" + t.get().version() + "-" + t.get().renderedAt().toEpochMilli()
            + "\"")
        .header("X-Thumbnail-Stale", String.valueOf(t.get().stale()))
        .header("Cache-Control", "private, no-cache");
  }
}
