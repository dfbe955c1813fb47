package io.strata.server.flight;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.strata.server.auth.AuthService;
import io.strata.server.auth.Principal;
import io.strata.server.metadata.User;
import io.strata.server.metadata.UserStore;
import io.strata.server.security.AccessPolicy;
import io.strata.server.security.SecurityContext;
import java.util.Optional;

/**
 * Who a Flight SQL peer is as the query path sees them (their role, grants and row-level
 * security), by the username the authenticator gave the call. Each Flight call names only its
 * peer, and asking the metadata database for the user on every call (twice per GetFlightInfo)
 * cost a hit more than its cache lookup; so the user is remembered as {@link AuthService}
 * remembers a credential's principal: for {@link AuthService#PRINCIPAL_TTL}, and forgotten at
 * once when users, roles or passwords change through this server
 * ({@link AuthService#credentialsEpoch()}). The user's attributes come from the access policy
 * on every call, so a changed attribute or rule applies to the next call.
 */
final class FlightUsers {
  /** A user found enabled, under the credentials epoch it was found in. */
  private record Known(Principal principal, long epoch) {}

  private final UserStore users;
  private final AuthService auth;
  private final Cache<String, Known> known = Caffeine.newBuilder()
      .expireAfterWrite(AuthService.PRINCIPAL_TTL)
      .maximumSize(10_000)
      .build();

  FlightUsers(UserStore users, AuthService auth) {
    this.users = users;
    this.auth = auth;
  }

  /** The user's security context, or empty when there is no such enabled user. */
  Optional<SecurityContext> context(String username, AccessPolicy access) {
    long epoch = auth.credentialsEpoch();
    Known k = known.getIfPresent(username);
    if (k == null || k.epoch() != epoch) {
      Optional<User> u = users.find(username).filter(x -> !x.disabled());
      if (u.isEmpty()) {
        known.invalidate(username);
        return Optional.empty();
      }
      k = new Known(new Principal(u.get().id(), u.get().username(), u.get().role(), "flight"),
          epoch);
      known.put(username, k);
    }
    return Optional.of(access.context(k.principal()));
  }
}
