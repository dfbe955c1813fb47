package io.strata.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaDatabaseMetaData;

/**
 * Avatica's database metadata (its constructor is protected), with the answers Avatica leaves
 * as {@code todo}: Strata's results are read-only and forward-only, so no change is ever
 * visible or detected. Public because tools call its methods by reflection (sqlline does),
 * which the overriding methods of a package-private class refuse.
 */
public final class StrataDatabaseMetaData extends AvaticaDatabaseMetaData {
  private final AvaticaConnection connection;

  StrataDatabaseMetaData(AvaticaConnection connection) {
    super(connection);
    this.connection = connection;
  }

  /** From the server, which Avatica's own protocol cannot ask (its answer would be empty). */
  @Override
  public ResultSet getPrimaryKeys(String catalog, String schema, String table)
      throws SQLException {
    return ((StrataConnection) connection).primaryKeys(catalog, schema, table);
  }

  @Override
  public boolean supportsResultSetHoldability(int holdability) throws SQLException {
    return holdability == getResultSetHoldability();
  }

  @Override
  public boolean ownUpdatesAreVisible(int type) {
    return false;
  }

  @Override
  public boolean ownDeletesAreVisible(int type) {
    return false;
  }

  @Override
  public boolean ownInsertsAreVisible(int type) {
    return false;
  }

  @Override
  public boolean othersUpdatesAreVisible(int type) {
    return false;
  }

  @Override
  public boolean othersDeletesAreVisible(int type) {
    return false;
  }

  @Override
  public boolean othersInsertsAreVisible(int type) {
    return false;
  }

  @Override
  public boolean updatesAreDetected(int type) {
    return false;
  }

  @Override
  public boolean deletesAreDetected(int type) {
    return false;
  }

  @Override
  public boolean insertsAreDetected(int type) {
    return false;
  }
}
