-- Thumbnails rendered ahead of time (README "Reports & alerts"): who has a thumbnail of what
-- (a dashboard or a chart, per viewer: each is rendered as that viewer), when it was last
-- rendered, and until when a render of it is queued. The conditional update of queued_until is
-- the claim that lets several quick edits, or data refreshes seen by several servers, queue one
-- render. Placeholders as in V1.
CREATE TABLE strata_thumbnails (
    subject       VARCHAR(64)  NOT NULL,
    username      VARCHAR(255) NOT NULL,
    asked_at      ${timestamp} NOT NULL,
    queued_until  ${timestamp},
    rendered_at   ${timestamp},
    PRIMARY KEY (subject, username)
) ${table_options};
