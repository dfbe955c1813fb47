package io.strata.server.avatica;

/** The JDBC contract through the stock Avatica driver with {@code serialization=protobuf}. */
class AvaticaProtobufTest extends AvaticaDriverTest {
  @Override
  String serialization() {
    return "protobuf";
  }
}
