package io.strata.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.strata.server.MovingClock;
import io.strata.server.auth.throttle.Client;
import io.strata.server.auth.throttle.LoginThrottle;
import io.strata.server.auth.throttle.LoginThrottleSettings;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The throttle's arithmetic and the choice of client address, on a clock the test moves. */
class LoginThrottleTest {
  final MovingClock clock = new MovingClock();
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final List<LoginThrottle.Lockout> lockouts = new ArrayList<>();
  final LoginThrottleSettings settings = new LoginThrottleSettings(2, 4, 5, 8,
      Duration.ofSeconds(1), Duration.ofMinutes(10), List.of(ip("10.0.0.1"), ip("10.0.0.2")));
  final LoginThrottle throttle = new LoginThrottle(settings, clock, meters, lockouts::add);

  static InetAddress ip(String text) {
    return LoginThrottleSettings.parseAddress(text).orElseThrow();
  }

  @Test
  void backOffDoublesUpToTheLockoutWhichIsReportedOnce() {
    Client c = new Client("rest", ip("192.0.2.50"));
    throttle.failed("u", c);
    assertThat(throttle.refusal("u", c)).isEmpty();
    throttle.failed("u", c);
    assertThat(throttle.refusal("u", c).orElseThrow().exception().retryAfterSeconds()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(throttle.refusal("u", c)).isEmpty();
    throttle.failed("u", c);
    assertThat(throttle.refusal("U", c).orElseThrow().exception().retryAfterSeconds())
        .as("names are counted without regard to case").isEqualTo(2);
    clock.advance(Duration.ofSeconds(2));
    throttle.failed("u", c);
    var locked = throttle.refusal("u", c).orElseThrow();
    assertThat(locked.exception().retryAfterSeconds()).isEqualTo(600);
    assertThat(locked.userOnly()).isTrue();
    assertThat(locked.exception().getMessage()).contains("for user 'u'").contains("10 minutes");
    assertThat(lockouts).singleElement().satisfies(l -> {
      assertThat(l.kind()).isEqualTo("user");
      assertThat(l.name()).isEqualTo("u");
      assertThat(l.failures()).isEqualTo(4);
    });
    assertThat(meters.counter("strata.auth.lockouts", "kind", "user").count()).isEqualTo(1);
    assertThat(meters.counter("strata.auth.failures", "endpoint", "rest").count()).isEqualTo(4);
    clock.advance(Duration.ofMinutes(10));
    assertThat(throttle.refusal("u", c)).isEmpty();
    throttle.failed("u", c);
    assertThat(throttle.refusal("u", c)).as("failures were forgotten with the lockout").isEmpty();
  }

  @Test
  void aSuccessResetsTheUserButNotTheAddress() {
    Client c = new Client("jdbc", ip("192.0.2.51"));
    for (int i = 0; i < 4; i++) {
      throttle.failed("guess" + i, c);
    }
    throttle.failed("v", c);
    throttle.succeeded("v", c);
    throttle.succeeded("guess0", c);
    var r = throttle.refusal("w", c).orElseThrow();
    assertThat(r.userOnly()).isFalse();
    assertThat(r.exception().getMessage()).contains("from address 192.0.2.51");
    assertThat(throttle.refusal("w", new Client("jdbc", ip("192.0.2.52")))).isEmpty();
  }

  @Test
  void tokensAndUnknownAddressesCountWhereTheyCan() {
    Client nowhere = new Client("flight", null);
    for (int i = 0; i < 10; i++) {
      throttle.failed(null, nowhere); // nothing to count against
    }
    assertThat(throttle.refusal(null, nowhere)).isEmpty();
    assertThat(throttle.refusal("x", nowhere)).isEmpty();
  }

  @Test
  void freeFailuresZeroTurnsThrottlingOff() {
    LoginThrottle off = new LoginThrottle(new LoginThrottleSettings(0, 1, 0, 1,
        Duration.ofSeconds(1), Duration.ofMinutes(1), List.of()), clock, meters, null);
    Client c = new Client("rest", ip("192.0.2.53"));
    for (int i = 0; i < 50; i++) {
      off.failed("u", c);
    }
    assertThat(off.refusal("u", c)).isEmpty();
  }

  @Test
  void forwardedForIsBelievedOnlyFromTrustedProxies() {
    assertThat(Client.of("rest", ip("192.0.2.9"), "203.0.113.1", settings).addressText())
        .as("an untrusted peer's header is ignored").isEqualTo("192.0.2.9");
    assertThat(Client.of("rest", ip("10.0.0.1"), "203.0.113.1", settings).addressText())
        .isEqualTo("203.0.113.1");
    assertThat(Client.of("rest", ip("10.0.0.1"), "198.51.100.1, 203.0.113.1, 10.0.0.2",
        settings).addressText())
        .as("the last hop that is not a trusted proxy; what is left of it may be forged")
        .isEqualTo("203.0.113.1");
    assertThat(Client.of("rest", ip("10.0.0.1"), "not-an-ip", settings).addressText())
        .isEqualTo("10.0.0.1");
    assertThat(Client.of("rest", ip("10.0.0.1"), null, settings).addressText())
        .isEqualTo("10.0.0.1");
    assertThat(LoginThrottleSettings.parseAddress("example.com"))
        .as("host names are never resolved").isEmpty();
    assertThat(LoginThrottleSettings.parseAddress("[::1]").orElseThrow().isLoopbackAddress())
        .isTrue();
  }
}
