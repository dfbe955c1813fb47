package io.strata.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;

/**
 * A reachable analytics database for tests: its kind, JDBC URL and credentials.
 * Obtain one from {@link Warehouses}; open connections with {@link #connect()} (caller closes them).
 */
public record Warehouse(Kind kind, String jdbcUrl, String user, String password) {

    /** The database products the test kit can provide. */
    public enum Kind { DUCKDB, POSTGRES, MARIADB }

    public Warehouse {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    }

    /** Opens a new connection; the caller must close it. */
    public Connection connect() throws SQLException {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        return DriverManager.getConnection(jdbcUrl, props);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "Warehouse[" + kind + " " + jdbcUrl + (user == null ? "" : " user=" + user) + "]";
    }
}
