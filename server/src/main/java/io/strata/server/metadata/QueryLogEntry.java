package io.strata.server.metadata;

import java.time.Instant;

/**
 * One query as the server ran it. Durations are in microseconds.
 *
 * @param username  null for anonymous queries
 * @param cacheTier the cache that answered, or null when the warehouse did
 * @param errorCode null when the query succeeded
 * @param error     null when the query succeeded
 */
public record QueryLogEntry(String queryId, String username, String endpoint, String queryText, String sql,
                            String dataSource, Instant startedAt, long compileMicros, long executeMicros,
                            long fetchMicros, long totalMicros, long rows, long bytes, String cacheTier,
                            String errorCode, String error) {
}
