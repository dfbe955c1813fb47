package io.strata.server.reports;

import io.micronaut.core.value.PropertyResolver;
import io.strata.server.config.Setting;
import io.strata.server.config.SettingsReader;
import io.strata.server.config.StrataConfig;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Reports, alerts and thumbnails settings ({@code strata.reports.*}, {@code strata.smtp.*},
 * {@code strata.thumbnails.*}), read once and checked: a bad value stops the start naming the
 * setting, its environment variable and the value.
 *
 * @param baseUrl where the browser opens the UI; empty: this server on the loopback address
 * @param thumbnailInterval least time between two renders of a thumbnail for its data's sake
 * @param thumbnailDebounce wait after a change before its thumbnails are rendered
 * @param imageLinkTtl life of the signed link to an image sent in a webhook message
 * @param smtpTls {@code starttls} (required), {@code tls} (implicit, port 465) or {@code none}
 */
public record ReportsSettings(String chromium, String baseUrl, Duration renderTimeout,
    int deliveryAttempts, Duration retryBackoff, Duration imageTtl, Duration thumbnailInterval,
    String smtpHost, int smtpPort, String smtpUser, String smtpPassword, String smtpTls,
    String smtpFrom, Duration smtpTimeout, Duration thumbnailDebounce, Duration imageLinkTtl) {

  public static ReportsSettings from(PropertyResolver env) {
    SettingsReader r = new SettingsReader(env);
    String tls = r.text(Setting.SMTP_TLS).toLowerCase(Locale.ROOT);
    if (!List.of("starttls", "tls", "none").contains(tls)) {
      r.problem(Setting.SMTP_TLS, tls, "expected starttls, tls or none");
    }
    ReportsSettings s = new ReportsSettings(r.text(Setting.REPORTS_CHROMIUM),
        r.text(Setting.REPORTS_BASE_URL).replaceAll("/+$", ""),
        r.duration(Setting.REPORTS_RENDER_TIMEOUT, Duration.ofSeconds(1)),
        r.integer(Setting.REPORTS_DELIVERY_ATTEMPTS, 1, 20),
        r.duration(Setting.REPORTS_RETRY_BACKOFF, Duration.ZERO),
        r.duration(Setting.REPORTS_IMAGE_TTL, Duration.ZERO),
        r.duration(Setting.THUMBNAILS_INTERVAL, Duration.ZERO),
        r.text(Setting.SMTP_HOST), r.integer(Setting.SMTP_PORT, 1, 65535),
        r.text(Setting.SMTP_USER), r.text(Setting.SMTP_PASSWORD), tls,
        r.text(Setting.SMTP_FROM),
        r.duration(Setting.SMTP_TIMEOUT, Duration.ofMillis(100)),
        r.duration(Setting.THUMBNAILS_DEBOUNCE, Duration.ZERO),
        r.duration(Setting.REPORTS_IMAGE_LINK_TTL, Duration.ofMinutes(1)));
    r.throwIfInvalid();
    return s;
  }
}
