package io.strata.server.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Response;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * SQL over a data source's own tables (Calcite pushing it to the warehouse, no semantic model)
 * is bounded, listed and cancellable like every query: strata.query.timeout ends it, it shows
 * in /api/v1/queries/running while it runs, and cancelling it there ends the warehouse's query.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RawSqlBoundsTest {
  /**
   * Trillions of joined rows to count, all of it pushed to DuckDB as one statement (equi-joins
   * and COUNT are what Calcite's JDBC adapter pushes): runs for hours unless cancelled.
   */
  static final String SLOW_RAW = "SELECT COUNT(*) AS n FROM demo.retail.order_items a"
      + " JOIN demo.retail.order_items b ON a.quantity = b.quantity"
      + " JOIN demo.retail.order_items c ON b.quantity = c.quantity"
      + " JOIN demo.retail.order_items d ON c.quantity = d.quantity";

  private TestServer server;

  @BeforeAll
  void start() {
    server = TestServer.start(Map.of("strata.query.timeout", "4s"));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private JsonNode running() {
    return server.admin().get("/api/v1/queries/running").json();
  }

  private JsonNode awaitListed() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      for (JsonNode q : running()) {
        if (q.path("sql").asText().contains("order_items d")) {
          return q;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the raw query was never listed as running: " + running());
  }

  /** Waits until this test's raw query is no longer listed (background work may be). */
  private void awaitNotListed() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (listed()) {
      assertThat(System.nanoTime()).as("still running: " + running()).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private boolean listed() {
    for (JsonNode q : running()) {
      if (q.path("sql").asText().contains("order_items d")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void theTimeoutEndsARawQuery() throws Exception {
    long t0 = System.nanoTime();
    Response r = server.admin().send("POST", "/api/v1/sql", "text/plain", SLOW_RAW);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(r.status()).as(r.toString()).isEqualTo(504);
    assertThat(r.text()).contains("strata.query.timeout");
    // planning a first statement on a busy machine takes seconds; the warehouse would take hours
    assertThat(took).isLessThan(Duration.ofSeconds(60));
    awaitNotListed();
  }

  @Test
  void aRawQueryIsListedAndCancelledThere() throws Exception {
    CompletableFuture<Response> answer = CompletableFuture.supplyAsync(
        () -> server.admin().send("POST", "/api/v1/sql", "text/plain", SLOW_RAW));
    JsonNode listed = awaitListed();
    assertThat(listed.path("user").asText()).isEqualTo("admin");
    assertThat(listed.path("dataSource").asText()).isEqualTo("demo");
    long t0 = System.nanoTime();
    Response cancelled = server.admin().delete("/api/v1/queries/"
        + listed.path("queryId").asText());
    assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(204);
    Response r = answer.get(30, TimeUnit.SECONDS);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
    assertThat(r.text()).containsIgnoringCase("cancel");
    awaitNotListed();
  }

  @Test
  void jdbcCancelReturnsPromptlyAndEndsTheWarehouseQuery() throws Exception {
    Properties p = new Properties();
    p.setProperty("avatica_user", "admin");
    p.setProperty("avatica_password", TestServer.ADMIN_PASSWORD);
    try (Connection c = DriverManager.getConnection(server.avaticaUrl("protobuf"), p);
        Statement st = c.createStatement()) {
      CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
        try (ResultSet rs = st.executeQuery(SLOW_RAW)) {
          rs.next();
        } catch (SQLException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      JsonNode listed = awaitListed();
      // the stock driver cancels client-side only: Strata's side channel, as its driver does
      long t0 = System.nanoTime();
      assertThat(server.admin().delete("/api/v1/queries/" + listed.path("queryId").asText())
          .status()).isEqualTo(204);
      assertThatThrownBy(() -> run.get(30, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(SQLException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
      awaitNotListed();
      // the connection is usable again at once: the warehouse query is not still running
      try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM demo.retail.orders")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isPositive();
      }
    }
  }
}
