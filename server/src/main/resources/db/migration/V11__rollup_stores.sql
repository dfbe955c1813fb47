-- Rollups keyed by store (README "Rollups"): a `source` rollup has one row that every server
-- shares; a `local` rollup has one row per server (store `local@<host>:<data dir>`), since each
-- server builds and serves its own copy in its own DuckDB file. Both tables gain `store` in their
-- key; they are recreated with the new key and their rows copied (a portable way to change a
-- primary key on H2, Postgres and MySQL). Key lengths stay under InnoDB's 3072-byte index limit.
CREATE TABLE strata_rollups_v11 (
    model              VARCHAR(255)  NOT NULL,
    rollup             VARCHAR(128)  NOT NULL,
    store              VARCHAR(160)  NOT NULL,
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
    PRIMARY KEY (model, rollup, store)
) ${table_options};
INSERT INTO strata_rollups_v11 (model, rollup, store, definition, serving_version,
    serving_relation, serving_definition, serving_data_source, range_start, range_end,
    refresh_value, row_count, byte_count, built_at, build_millis, builds, failures, last_error,
    last_error_at, requested_at, last_job_id)
  SELECT model, rollup, store, definition, serving_version, serving_relation, serving_definition,
    serving_data_source, range_start, range_end, refresh_value, row_count, byte_count, built_at,
    build_millis, builds, failures, last_error, last_error_at, requested_at, last_job_id
  FROM strata_rollups WHERE LENGTH(rollup) <= 128 AND LENGTH(store) <= 160;

CREATE TABLE strata_rollup_partitions_v11 (
    model          VARCHAR(255)  NOT NULL,
    rollup         VARCHAR(128)  NOT NULL,
    store          VARCHAR(160)  NOT NULL,
    version        BIGINT        NOT NULL,
    partition_key  VARCHAR(64)   NOT NULL,
    range_start    VARCHAR(64),
    range_end      VARCHAR(64),
    relation       VARCHAR(1024) NOT NULL,
    row_count      BIGINT        NOT NULL,
    byte_count     BIGINT        NOT NULL,
    built_at       ${timestamp}  NOT NULL,
    build_millis   BIGINT        NOT NULL,
    PRIMARY KEY (model, rollup, store, version, partition_key)
) ${table_options};
-- a partition row belongs to the store its rollup's row names
INSERT INTO strata_rollup_partitions_v11 (model, rollup, store, version, partition_key,
    range_start, range_end, relation, row_count, byte_count, built_at, build_millis)
  SELECT p.model, p.rollup, r.store, p.version, p.partition_key, p.range_start, p.range_end,
    p.relation, p.row_count, p.byte_count, p.built_at, p.build_millis
  FROM strata_rollup_partitions p
    JOIN strata_rollups_v11 r ON r.model = p.model AND r.rollup = p.rollup;

DROP TABLE strata_rollup_partitions;
DROP TABLE strata_rollups;
ALTER TABLE strata_rollups_v11 RENAME TO strata_rollups;
ALTER TABLE strata_rollup_partitions_v11 RENAME TO strata_rollup_partitions;
