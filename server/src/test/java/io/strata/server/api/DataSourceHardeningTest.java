package io.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 14 on a real server over HTTP: SQL on a DuckDB data source cannot read the server's
 * files, data sources are validated when saved, and a dead data source does not slow or break
 * what does not read it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataSourceHardeningTest {
  TestServer server;
  Client admin;
  Path secret;

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start(Map.of());
    admin = server.admin();
    secret = server.dataDir().resolve("server-secret.txt");
    Files.writeString(secret, "root:x:0:0:hunter2\n");
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  static String error(Response r) {
    return r.json().path("error").path("code").asText();
  }

  // ------------------------------------------------------------------ DuckDB file access

  @Test
  void modelSqlCannotReadTheServersFiles() throws Exception {
    String[] reads = {
        "SELECT content FROM read_text('" + secret + "')",
        "SELECT CAST(content AS VARCHAR) AS content FROM read_blob('" + secret + "')",
        "SELECT column0 AS content FROM read_csv('" + secret + "', header = false)",
        "SELECT file AS content FROM glob('" + secret.getParent() + "/*')",
        "SELECT * FROM read_json('" + secret + "') AS t(content)"};
    for (int i = 0; i < reads.length; i++) {
      String name = "leak" + i;
      String yaml = "name: " + name + "\ndata_source: demo\nsql: \"" + reads[i] + "\"\n"
          + "dimensions:\n  - { name: content, type: string }\n"
          + "measures:\n  - { name: count, agg: count }\n";
      Response saved = admin.send("PUT", "/api/v1/models/" + name, "application/yaml", yaml);
      // saving succeeds (the SQL is not run at save); reading is refused
      assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
      Response q = admin.post("/api/v1/query", "{\"dimensions\":[\"" + name + ".content\"]}");
      assertThat(q.status()).as(reads[i] + ": " + q).isEqualTo(400);
      assertThat(error(q)).as(q.toString()).isEqualTo("EXTERNAL_ACCESS_DENIED");
      assertThat(q.text()).doesNotContain("hunter2").contains("allow_external_access");
      Response sql = admin.send("POST", "/api/v1/sql", "text/plain",
          "SELECT content FROM semantic." + name);
      assertThat(sql.status()).as(reads[i] + ": " + sql).isEqualTo(400);
      assertThat(error(sql)).as(sql.toString()).isEqualTo("EXTERNAL_ACCESS_DENIED");
      assertThat(sql.text()).doesNotContain("hunter2");
      if (i == 0) {
        refusedOverJdbcAndFlight("SELECT content FROM semantic." + name);
      }
      assertThat(admin.delete("/api/v1/models/" + name).status()).isEqualTo(200);
    }
    // a replacement scan ('FROM <path>') is not even a valid model query
    Response scan = admin.send("PUT", "/api/v1/models/leak", "application/yaml",
        "name: leak\ndata_source: demo\nsql: \"SELECT column0 AS content FROM '" + secret
            + "'\"\ndimensions:\n  - { name: content, type: string }\n");
    assertThat(scan.status()).as(scan.toString()).isEqualTo(422);
    assertThat(scan.text()).doesNotContain("hunter2");
    // raw SQL reaches only the warehouse's tables: no file, no table function
    for (String raw : new String[] {
        "SELECT * FROM demo.\"" + secret + "\"",
        "SELECT * FROM TABLE(demo.main.read_text('" + secret + "'))",
        "SELECT * FROM TABLE(read_text('" + secret + "'))"}) {
      Response r = admin.send("POST", "/api/v1/sql", "text/plain", raw);
      assertThat(r.status()).as(raw + ": " + r).isBetween(400, 499);
      assertThat(r.text()).doesNotContain("hunter2");
    }
    // and the demo still answers
    assertThat(admin.post("/api/v1/query", "{\"measures\":[\"orders.count\"]}").status())
        .isEqualTo(200);
  }

  /** The same refusal through the stock Avatica driver and Arrow's FlightSqlClient. */
  private void refusedOverJdbcAndFlight(String sql) throws Exception {
    java.util.Properties p = new java.util.Properties();
    p.setProperty("avatica_user", "admin");
    p.setProperty("avatica_password", TestServer.ADMIN_PASSWORD);
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(
            server.avaticaUrl("protobuf"), p);
        java.sql.Statement st = c.createStatement()) {
      java.sql.SQLException e = org.assertj.core.api.Assertions.catchThrowableOfType(
          java.sql.SQLException.class, () -> st.executeQuery(sql).next());
      assertThat((Throwable) e).as("JDBC").isNotNull();
      assertThat(e.getSQLState()).isEqualTo("42501");
      assertThat(e.getMessage()).contains("allow_external_access").doesNotContain("hunter2");
    }
    try (org.apache.arrow.memory.RootAllocator memory = new org.apache.arrow.memory.RootAllocator();
        org.apache.arrow.flight.FlightClient client = org.apache.arrow.flight.FlightClient.builder(
            memory, org.apache.arrow.flight.Location.forGrpcInsecure("127.0.0.1",
                server.flightPort())).build()) {
      org.apache.arrow.flight.CallOption auth = client.authenticateBasicToken("admin",
          TestServer.ADMIN_PASSWORD).orElseThrow();
      org.apache.arrow.flight.sql.FlightSqlClient flight =
          new org.apache.arrow.flight.sql.FlightSqlClient(client);
      org.apache.arrow.flight.FlightRuntimeException e = org.assertj.core.api.Assertions
          .catchThrowableOfType(org.apache.arrow.flight.FlightRuntimeException.class, () -> {
            org.apache.arrow.flight.FlightInfo info = flight.execute(sql, auth);
            try (org.apache.arrow.flight.FlightStream stream =
                flight.getStream(info.getEndpoints().get(0).getTicket(), auth)) {
              while (stream.next()) {
                // drain
              }
            }
          });
      assertThat((Throwable) e).as("Flight").isNotNull();
      assertThat(e.status().code()).isEqualTo(org.apache.arrow.flight.FlightStatusCode.INVALID_ARGUMENT);
      assertThat(e.getMessage()).contains("allow_external_access").doesNotContain("hunter2");
    }
  }

  // ------------------------------------------------------------------ validation at save

  private void assertRefused(String body, String field, String... words) {
    int before = admin.get("/api/v1/datasources").json().size();
    for (String method : new String[] {"POST", "PUT"}) {
      String path = method.equals("POST") ? "/api/v1/datasources" : "/api/v1/datasources/demo";
      String sent = method.equals("POST") ? body : body.replace("\"name\": \"fresh\", ", "");
      Response r = admin.send(method, path, "application/json", sent);
      assertThat(r.status()).as(method + " " + body + ": " + r).isEqualTo(400);
      assertThat(error(r)).as(r.toString()).isEqualTo("INVALID_DATA_SOURCE");
      assertThat(r.json().path("error").path("location").asText()).as(r.toString()).isEqualTo(field);
      assertThat(r.json().path("error").path("message").asText()).as(r.toString()).contains(words);
    }
    // nothing stored or changed, and the server answers
    assertThat(admin.get("/api/v1/datasources").json().size()).isEqualTo(before);
    assertThat(admin.get("/api/v1/datasources/fresh").status()).isEqualTo(404);
    assertThat(admin.get("/api/v1/datasources/demo").json().path("poolSize").asInt()).isEqualTo(4);
  }

  @Test
  void badDataSourcesAreRefusedNamingTheField() {
    String pg = "\"kind\": \"postgres\", \"url\": \"jdbc:postgresql://127.0.0.1:1/x\"";
    String duck = "\"kind\": \"duckdb\", \"url\": \"jdbc:duckdb:\"";
    assertRefused("{\"name\": \"fresh\", " + duck + ", \"poolSize\": -1}", "poolSize", "-1");
    assertRefused("{\"name\": \"fresh\", " + duck + ", \"poolSize\": 0}", "poolSize", "got 0");
    assertRefused("{\"name\": \"fresh\", " + duck + ", \"poolSize\": 201}", "poolSize", "200");
    assertRefused("{\"name\": \"fresh\", " + duck + ", \"poolSize\": \"ten\"}", "poolSize",
        "whole number", "a string");
    assertRefused("{\"name\": \"fresh\", " + duck + ", \"poolSize\": 2.5}", "poolSize",
        "whole number");
    assertRefused("{\"name\": \"fresh\", " + duck + ", \"connectionTimeoutMs\": 0}",
        "connectionTimeoutMs", "got 0");
    assertRefused("{\"name\": \"fresh\", " + duck + ", \"connectionTimeoutMs\": -5}",
        "connectionTimeoutMs", "-5");
    assertRefused("{\"name\": \"fresh\", " + duck + ", \"connectionTimeoutMs\": true}",
        "connectionTimeoutMs", "a boolean");
    assertRefused("{\"name\": \"fresh\", \"kind\": \"oracle\", \"url\": \"jdbc:oracle:x\"}", "kind",
        "unknown data source kind 'oracle'");
    assertRefused("{\"name\": \"fresh\", \"kind\": \"postgres\", \"url\": "
        + "\"jdbc:mysql://127.0.0.1/x?password=hunter2\"}", "url", "jdbc:postgresql:");
    assertRefused("{\"name\": \"fresh\", " + pg + ", \"pool_size\": 3}", "pool_size",
        "unknown field 'pool_size'");
    assertRefused("{\"name\": \"fresh\", " + pg + ", \"username\": 42}", "username",
        "must be a string");
    assertRefused("{\"name\": \"fresh\", " + pg + ", \"properties\": [\"a\"]}", "properties",
        "an array");
    assertRefused("{\"name\": \"fresh\", " + pg + ", \"properties\": {\"ssl\": true}}",
        "properties.ssl", "must be a string");
    assertRefused("{\"name\": \"fresh\", " + duck
        + ", \"properties\": {\"enable_external_access\": \"true\"}}", "properties",
        "allow_external_access");
    // the password of a refused URL is not echoed back
    Response r = admin.post("/api/v1/datasources", "{\"name\": \"fresh\", \"kind\": \"postgres\","
        + " \"url\": \"jdbc:mysql://127.0.0.1/x?password=hunter2\"}");
    assertThat(r.text()).doesNotContain("hunter2");
    // a name that is not one, and a body that is not JSON
    Response badName = admin.post("/api/v1/datasources", "{\"name\": \"Bad Name\", " + duck + "}");
    assertThat(badName.status()).isEqualTo(400);
    assertThat(badName.json().path("error").path("location").asText()).isEqualTo("name");
    Response notJson = admin.send("POST", "/api/v1/datasources", "application/json", "{\"name\": ");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(error(notJson)).isEqualTo("INVALID_DATA_SOURCE");
    // the connection test of an unsaved data source validates the same way
    Response test = admin.post("/api/v1/datasources/test", "{\"name\": \"fresh\", " + duck
        + ", \"poolSize\": 0}");
    assertThat(test.status()).isEqualTo(400);
    assertThat(test.json().path("error").path("location").asText()).isEqualTo("poolSize");
    // a good one is stored
    Response ok = admin.post("/api/v1/datasources", "{\"name\": \"fresh\", " + duck
        + ", \"poolSize\": 2, \"connectionTimeoutMs\": 1000}");
    assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
    assertThat(admin.delete("/api/v1/datasources/fresh").status()).isEqualTo(204);
  }
}
