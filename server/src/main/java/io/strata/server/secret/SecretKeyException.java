package io.strata.server.secret;

/**
 * A stored secret cannot be decrypted with the configured keys: the server was started with
 * the wrong key, or without the previous one during a rotation. The message names the settings
 * that supply keys and the id of the key the value needs, never a secret.
 */
public class SecretKeyException extends RuntimeException {
  public SecretKeyException(String message) {
    super(message);
  }

  public SecretKeyException(String message, Throwable cause) {
    super(message, cause);
  }
}
