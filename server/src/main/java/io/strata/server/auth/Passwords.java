package io.strata.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Password hashing (bcrypt, cost 10) and the random secrets Strata hands out: API tokens and
 * session ids. Secrets are stored only as SHA-256 hashes; unlike passwords they carry 256 bits
 * of entropy, so a fast hash is enough and lets a token be looked up by its hash.
 */
public final class Passwords {
  private static final int COST = 10;
  private static final SecureRandom RANDOM = new SecureRandom();
  /** A valid hash of nothing anyone knows, checked when the user does not exist (same timing). */
  private static final String DUMMY = hash(secret(""));

  private Passwords() {}

  public static String hash(String password) {
    return BCrypt.withDefaults().hashToString(COST, password.toCharArray());
  }

  /** Verifies a password; a null hash (unknown user) costs as much as a wrong password. */
  public static boolean verify(String password, String hash) {
    boolean ok = BCrypt.verifyer()
        .verify(password.getBytes(StandardCharsets.UTF_8), (hash == null ? DUMMY : hash)
            .getBytes(StandardCharsets.UTF_8)).verified;
    return ok && hash != null;
  }

  /** A random secret with a readable prefix, e.g. {@code strata_tk_Qm9...} (43 url-safe chars). */
  public static String secret(String prefix) {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  public static String sha256(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Rules for a new password; null when it is acceptable, else what is wrong. */
  public static String problem(String password) {
    if (password == null || password.length() < 8) {
      return "a password needs at least 8 characters";
    }
    if (password.getBytes(StandardCharsets.UTF_8).length > 72) {
      return "a password may have at most 72 bytes (bcrypt's limit)";
    }
    return null;
  }
}
