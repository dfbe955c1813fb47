package io.strata.server.jobs;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The work of a job kind that another package owns (a rollup build), registered with
 * {@link Jobs#register}. Called on a worker thread; must be idempotent, since jobs are
 * at-least-once.
 */
public interface JobHandler {
  /** Checks a request before it is queued; throws the client's 400/404 for a bad one. */
  void check(String owner, JobRequest request);

  /**
   * Does the job's work. {@code canceller} may be set to what stops it; {@code createdAt} is
   * when the job was asked for (a retry or a late start keeps it).
   *
   * @return the count shown as the job's rows
   * @throws RetryableJobException for a passing failure (retried with back-off while attempts
   *     are left); any other exception fails the job at once
   */
  long run(String jobId, String owner, java.time.Instant createdAt, JobRequest request,
      AtomicReference<Runnable> canceller);
}
