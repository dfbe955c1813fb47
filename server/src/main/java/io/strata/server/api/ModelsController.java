package io.strata.server.api;

import io.strata.server.audit.AuditLog;
import jakarta.inject.Inject;
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
import io.strata.server.auth.Principal;
import io.strata.server.catalog.CatalogService;
import io.strata.server.metadata.ModelStore;
import io.strata.server.metadata.ModelVersion;
import io.strata.server.metadata.NotFoundException;
import io.strata.server.metadata.Role;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Model files: list, read (YAML), write (YAML, validated with the whole set before it is
 * stored), delete, history, and a push of many files at once ({@code strata models push}).
 * Reading needs the viewer role; changing needs editor.
 */
@Controller("/api/v1/models")
@ExecuteOn(TaskExecutors.BLOCKING)
@SecurityRequirement(name = "basic")
@SecurityRequirement(name = "bearer")
public class ModelsController {
  /** Changes made here are recorded in the audit log. */
  @Inject
  AuditLog audit;

  private static final MediaType YAML = new MediaType("application/yaml; charset=utf-8");

  private final CatalogService catalog;
  private final ModelStore store;

  public ModelsController(CatalogService catalog, ModelStore store) {
    this.catalog = catalog;
    this.store = store;
  }

  /** A stored version, without its YAML. */
  public record VersionInfo(String name, int version, String author, Instant createdAt,
      boolean deleted) {
    static VersionInfo of(ModelVersion v) {
      return new VersionInfo(v.name(), v.version(), v.author(), v.createdAt(), v.deleted());
    }
  }

  /** A push: files by name; with {@code replace}, stored files not in it are deleted. */
  public record Push(Map<String, String> files, @Nullable Boolean replace) {}

  public record PushResult(List<VersionInfo> written, int unchanged) {}

  @Operation(summary = "Current model files")
  @Get
  public List<VersionInfo> list(HttpRequest<?> request) {
    Requests.require(request, Role.VIEWER);
    return store.currentAll().stream().map(VersionInfo::of).toList();
  }

  @Operation(summary = "A model file's YAML (current, or ?version=N)")
  @Get(uri = "/{name}", produces = "application/yaml")
  public HttpResponse<String> get(HttpRequest<?> request, @PathVariable String name,
      @QueryValue @Nullable Integer version) {
    Requests.require(request, Role.VIEWER);
    String file = CatalogService.fileName(name);
    ModelVersion v = (version == null ? store.current(file) : store.version(file, version))
        .orElseThrow(() -> new NotFoundException("model file '" + file + "'"
            + (version == null ? "" : " has no version " + version + " or") + " does not exist"));
    return HttpResponse.ok(v.yaml()).contentType(YAML)
        .header("X-Strata-Model-Version", Integer.toString(v.version()));
  }

  @Operation(summary = "Every version of a model file, newest first")
  @Get("/{name}/history")
  public List<VersionInfo> history(HttpRequest<?> request, @PathVariable String name) {
    Requests.require(request, Role.VIEWER);
    String file = CatalogService.fileName(name);
    List<ModelVersion> h = store.history(file);
    if (h.isEmpty()) {
      throw new NotFoundException("model file '" + file + "' has no history");
    }
    return h.stream().map(VersionInfo::of).toList();
  }

  @Operation(summary = "Create or replace a model file (YAML body); validated with all other models first")
  @Put(uri = "/{name}", consumes = {"application/yaml", "application/x-yaml", "text/yaml",
      MediaType.TEXT_PLAIN})
  public HttpResponse<?> put(HttpRequest<?> request, @PathVariable String name,
      @Body @Nullable String yaml) {
    Principal who = Requests.require(request, Role.EDITOR);
    if (yaml == null || yaml.isBlank()) {
      throw new BadRequestException("EMPTY_MODEL", null, "the request has no YAML body");
    }
    String file = CatalogService.fileName(name);
    List<ModelVersion> written = catalog.save(Map.of(file, yaml), who.username(), false);
    ModelVersion v = written.isEmpty() ? store.current(file).orElseThrow() : written.get(0);
    if (!written.isEmpty()) {
      Requests.audit(audit, request, v.version() == 1 ? "create" : "update", "model", v.name(),
          Map.of("version", v.version()));
    }
    return HttpResponse.ok(VersionInfo.of(v));
  }

  @Operation(summary = "Save many model files at once; with replace=true the set replaces all stored files")
  @Post
  public PushResult push(HttpRequest<?> request, @Body Push push) {
    Principal who = Requests.require(request, Role.EDITOR);
    if (push.files() == null || push.files().isEmpty() && !Boolean.TRUE.equals(push.replace())) {
      throw new BadRequestException("EMPTY_PUSH", "files", "no model files in the request");
    }
    List<ModelVersion> written = catalog.save(push.files(), who.username(),
        Boolean.TRUE.equals(push.replace()));
    long changedFiles = written.stream().filter(v -> !v.deleted()).count();
    for (ModelVersion v : written) {
      Requests.audit(audit, request, v.deleted() ? "delete" : v.version() == 1 ? "create"
          : "update", "model", v.name(), Map.of("version", v.version(), "push", true));
    }
    return new PushResult(written.stream().map(VersionInfo::of).toList(),
        (int) (push.files().size() - changedFiles));
  }

  @Operation(summary = "Delete a model file (history is kept); refused if other models need it")
  @Delete("/{name}")
  public VersionInfo delete(HttpRequest<?> request, @PathVariable String name) {
    Principal who = Requests.require(request, Role.EDITOR);
    ModelVersion deleted = catalog.delete(name, who.username());
    Requests.audit(audit, request, "delete", "model", deleted.name(),
        Map.of("version", deleted.version()));
    return VersionInfo.of(deleted);
  }

  @Operation(summary = "Validate model files without saving them")
  @Post("/validate")
  public Map<String, Object> validate(HttpRequest<?> request, @Body Push push) {
    Requests.require(request, Role.EDITOR);
    if (push.files() == null) {
      throw new BadRequestException("EMPTY_PUSH", "files", "no model files in the request");
    }
    catalog.check(push.files(), Boolean.TRUE.equals(push.replace()));
    return Map.of("valid", true);
  }
}
