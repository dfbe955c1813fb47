package io.strata.server.dashboard;

/**
 * A dashboard or chart definition the server cannot store: {@code location} names the bad field
 * as a JSON path ({@code charts[2].viz.type}), the message says what is wrong with it.
 */
public final class InvalidDashboardException extends RuntimeException {
  private final String location;

  public InvalidDashboardException(String location, String message) {
    super(message);
    this.location = location;
  }

  public String location() {
    return location;
  }
}
