package io.strata.server.api;

import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.util.HashMap;
import java.util.Map;

/** The REST API with the metadata database on the local Postgres (a fresh database per run). */
class PostgresRestApiTest extends RestApiContract {
  @Override
  Map<String, Object> metadataSettings() {
    Warehouse db = Warehouses.postgresDatabase("strata_rest_meta", true);
    Map<String, Object> props = new HashMap<>();
    props.put("strata.metadata.url", db.jdbcUrl());
    props.put("strata.metadata.user", db.user());
    return props;
  }
}
