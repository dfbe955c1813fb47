package io.strata.server.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The V4 tables and {@link SecurityStore} on every metadata vendor (H2, Postgres, MariaDB),
 * each in a database of its own ({@value #DATABASE}) so that other suites' runs on the shared
 * servers do not collide with it.
 */
class SecurityStoreTest {
  static final String DATABASE = "strata_meta_access";

  static MetadataConfig empty(String vendor) throws Exception {
    return switch (vendor) {
      case "h2" -> TestDatabases.h2(Files.createTempDirectory("strata-access"));
      case "postgres" -> {
        Warehouse w = Warehouses.postgres();
        try (Connection c = w.connect(); Statement st = c.createStatement()) {
          st.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
          st.execute("CREATE DATABASE " + DATABASE);
        }
        yield new MetadataConfig(TestDatabases.withDatabase(w.jdbcUrl(), DATABASE), w.user(),
            w.password(), 2);
      }
      case "mariadb" -> {
        Warehouse w = Warehouses.mariadb();
        try (Connection c = w.connect(); Statement st = c.createStatement()) {
          st.execute("DROP DATABASE IF EXISTS " + DATABASE);
          st.execute("CREATE DATABASE " + DATABASE);
        }
        yield new MetadataConfig(TestDatabases.withDatabase(w.jdbcUrl(), DATABASE), w.user(),
            w.password(), 2);
      }
      default -> throw new IllegalArgumentException(vendor);
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  void attributesRulesAndGrantsRoundTripAndBumpTheRevision(String vendor) throws Exception {
    try (MetadataDatabase db = MetadataDatabase.open(empty(vendor))) {
      UserStore users = new UserStore(db);
      SecurityStore store = new SecurityStore(db);
      User ann = users.create("ann", "x", Role.VIEWER);
      long r0 = store.revision();

      String unicode = "Île-de-France ' \" \\ 東京";
      assertThat(store.setAttributes(ann.id(), Map.of("region", unicode, "team", "b")))
          .containsEntry("region", unicode);
      assertThat(store.attributes(ann.id())).containsExactly(Map.entry("region", unicode),
          Map.entry("team", "b"));
      store.setAttributes(ann.id(), Map.of("team", "c"));
      assertThat(store.attributes(ann.id())).containsExactly(Map.entry("team", "c"));
      assertThat(store.allAttributes()).containsEntry(ann.id(), Map.of("team", "c"));
      assertThatThrownBy(() -> store.setAttributes(999_999, Map.of("a", "b")))
          .isInstanceOf(NotFoundException.class).hasMessageContaining("999999");

      String filters = "[{\"member\":\"customers.region\",\"operator\":\"equals\","
          + "\"values\":[\"{user.region}\"]}]";
      StoredRule rule = store.createRule("customers", filters, List.of("viewer"),
          List.of("ann"), "by region");
      assertThat(store.rule(rule.id())).isEqualTo(rule);
      StoredRule changed = store.updateRule(rule.id(), "orders", "[]", List.of(), List.of(),
          null);
      assertThat(changed.model()).isEqualTo("orders");
      assertThat(changed.roles()).isEmpty();
      assertThat(store.rules()).containsExactly(changed);

      StoredGrant grant = store.createGrant("model", "products", List.of("editor"),
          List.of("ann"), null);
      assertThat(store.grants()).containsExactly(grant);
      assertThat(store.updateGrant(grant.id(), "member", "customers.name", List.of(),
          List.of(), "hidden").target()).isEqualTo("customers.name");
      assertThatThrownBy(() -> store.createGrant("table", "x", List.of(), List.of(), null))
          .isInstanceOf(MetadataException.class);

      store.deleteRule(rule.id());
      store.deleteGrant(grant.id());
      assertThat(store.rules()).isEmpty();
      assertThat(store.grants()).isEmpty();
      assertThatThrownBy(() -> store.deleteRule(rule.id()))
          .isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> store.grant(grant.id())).isInstanceOf(NotFoundException.class);
      // every successful write bumped the revision once
      assertThat(store.revision()).isEqualTo(r0 + 8);

      // a deleted user's attributes go with them
      users.delete(ann.id());
      assertThat(store.allAttributes()).doesNotContainKey(ann.id());
    }
  }
}
