package io.strata.server.flight;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.strata.server.sql.SqlSession;
import java.time.Duration;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.RequestContext;

/**
 * Flight SQL has no connections, so a client's settings ({@code SET strata_cache = ...}) live
 * with the bearer token it authenticated with: the Flight SQL JDBC driver keeps one token per
 * connection. A {@code strata_cache} call header (the JDBC URL property of that name, which the
 * driver sends as a header) sets the mode of a token's first call and of a call without one.
 */
final class FlightSessions implements FlightServerMiddleware.Factory<FlightSessions.Call> {
  static final FlightServerMiddleware.Key<Call> KEY = FlightServerMiddleware.Key.of("strata-session");

  private final Cache<String, SqlSession.Options> byToken = Caffeine.newBuilder()
      .expireAfterAccess(Duration.ofHours(1))
      .maximumSize(100_000)
      .build();

  @Override
  public Call onCallStarted(CallInfo info, CallHeaders headers, RequestContext context) {
    String property = headers.get("strata_cache");
    String authorization = headers.get("authorization");
    SqlSession.Options options;
    try {
      if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        options = SqlSession.Options.of(property);
      } else {
        options = byToken.get(authorization, k -> SqlSession.Options.of(property));
      }
    } catch (IllegalArgumentException e) {
      throw CallStatus.INVALID_ARGUMENT.withDescription(e.getMessage()
          + " (the strata_cache property or header: bypass, refresh or on)").toRuntimeException();
    }
    return new Call(options);
  }

  /** One call's view of its client's settings. */
  static final class Call implements FlightServerMiddleware {
    final SqlSession.Options options;

    Call(SqlSession.Options options) {
      this.options = options;
    }

    @Override
    public void onBeforeSendingHeaders(CallHeaders outgoingHeaders) {}

    @Override
    public void onCallCompleted(CallStatus status) {}

    @Override
    public void onCallErrored(Throwable err) {}
  }
}
