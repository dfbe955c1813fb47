-- Strata metadata schema, written once for H2, PostgreSQL and MySQL/MariaDB.
-- Placeholders are set per vendor by MetadataDatabase (see MetadataVendor):
--   ${id}             identity primary key column
--   ${text}           unbounded text (H2 CLOB, Postgres TEXT, MySQL MEDIUMTEXT)
--   ${timestamp}      microsecond timestamp holding UTC wall-clock time (MySQL DATETIME(6))
--   ${table_options}  MySQL: InnoDB, utf8mb4, binary collation; empty elsewhere
-- Foreign keys are added after the indexes that serve them, so MySQL does not create its own.

-- Monotonic change counters that servers poll to notice changes made by other servers.
-- Each writer bumps its row in the same transaction as its change; the row lock orders the commits.
CREATE TABLE strata_revisions (
    name      VARCHAR(64) NOT NULL PRIMARY KEY,
    revision  BIGINT      NOT NULL
) ${table_options};
INSERT INTO strata_revisions (name, revision) VALUES ('models', 0);
INSERT INTO strata_revisions (name, revision) VALUES ('data_sources', 0);

CREATE TABLE strata_users (
    id             ${id},
    username       VARCHAR(255) NOT NULL,
    password_hash  VARCHAR(255) NOT NULL,
    role           VARCHAR(16)  NOT NULL,
    disabled       BOOLEAN DEFAULT FALSE NOT NULL,
    created_at     ${timestamp} NOT NULL,
    CONSTRAINT strata_users_username_uq UNIQUE (username),
    CONSTRAINT strata_users_role_ck CHECK (role IN ('admin', 'editor', 'viewer'))
) ${table_options};

CREATE TABLE strata_api_tokens (
    id            ${id},
    user_id       BIGINT       NOT NULL,
    name          VARCHAR(255) NOT NULL,
    prefix        VARCHAR(64)  NOT NULL,
    token_hash    VARCHAR(128) NOT NULL,
    created_at    ${timestamp} NOT NULL,
    expires_at    ${timestamp},
    last_used_at  ${timestamp},
    CONSTRAINT strata_api_tokens_hash_uq UNIQUE (token_hash)
) ${table_options};
CREATE INDEX strata_api_tokens_user_idx ON strata_api_tokens (user_id);
ALTER TABLE strata_api_tokens ADD CONSTRAINT strata_api_tokens_user_fk
    FOREIGN KEY (user_id) REFERENCES strata_users (id) ON DELETE CASCADE;

CREATE TABLE strata_sessions (
    id            ${id},
    user_id       BIGINT       NOT NULL,
    session_hash  VARCHAR(128) NOT NULL,
    created_at    ${timestamp} NOT NULL,
    expires_at    ${timestamp} NOT NULL,
    CONSTRAINT strata_sessions_hash_uq UNIQUE (session_hash)
) ${table_options};
CREATE INDEX strata_sessions_user_idx ON strata_sessions (user_id);
CREATE INDEX strata_sessions_expires_idx ON strata_sessions (expires_at);
ALTER TABLE strata_sessions ADD CONSTRAINT strata_sessions_user_fk
    FOREIGN KEY (user_id) REFERENCES strata_users (id) ON DELETE CASCADE;

-- One row per model name ever saved: its latest version and whether that version is a deletion.
CREATE TABLE strata_models (
    name             VARCHAR(255) NOT NULL PRIMARY KEY,
    current_version  INTEGER      NOT NULL,
    deleted          BOOLEAN DEFAULT FALSE NOT NULL,
    created_at       ${timestamp} NOT NULL,
    updated_at       ${timestamp} NOT NULL
) ${table_options};

-- Every version of every model file, never updated or removed; a deletion is a version too.
CREATE TABLE strata_model_versions (
    id          ${id},
    model_name  VARCHAR(255) NOT NULL,
    version     INTEGER      NOT NULL,
    yaml        ${text}      NOT NULL,
    author      VARCHAR(255),
    created_at  ${timestamp} NOT NULL,
    deleted     BOOLEAN DEFAULT FALSE NOT NULL,
    CONSTRAINT strata_model_versions_uq UNIQUE (model_name, version)
) ${table_options};
ALTER TABLE strata_model_versions ADD CONSTRAINT strata_model_versions_model_fk
    FOREIGN KEY (model_name) REFERENCES strata_models (name);

CREATE TABLE strata_data_sources (
    name                   VARCHAR(255) NOT NULL PRIMARY KEY,
    kind                   VARCHAR(64)  NOT NULL,
    url                    ${text}      NOT NULL,
    username               VARCHAR(255),
    password               ${text},
    properties             ${text}      NOT NULL,
    pool_size              INTEGER      NOT NULL,
    connection_timeout_ms  BIGINT       NOT NULL,
    created_at             ${timestamp} NOT NULL,
    updated_at             ${timestamp} NOT NULL
) ${table_options};

CREATE TABLE strata_dashboards (
    id           ${id},
    name         VARCHAR(255) NOT NULL,
    description  ${text},
    layout_json  ${text},
    owner_id     BIGINT       NOT NULL,
    created_at   ${timestamp} NOT NULL,
    updated_at   ${timestamp} NOT NULL
) ${table_options};
CREATE INDEX strata_dashboards_owner_idx ON strata_dashboards (owner_id);
-- No cascade: deleting a user who owns dashboards is refused (disable the user instead).
ALTER TABLE strata_dashboards ADD CONSTRAINT strata_dashboards_owner_fk
    FOREIGN KEY (owner_id) REFERENCES strata_users (id);

CREATE TABLE strata_charts (
    id            ${id},
    dashboard_id  BIGINT  NOT NULL,
    title         VARCHAR(1024),
    query_json    ${text},
    viz_json      ${text},
    position      INTEGER NOT NULL
) ${table_options};
CREATE INDEX strata_charts_dashboard_idx ON strata_charts (dashboard_id, position);
ALTER TABLE strata_charts ADD CONSTRAINT strata_charts_dashboard_fk
    FOREIGN KEY (dashboard_id) REFERENCES strata_dashboards (id) ON DELETE CASCADE;

-- Append-only; no foreign keys so entries outlive the users and data sources they mention.
CREATE TABLE strata_query_log (
    id              ${id},
    query_id        VARCHAR(128) NOT NULL,
    username        VARCHAR(255),
    endpoint        VARCHAR(255),
    query_text      ${text},
    sql_text        ${text},
    data_source     VARCHAR(255),
    started_at      ${timestamp} NOT NULL,
    compile_micros  BIGINT NOT NULL,
    execute_micros  BIGINT NOT NULL,
    fetch_micros    BIGINT NOT NULL,
    total_micros    BIGINT NOT NULL,
    row_count       BIGINT NOT NULL,
    byte_count      BIGINT NOT NULL,
    cache_tier      VARCHAR(64),
    error_code      VARCHAR(128),
    error_message   ${text}
) ${table_options};
CREATE INDEX strata_query_log_started_idx ON strata_query_log (started_at);
CREATE INDEX strata_query_log_query_idx ON strata_query_log (query_id);
CREATE INDEX strata_query_log_user_idx ON strata_query_log (username, started_at);
