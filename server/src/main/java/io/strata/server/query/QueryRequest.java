package io.strata.server.query;

import io.strata.semantic.query.SemanticQuery;

/**
 * One query to run.
 *
 * @param query the semantic query
 * @param queryText the query as the client sent it (JSON or SQL), for the query log
 * @param user who asked, for the query log and the list of running queries
 * @param endpoint where it came from: {@code rest}, {@code jdbc} or {@code flight}
 */
public record QueryRequest(SemanticQuery query, String queryText, String user, String endpoint) {
  public QueryRequest {
    if (query == null) {
      throw new IllegalArgumentException("a query request needs a query");
    }
  }
}
