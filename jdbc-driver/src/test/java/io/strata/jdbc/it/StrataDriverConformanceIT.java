package io.strata.jdbc.it;

import io.strata.server.TestServer;
import io.strata.server.conformance.JdbcConformance;
import io.strata.server.conformance.JdbcTarget;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The stock-client conformance suite through the packaged {@code jdbc:strata:} driver, loaded
 * from its shaded jar in an isolated class loader as a BI tool loads it.
 */
class StrataDriverConformanceIT extends JdbcConformance {
  private ShadedDriver shaded;

  @BeforeAll
  void loadDriver() throws IOException {
    shaded = ShadedDriver.load();
  }

  @AfterAll
  void closeLoader() throws IOException {
    if (shaded != null) {
      shaded.loader.close();
    }
  }

  @Override
  protected List<JdbcTarget> targets() {
    return List.of(new JdbcTarget("jdbc:strata:", s -> shaded.connect(
        "jdbc:strata://localhost:" + s.jdbcPort(), "admin", TestServer.ADMIN_PASSWORD),
        Map.of(JdbcTarget.CONCURRENT_USE, JdbcTarget.Limit.untested("Avatica's HTTP client's"
            + " BasicScheme fails when two threads send on one connection"))));
  }
}
