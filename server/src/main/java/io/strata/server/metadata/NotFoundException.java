package io.strata.server.metadata;

/** The thing an operation names does not exist, e.g. "data source 'x' does not exist". */
public class NotFoundException extends MetadataException {

    public NotFoundException(String message) {
        super(message);
    }

    public NotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
