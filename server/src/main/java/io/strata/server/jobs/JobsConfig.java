package io.strata.server.jobs;

import io.micronaut.core.value.PropertyResolver;
import io.strata.server.config.Setting;
import io.strata.server.config.StrataConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The job system's settings ({@code strata.workers.*}, {@code strata.jobs.*},
 * {@code strata.exports.*}), read once and checked like {@link StrataConfig}: a bad value stops
 * the start naming the setting, its environment variable and the value.
 *
 * @param workersEnabled whether this process executes jobs (else it only enqueues)
 * @param storeDir where results and exports are written; every process must see the same one
 * @param exportMaxRows the most rows an export writes ({@code strata.exports.max-rows}); 0: no cap
 * @param exportTimeout the longest an export's query runs ({@code strata.exports.timeout})
 * @param linkTtl the lifetime of a signed download link ({@code strata.exports.link-ttl})
 * @param healthPort the {@code strata worker} health port; 0 any free port, -1 none
 */
public record JobsConfig(boolean workersEnabled, int threads, Duration pollInterval,
    Duration heartbeatInterval, int maxAttempts, Duration retryBackoff, Path storeDir,
    Duration resultTtl, boolean neutraliseFormulas, long exportMaxRows, Duration exportTimeout,
    Duration linkTtl, int healthPort) {

  /** An export's own limits, named by their settings for its refusals. */
  public io.strata.server.query.QueryRequest.Limits exportLimits() {
    return new io.strata.server.query.QueryRequest.Limits(exportMaxRows,
        Setting.EXPORTS_MAX_ROWS.property(), exportTimeout, Setting.EXPORTS_TIMEOUT.property());
  }

  public static JobsConfig from(PropertyResolver env, Path dataDir) {
    List<String> problems = new ArrayList<>();
    String store = text(env, Setting.JOBS_STORE_DIR);
    JobsConfig c = new JobsConfig(
        bool(env, Setting.WORKERS_ENABLED, problems),
        integer(env, Setting.WORKERS_THREADS, 1, 256, problems),
        duration(env, Setting.WORKERS_POLL_INTERVAL, Duration.ofMillis(10), problems),
        duration(env, Setting.WORKERS_HEARTBEAT_INTERVAL, Duration.ofMillis(100), problems),
        integer(env, Setting.JOBS_MAX_ATTEMPTS, 1, 100, problems),
        duration(env, Setting.JOBS_RETRY_BACKOFF, Duration.ZERO, problems),
        store.isEmpty() ? dataDir.resolve("jobs") : Path.of(store).toAbsolutePath().normalize(),
        duration(env, Setting.JOBS_RESULT_TTL, Duration.ofSeconds(1), problems),
        bool(env, Setting.CSV_NEUTRALISE_FORMULAS, problems),
        // the semantic compiler writes the cap + 1 as an int LIMIT
        integer(env, Setting.EXPORTS_MAX_ROWS, 0, Integer.MAX_VALUE - 2, problems),
        duration(env, Setting.EXPORTS_TIMEOUT, Duration.ofSeconds(1), problems),
        duration(env, Setting.EXPORTS_LINK_TTL, Duration.ofSeconds(1), problems),
        integer(env, Setting.WORKERS_HEALTH_PORT, -1, 65535, problems));
    if (!problems.isEmpty()) {
      throw new StrataConfig.InvalidConfigException(problems);
    }
    return c;
  }

  private static String text(PropertyResolver env, Setting s) {
    return env.getProperty(s.property(), String.class).orElse(s.defaultValue()).trim();
  }

  private static String problem(Setting s, String value, String expected) {
    return s.property() + " (" + s.envVar() + ") is '" + value + "': " + expected;
  }

  private static boolean bool(PropertyResolver env, Setting s, List<String> problems) {
    String v = text(env, s).toLowerCase(Locale.ROOT);
    if (!v.equals("true") && !v.equals("false")) {
      problems.add(problem(s, v, "expected true or false"));
    }
    return Boolean.parseBoolean(v);
  }

  private static int integer(PropertyResolver env, Setting s, int min, int max,
      List<String> problems) {
    String v = text(env, s);
    try {
      int i = Integer.parseInt(v);
      if (i >= min && i <= max) {
        return i;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(problem(s, v, "expected a whole number from " + min + " to " + max));
    return min;
  }

  private static Duration duration(PropertyResolver env, Setting s, Duration min,
      List<String> problems) {
    String v = text(env, s);
    Optional<Duration> d = StrataConfig.parseDuration(v);
    if (d.isEmpty() || d.get().compareTo(min) < 0) {
      problems.add(problem(s, v, "expected a duration of at least " + min.toMillis()
          + "ms such as 500ms, 30s, 5m or 12h"));
      return min.isZero() ? Duration.ofSeconds(1) : min;
    }
    return d.get();
  }
}
