package io.strata.server.datasource;

/**
 * The outcome of {@link DataSourceRegistry#test(DataSourceSpec)}: whether a connection could be
 * opened and {@code SELECT 1} answered, how long that took, the database product and version it
 * reported, or the error that prevented it.
 */
public record ConnectionTest(boolean ok, long millis, String product, String version,
    String error) {

  static ConnectionTest success(long millis, String product, String version) {
    return new ConnectionTest(true, millis, product, version, null);
  }

  static ConnectionTest failure(long millis, String error) {
    return new ConnectionTest(false, millis, null, null, error);
  }
}
