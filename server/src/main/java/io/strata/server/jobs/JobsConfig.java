package io.strata.server.jobs;

import io.micronaut.core.value.PropertyResolver;
import io.strata.server.config.Setting;
import io.strata.server.config.SettingsReader;
import io.strata.server.config.StrataConfig;
import java.nio.file.Path;
import java.time.Duration;

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
    SettingsReader r = new SettingsReader(env);
    String store = r.text(Setting.JOBS_STORE_DIR);
    JobsConfig c = new JobsConfig(
        r.bool(Setting.WORKERS_ENABLED),
        r.integer(Setting.WORKERS_THREADS, 1, 256),
        r.duration(Setting.WORKERS_POLL_INTERVAL, Duration.ofMillis(10)),
        r.duration(Setting.WORKERS_HEARTBEAT_INTERVAL, Duration.ofMillis(100)),
        r.integer(Setting.JOBS_MAX_ATTEMPTS, 1, 100),
        r.duration(Setting.JOBS_RETRY_BACKOFF, Duration.ZERO),
        store.isEmpty() ? dataDir.resolve("jobs") : Path.of(store).toAbsolutePath().normalize(),
        r.duration(Setting.JOBS_RESULT_TTL, Duration.ofSeconds(1)),
        r.bool(Setting.CSV_NEUTRALISE_FORMULAS),
        // the semantic compiler writes the cap + 1 as an int LIMIT
        r.integer(Setting.EXPORTS_MAX_ROWS, 0, Integer.MAX_VALUE - 2),
        r.duration(Setting.EXPORTS_TIMEOUT, Duration.ofSeconds(1)),
        r.duration(Setting.EXPORTS_LINK_TTL, Duration.ofSeconds(1)),
        r.integer(Setting.WORKERS_HEALTH_PORT, -1, 65535));
    r.throwIfInvalid();
    return c;
  }
}
