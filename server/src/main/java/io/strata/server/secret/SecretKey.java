package io.strata.server.secret;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * One AES-256 key for data-source secrets, with the id stored next to every value it encrypts
 * (the first 4 bytes of the key's SHA-256, in hex), so a server can tell which key a value needs
 * without trying them all, and say so when it does not have it.
 *
 * @param id 8 hex digits derived from the key
 * @param bytes the 32 key bytes
 * @param origin where the key came from, for messages (a setting or a file, never the key)
 */
public record SecretKey(String id, byte[] bytes, String origin) {
  public static final int LENGTH = 32;

  public SecretKey {
    bytes = bytes.clone();
  }

  /** A key from its 32 bytes. */
  public static SecretKey of(byte[] bytes, String origin) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("a secret key must be " + LENGTH + " bytes, got "
          + bytes.length);
    }
    return new SecretKey(idOf(bytes), bytes, origin);
  }

  /**
   * A key from base64 text (standard or URL-safe, surrounding space ignored).
   *
   * @throws IllegalArgumentException saying what is wrong, never echoing the text
   */
  public static SecretKey parse(String base64, String origin) {
    String t = base64 == null ? "" : base64.strip();
    byte[] b;
    try {
      b = t.contains("-") || t.contains("_") ? Base64.getUrlDecoder().decode(t)
          : Base64.getDecoder().decode(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(origin + " is not base64 (expected the base64 of "
          + LENGTH + " random bytes, e.g. from 'openssl rand -base64 32')");
    }
    if (b.length != LENGTH) {
      throw new IllegalArgumentException(origin + " decodes to " + b.length + " bytes; expected "
          + LENGTH + " (e.g. from 'openssl rand -base64 32')");
    }
    return of(b, origin);
  }

  /** A new random key. */
  public static SecretKey generate(String origin) {
    byte[] b = new byte[LENGTH];
    SecretBox.RANDOM.nextBytes(b);
    return of(b, origin);
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The key as base64, to write to a key file or print once. */
  public String base64() {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static String idOf(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return HexFormat.of().formatHex(Arrays.copyOf(digest, 4));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretKey k && k.id.equals(id) && Arrays.equals(k.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  /** Never shows the key. */
  @Override
  public String toString() {
    return "SecretKey[" + id + " from " + origin + "]";
  }
}
