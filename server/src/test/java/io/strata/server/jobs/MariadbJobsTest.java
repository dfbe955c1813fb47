package io.strata.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The engine on a MySQL-family metadata database (MariaDB here, database
 * {@value #DATABASE}): an async query runs and answers as the synchronous one does, and a
 * recurring job fires, each through db-scheduler's MariaDB dialect on the V6 tables.
 */
class MariadbJobsTest {
  static final String DATABASE = "strata_jobs_maria_test";

  @Test
  void jobsAndSchedulesRunOnAMariadbMetadataDatabase() throws Exception {
    Warehouse server = Warehouses.mariadb();
    try (Connection c = server.connect(); Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + DATABASE);
      st.execute("CREATE DATABASE " + DATABASE);
    }
    String url = server.jdbcUrl().replaceFirst("^(jdbc:[a-z]+://[^/?]*/)[^?;]*", "$1" + DATABASE);
    try (TestServer s = TestServer.start(Map.of("strata.metadata.url", url,
        "strata.metadata.user", server.user() == null ? "" : server.user(),
        "strata.metadata.password", server.password() == null ? "" : server.password(),
        "strata.workers.poll-interval", "100ms"))) {
      Client admin = s.admin();
      String query = JobsApiTest.COUNT_BY_STATUS;
      Response sync = admin.post("/api/v1/query", query);
      Response async = admin.post("/api/v1/query", "{\"query\":" + query + ",\"async\":true}");
      assertThat(async.status()).as(async.toString()).isEqualTo(202);
      String id = async.json().path("id").asText();
      JsonNode job = JobsApiTest.finished(admin, id);
      assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("succeeded");
      assertThat(admin.get("/api/v1/jobs/" + id + "/result").json().path("data"))
          .isEqualTo(sync.json().path("data"));

      Response schedule = admin.post("/api/v1/jobs", Map.of("kind", "query",
          "query", Map.of("measures", List.of("orders.count")), "cron", "* * * * * *",
          "timeZone", "America/New_York"));
      assertThat(schedule.status()).as(schedule.toString()).isEqualTo(201);
      String sid = schedule.json().path("id").asText();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      JsonNode runs = admin.get("/api/v1/job-schedules/" + sid).json().path("runs");
      while (runs.size() < 2) {
        assertThat(System.nanoTime()).as("the schedule fires: " + runs).isLessThan(deadline);
        Thread.sleep(100);
        runs = admin.get("/api/v1/job-schedules/" + sid).json().path("runs");
      }
      assertThat(admin.delete("/api/v1/job-schedules/" + sid).status()).isEqualTo(204);
    }
  }
}
