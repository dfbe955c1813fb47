package io.strata.server.metadata;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A warehouse connection defined at run time.
 *
 * @param kind       the warehouse type, e.g. {@code postgres}, {@code duckdb}
 * @param username   null when the URL or driver supplies it
 * @param password   null when none; stored as given (encrypt before storing if required)
 * @param properties extra driver properties; never null (null becomes empty), kept in the given order
 * @param createdAt  set by the store
 * @param updatedAt  set by the store
 */
public record DataSourceRecord(String name, String kind, String url, String username, String password,
                               Map<String, String> properties, int poolSize, long connectionTimeoutMs,
                               Instant createdAt, Instant updatedAt) {

    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(password|secret|token|credential|private).*");

    public DataSourceRecord {
        properties = properties == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /** Never prints the password, nor property values whose keys look secret. */
    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>();
        properties.forEach((k, v) -> shown.put(k, k != null && SECRET_KEY.matcher(k).matches() ? "***" : v));
        return "DataSourceRecord[name=" + name + ", kind=" + kind + ", url=" + MetadataDatabase.redact(url)
                + ", username=" + username + ", password=" + (password == null ? "null" : "***")
                + ", properties=" + shown + ", poolSize=" + poolSize + ", connectionTimeoutMs=" + connectionTimeoutMs
                + ", createdAt=" + createdAt + ", updatedAt=" + updatedAt + "]";
    }
}
