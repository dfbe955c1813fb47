package io.strata.server.metadata;

import java.time.Instant;

/**
 * One query as the server ran it. Durations are in microseconds.
 *
 * @param username  null for anonymous queries
 * @param cacheTier the cache that answered, or null when the warehouse did
 * @param errorCode null when the query succeeded
 * @param error     null when the query succeeded
 * @param rollup    the rollup that answered ({@code model.rollup@version}), or null when the source did
 */
public record QueryLogEntry(String queryId, String username, String endpoint, String queryText, String sql,
                            String dataSource, Instant startedAt, long compileMicros, long executeMicros,
                            long fetchMicros, long totalMicros, long rows, long bytes, String cacheTier,
                            String errorCode, String error, String rollup) {

    public QueryLogEntry(String queryId, String username, String endpoint, String queryText, String sql,
                         String dataSource, Instant startedAt, long compileMicros, long executeMicros,
                         long fetchMicros, long totalMicros, long rows, long bytes, String cacheTier,
                         String errorCode, String error) {
        this(queryId, username, endpoint, queryText, sql, dataSource, startedAt, compileMicros, executeMicros,
                fetchMicros, totalMicros, rows, bytes, cacheTier, errorCode, error, null);
    }
}
