package io.strata.server.metadata;

import java.time.Instant;

/**
 * One entry of the audit log, {@code strata_audit_log}: at {@code at}, {@code actor} (a
 * username; null for the server itself) from {@code actorAddress} (null when unknown) did
 * {@code action} to the {@code resourceType} named {@code resourceName}; {@code detailsJson} is
 * a JSON object (never a secret). {@code id} is 0 before the entry is stored.
 */
public record AuditEntry(long id, Instant at, String actor, String actorAddress, String action,
    String resourceType, String resourceName, String detailsJson) {}
