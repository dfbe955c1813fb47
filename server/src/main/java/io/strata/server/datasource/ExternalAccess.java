package io.strata.server.datasource;

import java.sql.SQLException;
import java.util.Optional;

/**
 * Recognises DuckDB's refusals under the file-access lockdown (see {@link DataSourceRegistry}):
 * a query that tried to read or write a file, glob, attach, install or load an extension, or
 * change a locked setting. The query paths call {@link #refusal} so such a query is answered as
 * the client's error it is, not as a failing warehouse.
 */
public final class ExternalAccess {
  private ExternalAccess() {}

  /**
   * A client-facing sentence when {@code error} (or one of its causes) is DuckDB refusing
   * external access; empty for any other failure. {@code dataSource} may be null when unknown.
   */
  public static Optional<String> refusal(Throwable error, String dataSource) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (!(t instanceof SQLException) || t.getMessage() == null) {
        continue;
      }
      String m = t.getMessage();
      if (m.contains("disabled by configuration") || m.contains("disabled through configuration")
          || m.contains("the configuration has been locked")) {
        String first = m.strip().lines().findFirst().orElse(m).strip();
        String on = dataSource == null ? "a DuckDB data source" : "data source '" + dataSource + "'";
        return Optional.of("SQL on " + on + " may not access files, URLs or"
            + " extensions, nor change DuckDB settings (" + first + "); an admin can allow it"
            + " with the data source property '" + DataSourceSpec.ALLOW_EXTERNAL_ACCESS
            + ": true'");
      }
    }
    return Optional.empty();
  }
}
