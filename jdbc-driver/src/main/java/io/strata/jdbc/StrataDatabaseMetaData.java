package io.strata.jdbc;

import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaDatabaseMetaData;

/** Avatica's database metadata (its constructor is protected). */
final class StrataDatabaseMetaData extends AvaticaDatabaseMetaData {
  StrataDatabaseMetaData(AvaticaConnection connection) {
    super(connection);
  }
}
