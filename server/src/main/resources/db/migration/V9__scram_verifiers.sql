-- SCRAM-SHA-256 verifiers for the Postgres wire endpoint (README "Postgres wire"). A bcrypt hash
-- cannot give the keys SCRAM needs, so each verifier is derived from the password when Strata
-- sees it (user created, password changed, a successful password login) and is stored with the
-- bcrypt hash it was made beside: a verifier whose hash is no longer the user's is stale.
-- Placeholders as in V1.
CREATE TABLE strata_scram_verifiers (
    user_id        BIGINT       NOT NULL PRIMARY KEY,
    password_hash  VARCHAR(255) NOT NULL,
    verifier       VARCHAR(512) NOT NULL
) ${table_options};

ALTER TABLE strata_scram_verifiers ADD CONSTRAINT strata_scram_verifiers_user_fk
    FOREIGN KEY (user_id) REFERENCES strata_users (id) ON DELETE CASCADE;
