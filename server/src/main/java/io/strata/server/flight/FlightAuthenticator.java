package io.strata.server.flight;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.strata.server.auth.AuthService;
import io.strata.server.auth.Passwords;
import io.strata.server.auth.Principal;
import io.strata.server.auth.throttle.Client;
import io.strata.server.auth.throttle.LoginRefusedException;
import io.strata.server.config.Setting;
import io.strata.server.metadata.User;
import io.strata.server.metadata.UserStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.auth2.Auth2Constants;
import org.apache.arrow.flight.auth2.AuthUtilities;
import org.apache.arrow.flight.auth2.CallHeaderAuthenticator;

/**
 * Who calls the Flight SQL endpoint. Three ways in, all through {@link AuthService} (and so
 * its login throttling):
 *
 * <ul>
 *   <li>{@code Authorization: Bearer strata_pat_...}: a Strata API token (or a UI session id),
 *       checked on every call;
 *   <li>{@code Authorization: Basic ...} (the Flight handshake of the Flight SQL JDBC driver,
 *       ADBC and pyarrow with a username and password): the password is checked and the reply
 *       carries a bearer token ({@code strata_flt_...}) the client sends from then on;
 *   <li>{@code Authorization: Bearer strata_flt_...}: valid for {@code strata.auth.session-ttl}
 *       from the handshake that issued it (however busy it is; after that the client
 *       authenticates again), and only while its user exists and is not disabled. Tokens are
 *       signed under the secret key ({@code strata.secret.key}), so another server sharing it,
 *       or this one after a restart, accepts them (a client moved by a load balancer stays
 *       signed in).
 * </ul>
 *
 * <p>A call without credentials on a client connection (gRPC channel) where a call with
 * credentials succeeded is taken as that session's: its bearer is checked again as if the call
 * carried it. ADBC's Java driver runs and closes prepared statements on calls without the
 * credentials its other calls carry; the connection is the session it belongs to.
 *
 * <p>Anything else is {@code UNAUTHENTICATED}; a user or address that failed too often gets
 * {@code RESOURCE_EXHAUSTED} saying when to retry. The peer identity every call carries is the
 * username.
 */
final class FlightAuthenticator implements CallHeaderAuthenticator {
  static final String FLIGHT_TOKEN_PREFIX = "strata_flt_";

  /** A token issued by a handshake. */
  private record Issued(String username, Instant expiresAt) {}

  private final AuthService auth;
  private final UserStore users;
  private final Clock clock;
  private final Duration ttl;
  private final Cache<String, Issued> issued;
  /** Users recently found enabled, so that a token costs no lookup per call. */
  private final Cache<String, Boolean> enabled;
  /** The bearer each client connection last authenticated with. */
  private final Cache<String, String> sessions;
  /** Signs handshake tokens so every node sharing the secret key accepts them; null: memory only. */
  private io.strata.server.cluster.SignedTokens signer;

  /** Issues tokens {@code signer} signs (a token then survives its node: any node redeems it). */
  FlightAuthenticator signedBy(io.strata.server.cluster.SignedTokens signer) {
    this.signer = signer;
    return this;
  }

  FlightAuthenticator(AuthService auth, UserStore users, Duration ttl, Clock clock) {
    this.auth = auth;
    this.users = users;
    this.clock = clock;
    this.ttl = ttl;
    com.github.benmanes.caffeine.cache.Ticker ticker = () -> {
      Instant now = clock.instant();
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    };
    // Kept an hour past expiry, so that the client hears "expired" rather than "unknown".
    this.issued = Caffeine.newBuilder().ticker(ticker).expireAfterWrite(ttl.plusHours(1))
        .maximumSize(100_000).build();
    this.enabled = Caffeine.newBuilder().ticker(ticker).expireAfterWrite(Duration.ofSeconds(10))
        .maximumSize(10_000).build();
    this.sessions = Caffeine.newBuilder().ticker(ticker).expireAfterAccess(Duration.ofHours(1))
        .maximumSize(100_000).build();
  }

