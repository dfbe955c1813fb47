package io.strata.server.avatica;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.TestServer;
import io.strata.server.TestServer.Response;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a client that goes away leaves behind is closed after {@code strata.jdbc.idle-timeout}. */
class AvaticaIdleTest {
  @Test
  void idleResultsAndConnectionsAreClosed() throws Exception {
    try (TestServer server = TestServer.start(Map.of("strata.jdbc.idle-timeout", "2s",
        "strata.query.max-rows", "2000000"))) {
      Response saved = server.admin().send("PUT", "/api/v1/models/big", "application/yaml",
          JdbcEndpointContract.BIG_MODEL);
      assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
      Class.forName("org.apache.calcite.avatica.remote.Driver");
      Properties p = new Properties();
      p.setProperty("avatica_user", "admin");
      p.setProperty("avatica_password", TestServer.ADMIN_PASSWORD);
      AvaticaEndpoint endpoint = server.context().getBean(AvaticaEndpoint.class);

      Connection c = DriverManager.getConnection(server.avaticaUrl("protobuf"), p);
      PreparedStatement ps = c.prepareStatement("SELECT n FROM semantic.big");
      ps.setFetchSize(100);
      ResultSet rs = ps.executeQuery();
      for (int i = 0; i < 100; i++) {
        assertThat(rs.next()).isTrue();
      }
      assertThat(server.admin().get("/api/v1/queries/running").json().size()).isEqualTo(1);
      assertThat(endpoint.openConnections()).isEqualTo(1);
      // the client goes quiet: its result, then its connection, are closed
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (server.admin().get("/api/v1/queries/running").json().size() > 0
          || endpoint.openConnections() > 0) {
        assertThat(System.nanoTime()).as("idle result and connection closed")
            .isLessThan(deadline);
        Thread.sleep(100);
      }
      // the next request says why it fails
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.createStatement()
          .executeQuery("SELECT COUNT(*) FROM semantic.orders"))
          .hasMessageContaining("is not open (closed, expired after being idle");
      c.close();

      // with transparent_reconnection the stock driver reopens it under the same id
      p.setProperty("transparent_reconnection", "true");
      try (Connection d = DriverManager.getConnection(server.avaticaUrl("protobuf"), p)) {
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (endpoint.openConnections() > 0) {
          assertThat(System.nanoTime()).isLessThan(deadline);
          Thread.sleep(100);
        }
        try (Statement st = d.createStatement();
            ResultSet again = st.executeQuery("SELECT COUNT(*) FROM semantic.orders")) {
          assertThat(again.next()).isTrue();
        }
      }
    }
  }
}
