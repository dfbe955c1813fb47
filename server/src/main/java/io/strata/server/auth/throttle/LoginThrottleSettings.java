package io.strata.server.auth.throttle;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How {@link LoginThrottle} treats failed logins: per user, {@code freeFailures} cost nothing,
 * each further one doubles a back-off that starts at {@code backoff}, and {@code lockoutFailures}
 * lock the user out for {@code lockout}; per client address the same with the address limits.
 * {@code trustedProxies} are the reverse proxies whose {@code X-Forwarded-For} is believed.
 */
public record LoginThrottleSettings(int freeFailures, int lockoutFailures,
    int addressFreeFailures, int addressLockoutFailures, Duration backoff, Duration lockout,
    List<InetAddress> trustedProxies) {

  /** The defaults of the settings, for tests and tools that build one by hand. */
  public static final LoginThrottleSettings DEFAULTS = new LoginThrottleSettings(5, 20, 20, 100,
      Duration.ofSeconds(1), Duration.ofMinutes(15), List.of());

  private static final Pattern LITERAL = Pattern.compile("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

  public LoginThrottleSettings {
    trustedProxies = List.copyOf(trustedProxies);
  }

  /** {@code strata.auth.throttle.free-failures=0} turns throttling off. */
  public boolean enabled() {
    return freeFailures > 0;
  }

  /** An IP literal (never a host name: nothing is resolved), or empty. */
  public static Optional<InetAddress> parseAddress(String text) {
    String s = text == null ? "" : text.trim();
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    if (s.isEmpty() || !LITERAL.matcher(s).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(s));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }
}
