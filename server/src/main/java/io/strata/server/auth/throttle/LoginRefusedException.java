package io.strata.server.auth.throttle;

import java.time.Duration;
import java.time.Instant;

/**
 * A login attempt refused without looking at its credentials, because the user or the client
 * address failed too often ({@link LoginThrottle}). The message names which, and when to retry;
 * it reads the same whether or not the user exists. Endpoints map it to their protocol: REST
 * 429 with {@code Retry-After}, JDBC an SQL error (SQLState 28000), Flight SQL
 * {@code RESOURCE_EXHAUSTED}.
 */
public final class LoginRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Instant retryAt;
  private final long retryAfterSeconds;

  LoginRefusedException(String message, Instant retryAt, Duration wait) {
    super(message);
    this.retryAt = retryAt;
    this.retryAfterSeconds = Math.max(1, (wait.toMillis() + 999) / 1000);
  }

  public Instant retryAt() {
    return retryAt;
  }

  /** Whole seconds to wait, at least 1 (HTTP {@code Retry-After}). */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this; // a refusal, not a fault: no stack to log or send
  }
}
