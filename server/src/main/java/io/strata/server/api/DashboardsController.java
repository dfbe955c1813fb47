package io.strata.server.api;

import io.strata.server.audit.AuditLog;
import jakarta.inject.Inject;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.server.auth.Principal;
import io.strata.server.dashboard.DashboardService;
import io.strata.server.metadata.DashboardStore;
import io.strata.server.metadata.FavouriteStore;
import io.strata.server.metadata.User;
import io.strata.server.metadata.UserStore;
import io.strata.server.metadata.Role;
import io.strata.server.security.AccessPolicy;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;

/**
 * Dashboards: list, read (with charts), create, replace, delete, export as JSON and import that
 * JSON back (see {@link DashboardService} for the format). Reading needs the viewer role;
 * changing needs editor. A bad field is a 400 {@code INVALID_DASHBOARD} whose {@code location}
 * names it.
 */
@Controller("/api/v1/dashboards")
@ExecuteOn(TaskExecutors.BLOCKING)
@SecurityRequirement(name = "basic")
@SecurityRequirement(name = "bearer")
public class DashboardsController {
  /** Changes made here are recorded in the audit log. */
  @Inject
  AuditLog audit;

  /** Each user's favourite dashboards (the list's star). */
  @Inject
  FavouriteStore favourites;

  /** The owners' names in the list. */
  @Inject
  UserStore users;

  private final DashboardService dashboards;
  private final DashboardStore store;
  private final AccessPolicy access;

  public DashboardsController(DashboardService dashboards, DashboardStore store,
      AccessPolicy access) {
    this.dashboards = dashboards;
    this.store = store;
    this.access = access;
  }

  static io.micronaut.http.MutableHttpResponse<String> json(int status, JsonNode body) {
    return HttpResponse.<String>status(io.micronaut.http.HttpStatus.valueOf(status))
        .body(body.toString()).contentType(MediaType.APPLICATION_JSON_TYPE);
  }

  @Operation(summary = "Every dashboard (without charts, with their count), with its owner's name"
      + " and whether it is one of the caller's favourites")
  @Get
  public HttpResponse<String> list(HttpRequest<?> request) {
    Principal who = Requests.require(request, Role.VIEWER);
    com.fasterxml.jackson.databind.node.ArrayNode all = dashboards.list();
    Map<Long, String> owners = new java.util.HashMap<>();
    for (User u : users.list()) {
      owners.put(u.id(), u.username());
    }
    java.util.Set<Long> mine = favourites.of(who.userId());
    for (JsonNode d : all) {
      long owner = d.path("ownerId").asLong();
      ((com.fasterxml.jackson.databind.node.ObjectNode) d).put("owner", owners.get(owner));
      ((com.fasterxml.jackson.databind.node.ObjectNode) d).put("favourite", mine.contains(d.path("id").asLong()));
    }
    return json(200, all);
  }

  @Operation(summary = "Mark a dashboard as one of the caller's favourites (again: no change)")
  @Put("/{id}/favourite")
  public HttpResponse<?> favourite(HttpRequest<?> request, @PathVariable long id) {
    Principal who = Requests.require(request, Role.VIEWER);
    favourites.add(who.userId(), id);
    return HttpResponse.noContent();
  }

  @Operation(summary = "Unmark a favourite dashboard of the caller's (not marked: no change)")
  @Delete("/{id}/favourite")
  public HttpResponse<?> unfavourite(HttpRequest<?> request, @PathVariable long id) {
    Principal who = Requests.require(request, Role.VIEWER);
    favourites.remove(who.userId(), id);
    return HttpResponse.noContent();
  }

  @Operation(summary = "A dashboard with its filters and charts")
  @Get("/{id}")
  public HttpResponse<String> get(HttpRequest<?> request, @PathVariable long id) {
    Requests.require(request, Role.VIEWER);
    return json(200, dashboards.get(id));
  }

  @Operation(summary = "Create a dashboard: {name, description, filters, charts?}")
  @Post(consumes = MediaType.APPLICATION_JSON)
  public HttpResponse<String> create(HttpRequest<?> request, @Body @Nullable String body) {
    Principal who = Requests.require(request, Role.EDITOR);
    var spec = dashboards.dashboard(DashboardService.parse(body), access.context(who));
    JsonNode created = dashboards.create(spec, who.userId());
    auditDashboard(request, "create", created);
    return json(201, created);
  }

  private void auditDashboard(HttpRequest<?> request, String action, JsonNode d) {
    Requests.audit(audit, request, action, "dashboard", d.path("name").asText(null),
        Map.of("id", d.path("id").asLong(), "charts", d.path("charts").size()));
  }

  @Operation(summary = "Replace a dashboard's name, description and filters; with `charts`, replace"
      + " every chart too (in one transaction), without them the charts are kept")
  @Put(uri = "/{id}", consumes = MediaType.APPLICATION_JSON)
  public HttpResponse<String> update(HttpRequest<?> request, @PathVariable long id,
      @Body @Nullable String body) {
    Requests.require(request, Role.EDITOR);
    JsonNode updated = dashboards.update(id, dashboards.dashboard(DashboardService.parse(body),
        Requests.security(request, Role.EDITOR, access)));
    auditDashboard(request, "update", updated);
    return json(200, updated);
  }

  @Operation(summary = "Delete a dashboard and its charts")
  @Delete("/{id}")
  public HttpResponse<?> delete(HttpRequest<?> request, @PathVariable long id) {
    Requests.require(request, Role.EDITOR);
    String name = store.find(id).map(d -> d.name()).orElse(null);
    store.delete(id);
    Requests.audit(audit, request, "delete", "dashboard", name, Map.of("id", id));
    return HttpResponse.noContent();
  }

  @Operation(summary = "A dashboard as JSON for import elsewhere")
  @Get("/{id}/export")
  public HttpResponse<String> export(HttpRequest<?> request, @PathVariable long id) {
    Requests.require(request, Role.VIEWER);
    return json(200, dashboards.export(id))
        .header("Content-Disposition", "attachment; filename=\"dashboard-" + id + ".json\"");
  }

  @Operation(summary = "Create a dashboard from exported JSON; every chart is checked first")
  @Post(uri = "/import", consumes = MediaType.APPLICATION_JSON)
  public HttpResponse<String> importDashboard(HttpRequest<?> request, @Body @Nullable String body) {
    Principal who = Requests.require(request, Role.EDITOR);
    var spec = dashboards.dashboard(DashboardService.parse(body), access.context(who));
    JsonNode created = dashboards.create(spec, who.userId());
    auditDashboard(request, "import", created);
    return json(201, created);
  }
}
