package io.strata.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.secret.SecretBox;
import io.strata.server.secret.SecretKey;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tokens any node sharing the secret key accepts, and nothing else. */
class SignedTokensTest {
  private static final SecretKey ONE = SecretKey.generate("test one");
  private static final SecretKey TWO = SecretKey.generate("test two");
  private static final Instant EXPIRES = Instant.parse("2030-01-01T00:00:00Z");

  private static SignedTokens tokens(SecretKey current, SecretKey... previous) {
    return new SignedTokens(new SecretBox(current, List.of(previous), "test"), "purpose v1", "p_");
  }

  @Test
  void anotherNodeWithTheSameKeyReadsTheClaims() {
    String t = tokens(ONE).issue("ana.lyst@example.com", EXPIRES);
    assertThat(t).startsWith("p_");
    assertThat(tokens(ONE).verify(t)).contains(
        new SignedTokens.Claims("ana.lyst@example.com", EXPIRES));
    assertThat(tokens(ONE).issue("x", EXPIRES)).isNotEqualTo(tokens(ONE).issue("x", EXPIRES));
  }

  @Test
  void aTokenSignedUnderThePreviousKeyStaysValidDuringRotation() {
    String t = tokens(ONE).issue("bob", EXPIRES);
    assertThat(tokens(TWO, ONE).verify(t)).isPresent();
    assertThat(tokens(TWO).verify(t)).isEmpty();
  }

  @Test
  void alteredForeignOrMalformedTokensAreRefused() {
    String t = tokens(ONE).issue("bob", EXPIRES);
    String otherUser = "p_" + java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString("admin".getBytes()) + t.substring(t.indexOf('.'));
    assertThat(tokens(ONE).verify(otherUser)).isEmpty();
    String later = t.replace("." + EXPIRES.getEpochSecond() + ".", "."
        + (EXPIRES.getEpochSecond() + 1) + ".");
    assertThat(later).isNotEqualTo(t);
    assertThat(tokens(ONE).verify(later)).isEmpty();
    assertThat(tokens(ONE).verify(t.substring(0, t.length() - 2))).isEmpty();
    assertThat(new SignedTokens(new SecretBox(ONE, List.of(), "test"), "another purpose", "p_")
        .verify(t)).isEmpty();
    for (String bad : new String[] {null, "", "p_", "p_..", "p_a.b.c.d", "q_" + t.substring(2),
        "p_%%%.1.x.y"}) {
      assertThat(tokens(ONE).verify(bad)).as("%s", bad).isEmpty();
    }
  }
}
