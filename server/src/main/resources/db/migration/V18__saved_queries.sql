-- Saved queries of the SQL Lab (README "Web UI"): each user's own named SQL statements.
-- A user's names are unique (saving under a name that exists is a 409). Placeholders as in V1.
CREATE TABLE strata_saved_queries (
    id          ${id},
    username    VARCHAR(255) NOT NULL,
    name        VARCHAR(200) NOT NULL,
    sql_text    ${text}      NOT NULL,
    created_at  ${timestamp} NOT NULL,
    updated_at  ${timestamp} NOT NULL,
    CONSTRAINT strata_saved_queries_name_uq UNIQUE (username, name)
) ${table_options};
