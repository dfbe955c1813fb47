package io.strata.server.api;

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
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.server.auth.Principal;
import io.strata.server.metadata.QueryLogEntry;
import io.strata.server.metadata.QueryLogStore;
import io.strata.server.metadata.Role;
import io.strata.server.metadata.SavedQuery;
import io.strata.server.metadata.SavedQueryStore;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.time.Instant;
import java.util.List;

/**
 * What the web UI's SQL Lab keeps for each user: their saved queries, and the history of the
 * statements they ran through {@code POST /api/v1/sql} (read from the query log). Every user
 * sees only their own, whatever their role.
 */
@Controller("/api/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
@SecurityRequirement(name = "basic")
@SecurityRequirement(name = "bearer")
public class SqlLabController {
  static final int MAX_NAME = 200;
  static final int MAX_SQL = QueryLogStore.MAX_TEXT;

  private final SavedQueryStore saved;
  private final QueryLogStore log;

  public SqlLabController(SavedQueryStore saved, QueryLogStore log) {
    this.saved = saved;
    this.log = log;
  }

  public record SavedQueryInput(@Nullable String name, @Nullable String sql) {}

  public record SavedQueryView(long id, String name, String sql, Instant createdAt, Instant updatedAt) {
    static SavedQueryView of(SavedQuery q) {
      return new SavedQueryView(q.id(), q.name(), q.sql(), q.createdAt(), q.updatedAt());
    }
  }

  /** One statement the user ran; durations in milliseconds, error null when it succeeded. */
  public record HistoryEntry(String queryId, String sql, Instant startedAt, double totalMs, long rows,
      @Nullable String cacheTier, @Nullable String error) {}

  @Operation(summary = "Your saved SQL queries, by name")
  @Get("/saved-queries")
  public List<SavedQueryView> list(HttpRequest<?> request) {
    Principal who = Requests.require(request, Role.VIEWER);
    return saved.list(who.username()).stream().map(SavedQueryView::of).toList();
  }

  @Operation(summary = "Save a SQL query under a name of yours (409 when you have one of that name)")
  @Post("/saved-queries")
  public HttpResponse<SavedQueryView> create(HttpRequest<?> request, @Body @Nullable SavedQueryInput in) {
    Principal who = Requests.require(request, Role.VIEWER);
    SavedQueryInput ok = check(in);
    return HttpResponse.created(SavedQueryView.of(saved.create(who.username(), ok.name().strip(), ok.sql())));
  }

  @Operation(summary = "Rename or change one of your saved queries")
  @Put("/saved-queries/{id}")
  public SavedQueryView update(HttpRequest<?> request, @PathVariable long id, @Body @Nullable SavedQueryInput in) {
    Principal who = Requests.require(request, Role.VIEWER);
    SavedQueryInput ok = check(in);
    return SavedQueryView.of(saved.update(id, who.username(), ok.name().strip(), ok.sql()));
  }

  @Operation(summary = "Delete one of your saved queries")
  @Delete("/saved-queries/{id}")
  public HttpResponse<?> delete(HttpRequest<?> request, @PathVariable long id) {
    Principal who = Requests.require(request, Role.VIEWER);
    saved.delete(id, who.username());
    return HttpResponse.noContent();
  }

  @Operation(summary = "The SQL statements you ran over REST, newest first (from the query log)")
  @Get("/sql/history")
  public List<HistoryEntry> history(HttpRequest<?> request, @QueryValue @Nullable Integer limit) {
    Principal who = Requests.require(request, Role.VIEWER);
    int n = limit == null ? 100 : limit;
    if (n < 1 || n > 1000) {
      throw new BadRequestException("BAD_REQUEST", "limit", "limit must be from 1 to 1000 (got " + n + ")");
    }
    // semantic JSON queries share the endpoint: the history is of SQL text only
    return log.recentOf(who.username(), "rest", n * 2).stream()
        .filter(e -> e.queryText() != null && !e.queryText().stripLeading().startsWith("{"))
        .limit(n)
        .map(SqlLabController::entry)
        .toList();
  }

  private static HistoryEntry entry(QueryLogEntry e) {
    return new HistoryEntry(e.queryId(), e.queryText(), e.startedAt(), e.totalMicros() / 1000.0, e.rows(),
        e.cacheTier(), e.error());
  }

  private static SavedQueryInput check(@Nullable SavedQueryInput in) {
    if (in == null) {
      throw new BadRequestException("BAD_REQUEST", null, "send {\"name\": \"...\", \"sql\": \"SELECT ...\"}");
    }
    if (in.name() == null || in.name().isBlank() || in.name().strip().length() > MAX_NAME) {
      throw new BadRequestException("BAD_REQUEST", "name",
          "a saved query needs a name of 1 to " + MAX_NAME + " characters");
    }
    if (in.sql() == null || in.sql().isBlank()) {
      throw new BadRequestException("BAD_REQUEST", "sql", "sql must be the statement to save (it is "
          + (in.sql() == null ? "missing" : "blank") + ")");
    }
    if (in.sql().length() > MAX_SQL) {
      throw new BadRequestException("BAD_REQUEST", "sql", "sql is " + in.sql().length()
          + " characters; a saved query holds at most " + MAX_SQL);
    }
    return in;
  }
}
