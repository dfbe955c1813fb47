-- Row-level security and access grants (see io.strata.server.security.AccessPolicy).
-- Placeholders as in V1__metadata.sql. Lists (roles, users) and filters are stored as JSON text:
-- they are read whole with their rule or grant and never queried by their parts.

-- Bumped with every change to attributes, rules or grants, so other servers reload them.
INSERT INTO strata_revisions (name, revision) VALUES ('security', 0);

-- Key/value attributes of a user, bound into row-level security filters as {user.<name>}.
CREATE TABLE strata_user_attributes (
    user_id     BIGINT       NOT NULL,
    attr_name   VARCHAR(128) NOT NULL,
    attr_value  ${text}      NOT NULL,
    PRIMARY KEY (user_id, attr_name)
) ${table_options};
ALTER TABLE strata_user_attributes ADD CONSTRAINT strata_user_attributes_user_fk
    FOREIGN KEY (user_id) REFERENCES strata_users (id) ON DELETE CASCADE;

-- A row-level security rule: a semantic filter (JSON) added to every query that reads model_name.
CREATE TABLE strata_rls_rules (
    id           ${id},
    model_name   VARCHAR(255) NOT NULL,
    filter_json  ${text}      NOT NULL,
    roles_json   ${text}      NOT NULL,
    users_json   ${text}      NOT NULL,
    description  ${text},
    created_at   ${timestamp} NOT NULL,
    updated_at   ${timestamp} NOT NULL
) ${table_options};

-- A grant of a model, view, member or data source to roles and users.
CREATE TABLE strata_access_grants (
    id           ${id},
    kind         VARCHAR(32)  NOT NULL,
    target       VARCHAR(512) NOT NULL,
    roles_json   ${text}      NOT NULL,
    users_json   ${text}      NOT NULL,
    description  ${text},
    created_at   ${timestamp} NOT NULL,
    updated_at   ${timestamp} NOT NULL,
    CONSTRAINT strata_access_grants_kind_ck CHECK (kind IN ('model', 'view', 'member', 'data_source'))
) ${table_options};
