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
