-- Rollups (pre-aggregations, README "Rollups"): what is built where, and the lock that makes one
-- build run at a time across servers. Placeholders as in V1.

-- One row per declared rollup that has been built or asked for. The serving_* columns name the
-- version queries read; a build writes its partitions first and flips these columns in one
-- conditional UPDATE, so a new version becomes visible at once and a failed build never does.
CREATE TABLE strata_rollups (
    model              VARCHAR(255)  NOT NULL,
    rollup             VARCHAR(255)  NOT NULL,
    store              VARCHAR(255)  NOT NULL,
    definition         VARCHAR(128)  NOT NULL,
    serving_version    BIGINT,
    serving_relation   VARCHAR(1024),
    serving_definition VARCHAR(128),
    serving_data_source VARCHAR(255),
    range_start        VARCHAR(64),
    range_end          VARCHAR(64),
    refresh_value      ${text},
    row_count          BIGINT,
    byte_count         BIGINT,
    built_at           ${timestamp},
    build_millis       BIGINT,
    builds             BIGINT        DEFAULT 0 NOT NULL,
    failures           BIGINT        DEFAULT 0 NOT NULL,
    last_error         ${text},
    last_error_at      ${timestamp},
    requested_at       ${timestamp},
    last_job_id        VARCHAR(64),
    PRIMARY KEY (model, rollup)
) ${table_options};

-- The partitions of each version: a version reuses the tables of partitions it did not rebuild
-- (outside the update window), so rows here are per version.
CREATE TABLE strata_rollup_partitions (
    model          VARCHAR(255)  NOT NULL,
    rollup         VARCHAR(255)  NOT NULL,
    version        BIGINT        NOT NULL,
    partition_key  VARCHAR(64)   NOT NULL,
    range_start    VARCHAR(64),
    range_end      VARCHAR(64),
    relation       VARCHAR(1024) NOT NULL,
    row_count      BIGINT        NOT NULL,
    byte_count     BIGINT        NOT NULL,
    built_at       ${timestamp}  NOT NULL,
    build_millis   BIGINT        NOT NULL,
    PRIMARY KEY (model, rollup, version, partition_key)
) ${table_options};

-- One row per held build lock (key: model/rollup): taken by INSERT, so two servers never both
-- hold it; an expired row (its holder died) may be taken over by a conditional UPDATE.
CREATE TABLE strata_rollup_locks (
    lock_key     VARCHAR(512)  NOT NULL PRIMARY KEY,
    holder       VARCHAR(255)  NOT NULL,
    acquired_at  ${timestamp}  NOT NULL,
    expires_at   ${timestamp}  NOT NULL
) ${table_options};

-- The rollup that answered a query (model.rollup@version), null when the warehouse did.
ALTER TABLE strata_query_log ADD COLUMN rollup VARCHAR(512);
