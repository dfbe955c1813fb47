package io.strata.server.jobs;

/**
 * A passing failure of a {@link JobHandler}'s work (a warehouse that went away): the job is
 * retried with back-off while attempts are left, then fails with {@code code}.
 */
public final class RetryableJobException extends RuntimeException {
  private final String code;

  public RetryableJobException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
