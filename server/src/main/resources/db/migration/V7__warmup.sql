-- Keep-warm warm-up (README "Jobs"): a schedule that fires once per cache window instead of by
-- cron, and one claim per (query, window) so that no warm-up runs a query twice in a window,
-- whichever server or worker runs it. Placeholders as in V1.

ALTER TABLE strata_job_schedules ADD COLUMN keep_warm BOOLEAN DEFAULT FALSE NOT NULL;

-- The unique key is the claim: the first warm-up to insert (query_key, window_start) runs the
-- query; every other one in that window finds the row and skips it.
CREATE TABLE strata_warmup_claims (
    query_key     VARCHAR(128) NOT NULL,
    window_start  ${timestamp} NOT NULL,
    job_id        VARCHAR(64)  NOT NULL,
    claimed_at    ${timestamp} NOT NULL,
    PRIMARY KEY (query_key, window_start)
) ${table_options};
CREATE INDEX strata_warmup_claims_at_idx ON strata_warmup_claims (claimed_at);
