package io.strata.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.strata.server.auth.throttle.Client;
import io.strata.server.auth.throttle.LoginRefusedException;
import io.strata.server.auth.throttle.LoginThrottle;
import io.strata.server.config.StrataConfig;
import io.strata.server.metadata.ApiToken;
import io.strata.server.metadata.Role;
import io.strata.server.metadata.Session;
import io.strata.server.metadata.SessionStore;
import io.strata.server.metadata.TokenStore;
import io.strata.server.metadata.User;
import io.strata.server.metadata.UserStore;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Who is calling: HTTP Basic (username and password), Bearer API tokens, and UI sessions (a
 * cookie, or the same id as a Bearer token). Every endpoint adapter (REST, later Avatica and
 * Flight SQL) authenticates through here.
 *
 * <p>bcrypt makes a password check cost tens of milliseconds, which BI tools that send Basic
 * credentials with every request would pay each time; a successful check is remembered for a
 * minute, keyed by a SHA-256 of the credentials and the stored hash, so a changed password or a
 * disabled user takes effect at once.
 *
 * <p>Every request authenticates, so a cached answer must not pay metadata-database reads for it
 * (a token and its user were two reads per request, over the network with a Postgres metadata
 * database): who a credential is stays known for {@link #PRINCIPAL_TTL} (never past the token's
 * or session's expiry). A change made through this server (a user disabled or deleted, a role or
 * password changed, a token revoked, a logout) forgets them at once; a change made through
 * another server takes effect here within {@link #PRINCIPAL_TTL}.
 *
 * <p>Every check goes through the {@link LoginThrottle} first: a user or client address that
 * failed too often gets a {@link LoginRefusedException} before its credentials are looked at,
 * whatever they are. One exception keeps the last admin able to get in: an admin whose
 * <em>user</em> is locked out still gets in with the right password from a loopback address
 * (the server's own host), unless that address is itself locked out.
 */
@Singleton
public final class AuthService {
  public static final String TOKEN_PREFIX = "strata_pat_";
  public static final String SESSION_PREFIX = "strata_ses_";
  public static final String SESSION_COOKIE = "strata_session";

  private final UserStore users;
  private final TokenStore tokens;
  private final SessionStore sessions;
  private final Clock clock;
  private final Duration sessionTtl;
  private final LoginThrottle throttle;
  private final io.strata.server.metadata.ScramVerifierStore scram;
  private final Cache<String, Boolean> verified = Caffeine.newBuilder()
      .maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(1)).build();

  /** How long who a credential is stays known without asking the metadata database. */
  public static final Duration PRINCIPAL_TTL = Duration.ofSeconds(5);

  /** Who a credential is, by a SHA-256 of it, and until when that may be believed. */
  private record Known(Principal principal, Instant until) {}

  private final Cache<String, Known> known = Caffeine.newBuilder().maximumSize(10_000).build();

  /** A new UI session: the id is given to the client once and stored only as a hash. */
  public record Login(Principal principal, String sessionId, Instant expiresAt) {}

  /** A new API token, shown once. */
  public record IssuedToken(ApiToken token, String secret) {}

  public AuthService(UserStore users, TokenStore tokens, SessionStore sessions,
      StrataConfig config, Clock clock, LoginThrottle throttle,
      io.strata.server.metadata.ScramVerifierStore scram) {
    this.users = users;
    this.scram = scram;
    this.tokens = tokens;
    this.sessions = sessions;
    this.clock = clock;
    this.sessionTtl = config.sessionTtl();
    this.throttle = throttle;
  }

  public LoginThrottle throttle() {
    return throttle;
  }

  /**
   * Authenticates an {@code Authorization} header and/or a session cookie; empty when neither
   * proves anything.
   *
   * @throws LoginRefusedException when {@code client} or the user named must wait
   */
  public Optional<Principal> authenticate(String authorization, String sessionCookie,
      Client client) {
    if (authorization != null && !authorization.isBlank()) {
      String h = authorization.trim();
      int space = h.indexOf(' ');
      String scheme = space < 0 ? h : h.substring(0, space);
      String value = space < 0 ? "" : h.substring(space + 1).trim();
      if (scheme.equalsIgnoreCase("Basic")) {
        String decoded;
        try {
          decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return malformed(client);
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? malformed(client)
            : password(decoded.substring(0, colon), decoded.substring(colon + 1), client);
      }
      if (scheme.equalsIgnoreCase("Bearer")) {
        return bearer(value, client);
      }
      return malformed(client);
    }
    if (sessionCookie != null && !sessionCookie.isBlank()) {
      // A stale cookie is what every browser sends after its session ended: not a guess, so
      // not counted; but a locked-out address is locked out for cookies too.
      refuseIfWaiting(null, client);
      return session(sessionCookie.trim());
    }
    return Optional.empty();
  }

  private Optional<Principal> malformed(Client client) {
    refuseIfWaiting(null, client);
    throttle.failed(null, client);
    return Optional.empty();
  }

  private void refuseIfWaiting(String username, Client client) {
    Optional<LoginThrottle.Refusal> refusal = throttle.refusal(username, client);
    if (refusal.isPresent()) {
      throw refusal.get().exception();
    }
  }

  /**
   * Checks a username and password from {@code client}, throttled.
   *
   * @throws LoginRefusedException when the user or the client must wait
   */
  public Optional<Principal> password(String username, String password, Client client) {
    Optional<LoginThrottle.Refusal> refusal = throttle.refusal(username, client);
    if (refusal.isPresent()) {
      if (!refusal.get().userOnly() || !client.loopback()) {
        throw refusal.get().exception();
      }
      // The loopback admin rule: otherwise anyone who knows the admin's name could lock every
      // admin out for good by guessing now and then. The lock stays in place (no reset): it is
      // meant for whoever is guessing from elsewhere.
      Optional<Principal> p = checkPassword(username, password);
      if (p.isPresent() && p.get().role() == Role.ADMIN) {
        return p;
      }
      if (p.isEmpty()) {
        throttle.failed(username, client);
      }
      throw refusal.get().exception();
    }
    Optional<Principal> p = checkPassword(username, password);
    if (p.isPresent()) {
      throttle.succeeded(username, client);
    } else {
      throttle.failed(username, client);
    }
    return p;
  }

  private Optional<Principal> checkPassword(String username, String password) {
    String credential = "basic\u0000" + username + '\u0000' + password;
    return remembered(credential, () -> checkPasswordNow(username, password)
        .map(p -> new Known(p, clock.instant().plus(PRINCIPAL_TTL))));
  }

  private Optional<Principal> checkPasswordNow(String username, String password) {
    Optional<User> user = users.find(username);
    String hash = user.map(User::passwordHash).orElse(null);
    String key = Passwords.sha256(username + '\u0000' + password + '\u0000' + hash);
    boolean ok = hash != null && verified.getIfPresent(key) != null;
    if (!ok) {
      ok = Passwords.verify(password, hash);
      if (ok) {
        verified.put(key, Boolean.TRUE);
        if (scram.find(user.get()).isEmpty()) {
          // users from before SCRAM (or whose verifier went stale) get one at their next login
          passwordSet(user.get(), password);
        }
      }
    }
    return ok && !user.get().disabled() ? user.map(u -> principal(u, "basic")) : Optional.empty();
  }

  /**
   * Derives and stores the SCRAM verifier of {@code user}'s password (just set, or just
   * verified), so that Postgres clients can log in with SCRAM-SHA-256.
   */
  public void passwordSet(User user, String password) {
    scram.put(user, ScramVerifier.derive(password).encode());
  }

  /**
   * The first step of a SCRAM login of {@code username}: its verifier, or empty when the user
   * does not exist, is disabled or has none yet (the caller goes on with a made-up one, so that
   * a client cannot tell these apart). Throttled like a password.
   *
   * @throws LoginRefusedException when the user or the client must wait
   */
  public Optional<ScramVerifier> scramVerifier(String username, Client client) {
    Optional<LoginThrottle.Refusal> refusal = throttle.refusal(username, client);
    Optional<User> user = users.find(username).filter(u -> !u.disabled());
    // the loopback admin rule, as for passwords
    if (refusal.isPresent() && (!refusal.get().userOnly() || !client.loopback()
        || user.map(u -> u.role() != Role.ADMIN).orElse(true))) {
      throw refusal.get().exception();
    }
    return user.flatMap(scram::find).map(ScramVerifier::parse);
  }

  /**
   * The last step of a SCRAM login: records its outcome with the throttle and answers who logged
   * in when {@code proofValid}.
   */
  public Optional<Principal> scramLogin(String username, boolean proofValid, Client client) {
    Optional<Principal> p = proofValid
        ? users.find(username).filter(u -> !u.disabled()).map(u -> principal(u, "scram"))
        : Optional.empty();
    if (p.isPresent()) {
      throttle.succeeded(username, client);
    } else {
      throttle.failed(username, client);
    }
    return p;
  }

  /**
   * An API token or a session id from {@code client}, throttled per address.
   *
   * @throws LoginRefusedException when the client must wait
   */
  public Optional<Principal> bearer(String secret, Client client) {
    refuseIfWaiting(null, client);
    Optional<Principal> p = checkBearer(secret);
    if (p.isEmpty()) {
      throttle.failed(null, client);
    }
    return p;
  }

  private Optional<Principal> checkBearer(String secret) {
    if (secret.startsWith(SESSION_PREFIX)) {
      return session(secret);
    }
    if (!secret.startsWith(TOKEN_PREFIX)) {
      return Optional.empty();
    }
    return remembered(secret, () -> checkToken(secret));
  }

  /**
   * The principal remembered for a credential, or {@code check}'s answer (remembered when it is
   * one). Failures are never remembered: the throttle counts each.
   */
  private Optional<Principal> remembered(String credential, Supplier<Optional<Known>> check) {
    String key = Passwords.sha256(credential);
    Known k = known.getIfPresent(key);
    if (k != null && clock.instant().isBefore(k.until())) {
      return Optional.of(k.principal());
    }
    Optional<Known> fresh = check.get();
    fresh.ifPresentOrElse(f -> known.put(key, f), () -> known.invalidate(key));
    return fresh.map(Known::principal);
  }

  /**
   * Forgets every remembered credential: called after a change to users, roles, passwords,
   * tokens or sessions made through this server, so it takes effect at once.
   */
  public void credentialsChanged() {
    credentialsEpoch.incrementAndGet();
    known.invalidateAll();
  }

  /**
   * A number that changes with every {@link #credentialsChanged()}: whoever remembers who a
   * user is (Flight SQL's peers) forgets it when this moves.
   */
  public long credentialsEpoch() {
    return credentialsEpoch.get();
  }

  private final java.util.concurrent.atomic.AtomicLong credentialsEpoch =
      new java.util.concurrent.atomic.AtomicLong();

  private Instant believeUntil(Instant expiresAt) {
    Instant until = clock.instant().plus(PRINCIPAL_TTL);
    return expiresAt != null && expiresAt.isBefore(until) ? expiresAt : until;
  }

  private Optional<Known> checkToken(String secret) {
    Instant now = clock.instant();
    Optional<ApiToken> token = tokens.findByHash(Passwords.sha256(secret), now);
    if (token.isEmpty()) {
      return Optional.empty();
    }
    ApiToken t = token.get();
    if (t.lastUsedAt() == null || t.lastUsedAt().isBefore(now.minusSeconds(60))) {
      tokens.touch(t.id(), now); // at most once a minute: not a write per request
    }
    return users.find(t.userId()).filter(u -> !u.disabled())
        .map(u -> new Known(principal(u, "token"), believeUntil(t.expiresAt())));
  }

  private Optional<Principal> session(String id) {
    if (!id.startsWith(SESSION_PREFIX)) {
      return Optional.empty();
    }
    return remembered(id, () -> sessions.findByHash(Passwords.sha256(id), clock.instant())
        .flatMap(s -> users.find(s.userId()).filter(u -> !u.disabled())
            .map(u -> new Known(principal(u, "session"), believeUntil(s.expiresAt())))));
  }

  /** Logs in with a password (throttled like {@link #password}) and starts a session. */
  public Optional<Login> login(String username, String password, Client client) {
    return password(username, password, client).map(p -> {
      String id = Passwords.secret(SESSION_PREFIX);
      Instant expires = clock.instant().plus(sessionTtl);
      Session s = sessions.create(p.userId(), Passwords.sha256(id), expires);
      return new Login(new Principal(p.userId(), p.username(), p.role(), "session"), id,
          s.expiresAt());
    });
  }

  public void logout(String sessionId) {
    if (sessionId != null && sessionId.startsWith(SESSION_PREFIX)) {
      sessions.delete(Passwords.sha256(sessionId));
      known.invalidate(Passwords.sha256(sessionId));
    }
  }

  /** Creates an API token for a user; {@code ttl} null means it does not expire. */
  public IssuedToken issueToken(long userId, String name, Duration ttl) {
    String secret = Passwords.secret(TOKEN_PREFIX);
    Instant expires = ttl == null ? null : clock.instant().plus(ttl);
    ApiToken t = tokens.create(userId, name, secret.substring(0, TOKEN_PREFIX.length() + 6),
        Passwords.sha256(secret), expires);
    return new IssuedToken(t, secret);
  }

  public int purgeExpiredSessions() {
    return sessions.deleteExpired(clock.instant());
  }

  private static Principal principal(User u, String via) {
    return new Principal(u.id(), u.username(), u.role(), via);
  }
}
