package io.strata.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.testkit.Warehouse.Kind;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarehousesTest {

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void postgresIsReachableAndUsesTheTestDatabase() throws Exception {
        Warehouse w = Warehouses.postgres();
        assertThat(w.kind()).isEqualTo(Kind.POSTGRES);
        assertThat(Warehouses.postgres()).isSameAs(w);
        try (Connection c = w.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT current_database()")) {
            rs.next();
            if (System.getenv(Warehouses.POSTGRES_URL_ENV) == null) {
                assertThat(rs.getString(1)).isEqualTo(Warehouses.TEST_DATABASE);
            }
        }
    }

    @Test
    void mariadbIsReachable() throws Exception {
        Warehouse w = Warehouses.mariadb();
        assertThat(w.kind()).isEqualTo(Kind.MARIADB);
        assertThat(Warehouses.mariadb()).isSameAs(w);
        try (Connection c = w.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT 1 + 1")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
    }

    @Test
    void inMemoryDuckDbIsSharedAcrossConnectionsButPrivatePerCall() throws Exception {
        Warehouse a = Warehouses.duckdb(null);
        Warehouse b = Warehouses.duckdb(null);
        assertThat(a.jdbcUrl()).isNotEqualTo(b.jdbcUrl());
        try (Connection c = a.connect()) {
            c.createStatement().execute("CREATE TABLE t(x INT)");
        }
        try (Connection c = a.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
        try (Connection c = b.connect()) {
            assertThat(c.getMetaData().getTables(null, null, "t", null).next()).isFalse();
        }
    }

    @Test
    void duckDbFile(@TempDir Path dir) throws Exception {
        Warehouse w = Warehouses.duckdb(dir.resolve("x.duckdb"));
        try (Connection c = w.connect()) {
            c.createStatement().execute("CREATE TABLE t(x INT)");
        }
        assertThat(dir.resolve("x.duckdb")).exists();
    }

    @Test
    void clearMessageWhenNothingIsReachable() throws Exception {
        int port = closedPort();
        long start = System.nanoTime();
        assertThatThrownBy(() -> Warehouses.resolve(Kind.POSTGRES, null, null, null,
                "jdbc:postgresql://127.0.0.1:" + port + "/", () -> false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STRATA_TEST_POSTGRES_URL")
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageContaining("Docker");
        assertThatThrownBy(() -> Warehouses.resolve(Kind.MARIADB, null, null, null,
                "jdbc:mariadb://127.0.0.1:" + port + "/", () -> false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STRATA_TEST_MARIADB_URL")
                .hasMessageContaining("root")
                .hasMessageContaining("Docker");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(10_000);
    }

    @Test
    void explicitUrlThatDoesNotAnswerFailsWithoutFallingBack() throws Exception {
        int port = closedPort();
        assertThatThrownBy(() -> Warehouses.resolve(Kind.POSTGRES,
                "jdbc:postgresql://127.0.0.1:" + port + "/x", "u", "p", Warehouses.LOCAL_POSTGRES_URL, () -> false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("env var STRATA_TEST_POSTGRES_URL")
                .hasMessageContaining("127.0.0.1:" + port);
    }
}
