package io.strata.server.datasource;

/**
 * A data source cannot serve a request: it is not configured, its driver is missing, the
 * warehouse cannot be reached, or its configuration is invalid. The message is meant for the
 * person who can fix it; {@link #code()} lets endpoints map it to their protocol
 * (unknown and invalid are client errors, missing driver and unavailable are server-side).
 */
public class DataSourceException extends RuntimeException {

  /** Machine-readable kinds of data-source failure. */
  public enum Code {
    /** No data source has the name. */
    UNKNOWN_DATA_SOURCE,
    /** The kind's JDBC driver is not on the classpath. */
    DRIVER_MISSING,
    /** The warehouse could not be reached (closed port, authentication, pool exhausted). */
    UNAVAILABLE,
    /** The data source's configuration is invalid. */
    INVALID_CONFIG
  }

  private final Code code;
  private final String dataSource;

  public DataSourceException(Code code, String dataSource, String message) {
    this(code, dataSource, message, null);
  }

  public DataSourceException(Code code, String dataSource, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.dataSource = dataSource;
  }

  public Code code() {
    return code;
  }

  /** The data source's name as given (may be unknown). */
  public String dataSource() {
    return dataSource;
  }
}
