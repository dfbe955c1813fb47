package io.strata.server.metadata;

import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Empty metadata databases for tests: an H2 file in a temp directory, and a database of our own,
 * {@value #DATABASE}, on the test Postgres and MariaDB servers (created when missing, emptied on each call;
 * no other database is touched).
 */
final class TestDatabases {

    static final String DATABASE = "strata_meta_test";
    static final int POOL_SIZE = 4;
    private static final Pattern DB_IN_URL = Pattern.compile("^(jdbc:[a-z]+://[^/?]*/)([^?;]*)(.*)$");

    private TestDatabases() {
    }

    static MetadataConfig h2(Path dir) {
        return new MetadataConfig("jdbc:h2:file:" + dir.resolve("meta").toAbsolutePath(), "sa", "", POOL_SIZE);
    }

    /** {@value #DATABASE} on the test Postgres server, with an empty {@code public} schema. */
    static MetadataConfig emptyPostgres() throws SQLException {
        Warehouse w = Warehouses.postgres();
        try (Connection c = w.connect()) {
            boolean exists;
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, DATABASE);
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            }
            if (!exists) {
                try (Statement st = c.createStatement()) {
                    st.execute("CREATE DATABASE " + DATABASE);
                }
            }
        }
        String url = withDatabase(w.jdbcUrl(), DATABASE);
        try (Connection c = connect(url, w); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS public CASCADE");
            st.execute("CREATE SCHEMA public");
        }
        return new MetadataConfig(url, w.user(), w.password(), POOL_SIZE);
    }

    /** {@value #DATABASE} on the test MariaDB server, dropped and created empty. */
    static MetadataConfig emptyMariadb() throws SQLException {
        Warehouse w = Warehouses.mariadb();
        try (Connection c = w.connect(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + DATABASE);
            st.execute("CREATE DATABASE " + DATABASE);
        }
        return new MetadataConfig(withDatabase(w.jdbcUrl(), DATABASE), w.user(), w.password(), POOL_SIZE);
    }

    /** The same server URL naming another database. */
    static String withDatabase(String url, String database) {
        Matcher m = DB_IN_URL.matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException("cannot find the database name in " + url);
        }
        return m.group(1) + database + m.group(3);
    }

    static Connection connect(String url, Warehouse w) throws SQLException {
        Properties p = new Properties();
        if (w.user() != null) {
            p.setProperty("user", w.user());
        }
        if (w.password() != null) {
            p.setProperty("password", w.password());
        }
        return DriverManager.getConnection(url, p);
    }
}
