package io.strata.server.secret;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts and decrypts data-source secrets for the metadata database: AES-256-GCM from the
 * JDK, a random 96-bit IV per value, and the value's context (which data source and field it
 * belongs to) as associated data, so a ciphertext copied into another row does not decrypt.
 *
 * <p>Stored form: {@code enc:v1:<key id>:<base64 of IV + ciphertext + tag>}. A value without the
 * {@code enc:v1:} prefix is plaintext written by an older version; {@link #needsSealing} says
 * which values the start-up migration and {@code strata secrets rotate-key} re-encrypt.
 *
 * <p>New values are sealed with the {@linkplain #current() current key}; values under any
 * {@linkplain #previous() previous key} still open, so servers can be rotated one at a time.
 * Thread-safe and immutable.
 */
public final class SecretBox {
  static final SecureRandom RANDOM = new SecureRandom();
  private static final String PREFIX = "enc:v1:";
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKey current;
  private final Map<String, SecretKey> keys = new LinkedHashMap<>();
  private final String settings;

  /**
   * @param current encrypts new values
   * @param previous also decrypt (a rotation in progress)
   * @param settings the settings that supply keys, named in errors
   */
  public SecretBox(SecretKey current, List<SecretKey> previous, String settings) {
    this.current = Objects.requireNonNull(current, "current");
    this.settings = settings;
    keys.put(current.id(), current);
    for (SecretKey k : previous) {
      keys.putIfAbsent(k.id(), k);
    }
  }

  public SecretKey current() {
    return current;
  }

  /** The keys that only decrypt. */
  public List<SecretKey> previous() {
    List<SecretKey> out = new ArrayList<>(keys.values());
    out.remove(current);
    return out;
  }

  /** A box with {@code next} as its current key and this one's current key as previous. */
  public SecretBox rotatedTo(SecretKey next) {
    return new SecretBox(next, List.of(current), settings);
  }

  /** Whether {@code stored} is in the encrypted form (under any key). */
  public static boolean isSealed(String stored) {
    return stored != null && stored.startsWith(PREFIX);
  }

  /** Whether {@code stored} is plaintext or under a key other than the current one. */
  public boolean needsSealing(String stored) {
    return stored != null && !stored.startsWith(PREFIX + current.id() + ":");
  }

  /** Encrypts {@code plaintext} (null stays null) under the current key, bound to {@code context}. */
  public String seal(String plaintext, String context) {
    if (plaintext == null) {
      return null;
    }
    byte[] iv = new byte[IV_BYTES];
    RANDOM.nextBytes(iv);
    try {
      Cipher c = cipher(Cipher.ENCRYPT_MODE, current, iv, context);
      byte[] ct = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[iv.length + ct.length];
      System.arraycopy(iv, 0, out, 0, iv.length);
      System.arraycopy(ct, 0, out, iv.length, ct.length);
      return PREFIX + current.id() + ":" + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
    }
  }

  /**
   * Decrypts a stored value (null stays null; plaintext from older versions is returned as is).
   *
   * @throws SecretKeyException naming the key id the value needs and the settings that supply
   *     keys, when no configured key opens it
   */
  public String open(String stored, String context) {
    if (stored == null || !stored.startsWith(PREFIX)) {
      return stored;
    }
    String rest = stored.substring(PREFIX.length());
    int colon = rest.indexOf(':');
    if (colon < 0) {
      throw new SecretKeyException("the " + context + " stored in the metadata database is"
          + " damaged (no key id)");
    }
    String id = rest.substring(0, colon);
    SecretKey key = keys.get(id);
    if (key == null) {
      throw new SecretKeyException("the " + context + " stored in the metadata database was"
          + " encrypted with key " + id + ", but the configured keys are " + keys.keySet()
          + ": start the server with that key as " + settings);
    }
    try {
      byte[] all = Base64.getDecoder().decode(rest.substring(colon + 1));
      if (all.length < IV_BYTES + TAG_BITS / 8) {
        throw new SecretKeyException("the " + context + " stored in the metadata database is"
            + " damaged (too short)");
      }
      byte[] iv = java.util.Arrays.copyOf(all, IV_BYTES);
      Cipher c = cipher(Cipher.DECRYPT_MODE, key, iv, context);
      byte[] pt = c.doFinal(all, IV_BYTES, all.length - IV_BYTES);
      return new String(pt, StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new SecretKeyException("the " + context + " stored in the metadata database does not"
          + " decrypt with key " + id + " (" + key.origin() + "): it was changed or belongs to"
          + " another row", e);
    } catch (IllegalArgumentException e) {
      throw new SecretKeyException("the " + context + " stored in the metadata database is"
          + " damaged (not base64)", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
    }
  }

  private static Cipher cipher(int mode, SecretKey key, byte[] iv, String context)
      throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(mode, new SecretKeySpec(key.bytes(), "AES"), new GCMParameterSpec(TAG_BITS, iv));
    c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
    return c;
  }

  @Override
  public String toString() {
    return "SecretBox[current " + current.id() + ", keys " + keys.keySet() + "]";
  }
}
