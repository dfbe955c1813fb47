-- The job system (README "Jobs"): Strata's own record of each job, recurring schedules, and the
-- table of the engine that runs them (db-scheduler). Placeholders as in V1; ${bytes} is a binary
-- column (H2 VARBINARY, Postgres BYTEA, MySQL LONGBLOB).

-- One row per job: the user-facing record. The engine's row (below) only says when it runs and
-- who holds it; state, progress, timings, error and result live here.
CREATE TABLE strata_jobs (
    id                VARCHAR(64)  NOT NULL PRIMARY KEY,
    kind              VARCHAR(32)  NOT NULL,
    owner             VARCHAR(255) NOT NULL,
    state             VARCHAR(16)  NOT NULL,
    progress          BIGINT       DEFAULT 0 NOT NULL,
    attempts          INTEGER      DEFAULT 0 NOT NULL,
    cancel_requested  BOOLEAN      DEFAULT FALSE NOT NULL,
    worker            VARCHAR(255),
    schedule_id       VARCHAR(64),
    cache_key         VARCHAR(128),
    parameters        ${text}      NOT NULL,
    error_code        VARCHAR(128),
    error_message     ${text},
    result_location   VARCHAR(1024),
    result_rows       BIGINT,
    result_bytes      BIGINT,
    created_at        ${timestamp} NOT NULL,
    started_at        ${timestamp},
    finished_at       ${timestamp},
    expires_at        ${timestamp},
    CONSTRAINT strata_jobs_state_ck CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled'))
) ${table_options};
CREATE INDEX strata_jobs_owner_idx ON strata_jobs (owner, created_at);
CREATE INDEX strata_jobs_state_idx ON strata_jobs (state, kind);
CREATE INDEX strata_jobs_cache_key_idx ON strata_jobs (cache_key);
CREATE INDEX strata_jobs_schedule_idx ON strata_jobs (schedule_id);

-- Recurring jobs: a cron expression in a time zone; each firing adds a strata_jobs row.
CREATE TABLE strata_job_schedules (
    id           VARCHAR(64)  NOT NULL PRIMARY KEY,
    kind         VARCHAR(32)  NOT NULL,
    owner        VARCHAR(255) NOT NULL,
    cron         VARCHAR(255) NOT NULL,
    time_zone    VARCHAR(64)  NOT NULL,
    parameters   ${text}      NOT NULL,
    created_at   ${timestamp} NOT NULL,
    last_run_at  ${timestamp},
    last_job_id  VARCHAR(64)
) ${table_options};
CREATE INDEX strata_job_schedules_owner_idx ON strata_job_schedules (owner);

-- db-scheduler's table (its documented schema, timestamps kept as UTC wall time like ours).
CREATE TABLE strata_scheduled_tasks (
    task_name             VARCHAR(100) NOT NULL,
    task_instance         VARCHAR(100) NOT NULL,
    task_data             ${bytes},
    execution_time        ${timestamp} NOT NULL,
    picked                BOOLEAN      NOT NULL,
    picked_by             VARCHAR(50),
    last_success          ${timestamp},
    last_failure          ${timestamp},
    consecutive_failures  INTEGER,
    last_heartbeat        ${timestamp},
    version               BIGINT       NOT NULL,
    priority              SMALLINT,
    PRIMARY KEY (task_name, task_instance)
) ${table_options};
CREATE INDEX strata_scheduled_tasks_exec_idx ON strata_scheduled_tasks (execution_time);
CREATE INDEX strata_scheduled_tasks_heartbeat_idx ON strata_scheduled_tasks (last_heartbeat);
CREATE INDEX strata_scheduled_tasks_priority_idx ON strata_scheduled_tasks (priority, execution_time);
