package io.strata.server.config;

import io.micronaut.core.value.PropertyResolver;
import io.strata.acceleration.cache.CacheSettings;
import io.strata.server.auth.throttle.LoginThrottleSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The server's configuration, read once at start from every {@link Setting} and checked: a bad
 * value stops the start with a message naming the setting, its environment variable and the
 * value. Immutable.
 */
public record StrataConfig(
    int httpPort,
    boolean jdbcEnabled,
    int jdbcPort,
    Duration jdbcIdleTimeout,
    Path dataDir,
    String metadataUrl,
    String metadataUser,
    String metadataPassword,
    int metadataPoolSize,
    Optional<String> adminPassword,
    boolean demoEnabled,
    double demoScale,
    Optional<Path> modelsDir,
    Duration modelsPoll,
    Duration queryTimeout,
    long queryMaxRows,
    int queryBatchRows,
    Duration queryLogRetention,
    Duration auditRetention,
    Duration sessionTtl,
    LoginThrottleSettings throttle,
    Duration shutdownGrace,
    boolean flightEnabled,
    int flightPort,
    Optional<Path> flightTlsCert,
    Optional<Path> flightTlsKey,
    PgWireSettings pgwire,
    CacheSettings cache,
    io.strata.server.sql.SqlLimits sqlLimits,
    RestSettings rest) {

  /**
   * How the REST endpoints encode answers.
   *
   * @param maxJsonBytes the largest JSON answer, counted while it is written
   * @param csvNeutraliseFormulas whether CSV text that looks like a formula is written as text
   */
  public record RestSettings(long maxJsonBytes, boolean csvNeutraliseFormulas) {}

  /**
   * The Postgres wire endpoint.
   *
   * @param enabled whether it listens
   * @param port its port, 0 for a free one
   * @param maxMessageBytes the largest protocol message accepted
   */
  public record PgWireSettings(boolean enabled, int port, int maxMessageBytes) {}

  /** Thrown for settings that cannot be used; names every bad one. */
  public static final class InvalidConfigException extends RuntimeException {
    public InvalidConfigException(List<String> problems) {
      super("invalid configuration:\n  " + String.join("\n  ", problems));
    }
  }

  public static StrataConfig from(PropertyResolver env) {
    SettingsReader r = new SettingsReader(env);
    Path dataDir = Path.of(r.text(Setting.DATA_DIR)).toAbsolutePath().normalize();
    String metadataUrl = r.text(Setting.METADATA_URL);
    if (metadataUrl.isBlank()) {
      // WRITE_DELAY=0: a commit acknowledged to a client is on disk before the process can be
      // killed (H2's default writes commits up to 500 ms later). Affordable since the query log,
      // the one write per query, is written behind the queries in batches.
      metadataUrl = "jdbc:h2:file:" + dataDir.resolve("metadata") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    }
    String models = r.text(Setting.MODELS_DIR);
    String admin = r.text(Setting.ADMIN_PASSWORD);
    StrataConfig c = new StrataConfig(
        r.integer(Setting.HTTP_PORT, 0, 65535),
        r.bool(Setting.JDBC_ENABLED),
        r.integer(Setting.JDBC_PORT, 0, 65535),
        r.duration(Setting.JDBC_IDLE_TIMEOUT),
        dataDir,
        metadataUrl,
        r.text(Setting.METADATA_USER),
        r.text(Setting.METADATA_PASSWORD),
        r.integer(Setting.METADATA_POOL_SIZE, 1, 500),
        admin.isEmpty() ? Optional.empty() : Optional.of(admin),
        r.bool(Setting.DEMO_ENABLED),
        r.decimal(Setting.DEMO_SCALE, 0.0001, 1000),
        models.isBlank() ? Optional.empty() : Optional.of(Path.of(models).toAbsolutePath()),
        r.duration(Setting.MODELS_POLL),
        r.duration(Setting.QUERY_TIMEOUT),
        r.integer(Setting.QUERY_MAX_ROWS, 1, Integer.MAX_VALUE),
        r.integer(Setting.QUERY_BATCH_ROWS, 1, 1_000_000),
        r.duration(Setting.QUERY_LOG_RETENTION),
        r.duration(Setting.AUDIT_RETENTION),
        r.duration(Setting.SESSION_TTL),
        throttle(r),
        r.duration(Setting.SHUTDOWN_GRACE),
        r.bool(Setting.FLIGHT_ENABLED),
        r.integer(Setting.FLIGHT_PORT, 0, 65535),
        r.file(Setting.FLIGHT_TLS_CERT),
        r.file(Setting.FLIGHT_TLS_KEY),
        new PgWireSettings(r.bool(Setting.PGWIRE_ENABLED), r.integer(Setting.PGWIRE_PORT, 0, 65535),
            (int) Math.min(Integer.MAX_VALUE, r.bytes(Setting.PGWIRE_MAX_MESSAGE_SIZE))),
        cache(r),
        new io.strata.server.sql.SqlLimits(r.integer(Setting.SQL_MAX_LENGTH, 100, Integer.MAX_VALUE - 1),
            r.integer(Setting.SQL_MAX_DEPTH, 10, 100_000), r.integer(Setting.SQL_MAX_IN_LIST, 1, 10_000_000),
            r.integer(Setting.SQL_MAX_SET_OPERATIONS, 1, 100_000)),
        new RestSettings(r.bytes(Setting.QUERY_MAX_JSON_BYTES), r.bool(Setting.CSV_NEUTRALISE_FORMULAS)));
    if (c.rest().maxJsonBytes() < 1024
        && parseBytes(r.text(Setting.QUERY_MAX_JSON_BYTES)).isPresent()) {
      r.problem(Setting.QUERY_MAX_JSON_BYTES, r.text(Setting.QUERY_MAX_JSON_BYTES),
          "expected at least 1KB");
    }
    if (c.pgwire().maxMessageBytes() < 1024
        && parseBytes(r.text(Setting.PGWIRE_MAX_MESSAGE_SIZE)).isPresent()) {
      r.problem(Setting.PGWIRE_MAX_MESSAGE_SIZE, r.text(Setting.PGWIRE_MAX_MESSAGE_SIZE),
          "expected at least 1KB");
    }
    if (c.flightTlsCert().isPresent() != c.flightTlsKey().isPresent()) {
      r.problem(Setting.FLIGHT_TLS_CERT.property() + " and " + Setting.FLIGHT_TLS_KEY.property()
          + " (" + Setting.FLIGHT_TLS_CERT.envVar() + ", " + Setting.FLIGHT_TLS_KEY.envVar()
          + ") go together: set both for TLS, or neither for plaintext");
    }
    r.throwIfInvalid();
    return c;
  }

  private static LoginThrottleSettings throttle(SettingsReader r) {
    int free = r.integer(Setting.AUTH_FREE_FAILURES, 0, 1_000_000);
    int lockout = r.integer(Setting.AUTH_LOCKOUT_FAILURES, 1, 1_000_000);
    int addressFree = r.integer(Setting.AUTH_ADDRESS_FREE_FAILURES, 0, 1_000_000);
    int addressLockout = r.integer(Setting.AUTH_ADDRESS_LOCKOUT_FAILURES, 1, 1_000_000);
    if (lockout <= free) {
      r.problem(Setting.AUTH_LOCKOUT_FAILURES, String.valueOf(lockout), "expected more than "
          + Setting.AUTH_FREE_FAILURES.property() + " (" + free + ")");
    }
    if (addressLockout <= addressFree) {
      r.problem(Setting.AUTH_ADDRESS_LOCKOUT_FAILURES, String.valueOf(addressLockout),
          "expected more than " + Setting.AUTH_ADDRESS_FREE_FAILURES.property() + " ("
              + addressFree + ")");
    }
    Duration lock = r.duration(Setting.AUTH_LOCKOUT);
    if (lock.isZero()) {
      r.problem(Setting.AUTH_LOCKOUT, r.text(Setting.AUTH_LOCKOUT), "expected a duration above zero");
    }
    List<java.net.InetAddress> proxies = new ArrayList<>();
    for (String p : r.text(Setting.AUTH_TRUSTED_PROXIES).split(",")) {
      String ip = p.trim();
      if (ip.isEmpty()) {
        continue;
      }
      Optional<java.net.InetAddress> a = LoginThrottleSettings.parseAddress(ip);
      if (a.isEmpty()) {
        r.problem(Setting.AUTH_TRUSTED_PROXIES, ip, "expected IP addresses such as 10.0.0.5 or"
            + " ::1, separated by commas (host names are not resolved)");
      } else {
        proxies.add(a.get());
      }
    }
    return new LoginThrottleSettings(free, lockout, addressFree, addressLockout,
        r.duration(Setting.AUTH_BACKOFF), lock, List.copyOf(proxies));
  }

  private static CacheSettings cache(SettingsReader r) {
    CacheSettings.Compression compression = CacheSettings.Compression.ZSTD;
    try {
      compression = CacheSettings.Compression.parse(r.text(Setting.CACHE_COMPRESSION));
    } catch (IllegalArgumentException e) {
      r.problem(Setting.CACHE_COMPRESSION, r.text(Setting.CACHE_COMPRESSION),
          "expected lz4, zstd or none");
    }
    String uri = r.text(Setting.CACHE_REDIS_URI);
    if (!uri.isEmpty() && !uri.startsWith("redis://") && !uri.startsWith("rediss://")
        && !uri.startsWith("redis-sentinel://")) {
      r.problem(Setting.CACHE_REDIS_URI, uri, "expected redis://host:port[/db] (or rediss://)");
    }
    long maxEntry = r.bytes(Setting.CACHE_MAX_ENTRY_BYTES);
    if (maxEntry == 0) {
      r.problem(Setting.CACHE_MAX_ENTRY_BYTES, "0", "expected a size above zero");
      maxEntry = 1;
    }
    return new CacheSettings(r.bool(Setting.CACHE_ENABLED), r.bytes(Setting.CACHE_L1_MAX_BYTES),
        uri.isEmpty() ? null : uri, r.text(Setting.CACHE_REDIS_PREFIX), maxEntry,
        r.duration(Setting.CACHE_DEFAULT_TTL), r.duration(Setting.CACHE_STALE_WHILE_REVALIDATE),
        r.duration(Setting.CACHE_STALE_IF_ERROR), r.duration(Setting.CACHE_REFRESH_KEY_INTERVAL),
        compression, r.duration(Setting.CACHE_REDIS_TIMEOUT),
        r.duration(Setting.CACHE_LOCK_TIMEOUT));
  }

  /** Parses {@code 0}, {@code 512KB}, {@code 256MB}, {@code 2GB} (powers of 1024) or bytes. */
  public static Optional<Long> parseBytes(String v) {
    String s = v == null ? "" : v.trim().toUpperCase(Locale.ROOT).replace(" ", "");
    long unit = 1;
    for (String[] u : new String[][] {{"KB", "1024"}, {"MB", "1048576"}, {"GB", "1073741824"},
        {"K", "1024"}, {"M", "1048576"}, {"G", "1073741824"}, {"B", "1"}}) {
      if (s.endsWith(u[0])) {
        unit = Long.parseLong(u[1]);
        s = s.substring(0, s.length() - u[0].length());
        break;
      }
    }
    try {
      long n = Long.parseLong(s);
      return n < 0 || n > Long.MAX_VALUE / unit ? Optional.empty() : Optional.of(n * unit);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Reads settings, collecting every problem instead of stopping at the first. */
  /** Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 12h}, {@code 30d} or ISO-8601. */
  public static Optional<Duration> parseDuration(String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    try {
      if (s.startsWith("p")) {
        return Optional.of(Duration.parse(s.toUpperCase(Locale.ROOT)));
      }
      String unit = s.endsWith("ms") ? "ms" : s.isEmpty() ? "" : s.substring(s.length() - 1);
      long n = Long.parseLong(s.substring(0, s.length() - unit.length()));
      if (n < 0) {
        return Optional.empty();
      }
      return switch (unit) {
        case "ms" -> Optional.of(Duration.ofMillis(n));
        case "s" -> Optional.of(Duration.ofSeconds(n));
        case "m" -> Optional.of(Duration.ofMinutes(n));
        case "h" -> Optional.of(Duration.ofHours(n));
        case "d" -> Optional.of(Duration.ofDays(n));
        default -> Optional.empty();
      };
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
