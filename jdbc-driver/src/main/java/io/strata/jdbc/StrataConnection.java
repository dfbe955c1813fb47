package io.strata.jdbc;

import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaFactory;
import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.MetaImpl;
import org.apache.calcite.avatica.InternalProperty;
import org.apache.calcite.avatica.UnregisteredDriver;
import org.apache.calcite.avatica.util.Casing;

import java.sql.SQLException;
import java.util.Properties;

/** A connection to a Strata server; knows how to cancel its statements on the server. */
final class StrataConnection extends AvaticaConnection {

  private volatile ServerCancel serverCancel;

  StrataConnection(UnregisteredDriver driver, AvaticaFactory factory, String url,
      Properties info) {
    super(driver, factory, url, info);
    // Strata's SQL reads identifiers without case and keeps them as written (the catalog's are
    // lower case); Avatica's defaults (upper case, case-sensitive) would have DatabaseMetaData
    // say storesUpperCaseIdentifiers and tools look up ORDERS.
    properties.put(InternalProperty.UNQUOTED_CASING, Casing.UNCHANGED);
    properties.put(InternalProperty.QUOTED_CASING, Casing.UNCHANGED);
    properties.put(InternalProperty.CASE_SENSITIVE, false);
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
    return server().cancel(id, statementId);
  }

  /**
   * getPrimaryKeys from the server ({@code POST {url}/strata/primary-keys}), as a result set of
   * JDBC's columns on a statement of its own, closed with the result set.
   */
  java.sql.ResultSet primaryKeys(String catalog, String schema, String table)
      throws SQLException {
    java.util.List<Object> rows = new java.util.ArrayList<>(
        server().primaryKeys(catalog, schema, table));
    java.util.List<org.apache.calcite.avatica.ColumnMetaData> columns = java.util.List.of(
        MetaImpl.columnMetaData("TABLE_CAT", 0, String.class, true),
        MetaImpl.columnMetaData("TABLE_SCHEM", 1, String.class, true),
        MetaImpl.columnMetaData("TABLE_NAME", 2, String.class, false),
        MetaImpl.columnMetaData("COLUMN_NAME", 3, String.class, false),
        MetaImpl.columnMetaData("KEY_SEQ", 4, Short.class, false),
        MetaImpl.columnMetaData("PK_NAME", 5, String.class, true));
    AvaticaStatement statement = (AvaticaStatement) createStatement();
    Meta.Signature signature = Meta.Signature.create(columns, "", java.util.List.of(),
        Meta.CursorFactory.ARRAY, Meta.StatementType.SELECT);
    Meta.MetaResultSet result = Meta.MetaResultSet.create(id, statement.handle.id, true,
        signature, Meta.Frame.create(0, true, rows));
    return createResultSet(result, new org.apache.calcite.avatica.QueryState());
  }

  private ServerCancel server() throws SQLException {
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
    return c;
  }
}
