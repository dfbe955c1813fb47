package io.strata.benchmarks.e2e;

/**
 * One query of the set, in every form the clients need: the semantic JSON (REST), the SQL over
 * the semantic schema (Avatica JDBC, Flight SQL) and the SQL Strata compiles it to for the
 * warehouse (the direct baseline; filled in from {@code POST /api/v1/query/sql}).
 */
record BenchQuery(String name, String json, String semanticSql, String warehouseSql) {
  BenchQuery withWarehouseSql(String sql) {
    return new BenchQuery(name, json, semanticSql, sql);
  }
}
