package io.strata.server.api;

import io.strata.server.audit.AuditLog;
import jakarta.inject.Inject;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.acceleration.cache.CacheSettings;
import io.strata.acceleration.cache.CacheStats;
import io.strata.acceleration.cache.ResultCache;
import io.strata.server.cache.CacheHolder;
import io.strata.server.catalog.CatalogService;
import io.strata.server.datasource.DataSourceRegistry;
import io.strata.server.metadata.NotFoundException;
import io.strata.server.metadata.Role;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;

/** The results cache: its counters, and invalidation by data source, model or all. */
@Controller("/api/v1/cache")
@ExecuteOn(TaskExecutors.BLOCKING)
@SecurityRequirement(name = "basic")
@SecurityRequirement(name = "bearer")
public class CacheController {
  /** Changes made here are recorded in the audit log. */
  @Inject
  AuditLog audit;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final CacheHolder holder;
  private final CatalogService catalog;
  private final DataSourceRegistry registry;

  public CacheController(CacheHolder holder, CatalogService catalog,
      DataSourceRegistry registry) {
    this.holder = holder;
    this.catalog = catalog;
    this.registry = registry;
  }

  /** What {@code GET /api/v1/cache/stats} returns. */
  public record Stats(boolean enabled, String redis, long l1Hits, long l2Hits, long misses,
      long bypassed, double hitRatio, long singleFlightJoins, long staleServed,
      long staleOnError, long tooLarge, long l1Entries, long l1Bytes, long l1MaxBytes,
      long l1Evictions, long l2Errors, double warehouseSecondsSaved) {}

  @Operation(summary = "Results cache counters: hits and misses per tier, bytes, evictions,"
      + " single-flight joins, warehouse time saved, Redis status")
  @Get("/stats")
  public Stats stats(HttpRequest<?> request) {
    Requests.require(request, Role.VIEWER);
    ResultCache cache = holder.cache();
    if (cache == null) {
      return new Stats(false, "off", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
    CacheStats s = cache.stats();
    CacheSettings c = cache.settings();
    return new Stats(true, s.redis(), s.l1Hits(), s.l2Hits(), s.misses(), s.bypassed(),
        s.hitRatio(), s.joins(), s.staleServed(), s.staleOnError(), s.tooLarge(), s.l1Entries(),
        s.l1Bytes(), c.hasL1() ? c.l1MaxBytes() : 0, s.l1Evictions(), s.l2Errors(),
        s.warehouseMicrosSaved() / 1e6);
  }

  /** What an invalidation dropped. */
  public record Invalidated(String scope, String name) {}

  @Operation(summary = "Drop cached results: {\"dataSource\": \"demo\"}, {\"model\": \"orders\"}"
      + " or {\"all\": true}; every server sharing Redis drops them too (editor)")
  @Post(uri = "/invalidate", consumes = MediaType.APPLICATION_JSON)
  public Invalidated invalidate(HttpRequest<?> request, @Body @Nullable String body) {
    Requests.require(request, Role.EDITOR);
    JsonNode tree;
    try {
      tree = body == null || body.isBlank() ? null : io.strata.semantic.query.QueryJson.MAPPER.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      var p = io.strata.semantic.query.QueryJson.describe(e);
      throw new BadRequestException("MALFORMED_JSON", p.location() == null ? "body" : p.location(),
          p.message());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    if (tree != null && tree.isObject()) {
      for (Iterator<String> it = tree.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!List.of("all", "dataSource", "model").contains(f)) {
          throw new BadRequestException("INVALID_INVALIDATION", f, "unknown field '" + f
              + "'; send {\"dataSource\": \"name\"}, {\"model\": \"name\"} or {\"all\": true}");
        }
      }
    }
    if (tree == null || !tree.isObject() || tree.size() != 1) {
      throw new BadRequestException("INVALID_INVALIDATION", "body", "send exactly one of"
          + " {\"dataSource\": \"name\"}, {\"model\": \"name\"} or {\"all\": true}");
    }
    Iterator<String> names = tree.fieldNames();
    String field = names.next();
    JsonNode value = tree.get(field);
    ResultCache cache = holder.cache();
    switch (field) {
      case "all" -> {
        if (!value.isBoolean() || !value.asBoolean()) {
          throw new BadRequestException("INVALID_INVALIDATION", "all",
              "'all' must be true to drop every cached result");
        }
        if (cache != null) {
          cache.invalidateAll();
        }
        Requests.audit(audit, request, "invalidate", "cache", "all", Map.of("scope", "all"));
        return new Invalidated("all", null);
      }
      case "dataSource" -> {
        String name = text(value, field);
        if (!registry.names().contains(name)) {
          throw new NotFoundException("data source '" + name + "' does not exist");
        }
        if (cache != null) {
          cache.invalidateDataSource(name);
        }
        Requests.audit(audit, request, "invalidate", "cache", name,
            Map.of("scope", "dataSource"));
        return new Invalidated("dataSource", name);
      }
      case "model" -> {
        String name = text(value, field);
        if (catalog.catalog().model(name).isEmpty()) {
          throw new NotFoundException("model '" + name + "' does not exist");
        }
        if (cache != null) {
          cache.invalidateModel(name);
        }
        Requests.audit(audit, request, "invalidate", "cache", name, Map.of("scope", "model"));
        return new Invalidated("model", name);
      }
      default -> throw new BadRequestException("INVALID_INVALIDATION", field, "unknown field '"
          + field + "'; send {\"dataSource\": \"name\"}, {\"model\": \"name\"} or"
          + " {\"all\": true}");
    }
  }

  private static String text(JsonNode value, String field) {
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new BadRequestException("INVALID_INVALIDATION", field, "'" + field
          + "' must be a name (a non-empty string)");
    }
    return value.asText().trim();
  }
}
