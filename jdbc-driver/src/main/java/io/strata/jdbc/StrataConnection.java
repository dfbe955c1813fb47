package io.strata.jdbc;

import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaFactory;
import org.apache.calcite.avatica.UnregisteredDriver;

import java.sql.SQLException;
import java.util.Properties;

/** A connection to a Strata server; knows how to cancel its statements on the server. */
final class StrataConnection extends AvaticaConnection {

  private volatile ServerCancel serverCancel;

  StrataConnection(UnregisteredDriver driver, AvaticaFactory factory, String url,
      Properties info) {
    super(driver, factory, url, info);
  }

  /**
   * Avatica replaces the server's reason a statement cannot be prepared (which says what is
   * wrong and where) with "while preparing SQL: ..."; this puts the server's message back.
   */
  @Override
  public java.sql.PreparedStatement prepareStatement(String sql, int resultSetType,
      int resultSetConcurrency, int resultSetHoldability) throws SQLException {
    try {
      return super.prepareStatement(sql, resultSetType, resultSetConcurrency,
          resultSetHoldability);
    } catch (SQLException e) {
      if (e instanceof org.apache.calcite.avatica.AvaticaSqlException a) {
        // Avatica keeps the server's error, "Class: message", as the first "stack trace"
        for (String trace : a.getStackTraces()) {
          String first = trace == null ? "" : trace.strip().lines().findFirst().orElse("");
          int colon = first.indexOf(": ");
          String m = colon > 0 && !first.substring(0, colon).contains(" ")
              ? first.substring(colon + 2) : first;
          if (!m.isBlank()) {
            throw new SQLException(m, e.getSQLState(), e.getErrorCode(), e);
          }
        }
      }
      throw e;
    }
  }

  /**
   * Asks the server to stop the statement's running query ({@code POST {url}/strata/cancel}).
   *
   * @return whether the server cancelled something (false: nothing was running)
   */
  boolean cancelOnServer(int statementId) throws SQLException {
    ServerCancel c = serverCancel;
    if (c == null) {
      synchronized (this) {
        c = serverCancel;
        if (c == null) {
          c = ServerCancel.forConfig(config());
          serverCancel = c;
        }
      }
    }
    return c.cancel(id, statementId);
  }
}
