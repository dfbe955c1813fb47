package io.strata.jdbc;

import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.Meta;

import java.sql.SQLException;

/**
 * A statement whose {@link #cancel()} stops the query on the server, too.
 *
 * <p>Avatica's own {@code cancel()} is {@code synchronized} and only sets a client-side flag;
 * since the executing thread holds the statement's monitor for the whole remote call, it cannot
 * even run until the query is over. This one takes no lock: it raises the flag and sends
 * {@code POST {url}/strata/cancel} on its own HTTP client, so it works while another thread is
 * blocked in {@code executeQuery}.
 */
final class StrataStatement extends AvaticaStatement {

  StrataStatement(AvaticaConnection connection, Meta.StatementHandle h, int resultSetType,
      int resultSetConcurrency, int resultSetHoldability) {
    super(connection, h, resultSetType, resultSetConcurrency, resultSetHoldability);
  }

  @Override public void cancel() throws SQLException {
    checkOpen();
    // An open result set stops at its next row; the server stops the running query.
    cancelFlag.set(true);
    ((StrataConnection) connection).cancelOnServer(handle.id);
  }

  @Override protected void executeInternal(String sql) throws SQLException {
    // A cancel belongs to the execution it interrupted: the statement stays usable afterwards
    // (Avatica would otherwise fail every later result set with "Statement canceled").
    cancelFlag.set(false);
    super.executeInternal(sql);
  }

  @Override protected long[] executeBatchInternal() throws SQLException {
    cancelFlag.set(false);
    return super.executeBatchInternal();
  }
}
