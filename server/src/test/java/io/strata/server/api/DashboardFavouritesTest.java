package io.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The dashboards list's owner and favourites ({@code PUT|DELETE /api/v1/dashboards/{id}/favourite}):
 * per user, idempotent, gone with the dashboard, and a dashboard that does not exist is a 404
 * naming it. Against the default metadata database and the local Postgres.
 */
class DashboardFavouritesTest {

  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  abstract static class Contract {
    TestServer server;
    Client admin;

    Map<String, Object> metadataSettings() {
      return Map.of();
    }

    @BeforeAll
    void start() {
      server = TestServer.start(metadataSettings());
      admin = server.admin();
    }

    @AfterAll
    void stop() {
      if (server != null) {
        server.close();
      }
    }

    JsonNode entry(Client who, long id) {
      Response list = who.get("/api/v1/dashboards");
      assertThat(list.status()).isEqualTo(200);
      for (JsonNode d : list.json()) {
        if (d.path("id").asLong() == id) {
          return d;
        }
      }
      throw new AssertionError("dashboard " + id + " is not in the list: " + list.json());
    }

    @Test
    void favouritesArePerUserIdempotentAndGoWithTheDashboard() {
      Response created = admin.post("/api/v1/dashboards", "{\"name\": \"Favourites test\"}");
      assertThat(created.status()).isEqualTo(201);
      long id = created.json().path("id").asLong();
      assertThat(admin.post("/api/v1/users",
          "{\"username\": \"fay\", \"password\": \"viewer-pass-1\", \"role\": \"viewer\"}").status())
          .isEqualTo(201);
      Client fay = server.as("fay", "viewer-pass-1");

      JsonNode before = entry(admin, id);
      assertThat(before.path("owner").asText()).isEqualTo("admin");
      assertThat(before.path("favourite").asBoolean(true)).isFalse();

      // a viewer may mark; twice is the same as once
      assertThat(fay.put("/api/v1/dashboards/" + id + "/favourite", "{}").status()).isEqualTo(204);
      assertThat(fay.put("/api/v1/dashboards/" + id + "/favourite", "{}").status()).isEqualTo(204);
      assertThat(entry(fay, id).path("favourite").asBoolean()).isTrue();
      assertThat(entry(fay, id).path("owner").asText()).isEqualTo("admin");
      // another user's list does not show it
      assertThat(entry(admin, id).path("favourite").asBoolean()).isFalse();

      assertThat(fay.delete("/api/v1/dashboards/" + id + "/favourite").status()).isEqualTo(204);
      assertThat(entry(fay, id).path("favourite").asBoolean()).isFalse();
      assertThat(fay.delete("/api/v1/dashboards/" + id + "/favourite").status()).isEqualTo(204);

      // a favourite goes with its dashboard
      assertThat(fay.put("/api/v1/dashboards/" + id + "/favourite", "{}").status()).isEqualTo(204);
      assertThat(admin.delete("/api/v1/dashboards/" + id).status()).isEqualTo(204);
      for (JsonNode d : fay.get("/api/v1/dashboards").json()) {
        assertThat(d.path("id").asLong()).isNotEqualTo(id);
      }
    }

    @Test
    void aDashboardThatDoesNotExistIsNamed() {
      Response r = admin.put("/api/v1/dashboards/987654/favourite", "{}");
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.json().path("error").path("message").asText()).contains("dashboard 987654 does not exist");
      Response bad = admin.put("/api/v1/dashboards/not-a-number/favourite", "{}");
      assertThat(bad.status()).isBetween(400, 404);
      // the server still answers
      assertThat(admin.get("/api/v1/dashboards").status()).isEqualTo(200);
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class DefaultMetadata extends Contract {}

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class PostgresMetadata extends Contract {
    @Override
    Map<String, Object> metadataSettings() {
      Warehouse db = Warehouses.postgresDatabase("strata_favourites_meta", true);
      Map<String, Object> props = new HashMap<>();
      props.put("strata.metadata.url", db.jdbcUrl());
      props.put("strata.metadata.user", db.user());
      return props;
    }
  }
}
