package io.strata.server.config;

import io.micronaut.core.value.PropertyResolver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads {@link Setting}s and collects every bad value, each named by its property, its
 * environment variable and the value, so that a start refuses them all at once
 * ({@link #throwIfInvalid()}). {@link StrataConfig} and the packages with their own settings
 * (jobs, rollups, reports) read through one of these.
 */
public final class SettingsReader {
  private final PropertyResolver env;
  private final List<String> problems = new ArrayList<>();

  public SettingsReader(PropertyResolver env) {
    this.env = env;
  }

  /** The setting's value, trimmed, or its default. */
  public String text(Setting s) {
    return env.getProperty(s.property(), String.class).orElse(s.defaultValue()).trim();
  }

  /** Records a bad value of {@code s}. */
  public void problem(Setting s, String value, String expected) {
    problems.add(s.property() + " (" + s.envVar() + ") is '" + value + "': " + expected);
  }

  /** Records a problem no single setting's value states (two settings that go together). */
  public void problem(String text) {
    problems.add(text);
  }

  /** @throws StrataConfig.InvalidConfigException listing every problem recorded */
  public void throwIfInvalid() {
    if (!problems.isEmpty()) {
      throw new StrataConfig.InvalidConfigException(problems);
    }
  }

  public int integer(Setting s, int min, int max) {
    String v = text(s);
    try {
      int i = Integer.parseInt(v);
      if (i >= min && i <= max) {
        return i;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problem(s, v, "expected a whole number from " + min + " to " + max);
    return min;
  }

  public double decimal(Setting s, double min, double max) {
    String v = text(s);
    try {
      double d = Double.parseDouble(v);
      if (d >= min && d <= max) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problem(s, v, "expected a number from " + min + " to " + max);
    return min;
  }

  public boolean bool(Setting s) {
    String v = text(s).toLowerCase(Locale.ROOT);
    if (v.equals("true") || v.equals("false")) {
      return Boolean.parseBoolean(v);
    }
    problem(s, v, "expected true or false");
    return false;
  }

  /** A file that must exist, or empty when the setting is empty. */
  public Optional<Path> file(Setting s) {
    String v = text(s);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    Path p = Path.of(v).toAbsolutePath().normalize();
    if (!java.nio.file.Files.isReadable(p)) {
      problem(s, v, "no readable file " + p);
    }
    return Optional.of(p);
  }

  public long bytes(Setting s) {
    String v = text(s);
    Optional<Long> b = StrataConfig.parseBytes(v);
    if (b.isEmpty()) {
      problem(s, v, "expected a size such as 0, 512KB, 256MB or 2GB");
      return 0;
    }
    return b.get();
  }

  public Duration duration(Setting s) {
    String v = text(s);
    Optional<Duration> d = StrataConfig.parseDuration(v);
    if (d.isEmpty()) {
      problem(s, v, "expected a duration such as 500ms, 30s, 5m, 12h or 30d");
      return Duration.ZERO;
    }
    return d.get();
  }

  /** A duration of at least {@code min}. */
  public Duration duration(Setting s, Duration min) {
    String v = text(s);
    Optional<Duration> d = StrataConfig.parseDuration(v);
    if (d.isEmpty() || d.get().compareTo(min) < 0) {
      problem(s, v, "expected a duration of at least " + min.toMillis()
          + "ms such as 500ms, 30s, 5m or 12h");
      return min.isZero() ? Duration.ofSeconds(1) : min;
    }
    return d.get();
  }
}
