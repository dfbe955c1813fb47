package io.strata.server.jobs;

import java.time.Instant;

/**
 * A job as {@code strata_jobs} records it: the user-facing record the API shows. The engine
 * (db-scheduler) only knows when the job runs and which worker holds it.
 *
 * @param progress rows produced so far
 * @param attempts how many times a worker started it (more than one after a retry or after its
 *     worker died)
 * @param parameters the job's input, JSON (see {@link JobRequest})
 * @param resultLocation the stored result's name in the {@link ResultStore}, once succeeded
 * @param expiresAt when the stored result (and its download link) expires
 */
public record Job(String id, JobKind kind, String owner, JobState state, long progress,
    int attempts, boolean cancelRequested, String worker, String scheduleId, String cacheKey,
    String parameters, String errorCode, String errorMessage, String resultLocation,
    Long resultRows, Long resultBytes, Instant createdAt, Instant startedAt, Instant finishedAt,
    Instant expiresAt) {}
