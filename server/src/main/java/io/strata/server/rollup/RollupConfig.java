package io.strata.server.rollup;

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
 * The rollup settings ({@code strata.rollups.*}), read once and checked like
 * {@link StrataConfig}: a bad value stops the start naming the setting, its variable and value.
 *
 * @param localFile the DuckDB file of the local store
 */
public record RollupConfig(boolean enabled, Duration checkInterval, Duration dropGrace,
    Path localFile) {

  public static RollupConfig from(PropertyResolver env, Path dataDir) {
    List<String> problems = new ArrayList<>();
    String enabled = text(env, Setting.ROLLUPS_ENABLED).toLowerCase(Locale.ROOT);
    if (!enabled.equals("true") && !enabled.equals("false")) {
      problems.add(problem(Setting.ROLLUPS_ENABLED, enabled, "expected true or false"));
    }
    RollupConfig c = new RollupConfig(Boolean.parseBoolean(enabled),
        duration(env, Setting.ROLLUPS_CHECK_INTERVAL, Duration.ofMillis(100), problems),
        duration(env, Setting.ROLLUPS_DROP_GRACE, Duration.ZERO, problems),
        dataDir.resolve("rollups.duckdb").toAbsolutePath());
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
