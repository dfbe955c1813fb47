package io.strata.server.flight;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.common.cache.CacheBuilder;
import io.strata.server.auth.AuthService;
import io.strata.server.auth.Principal;
import io.strata.server.metadata.User;
import io.strata.server.metadata.UserStore;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.auth2.Auth2Constants;
import org.apache.arrow.flight.auth2.AuthUtilities;
import org.apache.arrow.flight.auth2.BasicCallHeaderAuthenticator;
import org.apache.arrow.flight.auth2.CallHeaderAuthenticator;
import org.apache.arrow.flight.auth2.GeneratedBearerTokenAuthenticator;

/**
 * Who calls the Flight SQL endpoint. Three ways in, all through {@link AuthService}:
 *
 * <ul>
 *   <li>{@code Authorization: Bearer strata_pat_...}: a Strata API token (or a UI session id),
 *       checked on every call;
 *   <li>{@code Authorization: Basic ...} (the Flight handshake of the Flight SQL JDBC driver,
 *       ADBC and pyarrow with a username and password): the password is checked and the reply
 *       carries a bearer token Arrow generates, which the client sends from then on;
 *   <li>{@code Authorization: Bearer <generated token>}: valid while used at least every
 *       {@code strata.auth.session-ttl}, and only while its user exists and is not disabled.
 * </ul>
 *
 * <p>Anything else is {@code UNAUTHENTICATED}. The peer identity every call carries is the
 * username.
 */
final class FlightAuthenticator implements CallHeaderAuthenticator {
  private final AuthService auth;
  private final UserStore users;
  private final CallHeaderAuthenticator basicThenGenerated;
  /** Users recently found enabled, so that a generated token costs no lookup per call. */
  private final Cache<String, Boolean> enabled = Caffeine.newBuilder()
      .expireAfterWrite(Duration.ofSeconds(10)).maximumSize(10_000).build();

  FlightAuthenticator(AuthService auth, UserStore users, Duration tokenIdle) {
    this.auth = auth;
    this.users = users;
    BasicCallHeaderAuthenticator basic = new BasicCallHeaderAuthenticator((user, password) -> {
      Optional<Principal> p = auth.password(user, password);
      if (p.isEmpty()) {
        throw unauthenticated("wrong username or password, or the user is disabled");
      }
      String name = p.get().username();
      return () -> name;
    });
    long minutes = Math.max(1, tokenIdle.toMinutes());
    this.basicThenGenerated = new GeneratedBearerTokenAuthenticator(basic,
        CacheBuilder.newBuilder().expireAfterAccess(minutes, TimeUnit.MINUTES)
            .maximumSize(100_000));
  }

  @Override
  public AuthResult authenticate(CallHeaders headers) {
    String bearer = AuthUtilities.getValueFromAuthHeader(headers, Auth2Constants.BEARER_PREFIX);
    if (bearer != null) {
      String secret = bearer.trim();
      if (secret.startsWith(AuthService.TOKEN_PREFIX)
          || secret.startsWith(AuthService.SESSION_PREFIX)) {
        Principal p = auth.bearer(secret).orElseThrow(() -> unauthenticated(
            "the API token is unknown, expired or revoked, or its user is disabled"));
        String name = p.username();
        return () -> name;
      }
    } else if (AuthUtilities.getValueFromAuthHeader(headers, Auth2Constants.BASIC_PREFIX)
        == null) {
      throw unauthenticated("Strata needs credentials: a username and password (Basic), or"
          + " an API token (Authorization: Bearer strata_pat_...)");
    }
    AuthResult result;
    try {
      result = basicThenGenerated.authenticate(headers);
    } catch (FlightRuntimeException e) {
      if (e.status().code() == CallStatus.UNAUTHENTICATED.code()
          && (e.status().description() == null || e.status().description().isEmpty())) {
        throw unauthenticated(bearer != null
            ? "the bearer token is unknown or expired; authenticate again" : "bad credentials");
      }
      throw e;
    }
    if (bearer != null) {
      String name = result.getPeerIdentity();
      if (enabled.getIfPresent(name) == null) {
        if (users.find(name).filter(u -> !u.disabled()).map(User::username).isEmpty()) {
          throw unauthenticated("user '" + name + "' is disabled or was deleted");
        }
        enabled.put(name, Boolean.TRUE);
      }
    }
    return result;
  }

  private static FlightRuntimeException unauthenticated(String why) {
    return CallStatus.UNAUTHENTICATED.withDescription(why).toRuntimeException();
  }
}
