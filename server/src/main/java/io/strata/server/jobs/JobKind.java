package io.strata.server.jobs;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a job does. */
public enum JobKind {
  /** An async query (semantic JSON or SQL): its result is stored as Arrow for the result link. */
  QUERY,
  /** A CSV export of a query (semantic JSON or SQL), optionally gzipped, with a download link. */
  EXPORT,
  /** Re-runs a dashboard's chart queries so that its next viewer is served from the cache. */
  WARMUP,
  /** Delivers a scheduled report (a dashboard or chart as PNG, PDF, CSV or text): {@code reports}. */
  REPORT,
  /** Checks an alert's query against its condition and notifies: {@code reports}. */
  ALERT,
  /** Renders a dashboard's or chart's thumbnail for one viewer: {@code reports}. */
  THUMBNAIL,
  /** Builds a rollup's partitions into its store (io.strata.server.rollup registers it). */
  ROLLUP_BUILD;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind a client named, or IllegalArgumentException listing the kinds. */
  public static JobKind parse(String id) {
    for (JobKind k : values()) {
      if (k.id().equals(id)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown job kind '" + id + "': expected one of "
        + Arrays.stream(values()).map(JobKind::id).collect(Collectors.joining(", ")));
  }
}
