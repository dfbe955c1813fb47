package io.strata.jdbc;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.TimeZone;
import org.apache.calcite.avatica.AvaticaClientRuntimeException;
import org.apache.calcite.avatica.AvaticaResultSet;
import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.QueryState;

/**
 * Avatica's result set, whose {@code next()} fails as JDBC says it does, with an
 * SQLException: Avatica lets a failed fetch of the next frame (the query timed out or was
 * cancelled on the server while streaming) escape as an unchecked exception.
 */
final class StrataResultSet extends AvaticaResultSet {
  StrataResultSet(AvaticaStatement statement, QueryState state, Meta.Signature signature,
      ResultSetMetaData metaData, TimeZone timeZone, Meta.Frame firstFrame)
      throws SQLException {
    super(statement, state, signature, metaData, timeZone, firstFrame);
  }

  @Override
  public boolean next() throws SQLException {
    try {
      return super.next();
    } catch (AvaticaClientRuntimeException e) {
      throw new SQLException(e.getMessage(), e.getSqlState(), e.getErrorCode(), e);
    } catch (RuntimeException e) {
      for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
        if (t instanceof SQLException s) {
          throw new SQLException(s.getMessage(), s.getSQLState(), s.getErrorCode(), e);
        }
        if (t instanceof AvaticaClientRuntimeException a) {
          throw new SQLException(a.getMessage(), a.getSqlState(), a.getErrorCode(), e);
        }
      }
      throw new SQLException("Reading the next rows failed: " + e.getMessage(), "HY000", e);
    }
  }
}
