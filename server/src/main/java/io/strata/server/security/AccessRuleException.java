package io.strata.server.security;

/**
 * A rule, grant or attribute that cannot be saved as written; {@link #field()} names where the
 * problem is ({@code filters[0].member}, {@code roles[1]}, {@code target}). The REST API
 * answers 400 with it.
 */
public final class AccessRuleException extends RuntimeException {
  private final String field;

  public AccessRuleException(String field, String message) {
    super(message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
