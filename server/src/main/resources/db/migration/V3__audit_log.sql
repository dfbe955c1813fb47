-- The audit log (server.audit.AuditLog): who changed which model, data source, user, token,
-- dashboard, chart or cache, and when; plus login lockouts. details is a JSON object that never
-- holds a secret. Old entries are deleted after strata.audit.retention.
CREATE TABLE strata_audit_log (
    id             ${id},
    occurred_at    ${timestamp} NOT NULL,
    actor          VARCHAR(255),
    actor_address  VARCHAR(64),
    action         VARCHAR(64)  NOT NULL,
    resource_type  VARCHAR(64)  NOT NULL,
    resource_name  VARCHAR(255),
    details        ${text}
) ${table_options};
CREATE INDEX strata_audit_log_at_idx ON strata_audit_log (occurred_at);
CREATE INDEX strata_audit_log_resource_idx ON strata_audit_log (resource_type, resource_name, occurred_at);
CREATE INDEX strata_audit_log_actor_idx ON strata_audit_log (actor, occurred_at);
