package io.strata.server.rollup;

import io.micronaut.core.value.PropertyResolver;
import io.strata.server.config.Setting;
import io.strata.server.config.SettingsReader;
import io.strata.server.config.StrataConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The rollup settings ({@code strata.rollups.*}), read once and checked like
 * {@link StrataConfig}: a bad value stops the start naming the setting, its variable and value.
 *
 * @param localFile the DuckDB file of the local store
 */
public record RollupConfig(boolean enabled, Duration checkInterval, Duration dropGrace,
    Path localFile) {

  public static RollupConfig from(PropertyResolver env, Path dataDir) {
    SettingsReader r = new SettingsReader(env);
    RollupConfig c = new RollupConfig(r.bool(Setting.ROLLUPS_ENABLED),
        r.duration(Setting.ROLLUPS_CHECK_INTERVAL, Duration.ofMillis(100)),
        r.duration(Setting.ROLLUPS_DROP_GRACE, Duration.ZERO),
        dataDir.resolve("rollups.duckdb").toAbsolutePath());
    r.throwIfInvalid();
    return c;
  }
}
