package io.strata.server.metadata;

/** A metadata database operation failed; wraps the {@link java.sql.SQLException} with a readable message. */
public class MetadataException extends RuntimeException {

    public MetadataException(String message) {
        super(message);
    }

    public MetadataException(String message, Throwable cause) {
        super(message, cause);
    }
}
