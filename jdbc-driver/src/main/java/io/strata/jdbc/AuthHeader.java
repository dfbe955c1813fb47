package io.strata.jdbc;

import org.apache.calcite.avatica.ConnectionConfig;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/** The HTTP {@code Authorization} header value for a connection's Avatica configuration. */
final class AuthHeader {

  private AuthHeader() {
  }

  /** {@code Basic ...} (BASIC), {@code Bearer ...} (BEARER), or null (no credentials). */
  static String of(ConnectionConfig config) {
    String auth = config.authentication() == null
        ? "" : config.authentication().toUpperCase(Locale.ROOT);
    if (auth.equals("BEARER") && config.getBearerToken() != null) {
      return "Bearer " + config.getBearerToken();
    }
    if (auth.equals("BASIC") && config.avaticaUser() != null) {
      String password = config.avaticaPassword() == null ? "" : config.avaticaPassword();
      return "Basic " + Base64.getEncoder().encodeToString(
          (config.avaticaUser() + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
    return null;
  }
}
