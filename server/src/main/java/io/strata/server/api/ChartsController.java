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
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.server.dashboard.DashboardService;
import io.strata.server.dashboard.InvalidDashboardException;
import io.strata.server.metadata.DashboardStore;
import io.strata.server.metadata.NotFoundException;
import io.strata.server.metadata.Role;
import io.strata.server.security.AccessPolicy;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;

/**
 * Charts of dashboards: {@code {dashboardId, title, query, viz, layout, position}}. Reading needs
 * the viewer role; changing needs editor. The query is compiled against the catalog before it
 * is stored.
 */
@Controller("/api/v1/charts")
@ExecuteOn(TaskExecutors.BLOCKING)
@SecurityRequirement(name = "basic")
@SecurityRequirement(name = "bearer")
public class ChartsController {
  /** Changes made here are recorded in the audit log. */
  @Inject
  AuditLog audit;

  private final DashboardService dashboards;
  private final DashboardStore store;
  private final AccessPolicy access;

  public ChartsController(DashboardService dashboards, DashboardStore store, AccessPolicy access) {
    this.dashboards = dashboards;
    this.store = store;
    this.access = access;
  }

  @Operation(summary = "The charts of a dashboard (?dashboardId=N)")
  @Get
  public HttpResponse<String> list(HttpRequest<?> request, @QueryValue @Nullable Long dashboardId) {
    Requests.require(request, Role.VIEWER);
    if (dashboardId == null) {
      throw new BadRequestException("MISSING_PARAMETER", "dashboardId",
          "name the dashboard: /api/v1/charts?dashboardId=N");
    }
    return DashboardsController.json(200, dashboards.get(dashboardId).get("charts"));
  }

  @Operation(summary = "A chart")
  @Get("/{id}")
  public HttpResponse<String> get(HttpRequest<?> request, @PathVariable long id) {
    Requests.require(request, Role.VIEWER);
    return DashboardsController.json(200, dashboards.chart(id));
  }

  @Operation(summary = "Add a chart to a dashboard: {dashboardId, title, query, viz, layout?, position?}")
  @Post(consumes = MediaType.APPLICATION_JSON)
  public HttpResponse<String> create(HttpRequest<?> request, @Body @Nullable String body) {
    Requests.require(request, Role.EDITOR);
    JsonNode node = DashboardService.parse(body);
    JsonNode dashboardId = node.path("dashboardId");
    if (!dashboardId.isIntegralNumber() || !dashboardId.canConvertToLong()) {
      throw new InvalidDashboardException("dashboardId", "dashboardId is required (the id of a dashboard)");
    }
    long id = dashboardId.asLong();
    if (store.find(id).isEmpty()) {
      throw new NotFoundException("dashboard " + id + " does not exist");
    }
    JsonNode created = dashboards.addChart(id, dashboards.chart(node, "",
        Requests.security(request, Role.EDITOR, access)));
    auditChart(request, "create", created);
    return DashboardsController.json(201, created);
  }

  private void auditChart(HttpRequest<?> request, String action, JsonNode c) {
    Requests.audit(audit, request, action, "chart", c.path("title").asText(null),
        Map.of("id", c.path("id").asLong(), "dashboardId", c.path("dashboardId").asLong()));
  }

  @Operation(summary = "Replace a chart's title, query, viz and layout")
  @Put(uri = "/{id}", consumes = MediaType.APPLICATION_JSON)
  public HttpResponse<String> update(HttpRequest<?> request, @PathVariable long id,
      @Body @Nullable String body) {
    Requests.require(request, Role.EDITOR);
    JsonNode updated = dashboards.updateChart(id, dashboards.chart(DashboardService.parse(body),
        "", Requests.security(request, Role.EDITOR, access)));
    auditChart(request, "update", updated);
    return DashboardsController.json(200, updated);
  }

  @Operation(summary = "Delete a chart")
  @Delete("/{id}")
  public HttpResponse<?> delete(HttpRequest<?> request, @PathVariable long id) {
    Requests.require(request, Role.EDITOR);
    store.deleteChart(id);
    Requests.audit(audit, request, "delete", "chart", String.valueOf(id), Map.of("id", id));
    return HttpResponse.noContent();
  }
}