  @Override
  public AuthResult authenticate(CallHeaders headers) {
    Client client = new Client("flight", PeerAddress.of(headers));
    String connection = PeerAddress.connection(headers);
    try {
      String bearer = AuthUtilities.getValueFromAuthHeader(headers, Auth2Constants.BEARER_PREFIX);
      if (bearer != null) {
        return remembered(connection, bearer(bearer.trim(), client));
      }
      String basic = AuthUtilities.getValueFromAuthHeader(headers, Auth2Constants.BASIC_PREFIX);
      if (basic != null) {
        return remembered(connection, basic(basic.trim(), client));
      }
      String session = connection == null ? null : sessions.getIfPresent(connection);
      if (session != null && headers.get(Auth2Constants.AUTHORIZATION_HEADER) == null) {
        return bearer(session, client);
      }
    } catch (LoginRefusedException e) {
      throw CallStatus.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).toRuntimeException();
    }
    throw unauthenticated("Strata needs credentials: a username and password (Basic), or"
        + " an API token (Authorization: Bearer strata_pat_...)");
  }

  private Authenticated basic(String encoded, Client client) {
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      decoded = "";
    }
    int colon = decoded.indexOf(':');
    Optional<Principal> p = colon < 0
        ? auth.authenticate("Basic " + encoded, null, client) // counted as a failure
        : auth.password(decoded.substring(0, colon), decoded.substring(colon + 1), client);
    if (p.isEmpty()) {
      throw unauthenticated("wrong username or password, or the user is disabled");
    }
    String name = p.get().username();
    Instant expires = clock.instant().plus(ttl);
    String token = signer == null ? Passwords.secret(FLIGHT_TOKEN_PREFIX)
        : signer.issue(name, expires);
    issued.put(token, new Issued(name, expires));
    return result(name, token);
  }

  private Authenticated bearer(String secret, Client client) {
    if (!secret.startsWith(FLIGHT_TOKEN_PREFIX)) {
      Principal p = auth.bearer(secret, client).orElseThrow(() -> unauthenticated(
          "the API token is unknown, expired or revoked, or its user is disabled"));
      String name = p.username();
      return new Authenticated() {
        @Override
        public String bearer() {
          return secret;
        }

        @Override
        public String getPeerIdentity() {
          return name;
        }
      };
    }
    auth.throttle().refusal(null, client).ifPresent(r -> {
      throw r.exception();
    });
    Issued t = issued.getIfPresent(secret);
    if (t == null && signer != null) { // issued by another node, or before a restart
      t = signer.verify(secret).map(c -> new Issued(c.subject(), c.expiresAt())).orElse(null);
    }
    if (t == null) {
      auth.throttle().failed(null, client);
      throw unauthenticated("the bearer token is unknown (or this server restarted since it was"
          + " issued); authenticate again");
    }
    if (!clock.instant().isBefore(t.expiresAt())) {
      issued.invalidate(secret);
      throw unauthenticated("the bearer token expired at " + t.expiresAt() + " ("
          + Setting.SESSION_TTL.property() + " is " + ttl + " from the handshake);"
          + " authenticate again");
    }
    String name = t.username();
    if (enabled.getIfPresent(name) == null) {
      if (users.find(name).filter(u -> !u.disabled()).map(User::username).isEmpty()) {
        issued.invalidate(secret);
        throw unauthenticated("user '" + name + "' is disabled or was deleted");
      }
      enabled.put(name, Boolean.TRUE);
    }
    return result(name, secret);
  }

  /** An authenticated call's bearer, kept as its connection's session. */
  private AuthResult remembered(String connection, Authenticated result) {
    if (connection != null) {
      sessions.put(connection, result.bearer());
    }
    return result;
  }

  /** A caller, and the bearer that stands for them. */
  private interface Authenticated extends AuthResult {
    String bearer();
  }

  /** The peer, and the bearer token in the reply's headers (where the handshake's client reads it). */
  private static Authenticated result(String name, String token) {
    return new Authenticated() {
      @Override
      public String bearer() {
        return token;
      }

      @Override
      public String getPeerIdentity() {
        return name;
      }

      @Override
      public void appendToOutgoingHeaders(CallHeaders outgoing) {
        if (AuthUtilities.getValueFromAuthHeader(outgoing, Auth2Constants.BEARER_PREFIX) == null) {
          outgoing.insert(Auth2Constants.AUTHORIZATION_HEADER,
              Auth2Constants.BEARER_PREFIX + token);
        }
      }
    };
  }

  private static FlightRuntimeException unauthenticated(String why) {
    return CallStatus.UNAUTHENTICATED.withDescription(why).toRuntimeException();
  }
}
