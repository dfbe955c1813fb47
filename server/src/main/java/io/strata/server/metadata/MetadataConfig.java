package io.strata.server.metadata;

/**
 * Where the metadata database is and how many connections the server keeps to it.
 *
 * @param url      JDBC URL starting with {@code jdbc:h2:}, {@code jdbc:postgresql:}, {@code jdbc:mysql:} or {@code jdbc:mariadb:}
 * @param user     user name, or null when the URL carries it (or none is needed)
 * @param password password, or null
 * @param poolSize maximum connections in the pool (at least 1)
 */
public record MetadataConfig(String url, String user, String password, int poolSize) {

    /** Never prints the password (nor one embedded in the URL). */
    @Override
    public String toString() {
        return "MetadataConfig[url=" + MetadataDatabase.redact(url) + ", user=" + user
                + ", password=" + (password == null ? "null" : "***") + ", poolSize=" + poolSize + "]";
    }
}
