package io.strata.server.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The store suite on the test Postgres server, in database {@value TestDatabases#DATABASE}. */
class PostgresMetadataTest extends MetadataStoreContract {

    @Override
    MetadataConfig emptyDatabase() throws Exception {
        return TestDatabases.emptyPostgres();
    }

    @Override
    MetadataVendor expectedVendor() {
        return MetadataVendor.POSTGRES;
    }

    /**
     * A metadata database that stalls (here: the log table locked by another transaction) never
     * makes a query wait for its log line: a full buffer drops and counts, and what was queued is
     * written once the database moves again.
     */
    @Test
    void aStalledDatabaseFillsTheBufferWhichDropsAndCountsButNeverBlocks() throws Exception {
        QueryLogStore small = new QueryLogStore(db, 10);
        int accepted = 0;
        try (Connection lock = db.dataSource().getConnection()) {
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                st.execute("LOCK TABLE strata_query_log IN ACCESS EXCLUSIVE MODE");
            }
            for (int i = 0; i < 100; i++) {
                if (small.append(new QueryLogEntry("s" + i, "bob", "rest", "{}", "SELECT 1", "demo",
                        Instant.now(), 1, 1, 1, 3, 1, 1, null, null, null))) {
                    accepted++;
                }
            }
            lock.rollback();
        }
        assertThat(small.dropped()).isEqualTo(100 - accepted);
        // the writer holds at most one batch while blocked, the buffer ten more
        assertThat(accepted).isBetween(10, 10 + 500);
        assertThat(small.dropped()).isPositive();
        small.close();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM strata_query_log WHERE query_id LIKE 's%'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(accepted);
        }
    }
}
