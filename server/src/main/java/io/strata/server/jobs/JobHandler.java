package io.strata.server.jobs;

import java.io.IOException;

/**
 * The work of a job kind that another package owns (reports, alerts and thumbnails are the
 * {@code reports} package's), registered with {@link Jobs#handle}. The job system gives it what
 * every job gets: persistence, one worker per run, schedules, cancellation of the record, and
 * back-off retries of what {@link #run} throws as passing.
 *
 * <p>Called on a worker thread; at-least-once, so {@link #run} must be idempotent.
 */
public interface JobHandler {
  /** Checks a request before it is queued or scheduled; throws the client's 4xx. */
  default void check(String owner, JobRequest request) {}

  /** Does the work; returns how many things it did (the job's row count). */
  long run(Job job, JobRequest request) throws IOException;
}
