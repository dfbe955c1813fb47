package io.strata.server.sql;

/**
 * Who runs a SQL statement and through which endpoint, for the query log and (later) access
 * control and cache options.
 *
 * @param user the authenticated user's name
 * @param endpoint {@code jdbc}, {@code flight} or {@code rest}
 */
public record SqlSession(String user, String endpoint) {}
