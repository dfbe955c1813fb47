package io.strata.server.sql;

/**
 * Who runs a SQL statement, through which endpoint, and how to cancel it.
 *
 * @param user the authenticated user's name
 * @param endpoint {@code jdbc}, {@code flight} or {@code rest}
 * @param cancel cancels this execution from another thread
 */
public record SqlSession(String user, String endpoint, SqlCancel cancel) {
  public SqlSession {
    cancel = cancel == null ? new SqlCancel() : cancel;
  }

  public SqlSession(String user, String endpoint) {
    this(user, endpoint, null);
  }
}
