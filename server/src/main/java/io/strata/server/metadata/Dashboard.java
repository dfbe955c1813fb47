package io.strata.server.metadata;

import java.time.Instant;

/**
 * A dashboard; its charts are {@link Chart}s. {@code updatedAt} also moves when a chart is added,
 * changed or removed.
 */
public record Dashboard(long id, String name, String description, String layoutJson, long ownerId,
                        Instant createdAt, Instant updatedAt) {
}
