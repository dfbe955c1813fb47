package io.strata.server.cluster;

import io.strata.server.secret.SecretBox;
import io.strata.server.secret.SecretKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Self-contained bearer tokens that every node sharing {@code strata.secret.key} accepts, so a
 * client whose connection moves to another node (its node died, or drained) stays signed in:
 * {@code <prefix><subject>.<expiry>.<nonce>.<signature>}, the signature an HMAC-SHA256 under a
 * key derived from the secret key and a purpose label (tokens for one purpose are worthless for
 * another). Tokens signed under {@code strata.secret.key-previous} stay valid while nodes are
 * rotated. Nothing is stored; a token is valid until its expiry.
 */
public final class SignedTokens {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What a valid token says. */
  public record Claims(String subject, Instant expiresAt) {}

  private final String prefix;
  private final byte[] signing;
  private final List<byte[]> verifying = new ArrayList<>();

  public SignedTokens(SecretBox keys, String purpose, String prefix) {
    this.prefix = prefix;
    byte[] label = purpose.getBytes(StandardCharsets.UTF_8);
    this.signing = hmac(keys.current().bytes(), label);
    verifying.add(signing);
    for (SecretKey k : keys.previous()) {
      verifying.add(hmac(k.bytes(), label));
    }
  }

  /** A token for {@code subject} valid until {@code expiresAt}. */
  public String issue(String subject, Instant expiresAt) {
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(nonce);
    String body = B64.encodeToString(subject.getBytes(StandardCharsets.UTF_8)) + "."
        + expiresAt.getEpochSecond() + "." + B64.encodeToString(nonce);
    return prefix + body + "." + B64.encodeToString(hmac(signing, body.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The claims of {@code token} when one of the keys signed it (expired or not: the caller says
   * "expired" rather than "unknown"); empty when it is not one of these tokens or was altered.
   */
  public Optional<Claims> verify(String token) {
    if (token == null || !token.startsWith(prefix)) {
      return Optional.empty();
    }
    String rest = token.substring(prefix.length());
    int sig = rest.lastIndexOf('.');
    if (sig < 0) {
      return Optional.empty();
    }
    String body = rest.substring(0, sig);
    byte[] given;
    try {
      given = B64D.decode(rest.substring(sig + 1));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    byte[] data = body.getBytes(StandardCharsets.UTF_8);
    boolean valid = false;
    for (byte[] key : verifying) {
      valid |= MessageDigest.isEqual(hmac(key, data), given);
    }
    String[] parts = body.split("\\.", -1);
    if (!valid || parts.length != 3) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Claims(new String(B64D.decode(parts[0]), StandardCharsets.UTF_8),
          Instant.ofEpochSecond(Long.parseLong(parts[1]))));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
