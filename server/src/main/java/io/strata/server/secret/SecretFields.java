package io.strata.server.secret;

import java.util.regex.Pattern;

/**
 * Which parts of a data source are secret: the password, every property whose name says
 * password, secret, token, key or credential, and a password inside the JDBC URL
 * ({@code ?password=}, {@code &password=}, {@code ;password=}, {@code user:pass@host}). The
 * metadata store encrypts them, the API masks them, logs never show them.
 */
public final class SecretFields {
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(password|passwd|pwd|secret|token|key|credential).*");
  private static final Pattern SECRET_IN_URL = Pattern.compile(
      "(?i)([?&;:/]\\w*(?:password|passwd|pwd|secret|token|credential|privatekey|private_key"
          + "|pvtkey)\\w*=)[^&;]*");
  private static final Pattern USERINFO_IN_URL = Pattern.compile("(//[^/@:?]*:)[^/@?]*@");
  /** What masked values show instead of the secret. */
  public static final String MASK = "***";

  private SecretFields() {}

  /** Whether a driver property with this name holds a secret. */
  public static boolean isSecretProperty(String name) {
    return name != null && SECRET_NAME.matcher(name).matches();
  }

  /** The URL with every password and secret-looking parameter replaced by {@link #MASK}. */
  public static String maskUrl(String url) {
    if (url == null) {
      return null;
    }
    String out = SECRET_IN_URL.matcher(url).replaceAll("$1" + MASK);
    return USERINFO_IN_URL.matcher(out).replaceAll("$1" + MASK + "@");
  }

  /** Whether the URL carries a password or another secret. */
  public static boolean urlHasSecret(String url) {
    return url != null && !maskUrl(url).equals(url);
  }
}
