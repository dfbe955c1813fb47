package io.strata.server.auth.throttle;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slows down password guessing on every endpoint. The one entry point of login throttling:
 * {@link io.strata.server.auth.AuthService} asks {@link #refusal} before it checks credentials
 * and reports the outcome with {@link #failed} or {@link #succeeded}; endpoints never call it.
 *
 * <p>Failures are counted per user name and per client address. After the free failures each
 * further one doubles a back-off (1s, 2s, 4s, ... by default), during which every attempt is
 * refused without its credentials being looked at; at the lockout count the user or address
 * is locked out for the lockout period. A success resets the user's count (not the address's:
 * one good account must not wash an address's guesses at others). A name that is no user is
 * counted like one that is, so refusals tell nothing about which users exist. Failures are
 * forgotten a lockout period after the last one.
 *
 * <p>State lives in this server's memory: with several servers behind a load balancer each
 * counts on its own. Time comes from the injected clock, so tests move it rather than sleep.
 */
public final class LoginThrottle {
  private static final Logger LOG = LoggerFactory.getLogger(LoginThrottle.class);

  /** A user or address just locked out: who, from where, until when. For the audit log. */
  public record Lockout(String kind, String name, Client client, int failures, Instant until) {}

  /** One key's failures; immutable, replaced on each change. */
  private record State(int failures, Instant blockedUntil) {}

  private final LoginThrottleSettings settings;
  private final Clock clock;
  private final Cache<String, State> states;
  private final MeterRegistry meters;
  private final Consumer<Lockout> onLockout;

  public LoginThrottle(LoginThrottleSettings settings, Clock clock, MeterRegistry meters,
      Consumer<Lockout> onLockout) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.meters = meters;
    this.onLockout = onLockout == null ? l -> {} : onLockout;
    this.states = Caffeine.newBuilder()
        .maximumSize(200_000)
        .expireAfterWrite(settings.lockout())
        .ticker(() -> {
          Instant now = clock.instant();
          return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        })
        .build();
    if (meters != null) { // registered up front so that /metrics shows them at zero
      for (String endpoint : new String[] {"rest", "jdbc", "flight", "pgwire"}) {
        Counter.builder("strata.auth.failures")
            .description("Failed authentications (wrong password, unknown or expired token)")
            .tag("endpoint", endpoint).register(meters);
      }
      for (String kind : new String[] {"user", "address"}) {
        Counter.builder("strata.auth.lockouts")
            .description("Users or client addresses locked out after too many failed logins")
            .tag("kind", kind).register(meters);
      }
    }
  }

  public LoginThrottleSettings settings() {
    return settings;
  }

  /**
   * Why an attempt by {@code username} (null for a token) from {@code client} must be refused
   * now, or empty. {@code userOnly} on the answer says the address alone would have let it in
   * (the loopback admin rule, which {@code AuthService} applies).
   */
  public Optional<Refusal> refusal(String username, Client client) {
    if (!settings.enabled()) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    Instant addressUntil = blockedUntil(addressKey(client), now);
    Instant userUntil = blockedUntil(userKey(username), now);
    if (addressUntil == null && userUntil == null) {
      return Optional.empty();
    }
    String who;
    Instant until;
    if (userUntil != null && (addressUntil == null || !userUntil.isBefore(addressUntil))) {
      who = "for user '" + username + "'";
      until = userUntil;
    } else {
      who = "from address " + client.addressText();
      until = addressUntil;
    }
    Duration wait = Duration.between(now, until);
    String message = "too many failed logins " + who + "; try again in " + seconds(wait)
        + " (at " + until + ")";
    return Optional.of(new Refusal(new LoginRefusedException(message, until, wait),
        addressUntil == null));
  }

  /** A refusal, and whether it comes from the user's count alone. */
  public record Refusal(LoginRefusedException exception, boolean userOnly) {}

  /** Counts a failed attempt by {@code username} (null when it was a token) from {@code client}. */
  public void failed(String username, Client client) {
    if (meters != null) {
      meters.counter("strata.auth.failures", "endpoint", client.endpoint()).increment();
    }
    if (!settings.enabled()) {
      return;
    }
    Instant now = clock.instant();
    count(userKey(username), "user", username, client, now, settings.freeFailures(),
        settings.lockoutFailures());
    count(addressKey(client), "address", client.addressText(), client, now,
        settings.addressFreeFailures(), settings.addressLockoutFailures());
  }

  /** A successful login: the user starts again from zero failures. */
  public void succeeded(String username, Client client) {
    String key = userKey(username);
    if (key != null) {
      states.invalidate(key);
    }
  }

  private void count(String key, String kind, String name, Client client, Instant now,
      int free, int lockoutAt) {
    if (key == null || free <= 0) {
      return;
    }
    State s = states.asMap().compute(key, (k, old) -> {
      int failures = (old == null ? 0 : old.failures()) + 1;
      Instant until = null;
      if (failures >= lockoutAt) {
        until = now.plus(settings.lockout());
      } else if (failures >= free) {
        Duration backoff = settings.backoff().multipliedBy(1L << Math.min(30, failures - free));
        until = now.plus(backoff.compareTo(settings.lockout()) > 0 ? settings.lockout() : backoff);
      }
      return new State(failures, until);
    });
    if (s.failures() == lockoutAt) {
      if (meters != null) {
        meters.counter("strata.auth.lockouts", "kind", kind).increment();
      }
      LOG.warn("login lockout: {} '{}' locked out until {} after {} failed logins (last from {}"
          + " over {})", kind, name, s.blockedUntil(), s.failures(), client.addressText(),
          client.endpoint());
      onLockout.accept(new Lockout(kind, name, client, s.failures(), s.blockedUntil()));
    }
  }

  private Instant blockedUntil(String key, Instant now) {
    if (key == null) {
      return null;
    }
    State s = states.getIfPresent(key);
    return s == null || s.blockedUntil() == null || !s.blockedUntil().isAfter(now)
        ? null : s.blockedUntil();
  }

  private static String userKey(String username) {
    return username == null ? null : "user:" + username.toLowerCase(Locale.ROOT);
  }

  private static String addressKey(Client client) {
    return client.address() == null ? null : "address:" + client.addressText();
  }

  private static String seconds(Duration d) {
    long s = Math.max(1, (d.toMillis() + 999) / 1000);
    return s >= 120 ? (s + 59) / 60 + " minutes" : s + (s == 1 ? " second" : " seconds");
  }
}
