package io.strata.server.rollup;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.server.api.BadRequestException;
import io.strata.server.api.Requests;
import io.strata.server.auth.Principal;
import io.strata.server.jobs.JobsController;
import io.strata.server.metadata.Role;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.util.List;

/**
 * {@code /api/v1/rollups}: the status of every rollup (partitions, rows, bytes, built at, build
 * time, last error) for viewers, and rebuild on demand for editors, answered 202 with the
 * build's job.
 */
@Controller("/api/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
@SecurityRequirement(name = "basic")
@SecurityRequirement(name = "bearer")
public class RollupsController {
  private final RollupService rollups;

  public RollupsController(RollupService rollups) {
    this.rollups = rollups;
  }

  @Operation(summary = "Every rollup of the models, with its build status")
  @Get("/rollups")
  public List<RollupStatus> list(HttpRequest<?> request) {
    Requests.require(request, Role.VIEWER);
    return rollups.list();
  }

  @Operation(summary = "The rollups of one model")
  @Get("/rollups/{model}")
  public List<RollupStatus> model(HttpRequest<?> request, @PathVariable String model) {
    Requests.require(request, Role.VIEWER);
    return rollups.list(model);
  }

  @Operation(summary = "One rollup, with its partitions")
  @Get("/rollups/{model}/{rollup}")
  public RollupStatus rollup(HttpRequest<?> request, @PathVariable String model,
      @PathVariable String rollup) {
    Requests.require(request, Role.VIEWER);
    return rollups.get(model, rollup);
  }

  @Operation(summary = "Rebuild a rollup now (editor): answered 202 with the build's job;"
      + " body {\"force\": true} rebuilds every partition, not only missing and recent ones")
  @Post(uri = "/rollups/{model}/{rollup}/build", consumes = {"application/json", "text/plain",
      "*/*"})
  public HttpResponse<?> build(HttpRequest<?> request, @PathVariable String model,
      @PathVariable String rollup, @Body @Nullable String body) {
    Principal who = Requests.require(request, Role.EDITOR);
    boolean force = false;
    if (body != null && !body.isBlank()) {
      com.fasterxml.jackson.databind.JsonNode tree;
      try {
        tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
      } catch (java.io.IOException e) {
        throw new BadRequestException("MALFORMED_REQUEST", null, "the body is not valid JSON: "
            + e.getMessage());
      }
      if (tree == null || !tree.isObject()) {
        throw new BadRequestException("MALFORMED_REQUEST", null,
            "the body must be a JSON object such as {\"force\": true}");
      }
      var f = tree.path("force");
      if (!f.isMissingNode() && !f.isBoolean()) {
        throw new BadRequestException("INVALID_BUILD", "force", "force must be true or false");
      }
      force = f.asBoolean(false);
    }
    return JobsController.accepted(rollups.requestBuild(model, rollup, who.username(), force));
  }
}
