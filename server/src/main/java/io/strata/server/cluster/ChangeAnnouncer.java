package io.strata.server.cluster;

import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.List;

/**
 * After a request that changed shared metadata succeeded (a 2xx answer to anything but GET,
 * HEAD or OPTIONS under one of the paths below), tells the other nodes ({@link ClusterChanges}).
 * Queries, SQL and jobs are not changes: they are never announced.
 */
@ServerFilter("/api/v1/**")
public final class ChangeAnnouncer {
  /** What other nodes hold in memory, built from the metadata database. */
  static final List<String> CHANGES = List.of("/api/v1/models", "/api/v1/datasources",
      "/api/v1/dashboards", "/api/v1/charts", "/api/v1/users", "/api/v1/tokens",
      "/api/v1/security", "/api/v1/auth/logout");

  private final ClusterChanges changes;

  public ChangeAnnouncer(ClusterChanges changes) {
    this.changes = changes;
  }

  @ResponseFilter
  public void announce(HttpRequest<?> request, MutableHttpResponse<?> response) {
    HttpMethod m = request.getMethod();
    if (m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS
        || response.code() < 200 || response.code() >= 300) {
      return;
    }
    String path = request.getPath();
    for (String p : CHANGES) {
      if (path.equals(p) || path.startsWith(p + "/")) {
        changes.announce(m + " " + path);
        return;
      }
    }
  }
}
