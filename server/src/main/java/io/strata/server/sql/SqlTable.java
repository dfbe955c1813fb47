package io.strata.server.sql;

import java.util.List;

/**
 * A table as SQL clients browse it. Semantic models and views live in catalog {@code strata},
 * schema {@code semantic}; a data source's tables in catalog = the data source's name, schema =
 * the warehouse schema ({@code demo.retail.orders}).
 *
 * @param type {@code TABLE} or {@code VIEW}
 * @param primaryKey the primary key's column names, empty when there is none
 */
public record SqlTable(String catalog, String schema, String name, String type, String remarks,
    List<SqlColumn> columns, List<String> primaryKey) {
  public SqlTable {
    columns = List.copyOf(columns);
    primaryKey = List.copyOf(primaryKey);
  }
}
