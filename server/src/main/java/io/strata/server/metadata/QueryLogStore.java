package io.strata.server.metadata;

import io.strata.server.metadata.MetadataDatabase.ErrorMapper;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query log, {@code strata_query_log}, written behind the queries: {@link #append} queues the
 * entry in a bounded buffer and one writer thread inserts what is queued in batches, in order, so
 * a query never waits for the metadata database (a synchronous insert per query cost more than a
 * cached answer). A full buffer drops entries and counts them; reads and {@link #close()} flush
 * first, so a reader sees its own queries and a graceful shutdown loses nothing. A process killed
 * outright loses what was still queued (milliseconds' worth).
 *
 * <p>Appending never fails for a value's size: long texts are cut to {@value #MAX_TEXT} characters
 * (query text, SQL, error) or to their column's width, and NUL characters are dropped.
 */
public final class QueryLogStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueryLogStore.class);

    /** Longest query text, SQL or error message kept, in characters. */
    public static final int MAX_TEXT = 65_536;

    /** Entries the buffer holds; beyond it entries are dropped (and counted), never waited for. */
    public static final int CAPACITY = 10_000;

    private static final int MAX_BATCH = 500;
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration FLUSH_WAIT = Duration.ofSeconds(10);

    private final MetadataDatabase db;
    private final BlockingQueue<QueryLogEntry> buffer;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Object progress = new Object();
    private long queued; // guarded by progress
    private long done; // guarded by progress: written or failed
    private volatile boolean closed;
    private final Thread writer;

    public QueryLogStore(MetadataDatabase db) {
        this(db, CAPACITY);
    }

    QueryLogStore(MetadataDatabase db, int capacity) {
        this.db = Objects.requireNonNull(db, "db");
        this.buffer = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::drain, "strata-query-log");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Queues an entry for the writer thread and returns at once: a query never waits for its log
     * line. A full buffer drops the entry and counts it ({@link #dropped()}) rather than block.
     *
     * @return false when the entry was dropped (buffer full or the log closed)
     */
    public boolean append(QueryLogEntry e) {
        Objects.requireNonNull(e, "entry");
        Jdbc.requireName(e.queryId(), "query id");
        Objects.requireNonNull(e.startedAt(), "startedAt");
        if (closed || !buffer.offer(e)) {
            dropped.increment();
            return false;
        }
        synchronized (progress) {
            queued++;
        }
        return true;
    }

    /**
     * Waits until every entry appended before this call is written (or failed to be), at most
     * {@code FLUSH_WAIT}. Readers call it so that a query's own log line is visible to whoever ran
     * it; the shutdown calls it so that nothing acknowledged is lost.
     */
    public void flush() {
        long deadline = System.nanoTime() + FLUSH_WAIT.toNanos();
        synchronized (progress) {
            long target = queued;
            while (done < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    progress.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Entries dropped because the buffer was full (or the log closed), since start. */
    public long dropped() {
        return dropped.sum();
    }

    /** Entries that could not be written (the database refused them), since start. */
    public long failed() {
        return failed.sum();
    }

    /** Entries waiting to be written. */
    public int pending() {
        return buffer.size();
    }

    /** Writes what is queued and stops the writer thread. */
    @Override
    public void close() {
        closed = true;
        flush();
        writer.interrupt();
        try {
            writer.join(FLUSH_WAIT.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The writer thread: whatever is queued goes in one batch, in the order it was appended. */
    private void drain() {
        List<QueryLogEntry> batch = new ArrayList<>(MAX_BATCH);
        while (!(closed && buffer.isEmpty())) {
            try {
                QueryLogEntry first = buffer.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
            } catch (InterruptedException interrupted) {
                if (!closed) {
                    continue;
                }
            }
            buffer.drainTo(batch, MAX_BATCH - batch.size());
            if (batch.isEmpty()) {
                continue;
            }
            try {
                write(batch);
            } catch (RuntimeException failure) {
                // The answers were served; their log lines are lost, counted and logged once per batch.
                failed.add(batch.size());
                LOG.warn("could not write {} query log entries: {}", batch.size(), failure.toString());
            }
            synchronized (progress) {
                done += batch.size();
                progress.notifyAll();
            }
            batch.clear();
        }
    }

    private void write(List<QueryLogEntry> batch) {
        db.transaction("logging " + batch.size() + " queries", false, ErrorMapper.NONE, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO strata_query_log (query_id, username,"
                    + " endpoint, query_text, sql_text, data_source, started_at, compile_micros, execute_micros,"
                    + " fetch_micros, total_micros, row_count, byte_count, cache_tier, error_code, error_message,"
                    + " rollup) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (QueryLogEntry e : batch) {
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
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /** The latest {@code limit} entries, newest (by start time) first, including all appended so far. */
    public List<QueryLogEntry> recent(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        flush();
        return db.run("reading the query log", ErrorMapper.NONE,
                c -> Jdbc.list(c, "SELECT query_id, username, endpoint, query_text, sql_text, data_source, started_at,"
                        + " compile_micros, execute_micros, fetch_micros, total_micros, row_count, byte_count, cache_tier,"
                        + " error_code, error_message, rollup FROM strata_query_log ORDER BY started_at DESC, id DESC LIMIT ?",
                        ps -> ps.setInt(1, limit), QueryLogStore::read));
    }

    /** The latest {@code limit} entries of one user on one endpoint ({@code rest}, {@code jdbc}, ...), newest first. */
    public List<QueryLogEntry> recentOf(String username, String endpoint, int limit) {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(endpoint, "endpoint");
        if (limit <= 0) {
            return List.of();
        }
        flush();
        return db.run("reading the query log of '" + username + "'", ErrorMapper.NONE,
                c -> Jdbc.list(c, "SELECT query_id, username, endpoint, query_text, sql_text, data_source, started_at,"
                        + " compile_micros, execute_micros, fetch_micros, total_micros, row_count, byte_count, cache_tier,"
                        + " error_code, error_message, rollup FROM strata_query_log WHERE username = ? AND endpoint = ?"
                        + " ORDER BY started_at DESC, id DESC LIMIT ?",
                        ps -> {
                            ps.setString(1, username);
                            ps.setString(2, endpoint);
                            ps.setInt(3, limit);
                        }, QueryLogStore::read));
    }

    /** Deletes the entries that started before {@code cutoff}; returns how many. */
    public int deleteOlderThan(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        flush();
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
