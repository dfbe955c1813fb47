package io.strata.server.auth;

/** The caller is authenticated but their role does not allow the request (HTTP 403). */
public final class ForbiddenException extends RuntimeException {
  public ForbiddenException(String message) {
    super(message);
  }
}
