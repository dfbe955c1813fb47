package io.strata.server.reports;

import io.micronaut.core.value.PropertyResolver;
import io.strata.server.config.Setting;
import io.strata.server.config.StrataConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reports, alerts and thumbnails settings ({@code strata.reports.*}, {@code strata.smtp.*},
 * {@code strata.thumbnails.*}), read once and checked: a bad value stops the start naming the
 * setting, its environment variable and the value.
 *
 * @param baseUrl where the browser opens the UI; empty: this server on the loopback address
 * @param smtpTls {@code starttls} (required), {@code tls} (implicit, port 465) or {@code none}
 */
public record ReportsSettings(String chromium, String baseUrl, Duration renderTimeout,
    int deliveryAttempts, Duration retryBackoff, Duration imageTtl, Duration thumbnailInterval,
    String smtpHost, int smtpPort, String smtpUser, String smtpPassword, String smtpTls,
    String smtpFrom, Duration smtpTimeout) {

  public static ReportsSettings from(PropertyResolver env) {
    List<String> problems = new ArrayList<>();
    String tls = text(env, Setting.SMTP_TLS).toLowerCase(Locale.ROOT);
    if (!List.of("starttls", "tls", "none").contains(tls)) {
      problems.add(problem(Setting.SMTP_TLS, tls, "expected starttls, tls or none"));
    }
    ReportsSettings s = new ReportsSettings(text(env, Setting.REPORTS_CHROMIUM),
        text(env, Setting.REPORTS_BASE_URL).replaceAll("/+$", ""),
        duration(env, Setting.REPORTS_RENDER_TIMEOUT, Duration.ofSeconds(1), problems),
        integer(env, Setting.REPORTS_DELIVERY_ATTEMPTS, 1, 20, problems),
        duration(env, Setting.REPORTS_RETRY_BACKOFF, Duration.ZERO, problems),
        duration(env, Setting.REPORTS_IMAGE_TTL, Duration.ZERO, problems),
        duration(env, Setting.THUMBNAILS_INTERVAL, Duration.ZERO, problems),
        text(env, Setting.SMTP_HOST), integer(env, Setting.SMTP_PORT, 1, 65535, problems),
        text(env, Setting.SMTP_USER), text(env, Setting.SMTP_PASSWORD), tls,
        text(env, Setting.SMTP_FROM),
        duration(env, Setting.SMTP_TIMEOUT, Duration.ofMillis(100), problems));
    if (!problems.isEmpty()) {
      throw new StrataConfig.InvalidConfigException(problems);
    }
    return s;
  }

  private static String text(PropertyResolver env, Setting s) {
    return env.getProperty(s.property(), String.class).orElse(s.defaultValue()).trim();
  }

  private static String problem(Setting s, String value, String expected) {
    return s.property() + " (" + s.envVar() + ") is '" + value + "': " + expected;
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
