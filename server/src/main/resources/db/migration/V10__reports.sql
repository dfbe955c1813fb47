-- Reports and alerts (README "Reports & alerts"): what each one is, its state, and a row per
-- run. Placeholders as in V1. The schedule itself is a strata_job_schedules row (V6).

-- One row per report or alert. spec is the checked JSON definition (target, format, query,
-- condition, channels); state is what the last run found.
CREATE TABLE strata_reports (
    id                VARCHAR(64)  NOT NULL PRIMARY KEY,
    kind              VARCHAR(16)  NOT NULL,
    name              VARCHAR(255) NOT NULL,
    owner             VARCHAR(255) NOT NULL,
    spec              ${text}      NOT NULL,
    cron              VARCHAR(255) NOT NULL,
    time_zone         VARCHAR(64)  NOT NULL,
    active            BOOLEAN      NOT NULL,
    state             VARCHAR(16)  NOT NULL,
    schedule_id       VARCHAR(64),
    last_value        VARCHAR(255),
    last_notified_at  ${timestamp},
    created_at        ${timestamp} NOT NULL,
    updated_at        ${timestamp} NOT NULL,
    CONSTRAINT strata_reports_kind_ck CHECK (kind IN ('report', 'alert')),
    CONSTRAINT strata_reports_state_ck CHECK (state IN ('ok', 'triggered', 'error'))
) ${table_options};
CREATE INDEX strata_reports_owner_idx ON strata_reports (owner, kind);

-- One row per run (scheduled or a test-send): what was found and what was sent to whom.
CREATE TABLE strata_report_runs (
    id           VARCHAR(64)  NOT NULL PRIMARY KEY,
    report_id    VARCHAR(64)  NOT NULL,
    job_id       VARCHAR(64),
    is_test      BOOLEAN      NOT NULL,
    state        VARCHAR(16)  NOT NULL,
    value_text   VARCHAR(255),
    error        ${text},
    deliveries   ${text},
    started_at   ${timestamp} NOT NULL,
    finished_at  ${timestamp}
) ${table_options};
CREATE INDEX strata_report_runs_report_idx ON strata_report_runs (report_id, started_at);
