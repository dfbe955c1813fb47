package io.strata.server.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;

/**
 * The windows of keep-warm warm-up. A dashboard's window is 80% of the shortest lifetime of its
 * queries' cache entries (their models' {@code refresh.every}, else
 * {@code strata.cache.default-ttl}); windows are aligned to the epoch, so every server computes
 * the same ones. A keep-warm schedule fires at the start of each window, so each entry is
 * refreshed a fifth of its lifetime before it expires; every warm-up (keep-warm, cron or by
 * hand) claims each query once per window ({@code strata_warmup_claims}), so no query runs
 * twice in a window, on any server.
 */
final class KeepWarm {
  /** Without a results cache there is nothing to keep warm; the schedule checks this often. */
  static final Duration NO_CACHE = Duration.ofMinutes(10);
  static final Duration SHORTEST = Duration.ofSeconds(1);

  private KeepWarm() {}

  /** The window of queries whose entries live {@code ttls}. */
  static Duration window(Collection<Duration> ttls) {
    Duration min = ttls.stream().min(Duration::compareTo).orElse(NO_CACHE);
    Duration w = Duration.ofMillis(min.toMillis() * 4 / 5);
    return w.compareTo(SHORTEST) < 0 ? SHORTEST : w;
  }

  /** The start of the window {@code now} is in. */
  static Instant start(Instant now, Duration window) {
    long w = window.toMillis();
    return Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), w) * w);
  }

  /** The start of the next window: when a keep-warm schedule fires next. */
  static Instant next(Instant now, Duration window) {
    return start(now, window).plus(window);
  }
}
