package io.strata.server.metadata;

import io.strata.server.metadata.MetadataDatabase.ErrorMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The query log, {@code strata_query_log}. Appending never fails for a value's size: long texts are
 * cut to {@value #MAX_TEXT} characters (query text, SQL, error) or to their column's width, and NUL
 * characters are dropped.
 */
public final class QueryLogStore {

    /** Longest query text, SQL or error message kept, in characters. */
    public static final int MAX_TEXT = 65_536;

    private final MetadataDatabase db;

    public QueryLogStore(MetadataDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    public void append(QueryLogEntry e) {
        Objects.requireNonNull(e, "entry");
        Jdbc.requireName(e.queryId(), "query id");
        Objects.requireNonNull(e.startedAt(), "startedAt");
        db.run("logging query " + e.queryId(), ErrorMapper.NONE,
                c -> Jdbc.update(c, "INSERT INTO strata_query_log (query_id, username, endpoint, query_text, sql_text,"
                        + " data_source, started_at, compile_micros, execute_micros, fetch_micros, total_micros, row_count,"
                        + " byte_count, cache_tier, error_code, error_message, rollup)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
                            ps.setString(1, Jdbc.clip(e.queryId(), 128));
                            ps.setString(2, Jdbc.clip(e.username(), 255));
                            ps.setString(3, Jdbc.clip(e.endpoint(), 255));
                            ps.setString(4, Jdbc.clip(e.queryText(), MAX_TEXT));
                            ps.setString(5, Jdbc.clip(e.sql(), MAX_TEXT));
                            ps.setString(6, Jdbc.clip(e.dataSource(), 255));
                            Jdbc.setInstant(ps, 7, e.startedAt());
                            ps.setLong(8, e.compileMicros());
                            ps.setLong(9, e.executeMicros());
                            ps.setLong(10, e.fetchMicros());
                            ps.setLong(11, e.totalMicros());
                            ps.setLong(12, e.rows());
                            ps.setLong(13, e.bytes());
                            ps.setString(14, Jdbc.clip(e.cacheTier(), 64));
                            ps.setString(15, Jdbc.clip(e.errorCode(), 128));
                            ps.setString(16, Jdbc.clip(e.error(), MAX_TEXT));
                            ps.setString(17, Jdbc.clip(e.rollup(), 512));
                        }));
    }

    /** The latest {@code limit} entries, newest (by start time) first. */
    public List<QueryLogEntry> recent(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return db.run("reading the query log", ErrorMapper.NONE,
                c -> Jdbc.list(c, "SELECT query_id, username, endpoint, query_text, sql_text, data_source, started_at,"
                        + " compile_micros, execute_micros, fetch_micros, total_micros, row_count, byte_count, cache_tier,"
                        + " error_code, error_message, rollup FROM strata_query_log ORDER BY started_at DESC, id DESC LIMIT ?",
                        ps -> ps.setInt(1, limit), QueryLogStore::read));
    }

    /** Deletes the entries that started before {@code cutoff}; returns how many. */
    public int deleteOlderThan(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return db.run("deleting old query log entries", ErrorMapper.NONE,
                c -> Jdbc.update(c, "DELETE FROM strata_query_log WHERE started_at < ?", ps -> Jdbc.setInstant(ps, 1, cutoff)));
    }

    private static QueryLogEntry read(ResultSet rs) throws SQLException {
        return new QueryLogEntry(rs.getString("query_id"), rs.getString("username"), rs.getString("endpoint"),
                rs.getString("query_text"), rs.getString("sql_text"), rs.getString("data_source"),
                Jdbc.getInstant(rs, "started_at"), rs.getLong("compile_micros"), rs.getLong("execute_micros"),
                rs.getLong("fetch_micros"), rs.getLong("total_micros"), rs.getLong("row_count"), rs.getLong("byte_count"),
                rs.getString("cache_tier"), rs.getString("error_code"), rs.getString("error_message"),
                rs.getString("rollup"));
    }
}
