package io.strata.server.datasource;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import io.strata.server.query.TestSupport;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/**
 * One unreachable data source on a real server (a Postgres data source on a closed port): SQL
 * that does not read it makes no connection attempt to it, raw SQL naming it answers 503
 * UNAVAILABLE naming it, the JDBC and Flight SQL catalogs stay answerable, and once the
 * warehouse is reachable on that port it works without a restart.
 */
class DownDataSourceTest {

  @Test
  void aDeadDataSourceIsIsolated() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    DataSourceSpec real = TestSupport.postgresSpec("real");
    Matcher hostPort = Pattern.compile("//([^/:?]+):(\\d+)/").matcher(real.url());
    assertThat(hostPort.find()).isTrue();
    String url = real.url().replace(hostPort.group(0), "//127.0.0.1:" + port + "/");
    try (TestServer server = TestServer.start(Map.of())) {
      Client admin = server.admin();
      Map<String, Object> ds = new java.util.HashMap<>(Map.of("name", "down", "kind", "postgres",
          "url", url, "connectionTimeoutMs", 1000));
      if (real.user() != null) {
        ds.put("username", real.user());
      }
      Response created = admin.post("/api/v1/datasources", ds);
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
      DataSourceRegistry registry = server.context().getBean(DataSourceRegistry.class);
      assertThat(registry.connectAttempts("down")).isZero();

      // statements on the demo: semantic SQL, raw SQL, a join of both, REST, JDBC
      for (String sql : List.of(
          "SELECT status, COUNT(*) FROM orders GROUP BY status",
          "SELECT * FROM semantic.orders LIMIT 3",
          "SELECT count(*) FROM demo.retail.orders",
          "SELECT o.status, count(*) FROM demo.retail.orders o GROUP BY o.status")) {
        Response r = admin.send("POST", "/api/v1/sql", "text/plain", sql);
        assertThat(r.status()).as(sql + ": " + r).isEqualTo(200);
      }
      assertThat(admin.post("/api/v1/query", "{\"measures\":[\"orders.count\"]}").status())
          .isEqualTo(200);
      Properties p = new Properties();
      p.setProperty("avatica_user", "admin");
      p.setProperty("avatica_password", TestServer.ADMIN_PASSWORD);
      try (Connection c = DriverManager.getConnection(server.avaticaUrl("protobuf"), p);
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM semantic.orders")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isPositive();
      }
      assertThat(registry.connectAttempts("down")).as("connections asked of 'down'").isZero();

      // raw SQL naming the dead source: 503 naming it (not "Object 'public' not found")
      Response dead = admin.send("POST", "/api/v1/sql", "text/plain",
          "SELECT * FROM down.public.anything");
      assertThat(dead.status()).as(dead.toString()).isEqualTo(503);
      assertThat(dead.json().path("error").path("code").asText()).isEqualTo("UNAVAILABLE");
      assertThat(dead.json().path("error").path("message").asText()).contains("'down'");
      assertThat(registry.connectAttempts("down")).isPositive();

      // the catalogs stay answerable over JDBC and Flight SQL while it is down
      try (Connection c = DriverManager.getConnection(server.avaticaUrl("protobuf"), p);
          ResultSet rs = c.getMetaData().getTables(null, null, "%", null)) {
        List<String> tables = new ArrayList<>();
        while (rs.next()) {
          tables.add(rs.getString(1) + "." + rs.getString(2) + "." + rs.getString(3));
        }
        assertThat(tables).contains("strata.semantic.orders", "demo.retail.orders")
            .noneMatch(t -> t.startsWith("down."));
      }
      try (RootAllocator memory = new RootAllocator();
          FlightClient client = FlightClient.builder(memory,
              Location.forGrpcInsecure("127.0.0.1", server.flightPort())).build()) {
        CallOption auth = client.authenticateBasicToken("admin", TestServer.ADMIN_PASSWORD)
            .orElseThrow();
        FlightSqlClient flight = new FlightSqlClient(client);
        List<String> tables = new ArrayList<>();
        FlightInfo info = flight.getTables(null, null, "%", null, false, auth);
        for (FlightEndpoint e : info.getEndpoints()) {
          try (FlightStream s = flight.getStream(e.getTicket(), auth)) {
            while (s.next()) {
              VectorSchemaRoot root = s.getRoot();
              for (int r = 0; r < root.getRowCount(); r++) {
                tables.add(root.getVector(0).getObject(r) + "." + root.getVector(1).getObject(r)
                    + "." + root.getVector(2).getObject(r));
              }
            }
          }
        }
        assertThat(tables).contains("strata.semantic.orders", "demo.retail.orders");
      }

      // the warehouse comes up on that port: raw SQL on it works, no restart
      try (DataSourceRegistryTest.Forwarder f = new DataSourceRegistryTest.Forwarder(port,
          hostPort.group(1), Integer.parseInt(hostPort.group(2)))) {
        Response up = admin.send("POST", "/api/v1/sql", "text/plain",
            "SELECT count(*) AS n FROM down.retail.orders");
        assertThat(up.status()).as(up.toString()).isEqualTo(200);
        assertThat(up.json().path("data").get(0).get(0).asLong()).isPositive();
        Response again = admin.send("POST", "/api/v1/sql", "text/plain",
            "SELECT * FROM down.public.anything");
        assertThat(again.status()).as(again.toString()).isEqualTo(400);
        assertThat(again.text()).contains("anything");
      }
    }
  }
}
