package io.strata.server.jobs;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The work of a job kind that another package owns (reports, alerts and thumbnails are the
 * {@code reports} package's, rollup builds the {@code rollup} package's), registered with
 * {@link Jobs#handle}. The job system gives it what every job gets: persistence, one worker per
 * run, schedules, cancellation, and back-off retries of passing failures.
 *
 * <p>Called on a worker thread; at-least-once, so {@link #run} must be idempotent.
 */
public interface JobHandler {
  /** Checks a request before it is queued or scheduled; throws the client's 4xx. */
  default void check(String owner, JobRequest request) {}

  /**
   * Does the work. {@code canceller} may be set to what stops it (the job's cancel calls it);
   * the job's {@code createdAt} is when it was asked for (a retry or a late start keeps it).
   *
   * @return the count shown as the job's rows
   * @throws IOException or {@link RetryableJobException} for a passing failure (retried with
   *     back-off while attempts are left); any other exception fails the job at once
   */
  long run(Job job, JobRequest request, AtomicReference<Runnable> canceller) throws IOException;
}
