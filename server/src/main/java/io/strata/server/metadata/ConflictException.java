package io.strata.server.metadata;

/**
 * The operation would break a uniqueness rule (e.g. "user 'bob' already exists") or remove something
 * others still refer to.
 */
public class ConflictException extends MetadataException {

    public ConflictException(String message) {
        super(message);
    }

    public ConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
