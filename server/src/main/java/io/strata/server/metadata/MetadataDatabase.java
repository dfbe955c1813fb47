package io.strata.server.metadata;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The metadata database: a HikariCP pool on H2, Postgres or MySQL/MariaDB whose schema Flyway keeps
 * current ({@code db/migration}, history in {@value #HISTORY_TABLE}). Open it once per server with
 * {@link #open}; the stores take it in their constructors; {@link #close} closes the pool.
 */
public final class MetadataDatabase implements AutoCloseable {

    /** Flyway's history table; prefixed like every other table so a shared schema's own Flyway history is left alone. */
    public static final String HISTORY_TABLE = "strata_schema_history";

    /** How long {@code getConnection} waits for a free pooled connection before failing. */
    static final long CONNECTION_TIMEOUT_MS = 10_000;
    /** How long the driver waits for the server to accept a new connection. */
    static final int CONNECT_TIMEOUT_SECONDS = 5;
    private static final int MAX_ATTEMPTS = 8;
    private static final Pattern SECRET_PARAM =
            Pattern.compile("(?i)((?:password|pwd|passwd)=)[^&;]*");

    private final HikariDataSource dataSource;
    private final MetadataVendor vendor;
    private final String redactedUrl;

    private MetadataDatabase(HikariDataSource dataSource, MetadataVendor vendor, String redactedUrl) {
        this.dataSource = dataSource;
        this.vendor = vendor;
        this.redactedUrl = redactedUrl;
    }

    /**
     * Opens the pool and migrates the schema to the latest version.
     *
     * <p>Fails fast: one connection attempt (driver connect timeout {@value #CONNECT_TIMEOUT_SECONDS} s;
     * Hikari adds a 1 s pause before giving up), no retrying. Flyway migrates over two connections of its
     * own, so any pool size works; concurrent opens by several servers are serialized by Flyway's lock. For H2 file URLs the database file's parent directories are created; H2 in-memory
     * URLs get {@code DB_CLOSE_DELAY=-1} unless they set it, so the database outlives idle connections.
     *
     * @throws IllegalArgumentException for an unsupported URL or a pool size below 1
     * @throws MetadataException        naming the (password-redacted) URL when the database is unreachable
     *                                  or the migration fails
     */
    public static MetadataDatabase open(MetadataConfig config) {
        Objects.requireNonNull(config, "config");
        MetadataVendor vendor = MetadataVendor.fromJdbcUrl(config.url());
        if (config.poolSize() < 1) {
            throw new IllegalArgumentException("metadata database pool size must be at least 1, got " + config.poolSize());
        }
        String url = effectiveUrl(vendor, config.url().trim());
        String shown = redact(config.url().trim());
        if (vendor == MetadataVendor.H2) {
            createH2Directories(url, shown);
        }

        HikariConfig hc = new HikariConfig();
        hc.setPoolName("strata-metadata");
        hc.setJdbcUrl(url);
        if (config.user() != null) {
            hc.setUsername(config.user());
        }
        if (config.password() != null) {
            hc.setPassword(config.password());
        }
        hc.setMaximumPoolSize(config.poolSize());
        hc.setMinimumIdle(Math.min(2, config.poolSize()));
        hc.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        hc.setInitializationFailTimeout(1); // one attempt, then fail: unreachable means a clear startup error
        hc.setAutoCommit(true);
        switch (vendor) {
            case POSTGRES -> {
                hc.addDataSourceProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
                hc.addDataSourceProperty("loginTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
            }
            case MYSQL -> hc.addDataSourceProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS * 1000));
            case H2 -> { }
        }

        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new MetadataException("cannot connect to the metadata database at " + shown + ": " + rootMessage(e), e);
        }
        try {
            // Flyway holds two connections at once (history table lock + migration), so it gets its own
            // short-lived ones rather than the pool, which may be smaller. The pool already proved the URL works.
            Flyway.configure(MetadataDatabase.class.getClassLoader())
                    .dataSource(url, config.user(), config.password())
                    .locations("classpath:db/migration")
                    .table(HISTORY_TABLE)
                    .placeholders(vendor.placeholders())
                    // A schema that already holds other applications' tables is fine: ours are all strata_*.
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .cleanDisabled(true)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw new MetadataException("migrating the metadata database at " + shown + " failed: " + rootMessage(e), e);
        }
        return new MetadataDatabase(ds, vendor, shown);
    }

    /** The pooled data source; connections are in auto-commit mode. */
    public DataSource dataSource() {
        return dataSource;
    }

    public MetadataVendor vendor() {
        return vendor;
    }

    /** Closes the pool. */
    @Override
    public void close() {
        dataSource.close();
    }

    @Override
    public String toString() {
        return "MetadataDatabase[" + vendor + " " + redactedUrl + "]";
    }

    // ---------------------------------------------------------------- used by the stores

    /** Work done on one connection. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** Turns an SQLException into a specific MetadataException, or returns null to get the generic one. */
    @FunctionalInterface
    interface ErrorMapper {
        MetadataException map(SQLException e);

        ErrorMapper NONE = e -> null;
    }

    /** Runs {@code work} on a pooled auto-commit connection. */
    <T> T run(String action, ErrorMapper mapper, SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw translate(action, mapper, e);
        }
    }

    /**
     * Runs {@code work} in one transaction, committed when it returns and rolled back when it throws.
     * Deadlocks and serialization failures are retried (with a short random back-off), and so are
     * unique violations when {@code retryUniqueViolations}: for work that reads before it inserts.
     */
    <T> T transaction(String action, boolean retryUniqueViolations, ErrorMapper mapper, SqlWork<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                T result;
                try {
                    result = work.run(c);
                    c.commit();
                } catch (SQLException | RuntimeException | Error e) {
                    rollbackQuietly(c, e);
                    throw e;
                }
                c.setAutoCommit(true);
                return result;
            } catch (SQLException e) {
                boolean retry = attempt < MAX_ATTEMPTS
                        && (Jdbc.isTransient(e) || (retryUniqueViolations && Jdbc.isUniqueViolation(e)));
                if (!retry) {
                    throw translate(action, mapper, e);
                }
                backOff(attempt);
            }
        }
    }

    private static void rollbackQuietly(Connection c, Throwable failure) {
        try {
            c.rollback();
        } catch (SQLException r) {
            failure.addSuppressed(r);
        }
    }

    private static void backOff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L * attempt + 10));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new MetadataException("interrupted while retrying a metadata transaction", ie);
        }
    }

    private MetadataException translate(String action, ErrorMapper mapper, SQLException e) {
        MetadataException specific = mapper.map(e);
        if (specific != null) {
            return specific;
        }
        return new MetadataException("metadata database error while " + action + ": " + Jdbc.describe(e), e);
    }

    // ---------------------------------------------------------------- URLs

    /** The URL with any {@code password=...} parameter replaced by {@code password=***}. */
    static String redact(String url) {
        return url == null ? null : SECRET_PARAM.matcher(url).replaceAll("$1***");
    }

    static String effectiveUrl(MetadataVendor vendor, String url) {
        if (vendor == MetadataVendor.H2 && url.regionMatches(true, 0, "jdbc:h2:mem:", 0, 12)
                && !url.toUpperCase(Locale.ROOT).contains("DB_CLOSE_DELAY")) {
            return url + ";DB_CLOSE_DELAY=-1";
        }
        if (vendor == MetadataVendor.MYSQL && url.startsWith("jdbc:mysql:") && !url.contains("permitMysqlScheme")
                && !classPresent("com.mysql.cj.jdbc.Driver")) {
            // Only MariaDB Connector/J ships with Strata; it takes jdbc:mysql: URLs when told to.
            return url + (url.indexOf('?') < 0 ? "?" : "&") + "permitMysqlScheme";
        }
        return url;
    }

    /** The database file of an H2 file URL ({@code jdbc:h2:[file:]path[;options]}), or null for mem/tcp/ssl URLs. */
    static Path h2File(String url) {
        String rest = url.substring("jdbc:h2:".length());
        int semi = rest.indexOf(';');
        if (semi >= 0) {
            rest = rest.substring(0, semi);
        }
        String lower = rest.toLowerCase(Locale.ROOT);
        if (lower.startsWith("mem:") || lower.startsWith("tcp:") || lower.startsWith("ssl:") || lower.startsWith("zip:")) {
            return null;
        }
        if (lower.startsWith("file:")) {
            rest = rest.substring("file:".length());
        }
        if (rest.isEmpty()) {
            return null;
        }
        if (rest.equals("~") || rest.startsWith("~/") || rest.startsWith("~\\")) {
            rest = System.getProperty("user.home") + rest.substring(1);
        }
        return Paths.get(rest);
    }

    private static void createH2Directories(String url, String shown) {
        Path file;
        try {
            file = h2File(url);
        } catch (RuntimeException e) { // an invalid path: let H2 report it
            return;
        }
        Path parent = file == null ? null : file.toAbsolutePath().getParent();
        if (parent != null) {
            try {
                Files.createDirectories(parent);
            } catch (IOException e) {
                throw new MetadataException("cannot create directory " + parent + " for the metadata database at "
                        + shown + ": " + e, e);
            }
        }
    }

    private static boolean classPresent(String name) {
        try {
            Class.forName(name, false, MetadataDatabase.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The innermost cause's message, which is where drivers say what actually went wrong. */
    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        String top = e.getMessage();
        if (root == e || m == null) {
            return String.valueOf(top);
        }
        return top == null || top.contains(m) ? m : top + " (" + m + ")";
    }
}
