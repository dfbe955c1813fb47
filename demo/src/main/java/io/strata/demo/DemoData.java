package io.strata.demo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Properties;

/**
 * The retail demo dataset: generation and loading into DuckDB, Postgres and MySQL/MariaDB.
 *
 * <p>Schema {@code retail}: {@code customers}, {@code products}, {@code orders}, {@code order_items}
 * (see {@link DemoTable}), plus the marker {@code retail.strata_demo_info(scale, seed, generator_version)}.
 * Scale 1 ≈ 10,000 customers, 1,000 products, 100,000 orders, ≈250,000 order lines.
 *
 * <p>{@code load*} methods always drop and recreate schema {@code retail}; {@code ensureLoaded} skips the
 * work when the marker says the same (scale, seed, generator version) is already there.
 */
public final class DemoData {

    /** Default seed; {@link DemoDataset#DEFAULT_SEED}. */
    public static final long DEFAULT_SEED = DemoDataset.DEFAULT_SEED;

    private DemoData() {
    }

    /** The dataset for (scale, seed) as lazily generated, streaming row sources per table. */
    public static DemoDataset generate(double scale, long seed) {
        return new DemoDataset(scale, seed);
    }

    /** {@link #generate(double, long)} with {@link #DEFAULT_SEED}. */
    public static DemoDataset generate(double scale) {
        return generate(scale, DEFAULT_SEED);
    }

    /** (Re)loads into DuckDB via the Appender API, in one transaction. */
    public static LoadResult loadDuckDb(Connection duckdb, double scale) throws SQLException {
        return loadDuckDb(duckdb, scale, DEFAULT_SEED);
    }

    public static LoadResult loadDuckDb(Connection duckdb, double scale, long seed) throws SQLException {
        return DemoLoader.load(duckdb, DemoLoader.Dialect.DUCKDB, generate(scale, seed), false);
    }

    /** (Re)loads into Postgres via COPY, in one transaction (readers see the old or the new dataset). */
    public static LoadResult loadPostgres(Connection postgres, double scale) throws SQLException {
        return loadPostgres(postgres, scale, DEFAULT_SEED);
    }

    public static LoadResult loadPostgres(Connection postgres, double scale, long seed) throws SQLException {
        return DemoLoader.load(postgres, DemoLoader.Dialect.POSTGRES, generate(scale, seed), false);
    }

    /** (Re)loads into MySQL/MariaDB (database {@code retail}) via batched multi-row INSERTs. */
    public static LoadResult loadMysql(Connection mysql, double scale) throws SQLException {
        return loadMysql(mysql, scale, DEFAULT_SEED);
    }

    public static LoadResult loadMysql(Connection mysql, double scale, long seed) throws SQLException {
        return DemoLoader.load(mysql, DemoLoader.Dialect.MYSQL, generate(scale, seed), false);
    }

    /** Always (re)loads, choosing the loader from the connection's database product. */
    public static LoadResult load(Connection c, double scale, long seed) throws SQLException {
        return DemoLoader.load(c, DemoLoader.detect(c), generate(scale, seed), false);
    }

    /**
     * Loads unless {@code retail.strata_demo_info} already records this (scale, seed, generator version);
     * {@link LoadResult#loaded()} tells which happened. Concurrent callers are serialised by a database lock
     * on Postgres and MySQL.
     */
    public static LoadResult ensureLoaded(Connection c, double scale, long seed) throws SQLException {
        return DemoLoader.load(c, DemoLoader.detect(c), generate(scale, seed), true);
    }

    public static LoadResult ensureLoaded(Connection c, double scale) throws SQLException {
        return ensureLoaded(c, scale, DEFAULT_SEED);
    }

    /**
     * {@code java -cp ... io.strata.demo.DemoData --target duckdb|postgres|mysql --url JDBC_URL [--scale 1]
     * [--seed N] [--user U] [--password P] [--if-missing]}.
     */
    public static void main(String[] args) throws Exception {
        String target = null;
        String url = null;
        String user = null;
        String password = null;
        double scale = 1;
        long seed = DEFAULT_SEED;
        boolean ifMissing = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--target" -> target = value(args, ++i, a).toLowerCase(Locale.ROOT);
                case "--url" -> url = value(args, ++i, a);
                case "--scale" -> scale = Double.parseDouble(value(args, ++i, a));
                case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
                case "--user" -> user = value(args, ++i, a);
                case "--password" -> password = value(args, ++i, a);
                case "--if-missing" -> ifMissing = true;
                case "-h", "--help" -> {
                    System.out.println(usage());
                    return;
                }
                default -> fail("unknown argument: " + a);
            }
        }
        if (target == null || url == null) {
            fail("--target and --url are required");
        }
        DemoLoader.Dialect dialect = switch (target) {
            case "duckdb" -> DemoLoader.Dialect.DUCKDB;
            case "postgres", "postgresql" -> DemoLoader.Dialect.POSTGRES;
            case "mysql", "mariadb" -> DemoLoader.Dialect.MYSQL;
            default -> throw fail("--target must be duckdb, postgres or mysql, got " + target);
        };
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        try (Connection c = DriverManager.getConnection(url, props)) {
            LoadResult r = DemoLoader.load(c, dialect, generate(scale, seed), ifMissing);
            if (r.loaded()) {
                System.out.printf(Locale.ROOT, "Loaded retail demo (scale %s, seed %d) into %s in %.2f s: %s%n",
                        scale, seed, target, r.elapsed().toMillis() / 1000.0, r.rowCounts());
            } else {
                System.out.printf(Locale.ROOT, "retail demo (scale %s, seed %d) already present in %s; nothing to do%n",
                        scale, seed, target);
            }
        }
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw fail(flag + " needs a value");
        }
        return args[i];
    }

    private static IllegalArgumentException fail(String message) {
        System.err.println("error: " + message);
        System.err.println(usage());
        System.exit(2);
        return new IllegalArgumentException(message);
    }

    private static String usage() {
        return "usage: java -cp ... io.strata.demo.DemoData --target duckdb|postgres|mysql --url JDBC_URL"
                + " [--scale 1] [--seed " + DEFAULT_SEED + "] [--user U] [--password P] [--if-missing]";
    }
}
