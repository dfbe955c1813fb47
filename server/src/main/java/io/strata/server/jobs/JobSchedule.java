package io.strata.server.jobs;

import java.time.Instant;

/**
 * A recurring job: each time its cron expression fires (in its time zone) one job of its kind
 * runs with its parameters, on exactly one worker of all the servers and workers.
 *
 * @param cron a six-field cron expression (seconds first), e.g. {@code 0 0 7 * * MON-FRI};
 *     empty for a keep-warm schedule
 * @param keepWarm a warm-up that fires once per cache window of its dashboard's queries
 *     ({@link KeepWarm}) instead of by cron
 */
public record JobSchedule(String id, JobKind kind, String owner, String cron, String timeZone,
    String parameters, Instant createdAt, Instant lastRunAt, String lastJobId, boolean keepWarm) {}
