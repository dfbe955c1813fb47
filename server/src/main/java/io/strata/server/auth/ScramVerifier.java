package io.strata.server.auth;

import com.ongres.scram.common.ScramFunctions;
import com.ongres.scram.common.ScramMechanism;
import com.ongres.scram.common.StringPreparation;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * What a server keeps to check SCRAM-SHA-256 logins (RFC 5802, 7677) without the password:
 * salt, iteration count, StoredKey and ServerKey, written as Postgres writes them in
 * {@code pg_authid} ({@code SCRAM-SHA-256$4096:salt$StoredKey:ServerKey}). Derived from the
 * password whenever Strata sees it, since the bcrypt hash it stores cannot give these keys.
 */
public record ScramVerifier(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
  public static final ScramMechanism MECHANISM = ScramMechanism.SCRAM_SHA_256;
  /** Postgres's default: clients take the server's count, so this is only the cost of a login. */
  static final int ITERATIONS = 4096;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A verifier for {@code password} with a fresh random salt. */
  public static ScramVerifier derive(String password) {
    return derive(password, ScramFunctions.salt(16, RANDOM), ITERATIONS);
  }

  /** The verifier for {@code password} with this salt and iteration count. */
  public static ScramVerifier derive(String password, byte[] salt, int iterations) {
    // SASLprep as Postgres applies it: a password that is not valid UTF-8 for SASLprep is used
    // as its raw bytes, which is what pgjdbc and libpq send in that case too
    byte[] salted = ScramFunctions.saltedPassword(MECHANISM,
        StringPreparation.POSTGRESQL_PREPARATION, password.toCharArray(), salt, iterations);
    byte[] clientKey = ScramFunctions.clientKey(MECHANISM, salted);
    return new ScramVerifier(iterations, salt, ScramFunctions.storedKey(MECHANISM, clientKey),
        ScramFunctions.serverKey(MECHANISM, salted));
  }

  /**
   * Parses the stored form.
   *
   * @throws IllegalArgumentException when {@code text} is not one
   */
  public static ScramVerifier parse(String text) {
    String prefix = "SCRAM-SHA-256$";
    if (text == null || !text.startsWith(prefix)) {
      throw new IllegalArgumentException("not a SCRAM-SHA-256 verifier");
    }
    String[] parts = text.substring(prefix.length()).split("[$:]");
    if (parts.length != 4) {
      throw new IllegalArgumentException("a SCRAM-SHA-256 verifier has 4 parts");
    }
    Base64.Decoder b64 = Base64.getDecoder();
    return new ScramVerifier(Integer.parseInt(parts[0]), b64.decode(parts[1]),
        b64.decode(parts[2]), b64.decode(parts[3]));
  }

  /** The stored form. */
  public String encode() {
    Base64.Encoder b64 = Base64.getEncoder();
    return "SCRAM-SHA-256$" + iterations + ":" + b64.encodeToString(salt) + "$"
        + b64.encodeToString(storedKey) + ":" + b64.encodeToString(serverKey);
  }

  /** Never prints the keys. */
  @Override
  public String toString() {
    return "ScramVerifier[iterations=" + iterations + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScramVerifier v && v.iterations == iterations
        && Arrays.equals(v.salt, salt) && Arrays.equals(v.storedKey, storedKey)
        && Arrays.equals(v.serverKey, serverKey);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(storedKey);
  }
}
