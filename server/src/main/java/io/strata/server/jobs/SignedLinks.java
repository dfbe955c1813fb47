package io.strata.server.jobs;

import io.strata.server.secret.SecretBox;
import io.strata.server.secret.SecretKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed, expiring links to a job's result or export file, fetched without a session (pasted
 * into a browser, curl or an email): {@code /api/v1/job-files/{id}?expires=&signature=}.
 *
 * <p>The signature is HMAC-SHA256 over the job id, its owner and the expiry, under a key derived
 * from the server's secret key ({@code strata.secret.key}: HMAC of a fixed label), so a link made
 * by one server is valid on every server sharing that key, and nothing else is stored. Links
 * signed under a previous key ({@code strata.secret.key-previous}) stay valid while servers are
 * rotated. The owner is in the signature so that a link stops matching if the id is reused.
 */
public final class SignedLinks {
  private static final byte[] LABEL = "strata job file links v1".getBytes(StandardCharsets.UTF_8);
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final byte[] signing;
  private final List<byte[]> verifying = new ArrayList<>();
  private final Duration ttl;
  private final Clock clock;

  /** Why a link was refused: 403 with a message naming the problem. */
  public static final class RefusedException extends RuntimeException {
    private final String code;

    RefusedException(String code, String message) {
      super(message);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  public SignedLinks(SecretBox keys, Duration ttl, Clock clock) {
    this.signing = derive(keys.current());
    verifying.add(signing);
    for (SecretKey k : keys.previous()) {
      verifying.add(derive(k));
    }
    this.ttl = ttl;
    this.clock = clock;
  }

  private static byte[] derive(SecretKey key) {
    return hmac(key.bytes(), LABEL);
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

  private static byte[] payload(String jobId, String owner, long expires) {
    return payload("job-file", jobId, owner, expires);
  }

  private static byte[] payload(String what, String id, String owner, long expires) {
    return (what + "\n" + id + "\n" + owner + "\n" + expires).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The query string ({@code expires=…&signature=…}) of a link to something else than a job's
   * file (a report's image: {@code what} says which kind of thing, so that a signature for one
   * kind never opens another), valid until {@code until}.
   */
  public String sign(String what, String id, String owner, Instant until) {
    long expires = until.getEpochSecond();
    return "expires=" + expires + "&signature="
        + B64.encodeToString(hmac(signing, payload(what, id, owner, expires)));
  }

  /**
   * Checks a link made by {@link #sign}; {@code again} says where a new link is found.
   *
   * @throws RefusedException LINK_INVALID (missing, malformed or tampered) or LINK_EXPIRED
   */
  public void verify(String what, String id, String owner, String expires, String signature,
      String again) {
    if (expires == null || expires.isBlank() || signature == null || signature.isBlank()) {
      throw new RefusedException("LINK_INVALID", "this link has no "
          + (expires == null || expires.isBlank() ? "expires" : "signature") + " parameter: "
          + again);
    }
    long at;
    byte[] given;
    try {
      at = Long.parseLong(expires.trim());
      given = Base64.getUrlDecoder().decode(signature.trim());
    } catch (IllegalArgumentException e) {
      throw new RefusedException("LINK_INVALID", "this link's signature does not match: "
          + again);
    }
    boolean match = false;
    if (owner != null) {
      for (byte[] key : verifying) {
        match |= MessageDigest.isEqual(hmac(key, payload(what, id, owner, at)), given);
      }
    }
    if (!match) {
      throw new RefusedException("LINK_INVALID", "this link's signature does not match (it was"
          + " changed or cut short, or signed by a server with another strata.secret.key): "
          + again);
    }
    if (clock.instant().getEpochSecond() >= at) {
      throw new RefusedException("LINK_EXPIRED", "this link expired at "
          + Instant.ofEpochSecond(at) + ": " + again);
    }
  }

  /**
   * A link to the job's file valid for {@code strata.exports.link-ttl}, never past
   * {@code fileExpires} (the file is swept then); null when the job has no file.
   */
  public String link(Job job) {
    if (job.state() != JobState.SUCCEEDED || job.resultLocation() == null) {
      return null;
    }
    Instant until = clock.instant().plus(ttl);
    if (job.expiresAt() != null && job.expiresAt().isBefore(until)) {
      until = job.expiresAt();
    }
    long expires = until.getEpochSecond();
    return "/api/v1/job-files/" + job.id() + "?expires=" + expires + "&signature="
        + B64.encodeToString(hmac(signing, payload(job.id(), job.owner(), expires)));
  }

  /**
   * Checks a link's expiry and signature for a job and its owner ({@code owner} null when there
   * is no such job: refused as a bad signature, so ids do not leak).
   *
   * @throws RefusedException LINK_INVALID (missing, malformed or tampered) or LINK_EXPIRED
   */
  public void verify(String jobId, String owner, String expires, String signature) {
    verify("job-file", jobId, owner, expires, signature, "a job's file is fetched without a"
        + " session only through the signed link its job shows; copy the whole link again, or"
        + " get a new one, from the job (GET /api/v1/jobs/" + jobId + ", links.file)");
  }
}
