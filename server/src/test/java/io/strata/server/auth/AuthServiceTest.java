package io.strata.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.core.value.MapPropertyResolver;
import io.strata.server.MovingClock;
import io.strata.server.auth.throttle.Client;
import io.strata.server.auth.throttle.LoginThrottle;
import io.strata.server.auth.throttle.LoginThrottleSettings;
import io.strata.server.config.StrataConfig;
import io.strata.server.metadata.MetadataConfig;
import io.strata.server.metadata.MetadataDatabase;
import io.strata.server.metadata.Role;
import io.strata.server.metadata.ScramVerifierStore;
import io.strata.server.metadata.SessionStore;
import io.strata.server.metadata.TokenStore;
import io.strata.server.metadata.User;
import io.strata.server.metadata.UserStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who a credential is stays known for a few seconds, so that a request does not pay metadata
 * reads to authenticate; a change through this server takes effect at once, one through another
 * server (here: straight in the database) within {@link AuthService#PRINCIPAL_TTL}.
 */
class AuthServiceTest {
  final MovingClock clock = new MovingClock();
  final Client client = new Client("rest", LoginThrottleSettings.parseAddress("192.0.2.9").orElseThrow());
  MetadataDatabase db;
  UserStore users;
  AuthService auth;
  User bob;

  @BeforeEach
  void open() throws Exception {
    Path dir = Files.createTempDirectory("strata-auth-test");
    db = MetadataDatabase.open(new MetadataConfig("jdbc:h2:file:" + dir.resolve("meta"), "sa", "", 4));
    users = new UserStore(db);
    auth = new AuthService(users, new TokenStore(db), new SessionStore(db),
        StrataConfig.from(new MapPropertyResolver(Map.of())), clock,
        new LoginThrottle(LoginThrottleSettings.DEFAULTS, clock, null, null),
        new ScramVerifierStore(db));
    bob = users.create("bob", Passwords.hash("bob-password"), Role.EDITOR);
  }

  @AfterEach
  void close() {
    db.close();
  }

  String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
        .getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aRememberedTokenNeedsNoMetadataReadUntilItsTimeIsUp() {
    String secret = auth.issueToken(bob.id(), "t", null).secret();
    assertThat(auth.authenticate("Bearer " + secret, null, client)).hasValueSatisfying(p ->
        assertThat(p.username()).isEqualTo("bob"));
    db.close(); // every read from here on would fail
    assertThat(auth.authenticate("Bearer " + secret, null, client)).isPresent();
    assertThat(auth.authenticate("Bearer " + secret, null, client)).isPresent();
  }

  @Test
  void aChangeMadeElsewhereTakesEffectWithinTheTtlAndOneMadeHereAtOnce() {
    String secret = auth.issueToken(bob.id(), "t", null).secret();
    assertThat(auth.authenticate("Bearer " + secret, null, client)).isPresent();
    assertThat(auth.authenticate(basic("bob", "bob-password"), null, client)).isPresent();
    users.update(bob.id(), null, null, true); // another server disables bob
    assertThat(auth.authenticate("Bearer " + secret, null, client)).isPresent();
    clock.advance(AuthService.PRINCIPAL_TTL);
    assertThat(auth.authenticate("Bearer " + secret, null, client)).isEmpty();
    assertThat(auth.authenticate(basic("bob", "bob-password"), null, client)).isEmpty();

    users.update(bob.id(), null, null, false);
    clock.advance(Duration.ofMinutes(30)); // past the throttle's back-off from the two failures
    assertThat(auth.authenticate("Bearer " + secret, null, client)).isPresent();
    users.update(bob.id(), null, Role.VIEWER, null);
    auth.credentialsChanged(); // what the users API does after a change
    assertThat(auth.authenticate("Bearer " + secret, null, client))
        .hasValueSatisfying(p -> assertThat(p.role()).isEqualTo(Role.VIEWER));
  }

  @Test
  void aTokenIsNeverBelievedPastItsExpiry() {
    String secret = auth.issueToken(bob.id(), "short", Duration.ofSeconds(2)).secret();
    assertThat(auth.authenticate("Bearer " + secret, null, client)).isPresent();
    clock.advance(Duration.ofSeconds(2));
    assertThat(auth.authenticate("Bearer " + secret, null, client)).isEmpty();
  }
}
