-- Favourite dashboards, per user (README "Web UI": the dashboards list's star). A row per
-- (user, dashboard); it goes with either. Placeholders as in V1.
CREATE TABLE strata_dashboard_favourites (
    user_id       BIGINT       NOT NULL,
    dashboard_id  BIGINT       NOT NULL,
    created_at    ${timestamp} NOT NULL,
    PRIMARY KEY (user_id, dashboard_id)
) ${table_options};
CREATE INDEX strata_dashboard_favourites_dashboard_idx ON strata_dashboard_favourites (dashboard_id);
ALTER TABLE strata_dashboard_favourites ADD CONSTRAINT strata_dashboard_favourites_user_fk
    FOREIGN KEY (user_id) REFERENCES strata_users (id) ON DELETE CASCADE;
ALTER TABLE strata_dashboard_favourites ADD CONSTRAINT strata_dashboard_favourites_dashboard_fk
    FOREIGN KEY (dashboard_id) REFERENCES strata_dashboards (id) ON DELETE CASCADE;
