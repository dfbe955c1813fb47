package io.strata.server.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.server.metadata.NotFoundException;
import io.strata.server.metadata.QueryLogEntry;
import io.strata.server.metadata.QueryLogStore;
import io.strata.server.metadata.Role;
import io.strata.server.query.QueryService;
import io.strata.server.query.RunningQuery;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.util.List;

/**
 * Operating the server: Prometheus metrics, the query log, and running queries (which an admin
 * may cancel, and anyone may cancel of their own).
 */
@Controller
@ExecuteOn(TaskExecutors.BLOCKING)
@SecurityRequirement(name = "basic")
@SecurityRequirement(name = "bearer")
public class OpsController {
  private final PrometheusMeterRegistry prometheus;
  private final QueryLogStore log;
  private final QueryService queries;

  public OpsController(PrometheusMeterRegistry prometheus, QueryLogStore log,
      QueryService queries) {
    this.prometheus = prometheus;
    this.log = log;
    this.queries = queries;
  }

  @Operation(summary = "Prometheus metrics (text exposition format)")
  @Get(uri = "/metrics", produces = "text/plain; version=0.0.4; charset=utf-8")
  public String metrics(HttpRequest<?> request) {
    Requests.require(request, Role.VIEWER);
    return prometheus.scrape();
  }

  @Operation(summary = "The most recent queries, newest first (admin)")
  @Get("/api/v1/queries")
  public List<QueryLogEntry> recent(HttpRequest<?> request, @QueryValue @Nullable Integer limit) {
    Requests.require(request, Role.ADMIN);
    int n = limit == null ? 100 : limit;
    if (n < 1 || n > 10_000) {
      throw new BadRequestException("BAD_REQUEST", "limit", "limit must be from 1 to 10000");
    }
    return log.recent(n);
  }

  @Operation(summary = "Queries running now (admin)")
  @Get("/api/v1/queries/running")
  public List<RunningQuery> running(HttpRequest<?> request) {
    Requests.require(request, Role.ADMIN);
    return queries.running();
  }

  /**
   * Cancels a running query at its warehouse: an admin any, anyone else their own (the UI
   * cancels a chart's query by the id it chose for it, {@code X-Strata-Query-Id}); someone
   * else's query is not found, as if it did not exist.
   */
  @Operation(summary = "Cancel a running query (an admin any, others their own)")
  @Delete("/api/v1/queries/{id}")
  public HttpResponse<?> cancel(HttpRequest<?> request, @PathVariable String id) {
    io.strata.server.auth.Principal who = Requests.require(request, Role.VIEWER);
    boolean admin = who.role() == Role.ADMIN;
    boolean mine = admin || queries.running().stream()
        .anyMatch(q -> q.queryId().equals(id) && who.username().equals(q.user()));
    if (!mine || !queries.cancel(id)) {
      throw new NotFoundException("no running query '" + id + "'" + (admin ? "" : " of yours"));
    }
    return HttpResponse.noContent();
  }
}
