package io.strata.server.avatica;

/** The JDBC contract through the stock Avatica driver with {@code serialization=json}. */
class AvaticaJsonTest extends AvaticaDriverTest {
  @Override
  String serialization() {
    return "json";
  }
}
