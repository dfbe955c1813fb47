package io.strata.server.api;

import java.util.Map;

/** The REST API with the embedded default: metadata in H2 in the data directory. */
class H2RestApiTest extends RestApiContract {
  @Override
  Map<String, Object> metadataSettings() {
    return Map.of();
  }
}
