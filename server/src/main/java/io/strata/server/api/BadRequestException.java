package io.strata.server.api;

/** A request the API cannot use, with a code and where in the request the problem is. */
public final class BadRequestException extends RuntimeException {
  private final String code;
  private final String location;

  public BadRequestException(String code, String location, String message) {
    super(message);
    this.code = code;
    this.location = location;
  }

  public String code() {
    return code;
  }

  public String location() {
    return location;
  }
}
