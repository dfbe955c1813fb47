package io.strata.testkit;

import io.strata.testkit.Warehouse.Kind;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Real databases for tests, never mocks.
 *
 * <p>Postgres and MariaDB are resolved in this order (the project's standard, see DESIGN.md):
 * <ol>
 *   <li>an explicit env var: {@code STRATA_TEST_POSTGRES_URL} / {@code STRATA_TEST_MARIADB_URL}
 *       (a full JDBC URL, used as given) plus optional {@code ..._USER} and {@code ..._PASSWORD};</li>
 *   <li>the local service: Postgres on 127.0.0.1:5432 as {@code postgres} (trust auth), MariaDB on
 *       127.0.0.1:3306 as {@code root} with an empty password, if it answers within ~2 s;</li>
 *   <li>Testcontainers, only when Docker is available;</li>
 *   <li>otherwise an {@link IllegalStateException} saying how to provide one.</li>
 * </ol>
 * On the local service and in containers, Postgres tests use the dedicated database
 * {@value #TEST_DATABASE} (created when missing) and MariaDB connections default to a database of
 * the same name, so tests never touch other databases. The outcome is cached per JVM.
 */
public final class Warehouses {

    /** The database tests use on a shared server. */
    public static final String TEST_DATABASE = "strata_test";

    public static final String POSTGRES_URL_ENV = "STRATA_TEST_POSTGRES_URL";
    public static final String MARIADB_URL_ENV = "STRATA_TEST_MARIADB_URL";

    static final String LOCAL_POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/";
    static final String LOCAL_MARIADB_URL = "jdbc:mariadb://127.0.0.1:3306/";
    static final String LOCAL_POSTGRES_USER = "postgres";
    static final String LOCAL_MARIADB_USER = "root";

    // generous: a loaded machine (parallel builds) can take seconds to fork a Postgres backend;
    // a service that is absent refuses the connection at once anyway
    private static final int PROBE_TIMEOUT_SECONDS = 15;
    private static final AtomicLong MEMORY_DBS = new AtomicLong();
    /** Keeps in-memory DuckDB databases alive for the JVM's lifetime. */
    private static final List<Connection> MEMORY_KEEPERS = new ArrayList<>();
    /** Containers are referenced here so they live as long as the JVM (Ryuk removes them). */
    private static final List<AutoCloseable> CONTAINERS = new ArrayList<>();

    private static Outcome postgres;
    private static Outcome mariadb;

    private Warehouses() {
    }

    /** A Postgres database ({@value #TEST_DATABASE} unless an env var names another). Cached per JVM. */
    public static synchronized Warehouse postgres() {
        if (postgres == null) {
            postgres = Outcome.of(() -> resolve(Kind.POSTGRES, System.getenv(POSTGRES_URL_ENV),
                    System.getenv(POSTGRES_URL_ENV.replace("_URL", "_USER")),
                    System.getenv(POSTGRES_URL_ENV.replace("_URL", "_PASSWORD")),
                    LOCAL_POSTGRES_URL, Warehouses::dockerAvailable));
        }
        return postgres.get();
    }

    /** A MariaDB (or MySQL) server, connected as a user that may create databases. Cached per JVM. */
    public static synchronized Warehouse mariadb() {
        if (mariadb == null) {
            mariadb = Outcome.of(() -> resolve(Kind.MARIADB, System.getenv(MARIADB_URL_ENV),
                    System.getenv(MARIADB_URL_ENV.replace("_URL", "_USER")),
                    System.getenv(MARIADB_URL_ENV.replace("_URL", "_PASSWORD")),
                    LOCAL_MARIADB_URL, Warehouses::dockerAvailable));
        }
        return mariadb.get();
    }

    /**
     * Another database on the same Postgres server as {@link #postgres()}, created if missing;
     * with {@code empty}, dropped first (with its connections) so the caller starts from nothing.
     * For tests that own a whole database, such as a metadata database under test.
     */
    public static Warehouse postgresDatabase(String name, boolean empty) {
        if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("not a plain database name: " + name);
        }
        Warehouse server = postgres();
        String base = server.jdbcUrl().substring(0, server.jdbcUrl().lastIndexOf('/') + 1);
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            if (empty) {
                st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
            boolean exists;
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
                exists = rs.next();
            }
            if (!exists) {
                st.execute("CREATE DATABASE " + name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not prepare Postgres database " + name + ": "
                    + e.getMessage(), e);
        }
        return new Warehouse(Kind.POSTGRES, base + name, server.user(), server.password());
    }

    /**
     * A DuckDB database in {@code file}, or, when {@code file} is null, a new private in-memory
     * database that lives until the JVM exits and is shared by every {@link Warehouse#connect()}.
     */
    public static Warehouse duckdb(Path file) {
        if (file != null) {
            return new Warehouse(Kind.DUCKDB, "jdbc:duckdb:" + file.toAbsolutePath(), null, null);
        }
        String url = "jdbc:duckdb::memory:strata_test_" + MEMORY_DBS.incrementAndGet();
        try {
            Connection keeper = DriverManager.getConnection(url);
            synchronized (MEMORY_KEEPERS) {
                MEMORY_KEEPERS.add(keeper);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not open an in-memory DuckDB database (" + url + "): "
                    + e.getMessage(), e);
        }
        return new Warehouse(Kind.DUCKDB, url, null, null);
    }

    /**
     * Resolution with every input explicit, so tests can exercise it.
     *
     * @param explicitUrl the env var's value, or null when unset
     * @param localUrl    server-level URL of the local service (no database for MariaDB; any for Postgres)
     */
    static Warehouse resolve(Kind kind, String explicitUrl, String explicitUser, String explicitPassword,
                             String localUrl, BooleanSupplier dockerAvailable) {
        String env = kind == Kind.POSTGRES ? POSTGRES_URL_ENV : MARIADB_URL_ENV;
        if (explicitUrl != null && !explicitUrl.isBlank()) {
            Warehouse w = new Warehouse(kind, explicitUrl.trim(), blankToNull(explicitUser), explicitPassword);
            try (Connection c = probe(w.jdbcUrl(), w.user(), w.password())) {
                return w;
            } catch (SQLException e) {
                throw new IllegalStateException(kind + " test database from env var " + env + " ("
                        + w.jdbcUrl() + ") is not reachable: " + firstLine(e)
                        + ". Fix or unset " + env + ".", e);
            }
        }
        String localUser = kind == Kind.POSTGRES ? LOCAL_POSTGRES_USER : LOCAL_MARIADB_USER;
        String localPassword = kind == Kind.POSTGRES ? null : "";
        String localError;
        try {
            return kind == Kind.POSTGRES
                    ? localPostgres(localUrl, localUser)
                    : localMariadb(localUrl, localUser, localPassword);
        } catch (SQLException e) {
            localError = firstLine(e);
        }
        boolean docker;
        try {
            docker = dockerAvailable.getAsBoolean();
        } catch (RuntimeException | LinkageError e) {
            docker = false;
        }
        if (docker) {
            return kind == Kind.POSTGRES ? startPostgresContainer() : startMariadbContainer();
        }
        throw new IllegalStateException(howToProvide(kind, env, localUrl, localUser, localError));
    }

    private static String howToProvide(Kind kind, String env, String localUrl, String localUser, String localError) {
        String service = kind == Kind.POSTGRES
                ? "a local PostgreSQL with trust auth for user 'postgres' (e.g. `pg_ctlcluster 15 main start`)"
                : "a local MariaDB with user 'root' and an empty password (e.g. `mariadbd` / `service mariadb start`)";
        String example = kind == Kind.POSTGRES
                ? "jdbc:postgresql://host:5432/strata_test?user=me&password=secret"
                : "jdbc:mariadb://host:3306/strata_test?user=root&password=secret";
        return "No " + kind + " database for tests. Tried, in order:\n"
                + "  1. env var " + env + ": not set\n"
                + "  2. local service at " + localUrl + " as '" + localUser + "': " + localError + "\n"
                + "  3. Testcontainers: Docker is not available\n"
                + "Provide one of:\n"
                + "  - export " + env + "=" + example
                + " (optionally " + env.replace("_URL", "_USER") + " and " + env.replace("_URL", "_PASSWORD") + ")\n"
                + "  - run " + service + " reachable at " + localUrl + "\n"
                + "  - install and start Docker so Testcontainers can start a container";
    }

    private static Warehouse localPostgres(String serverUrl, String user) throws SQLException {
        String base = serverUrl.endsWith("/") ? serverUrl : serverUrl.substring(0, serverUrl.lastIndexOf('/') + 1);
        try (Connection c = probe(base + "postgres", user, null)) {
            boolean exists;
            try (var ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, TEST_DATABASE);
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            }
            if (!exists) {
                try (Statement st = c.createStatement()) {
                    st.execute("CREATE DATABASE " + TEST_DATABASE);
                } catch (SQLException e) {
                    if (!"42P04".equals(e.getSQLState())) { // created concurrently by another JVM: fine
                        throw e;
                    }
                }
            }
        }
        return new Warehouse(Kind.POSTGRES, base + TEST_DATABASE, user, null);
    }

    private static Warehouse localMariadb(String serverUrl, String user, String password) throws SQLException {
        String base = serverUrl.endsWith("/") ? serverUrl : serverUrl + "/";
        try (Connection c = probe(base, user, password); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE IF NOT EXISTS " + TEST_DATABASE);
        }
        return new Warehouse(Kind.MARIADB, base + TEST_DATABASE, user, password);
    }

    /** Connects with a short connect/login timeout so an absent service fails fast. */
    private static Connection probe(String url, String user, String password) throws SQLException {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        if (url.startsWith("jdbc:postgresql:")) {
            props.setProperty("connectTimeout", Integer.toString(PROBE_TIMEOUT_SECONDS));
            props.setProperty("loginTimeout", Integer.toString(PROBE_TIMEOUT_SECONDS));
            props.setProperty("socketTimeout", "10");
        } else if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
            props.setProperty("connectTimeout", Integer.toString(PROBE_TIMEOUT_SECONDS * 1000));
            props.setProperty("socketTimeout", "10000");
        }
        return DriverManager.getConnection(url, props);
    }

    private static boolean dockerAvailable() {
        return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
    }

    private static Warehouse startPostgresContainer() {
        var c = new org.testcontainers.containers.PostgreSQLContainer<>("postgres:16-alpine")
                .withDatabaseName(TEST_DATABASE).withUsername("postgres").withPassword("strata");
        c.start();
        synchronized (CONTAINERS) {
            CONTAINERS.add(c);
        }
        return new Warehouse(Kind.POSTGRES, c.getJdbcUrl(), c.getUsername(), c.getPassword());
    }

    private static Warehouse startMariadbContainer() {
        var c = new org.testcontainers.containers.MariaDBContainer<>("mariadb:10.11")
                .withDatabaseName(TEST_DATABASE).withUsername("root").withPassword("strata");
        c.start();
        synchronized (CONTAINERS) {
            CONTAINERS.add(c);
        }
        return new Warehouse(Kind.MARIADB, c.getJdbcUrl(), c.getUsername(), c.getPassword());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** A cached resolution: either the warehouse or the failure (re-thrown on every call). */
    private record Outcome(Warehouse warehouse, RuntimeException failure) {
        static Outcome of(java.util.function.Supplier<Warehouse> s) {
            try {
                return new Outcome(s.get(), null);
            } catch (RuntimeException e) {
                return new Outcome(null, e);
            }
        }

        Warehouse get() {
            if (failure != null) {
                throw new IllegalStateException(failure.getMessage(), failure);
            }
            return warehouse;
        }
    }
}
