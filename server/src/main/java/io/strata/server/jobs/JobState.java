package io.strata.server.jobs;

import java.util.Locale;

/** Where a job is: queued, running, then one of the three final states. */
public enum JobState {
  QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

  /** The name stored and shown: lower case. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  static JobState of(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT));
  }
}
