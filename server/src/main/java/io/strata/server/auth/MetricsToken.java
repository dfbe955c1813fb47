package io.strata.server.auth;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.env.Environment;
import io.micronaut.core.value.PropertyResolver;
import io.strata.server.config.Setting;
import io.strata.server.config.StrataConfig;
import io.strata.server.metadata.Role;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The metrics-only credential ({@code strata.metrics.token}): a bearer secret that reads
 * {@code GET /metrics} and nothing else, so that Prometheus needs no user of its own. The REST
 * filter ({@link AuthFilter}) checks it before anything else: on {@code /metrics} it stands for
 * {@link #PRINCIPAL}; on any other path it is refused with 403. JDBC, Flight SQL and the
 * Postgres wire never look at it (they authenticate through {@link AuthService} only, which
 * does not know it), so there it is an unknown token like any other. Only a SHA-256 of the
 * secret is kept; it is compared in constant time. Immutable.
 */
@Context // read on start, so that a bad secret stops the start
public final class MetricsToken {
  /** The one path the token reads. */
  public static final String PATH = "/metrics";
  /** The shortest secret accepted: a guessable one would expose the metrics. */
  public static final int MIN_LENGTH = 32;
  /** Who a request carrying the token is, on {@link #PATH}. */
  public static final Principal PRINCIPAL =
      new Principal(0, "metrics-token", Role.VIEWER, "metrics-token");

  private final byte[] digest;

  @Inject
  public MetricsToken(Environment env) {
    this(read(env));
  }

  /** @param secret the token, or null or empty for none */
  public MetricsToken(String secret) {
    this.digest = secret == null || secret.isEmpty() ? null : sha256(secret);
  }

  static String read(PropertyResolver env) {
    Setting s = Setting.METRICS_TOKEN;
    String secret = env.getProperty(s.property(), String.class).orElse(s.defaultValue()).trim();
    if (!secret.isEmpty() && (secret.length() < MIN_LENGTH || secret.chars()
        .anyMatch(c -> c <= ' ' || c > '~'))) {
      // the value itself is never printed: it is a secret
      throw new StrataConfig.InvalidConfigException(List.of(s.property() + " (" + s.envVar()
          + ") must be at least " + MIN_LENGTH + " printable ASCII characters without spaces"
          + " (e.g. openssl rand -hex 32); it has " + secret.length()));
    }
    return secret;
  }

  /** Whether a token is configured. */
  public boolean enabled() {
    return digest != null;
  }

  /** Whether {@code authorization} is {@code Bearer <the metrics token>}. */
  public boolean presented(String authorization) {
    if (digest == null || authorization == null) {
      return false;
    }
    String h = authorization.trim();
    if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(digest, sha256(h.substring(7).trim()));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
