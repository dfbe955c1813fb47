package io.strata.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.server.audit.AuditLog;
import io.strata.server.metadata.AuditEntry;
import io.strata.server.metadata.AuditStore;
import io.strata.server.metadata.Role;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The audit log for admins: {@code GET /api/v1/audit}, newest first, filtered by resource type,
 * resource name, actor and a time range, at most {@value #MAX_LIMIT} entries a call. A filter
 * that cannot be read, or a parameter it does not know, is a 400 naming the parameter.
 */
@Controller("/api/v1/audit")
@ExecuteOn(TaskExecutors.BLOCKING)
@SecurityRequirement(name = "basic")
@SecurityRequirement(name = "bearer")
public class AuditController {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  private static final Set<String> PARAMETERS =
      Set.of("resourceType", "resource", "actor", "since", "until", "limit");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AuditLog audit;

  public AuditController(AuditLog audit) {
    this.audit = audit;
  }

  /** One entry as the API shows it; {@code details} is the stored JSON object. */
  public record Entry(long id, Instant at, String actor, String actorAddress, String action,
      String resourceType, String resource, JsonNode details) {
    static Entry of(AuditEntry e) {
      JsonNode details;
      try {
        details = e.detailsJson() == null ? JSON.createObjectNode() : JSON.readTree(e.detailsJson());
      } catch (IOException failure) {
        details = JSON.getNodeFactory().textNode(e.detailsJson());
      }
      return new Entry(e.id(), e.at(), e.actor(), e.actorAddress(), e.action(),
          e.resourceType(), e.resourceName(), details);
    }
  }

  @Operation(summary = "The audit log, newest first: ?resourceType=&resource=&actor=&since=&until=&limit= (admin)")
  @Get
  public List<Entry> list(HttpRequest<?> request, @QueryValue @Nullable String resourceType,
      @QueryValue @Nullable String resource, @QueryValue @Nullable String actor,
      @QueryValue @Nullable String since, @QueryValue @Nullable String until,
      @QueryValue @Nullable String limit) {
    Requests.require(request, Role.ADMIN);
    Set<String> unknown = new TreeSet<>(request.getParameters().names());
    unknown.removeAll(PARAMETERS);
    if (!unknown.isEmpty()) {
      throw new BadRequestException("UNKNOWN_PARAMETER", unknown.iterator().next(),
          "unknown parameter" + (unknown.size() == 1 ? " " : "s ") + String.join(", ", unknown)
              + "; the audit log is filtered by " + String.join(", ", new TreeSet<>(PARAMETERS)));
    }
    if (resourceType != null && !resourceType.matches("[a-z][a-z0-9_]{0,63}")) {
      throw new BadRequestException("BAD_FILTER", "resourceType", "resourceType is a lower-case"
          + " word such as model, data_source, user, token, dashboard, chart or cache; got '"
          + resourceType + "'");
    }
    Instant from = instant("since", since);
    Instant to = instant("until", until);
    if (from != null && to != null && !from.isBefore(to)) {
      throw new BadRequestException("BAD_FILTER", "since", "since (" + from
          + ") must be before until (" + to + ")");
    }
    int n = DEFAULT_LIMIT;
    if (limit != null) {
      try {
        n = Integer.parseInt(limit.trim());
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 1 || n > MAX_LIMIT) {
        throw new BadRequestException("BAD_FILTER", "limit", "limit is a whole number from 1 to "
            + MAX_LIMIT + "; got '" + limit + "'");
      }
    }
    return audit.find(new AuditStore.Filter(blankToNull(resourceType), blankToNull(resource),
        blankToNull(actor), from, to, n)).stream().map(Entry::of).toList();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  /** An ISO-8601 instant ({@code 2026-01-31T12:00:00Z}) or a date (midnight UTC), or null. */
  private static Instant instant(String parameter, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    try {
      return v.length() == 10 ? LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant()
          : Instant.parse(v);
    } catch (DateTimeParseException e) {
      throw new BadRequestException("BAD_FILTER", parameter, parameter + " is an ISO-8601 time"
          + " such as 2026-01-31T12:00:00Z, or a date such as 2026-01-31; got '" + value + "'");
    }
  }
}
