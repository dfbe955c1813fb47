package io.strata.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.server.audit.AuditLog;
import io.strata.server.metadata.Role;
import io.strata.server.metadata.StoredGrant;
import io.strata.server.metadata.StoredRule;
import io.strata.server.security.AccessPolicy;
import io.strata.server.security.AccessRuleException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Row-level security rules and access grants (admin only); see {@link AccessPolicy} for what
 * they mean. Every save is checked against the current models first and refused with 400
 * naming the field that is wrong.
 */
@Controller("/api/v1/security")
@ExecuteOn(TaskExecutors.BLOCKING)
@SecurityRequirement(name = "basic")
@SecurityRequirement(name = "bearer")
public class SecurityController {
  private final AccessPolicy access;
  private final AuditLog audit;

  public SecurityController(AccessPolicy access, AuditLog audit) {
    this.access = access;
    this.audit = audit;
  }

  private RuleView audited(HttpRequest<?> request, String action, RuleView r) {
    Requests.audit(audit, request, action, "security_rule", String.valueOf(r.id()),
        Map.of("model", r.model(), "filters", r.filters().toString(), "roles", r.roles(),
            "users", r.users()));
    return r;
  }

  private GrantView audited(HttpRequest<?> request, String action, GrantView g) {
    Requests.audit(audit, request, action, "grant", String.valueOf(g.id()),
        Map.of("kind", g.kind(), "target", g.target(), "roles", g.roles(), "users", g.users()));
    return g;
  }

  /** A rule as the API reads it. */
  public record RuleInput(@Nullable String model, @Nullable JsonNode filters,
      @Nullable List<String> roles, @Nullable List<String> users,
      @Nullable String description) {}

  public record RuleView(long id, String model, JsonNode filters, List<String> roles,
      List<String> users, String description, Instant createdAt, Instant updatedAt) {
    static RuleView of(StoredRule r) {
      JsonNode filters;
      try {
        filters = Json.MAPPER.readTree(r.filterJson());
      } catch (java.io.IOException e) {
        filters = Json.MAPPER.getNodeFactory().textNode(r.filterJson());
      }
      return new RuleView(r.id(), r.model(), filters, r.roles(), r.users(), r.description(),
          r.createdAt(), r.updatedAt());
    }
  }

  /** A grant as the API reads it. */
  public record GrantInput(@Nullable String kind, @Nullable String target,
      @Nullable List<String> roles, @Nullable List<String> users,
      @Nullable String description) {}

  public record GrantView(long id, String kind, String target, List<String> roles,
      List<String> users, String description, Instant createdAt, Instant updatedAt) {
    static GrantView of(StoredGrant g) {
      return new GrantView(g.id(), g.kind(), g.target(), g.roles(), g.users(), g.description(),
          g.createdAt(), g.updatedAt());
    }
  }

  @Operation(summary = "All row-level security rules")
  @Get("/rules")
  public List<RuleView> rules(HttpRequest<?> request) {
    Requests.require(request, Role.ADMIN);
    return access.rules().stream().map(RuleView::of).toList();
  }

  @Operation(summary = "A row-level security rule")
  @Get("/rules/{id}")
  public RuleView rule(HttpRequest<?> request, @PathVariable long id) {
    Requests.require(request, Role.ADMIN);
    return RuleView.of(access.rule(id));
  }

  @Operation(summary = "Create a row-level security rule: {model, filters, roles, users, description}")
  @Post("/rules")
  public HttpResponse<RuleView> createRule(HttpRequest<?> request, @Body @Nullable RuleInput in) {
    Requests.require(request, Role.ADMIN);
    return HttpResponse.created(audited(request, "create",
        RuleView.of(checked(() -> access.createRule(rule(in))))));
  }

  @Operation(summary = "Replace a row-level security rule")
  @Put("/rules/{id}")
  public RuleView updateRule(HttpRequest<?> request, @PathVariable long id,
      @Body @Nullable RuleInput in) {
    Requests.require(request, Role.ADMIN);
    return audited(request, "update", RuleView.of(checked(() -> access.updateRule(id, rule(in)))));
  }

  @Operation(summary = "Delete a row-level security rule")
  @Delete("/rules/{id}")
  public HttpResponse<?> deleteRule(HttpRequest<?> request, @PathVariable long id) {
    Requests.require(request, Role.ADMIN);
    access.deleteRule(id);
    Requests.audit(audit, request, "delete", "security_rule", String.valueOf(id), Map.of());
    return HttpResponse.noContent();
  }

  @Operation(summary = "All grants of models, views, members and data sources")
  @Get("/grants")
  public List<GrantView> grants(HttpRequest<?> request) {
    Requests.require(request, Role.ADMIN);
    return access.grants().stream().map(GrantView::of).toList();
  }

  @Operation(summary = "A grant")
  @Get("/grants/{id}")
  public GrantView grant(HttpRequest<?> request, @PathVariable long id) {
    Requests.require(request, Role.ADMIN);
    return GrantView.of(access.grant(id));
  }

  @Operation(summary = "Grant a model, view, member or data source: {kind, target, roles, users, description}")
  @Post("/grants")
  public HttpResponse<GrantView> createGrant(HttpRequest<?> request,
      @Body @Nullable GrantInput in) {
    Requests.require(request, Role.ADMIN);
    return HttpResponse.created(audited(request, "create",
        GrantView.of(checked(() -> access.createGrant(grant(in))))));
  }

  @Operation(summary = "Replace a grant")
  @Put("/grants/{id}")
  public GrantView updateGrant(HttpRequest<?> request, @PathVariable long id,
      @Body @Nullable GrantInput in) {
    Requests.require(request, Role.ADMIN);
    return audited(request, "update", GrantView.of(checked(() -> access.updateGrant(id, grant(in)))));
  }

  @Operation(summary = "Delete a grant")
  @Delete("/grants/{id}")
  public HttpResponse<?> deleteGrant(HttpRequest<?> request, @PathVariable long id) {
    Requests.require(request, Role.ADMIN);
    access.deleteGrant(id);
    Requests.audit(audit, request, "delete", "grant", String.valueOf(id), Map.of());
    return HttpResponse.noContent();
  }

  private static AccessPolicy.RuleInput rule(RuleInput in) {
    if (in == null) {
      throw new BadRequestException("BAD_REQUEST", null, "send a rule: {\"model\": ...,"
          + " \"filters\": [...], \"roles\": [...], \"users\": [...], \"description\": ...}");
    }
    return new AccessPolicy.RuleInput(in.model(), in.filters(), in.roles(), in.users(),
        in.description());
  }

  private static AccessPolicy.GrantInput grant(GrantInput in) {
    if (in == null) {
      throw new BadRequestException("BAD_REQUEST", null, "send a grant: {\"kind\": \"model\","
          + " \"target\": ..., \"roles\": [...], \"users\": [...], \"description\": ...}");
    }
    return new AccessPolicy.GrantInput(in.kind(), in.target(), in.roles(), in.users(),
        in.description());
  }

  /** Runs a save, turning a refused rule or grant into a 400 naming its field. */
  static <T> T checked(Supplier<T> save) {
    try {
      return save.get();
    } catch (AccessRuleException e) {
      throw new BadRequestException("BAD_REQUEST", e.field(), e.getMessage());
    }
  }

  private static final class Json {
    static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
        new com.fasterxml.jackson.databind.ObjectMapper();
  }
}
