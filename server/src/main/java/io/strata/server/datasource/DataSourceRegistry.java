package io.strata.server.datasource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.strata.semantic.dialect.Dialect;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured data sources and their connection pools. Thread-safe; one per server.
 *
 * <p>Pools are HikariCP pools created lazily, on the first {@link #connect(String)}, so a
 * configured but unreachable warehouse costs nothing until a query needs it. They open
 * connections on demand (minimum idle 0) and never fail at creation: a warehouse that is down
 * makes {@code connect} fail with {@link DataSourceException.Code#UNAVAILABLE} within the pool's
 * connection timeout, and the next call tries again. The driver class is checked before a pool
 * is created, so a missing driver is reported as {@link DataSourceException.Code#DRIVER_MISSING}
 * with {@link DataSourceKind#driverHint()}.
 *
 * <p><b>DuckDB</b> is in-process: each DuckDB data source holds one root connection and its pool
 * hands out {@code duplicate()}s of it, all on one database instance (see
 * {@link DuckDbDatabase} for the measurements behind this). DuckDB databases are opened with
 * {@code jdbc_stream_results = true}, so results are streamed chunk by chunk instead of
 * materialised whole, unless the data source sets {@code jdbc_stream_results} itself; and
 * locked down: {@code enable_external_access = false}, extension auto-install and auto-load
 * off, then {@code lock_configuration = true}, so SQL run on them (model SQL, raw SQL) cannot
 * reach the server's files, the network or extensions, nor turn that back on. A data source
 * with the property {@code allow_external_access: true} (admin-only, like every data-source
 * change) opts out.
 *
 * <p><b>MySQL/MariaDB</b> go through MariaDB Connector/J, which accepts {@code jdbc:mysql:} URLs
 * only with its {@code permitMysqlScheme} flag in the URL; the registry adds it.
 *
 * <p>Replacing a data source ({@link #put} with a known name) or removing it retires its pool:
 * idle connections close at once, borrowed ones when they are returned, and the pool (with a
 * DuckDB database) once the last one is back; queries already running are not disturbed.
 * Connections returned by {@link #connect} must be closed by the caller.
 */
public final class DataSourceRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DataSourceRegistry.class);
  /** How long {@link #test} waits beyond the connection timeout for {@code SELECT 1}. */
  private static final Duration TEST_QUERY_ALLOWANCE = Duration.ofSeconds(10);
  private static final String DUCKDB_STREAM_RESULTS = "jdbc_stream_results";

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  /** Data sources Strata keeps for itself (the local rollup store): usable, never listed. */
  private final Set<String> internal = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public DataSourceRegistry() {}

  /**
   * Adds a data source or replaces the one with the same name (whose pool is retired).
   *
   * @throws DataSourceException {@code INVALID_CONFIG} listing every problem of the spec
   */
  public void put(DataSourceSpec spec) {
    if (spec == null) {
      throw new DataSourceException(DataSourceException.Code.INVALID_CONFIG, null,
          "a data source needs a configuration");
    }
    List<String> problems = spec.problems();
    if (!problems.isEmpty()) {
      throw new DataSourceException(DataSourceException.Code.INVALID_CONFIG, spec.name(),
          "data source '" + spec.name() + "' is invalid: " + String.join("; ", problems));
    }
    if (closed) {
      throw new IllegalStateException("the data source registry is closed");
    }
    Entry old = entries.put(spec.name(), new Entry(spec));
    if (old != null) {
      old.retire();
    }
  }

  /**
   * Adds a data source Strata uses itself (queries compiled for it run as on any other), left
   * out of {@link #names()}: users neither see it as a SQL schema nor name it in models.
   */
  public void putInternal(DataSourceSpec spec) {
    put(spec);
    internal.add(spec.name());
  }

  /** Whether {@code name} is one of Strata's own data sources (see {@link #putInternal}). */
  public boolean isInternal(String name) {
    return name != null && internal.contains(name);
  }

  /** Removes a data source and retires its pool; nothing happens for an unknown name. */
  public void remove(String name) {
    Entry old = name == null ? null : entries.remove(name);
    if (old != null) {
      old.retire();
    }
  }

  public Optional<DataSourceSpec> spec(String name) {
    Entry e = name == null ? null : entries.get(name);
    return e == null ? Optional.empty() : Optional.of(e.spec);
  }

  /** The names of the configured data sources, sorted. */
  public Set<String> names() {
    TreeSet<String> names = new TreeSet<>(entries.keySet());
    names.removeAll(internal);
    return Collections.unmodifiableSet(names);
  }

  /**
   * The SQL dialect of a data source; meant as the compiler's {@code dialectOf} function.
   *
   * @throws DataSourceException {@code UNKNOWN_DATA_SOURCE} naming the known ones
   */
  public Dialect dialect(String name) {
    return entry(name).spec.kind().dialect();
  }

  /**
   * Borrows a connection from the data source's pool (created on first use). The caller closes
   * it, which returns it to the pool.
   *
   * @throws DataSourceException {@code UNKNOWN_DATA_SOURCE}; {@code DRIVER_MISSING} naming the
   *     kind, the driver class and where to get it; {@code UNAVAILABLE} when no connection could
   *     be had within the pool's connection timeout (the next call tries again)
   */
  public Connection connect(String name) {
    for (int attempt = 0; ; attempt++) {
      Entry entry = entry(name);
      Pool pool = entry.pool();
      if (pool == null || !pool.acquire()) {
        // replaced or removed between lookup and borrow: look the name up again
        if (attempt < 3) {
          continue;
        }
        throw new DataSourceException(DataSourceException.Code.UNAVAILABLE, name,
            "data source '" + name + "' is unavailable: it is being reconfigured");
      }
      Connection c;
      entry.connects.incrementAndGet();
      try {
        c = pool.hikari.getConnection();
      } catch (SQLException | RuntimeException e) {
        pool.release();
        throw unavailable(entry.spec, pool, e);
      }
      return pool.wrap(c);
    }
  }

  /**
   * Opens one connection directly (not through the pool), runs {@code SELECT 1} and reports the
   * database product and version, or why it failed. Never throws for connectivity problems,
   * invalid configuration or a missing driver: they are reported in the result. Waits at most
   * the spec's connection timeout plus ten seconds.
   */
  public ConnectionTest test(DataSourceSpec spec) {
    long t0 = System.nanoTime();
    if (spec == null) {
      return ConnectionTest.failure(0, "no data source configuration given");
    }
    List<String> problems = spec.problems();
    if (!problems.isEmpty()) {
      return ConnectionTest.failure(0, "invalid configuration: " + String.join("; ", problems));
    }
    Driver driver;
    try {
      driver = driver(spec);
    } catch (DataSourceException e) {
      return ConnectionTest.failure(millisSince(t0), e.getMessage());
    }
    Properties props = driverProperties(spec);
    if (spec.user() != null) {
      props.setProperty("user", spec.user());
    }
    if (spec.password() != null) {
      props.setProperty("password", spec.password());
    }
    String url = jdbcUrl(spec);
    Duration wait = spec.pool().connectionTimeout().plus(TEST_QUERY_ALLOWANCE);
    CompletableFuture<ConnectionTest> future = CompletableFuture.supplyAsync(
        () -> runTest(driver, url, props, spec.pool().connectionTimeout(), t0), r -> {
          Thread t = new Thread(r, "strata-test-" + spec.name());
          t.setDaemon(true);
          t.start();
        });
    try {
      return future.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return ConnectionTest.failure(millisSince(t0), "no answer from data source '"
          + spec.name() + "' within " + PoolSettings.format(wait));
    } catch (ExecutionException e) {
      return ConnectionTest.failure(millisSince(t0), message(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ConnectionTest.failure(millisSince(t0), "interrupted");
    }
  }

  private static ConnectionTest runTest(Driver driver, String url, Properties props,
      Duration timeout, long t0) {
    try (Connection c = driver.connect(url, props)) {
      if (c == null) {
        return ConnectionTest.failure(millisSince(t0),
            "the driver " + driver.getClass().getName() + " does not accept the url");
      }
      try (Statement st = c.createStatement()) {
        st.setQueryTimeout((int) Math.max(1, (timeout.toMillis() + 999) / 1000
            + TEST_QUERY_ALLOWANCE.toSeconds()));
        try (ResultSet rs = st.executeQuery("SELECT 1")) {
          rs.next();
        }
      }
      DatabaseMetaData md = c.getMetaData();
      return ConnectionTest.success(millisSince(t0), md.getDatabaseProductName(),
          md.getDatabaseProductVersion());
    } catch (SQLException | RuntimeException e) {
      return ConnectionTest.failure(millisSince(t0), message(e));
    }
  }

  /** Closes every pool at once (borrowed connections are aborted by HikariCP). */
  @Override
  public void close() {
    closed = true;
    List<Entry> all = new ArrayList<>(entries.values());
    entries.clear();
    for (Entry e : all) {
      e.closeNow();
    }
  }

  private Entry entry(String name) {
    Entry e = name == null ? null : entries.get(name);
    if (e == null) {
      Set<String> known = names();
      throw new DataSourceException(DataSourceException.Code.UNKNOWN_DATA_SOURCE, name,
          "unknown data source '" + name + "' (known: "
              + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
    }
    return e;
  }

  private static DataSourceException unavailable(DataSourceSpec spec, Pool pool, Exception e) {
    String why;
    Throwable cause = e.getCause();
    if (cause != null && cause.getMessage() != null) {
      why = message(cause);
    } else {
      int active = -1;
      try {
        active = pool.hikari.getHikariPoolMXBean().getActiveConnections();
      } catch (RuntimeException ignored) {
        // the pool is closing; fall back to HikariCP's own message
      }
      String timeout = PoolSettings.format(spec.pool().connectionTimeout());
      if (active >= spec.pool().maxSize()) {
        why = "all " + spec.pool().maxSize() + " connections are in use and none was returned"
            + " within " + timeout;
      } else if (e.getMessage() != null && e.getMessage().contains("request timed out")) {
        why = "no connection could be opened within " + timeout;
      } else {
        why = message(e);
      }
    }
    return new DataSourceException(DataSourceException.Code.UNAVAILABLE, spec.name(),
        "data source '" + spec.name() + "' is unavailable: " + why, e);
  }

  static String message(Throwable t) {
    String m = t.getMessage();
    if (m == null || m.isBlank()) {
      return t.getClass().getSimpleName();
    }
    return m.strip();
  }

  private static long millisSince(long t0) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  /** The URL handed to the driver: adds MariaDB's {@code permitMysqlScheme} to jdbc:mysql: URLs. */
  static String jdbcUrl(DataSourceSpec spec) {
    String url = spec.url();
    if (spec.kind() == DataSourceKind.MYSQL
        && url.regionMatches(true, 0, "jdbc:mysql:", 0, "jdbc:mysql:".length())
        && !url.contains("permitMysqlScheme")) {
      url = url + (url.contains("?") ? "&" : "?") + "permitMysqlScheme";
    }
    return url;
  }

  /**
   * Driver properties: the spec's, over defaults that bound connection attempts by the pool's
   * connection timeout (so a dead host does not pin a pool thread for the driver's default),
   * and for DuckDB the lockdown settings. Public for fixtures that open a DuckDB file beside
   * its pool: DuckDB refuses a second connection to an open file with another configuration.
   */
  public static Properties driverProperties(DataSourceSpec spec) {
    Properties props = new Properties();
    long timeoutMs = spec.pool().connectionTimeout().toMillis();
    long timeoutS = Math.max(1, (timeoutMs + 999) / 1000);
    switch (spec.kind()) {
      case POSTGRES -> {
        props.setProperty("connectTimeout", Long.toString(timeoutS));
        props.setProperty("loginTimeout", Long.toString(timeoutS));
        props.setProperty("ApplicationName", "strata");
      }
      case MYSQL -> props.setProperty("connectTimeout", Long.toString(Math.max(250, timeoutMs)));
      case DUCKDB -> props.setProperty(DUCKDB_STREAM_RESULTS, "true");
      default -> {
        // other drivers' property names differ; their defaults apply
      }
    }
    spec.properties().forEach(props::setProperty);
    props.remove(DataSourceSpec.ROLLUP_SCHEMA);
    if (spec.kind() == DataSourceKind.DUCKDB) {
      props.stringPropertyNames().stream()
          .filter(k -> k.equalsIgnoreCase(DataSourceSpec.ALLOW_EXTERNAL_ACCESS))
          .forEach(props::remove);
      if (!spec.allowsExternalAccess()) {
        // Set when the database is opened (the root connection of DuckDbDatabase and test()'s
        // connection get the same configuration, which DuckDB requires for one file), so that
        // model and raw SQL cannot read, write, attach or glob files, install or load
        // extensions, or reach URLs; the database file and its temp directory stay usable.
        // The lock makes every later SET fail, so SQL cannot turn access back on.
        props.setProperty("enable_external_access", "false");
        props.setProperty("autoinstall_known_extensions", "false");
        props.setProperty("autoload_known_extensions", "false");
        props.setProperty("lock_configuration", "true");
      }
    }
    return props;
  }

  /**
   * The kind's driver, found before any pool exists so a missing jar is reported as such.
   * The first of {@link DataSourceKind#driverClasses()} that loads wins.
   */
  static Driver driver(DataSourceSpec spec) {
    DataSourceKind kind = spec.kind();
    for (String name : kind.driverClasses()) {
      Class<?> cls = load(name);
      if (cls == null) {
        continue;
      }
      for (Enumeration<Driver> e = DriverManager.getDrivers(); e.hasMoreElements(); ) {
        Driver d = e.nextElement();
        if (cls.isInstance(d)) {
          return d;
        }
      }
      try {
        return (Driver) cls.getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
        throw new DataSourceException(DataSourceException.Code.DRIVER_MISSING, spec.name(),
            "data source '" + spec.name() + "': the " + kind.id() + " JDBC driver " + name
                + " is installed but cannot be loaded (" + message(e) + "). "
                + kind.driverHint(), e);
      }
    }
    throw new DataSourceException(DataSourceException.Code.DRIVER_MISSING, spec.name(),
        "data source '" + spec.name() + "' needs the " + kind.id() + " JDBC driver ("
            + String.join(" or ", kind.driverClasses()) + "), which is not installed. "
            + kind.driverHint());
  }

  private static Class<?> load(String name) {
    List<ClassLoader> loaders = new ArrayList<>();
    ClassLoader tccl = Thread.currentThread().getContextClassLoader();
    if (tccl != null) {
      loaders.add(tccl);
    }
    loaders.add(DataSourceRegistry.class.getClassLoader());
    for (ClassLoader l : loaders) {
      try {
        return Class.forName(name, true, l);
      } catch (ClassNotFoundException | LinkageError e) {
        // try the next loader
      }
    }
    return null;
  }

  /**
   * How many times a connection was asked of this data source's pool since it was configured
   * (the same name put again starts from 0); 0 for an unknown name. Lets tests and monitoring
   * see that work which does not read a data source leaves it alone.
   */
  public long connectAttempts(String name) {
    Entry e = name == null ? null : entries.get(name);
    return e == null ? 0 : e.connects.get();
  }

  /** A configured data source; its pool is created on first use. */
  private static final class Entry {
    final DataSourceSpec spec;
    final java.util.concurrent.atomic.AtomicLong connects =
        new java.util.concurrent.atomic.AtomicLong();
    private Pool pool; // guarded by this
    private boolean retired; // guarded by this

    Entry(DataSourceSpec spec) {
      this.spec = spec;
    }

    /** The pool, created now if needed; null once retired. */
    synchronized Pool pool() {
      if (retired) {
        return null;
      }
      if (pool == null) {
        pool = Pool.create(spec);
      }
      return pool;
    }

    void retire() {
      Pool p;
      synchronized (this) {
        retired = true;
        p = pool;
      }
      if (p != null) {
        p.retire();
      }
    }

    void closeNow() {
      Pool p;
      synchronized (this) {
        retired = true;
        p = pool;
      }
      if (p != null) {
        p.closeNow();
      }
    }
  }

  /**
   * One HikariCP pool and the count of connections borrowed through {@link #connect}, so that a
   * retired pool closes when the last one comes back.
   */
  private static final class Pool {
    final String name;
    final HikariDataSource hikari;
    final DuckDbDatabase duckdb;
    private int borrowed; // guarded by this
    private boolean retired; // guarded by this
    private boolean closed; // guarded by this

    private Pool(String name, HikariDataSource hikari, DuckDbDatabase duckdb) {
      this.name = name;
      this.hikari = hikari;
      this.duckdb = duckdb;
    }

    static Pool create(DataSourceSpec spec) {
      Driver driver = driver(spec);
      PoolSettings settings = spec.pool();
      HikariConfig config = new HikariConfig();
      config.setPoolName("strata-" + spec.name());
      config.setMaximumPoolSize(settings.maxSize());
      config.setMinimumIdle(0);
      config.setConnectionTimeout(settings.connectionTimeout().toMillis());
      config.setValidationTimeout(Math.min(5000, settings.connectionTimeout().toMillis()));
      config.setIdleTimeout(settings.idleTimeout().toMillis());
      config.setMaxLifetime(settings.maxLifetime().toMillis());
      config.setInitializationFailTimeout(-1); // never fail at creation; connect() reports
      config.setRegisterMbeans(false);
      config.setAutoCommit(true);
      Properties props = driverProperties(spec);
      DuckDbDatabase duckdb = null;
      if (spec.kind() == DataSourceKind.DUCKDB) {
        duckdb = new DuckDbDatabase(driver, spec.url(), props);
        config.setDataSource(duckdb);
      } else {
        config.setJdbcUrl(jdbcUrl(spec));
        config.setDriverClassName(driver.getClass().getName());
        if (spec.user() != null) {
          config.setUsername(spec.user());
        }
        if (spec.password() != null) {
          config.setPassword(spec.password());
        }
        config.setDataSourceProperties(props);
      }
      try {
        return new Pool(spec.name(), new HikariDataSource(config), duckdb);
      } catch (RuntimeException e) {
        if (duckdb != null) {
          duckdb.close();
        }
        throw new DataSourceException(DataSourceException.Code.UNAVAILABLE, spec.name(),
            "data source '" + spec.name() + "' is unavailable: its connection pool could not be"
                + " created: " + message(e), e);
      }
    }

    synchronized boolean acquire() {
      if (closed) {
        return false;
      }
      borrowed++;
      return true;
    }

    void release() {
      boolean close;
      synchronized (this) {
        borrowed--;
        close = retired && borrowed == 0 && !closed;
        if (close) {
          closed = true;
        }
      }
      if (close) {
        shut();
      }
    }

    void retire() {
      boolean close;
      synchronized (this) {
        retired = true;
        close = borrowed == 0 && !closed;
        if (close) {
          closed = true;
        }
      }
      if (close) {
        shut();
      } else {
        try {
          hikari.getHikariPoolMXBean().softEvictConnections();
        } catch (RuntimeException e) {
          LOG.debug("could not evict the connections of data source '{}'", name, e);
        }
      }
    }

    void closeNow() {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
      }
      shut();
    }

    private void shut() {
      try {
        hikari.close();
      } catch (RuntimeException e) {
        LOG.warn("closing the pool of data source '{}' failed", name, e);
      }
      if (duckdb != null) {
        duckdb.close();
      }
    }

    /** The borrowed connection, counted back in when the caller closes it. */
    Connection wrap(Connection c) {
      AtomicBoolean done = new AtomicBoolean();
      return (Connection) Proxy.newProxyInstance(DataSourceRegistry.class.getClassLoader(),
          new Class<?>[] {Connection.class}, (proxy, method, args) -> {
            switch (method.getName()) {
              case "close":
                if (done.compareAndSet(false, true)) {
                  try {
                    c.close();
                  } finally {
                    release();
                  }
                }
                return null;
              case "isClosed":
                if (done.get()) {
                  return true;
                }
                break;
              case "unwrap":
                if (((Class<?>) args[0]).isInstance(proxy)) {
                  return proxy;
                }
                break;
              case "isWrapperFor":
                if (((Class<?>) args[0]).isInstance(proxy)) {
                  return true;
                }
                break;
              case "equals":
                return proxy == args[0];
              case "hashCode":
                return System.identityHashCode(proxy);
              case "toString":
                return "Connection[data source " + name + "]";
              default:
                break;
            }
            if (done.get()) {
              throw new SQLException("the connection has been closed");
            }
            try {
              return method.invoke(c, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }
  }
}
