package io.strata.benchmarks.e2e;

import io.strata.demo.DemoData;
import io.strata.demo.LoadResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two warehouses the harness loads and measures, and the services it needs, found as the
 * project's tests find them: an explicit environment variable first, then the local service.
 * A missing one stops the run with a message that says how to provide it.
 */
final class Warehouses {
  static final String PG_URL_ENV = "STRATA_BENCH_POSTGRES_URL";
  static final String REDIS_ENV = "STRATA_BENCH_REDIS_URI";
  private static final Pattern PG_URL = Pattern.compile("^(jdbc:postgresql://[^/?]+/)([^?]*)(\\?.*)?$");

  private Warehouses() {}

  /** A Postgres server: a URL to any database on it (for CREATE DATABASE), user and password. */
  record Postgres(String adminUrl, String user, String password) {
    /** The same server's database {@code db}. */
    String url(String db) {
      Matcher m = PG_URL.matcher(adminUrl);
      if (!m.matches()) {
        throw new IllegalStateException(PG_URL_ENV + " must look like jdbc:postgresql://host:port/db, got "
            + adminUrl);
      }
      return m.group(1) + db + (m.group(3) == null ? "" : m.group(3));
    }

    Connection connect(String db) throws SQLException {
      Properties p = new Properties();
      if (user != null) {
        p.setProperty("user", user);
      }
      if (password != null) {
        p.setProperty("password", password);
      }
      return DriverManager.getConnection(db == null ? adminUrl : url(db), p);
    }

    void createDatabaseIfMissing(String db) throws SQLException {
      try (Connection c = connect(null); Statement st = c.createStatement()) {
        try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + db + "'")) {
          if (rs.next()) {
            return;
          }
        }
        st.execute("CREATE DATABASE " + db);
      }
    }

    /** Drops {@code db}; false when another session still uses it (nothing is forced). */
    boolean dropDatabase(String db) {
      try (Connection c = connect(null); Statement st = c.createStatement()) {
        st.execute("DROP DATABASE IF EXISTS " + db);
        return true;
      } catch (SQLException e) {
        return false;
      }
    }

    /** Databases whose names start with {@code prefix}. */
    java.util.List<String> databases(String prefix) throws SQLException {
      java.util.List<String> out = new java.util.ArrayList<>();
      try (Connection c = connect(null); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE '"
              + prefix + "%'")) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }

  static Postgres postgres() {
    String url = System.getenv(PG_URL_ENV);
    Postgres pg = url != null && !url.isBlank()
        ? new Postgres(url, System.getenv("STRATA_BENCH_POSTGRES_USER"),
            System.getenv("STRATA_BENCH_POSTGRES_PASSWORD"))
        : new Postgres("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", null);
    try (Connection c = pg.connect(null)) {
      c.isValid(5);
    } catch (SQLException e) {
      throw new IllegalStateException("no Postgres for the benchmark at " + pg.adminUrl() + " ("
          + e.getMessage() + "). Provide one: set " + PG_URL_ENV
          + "=jdbc:postgresql://host:5432/postgres (and STRATA_BENCH_POSTGRES_USER/_PASSWORD), or"
          + " run a local Postgres on 127.0.0.1:5432 with user postgres (trust auth). The user"
          + " needs CREATE DATABASE.");
    }
    return pg;
  }

  static String redis() {
    String uri = System.getenv(REDIS_ENV);
    if (uri == null || uri.isBlank()) {
      uri = "redis://127.0.0.1:6379";
    }
    try (Redis r = new Redis(uri)) {
      r.call("PING");
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("no Redis for the benchmark's L2 at " + uri + " ("
          + e.getMessage() + "). Provide one: set " + REDIS_ENV + "=redis://host:6379, or run a"
          + " local Redis on 127.0.0.1:6379 (redis-server --port 6379).");
    }
    return uri;
  }

  /** The retail demo at {@code scale} in a DuckDB file; kept when the file already has it. */
  static LoadResult loadDuckDb(Path file, double scale, boolean reload) throws SQLException, IOException {
    Files.createDirectories(file.getParent());
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath())) {
      LoadResult r = reload ? DemoData.loadDuckDb(c, scale) : DemoData.ensureLoaded(c, scale);
      try (Statement st = c.createStatement()) {
        st.execute("CHECKPOINT");
      }
      return r;
    }
  }

  /** The retail demo at {@code scale} in Postgres database {@code db}; kept when already there. */
  static LoadResult loadPostgres(Postgres pg, String db, double scale, boolean reload) throws SQLException {
    pg.createDatabaseIfMissing(db);
    try (Connection c = pg.connect(db)) {
      return reload ? DemoData.loadPostgres(c, scale) : DemoData.ensureLoaded(c, scale);
    }
  }

  /** Row count of {@code retail.order_items}. */
  static long orderItems(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM retail.order_items")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** A read-only connection to the DuckDB file (Strata's processes open it read-only too). */
  static Connection duckDbReadOnly(Path file) throws SQLException {
    Properties p = new Properties();
    p.setProperty("duckdb.read_only", "true");
    return DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath(), p);
  }
}
