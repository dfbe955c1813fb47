package io.strata.server.query;

import java.time.Instant;

/** A query that has been opened and not yet closed, as {@link QueryService#running()} lists it. */
public record RunningQuery(String queryId, String user, String dataSource, String sql,
    Instant startedAt) {}
