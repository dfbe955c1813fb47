package io.strata.server.metadata;

import java.time.Instant;

/**
 * One version of a model file. Versions of a model are numbered 1, 2, 3... without gaps; a deletion is a
 * version too, with {@code deleted} true and empty {@code yaml}.
 *
 * @param author who saved it, or null when unknown
 */
public record ModelVersion(String name, int version, String yaml, String author, Instant createdAt, boolean deleted) {
}
