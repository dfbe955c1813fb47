package io.strata.demo;

import io.strata.demo.DemoTable.Column;
import io.strata.demo.DemoTable.ColumnType;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/** Loads a {@link DemoDataset} into schema {@code retail} of DuckDB, Postgres or MySQL/MariaDB. */
final class DemoLoader {

    /** Target databases. */
    enum Dialect { DUCKDB, POSTGRES, MYSQL }

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    private static final int MYSQL_ROWS_PER_INSERT = 1_000;
    /** Postgres advisory-lock key / MySQL lock name serialising concurrent loaders. */
    private static final long PG_LOCK_KEY = 0x5354_5241_5441_4445L;
    private static final String MYSQL_LOCK = "strata_demo_retail";

    private DemoLoader() {
    }

    static Dialect detect(Connection c) throws SQLException {
        String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
        if (product.contains("duckdb")) {
            return Dialect.DUCKDB;
        }
        if (product.contains("postgres")) {
            return Dialect.POSTGRES;
        }
        if (product.contains("mysql") || product.contains("mariadb")) {
            return Dialect.MYSQL;
        }
        throw new IllegalArgumentException("Unsupported database for the demo dataset: "
                + c.getMetaData().getDatabaseProductName() + " (supported: DuckDB, PostgreSQL, MySQL/MariaDB)");
    }

    /**
     * Loads {@code data}; with {@code skipIfPresent}, first checks the marker table and returns without
     * changes when it records the same (scale, seed, generator version).
     */
    static LoadResult load(Connection c, Dialect dialect, DemoDataset data, boolean skipIfPresent) throws SQLException {
        long start = System.nanoTime();
        boolean autoCommit = c.getAutoCommit();
        try {
            Map<DemoTable, Long> counts = switch (dialect) {
                case POSTGRES -> loadPostgres(c, data, skipIfPresent);
                case DUCKDB -> loadDuckDb(c, data, skipIfPresent);
                case MYSQL -> loadMysql(c, data, skipIfPresent);
            };
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            return new LoadResult(counts != null, data.scale(), data.seed(), counts == null ? Map.of() : counts, elapsed);
        } catch (SQLException | RuntimeException e) {
            try {
                if (!c.getAutoCommit()) {
                    c.rollback();
                }
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    // ---------------------------------------------------------------- marker

    private static boolean markerMatches(Connection c, DemoDataset data) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, DemoTable.SCHEMA);
            ps.setString(2, DemoTable.INFO_TABLE);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
            }
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT scale, seed, generator_version FROM "
                     + DemoTable.SCHEMA + "." + DemoTable.INFO_TABLE)) {
            boolean match = false;
            int rows = 0;
            while (rs.next()) {
                rows++;
                match = rs.getDouble(1) == data.scale() && rs.getLong(2) == data.seed()
                        && rs.getInt(3) == DemoDataset.GENERATOR_VERSION;
            }
            return rows == 1 && match;
        }
    }

    private static void writeMarker(Statement st, DemoDataset data, String doubleType) throws SQLException {
        String t = DemoTable.SCHEMA + "." + DemoTable.INFO_TABLE;
        st.execute("CREATE TABLE " + t + " (scale " + doubleType + " NOT NULL, seed BIGINT NOT NULL,"
                + " generator_version INT NOT NULL)");
        // Double.toString round-trips exactly; all three databases parse it as a double literal
        st.execute("INSERT INTO " + t + " VALUES (" + data.scale() + ", " + data.seed() + ", "
                + DemoDataset.GENERATOR_VERSION + ")");
    }

    private static String createTable(DemoTable t, boolean mysql, boolean withPrimaryKey) {
        String cols = t.columns().stream()
                .map(col -> col.name() + " " + (mysql ? col.type().mysqlSql() : col.type().standardSql())
                        + (t.primaryKey().contains(col.name()) ? " NOT NULL" : ""))
                .collect(Collectors.joining(", "));
        String pk = withPrimaryKey && !t.primaryKey().isEmpty()
                ? ", PRIMARY KEY (" + String.join(", ", t.primaryKey()) + ")" : "";
        return "CREATE TABLE " + t.qualifiedName() + " (" + cols + pk + ")" + (mysql ? " ENGINE=InnoDB" : "");
    }

    private static void addPrimaryKeys(Statement st) throws SQLException {
        for (DemoTable t : DemoTable.values()) {
            if (!t.primaryKey().isEmpty()) {
                st.execute("ALTER TABLE " + t.qualifiedName() + " ADD PRIMARY KEY (" + String.join(", ", t.primaryKey()) + ")");
            }
        }
    }

    // ---------------------------------------------------------------- Postgres: COPY in one transaction

    private static Map<DemoTable, Long> loadPostgres(Connection c, DemoDataset data, boolean skipIfPresent)
            throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(" + PG_LOCK_KEY + ")");
            if (skipIfPresent && markerMatches(c, data)) {
                c.commit();
                return null;
            }
            st.execute("DROP SCHEMA IF EXISTS " + DemoTable.SCHEMA + " CASCADE");
            st.execute("CREATE SCHEMA " + DemoTable.SCHEMA);
            for (DemoTable t : DemoTable.values()) {
                st.execute(createTable(t, false, false));
            }
            PGConnection pg = c.unwrap(PGConnection.class);
            Map<DemoTable, Long> counts = new EnumMap<>(DemoTable.class);
            for (DemoTable t : DemoTable.values()) {
                counts.put(t, copy(pg, t, data.rows(t)));
            }
            addPrimaryKeys(st);
            writeMarker(st, data, "DOUBLE PRECISION");
            for (DemoTable t : DemoTable.values()) {
                st.execute("ANALYZE " + t.qualifiedName());
            }
            c.commit();
            return counts;
        }
    }

    private static long copy(PGConnection pg, DemoTable t, Stream<? extends DemoRow> rows) throws SQLException {
        String cols = t.columns().stream().map(Column::name).collect(Collectors.joining(", "));
        String sql = "COPY " + t.qualifiedName() + " (" + cols + ") FROM STDIN (FORMAT text)";
        List<Column> columns = t.columns();
        long n = 0;
        PGCopyOutputStream out = new PGCopyOutputStream(pg, sql, 1 << 16);
        try (Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16)) {
            Iterator<? extends DemoRow> it = rows.iterator();
            StringBuilder line = new StringBuilder(128);
            while (it.hasNext()) {
                Object[] v = it.next().values();
                line.setLength(0);
                for (int i = 0; i < v.length; i++) {
                    if (i > 0) {
                        line.append('\t');
                    }
                    appendCopyValue(line, v[i], columns.get(i).type());
                }
                line.append('\n');
                w.append(line);
                n++;
            }
        } catch (IOException e) {
            throw new SQLException("COPY into " + t.qualifiedName() + " failed: " + e.getMessage(), e);
        } finally {
            if (out.isActive()) {
                out.cancelCopy();
            }
        }
        return n;
    }

    private static void appendCopyValue(StringBuilder sb, Object v, ColumnType type) {
        if (v == null) {
            sb.append("\\N");
            return;
        }
        switch (type) {
            case TIMESTAMP -> sb.append(TS.format((LocalDateTime) v));
            case DECIMAL_10_2, DECIMAL_4_2 -> sb.append(((BigDecimal) v).toPlainString());
            case VARCHAR -> {
                String s = (String) v;
                for (int i = 0; i < s.length(); i++) {
                    char ch = s.charAt(i);
                    switch (ch) {
                        case '\\' -> sb.append("\\\\");
                        case '\t' -> sb.append("\\t");
                        case '\n' -> sb.append("\\n");
                        case '\r' -> sb.append("\\r");
                        default -> sb.append(ch);
                    }
                }
            }
            default -> sb.append(v); // BIGINT, INT, DATE (ISO yyyy-MM-dd)
        }
    }

    // ---------------------------------------------------------------- DuckDB: Appender in one transaction

    private static Map<DemoTable, Long> loadDuckDb(Connection c, DemoDataset data, boolean skipIfPresent)
            throws SQLException {
        DuckDBConnection duck = c.unwrap(DuckDBConnection.class);
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            if (skipIfPresent && markerMatches(c, data)) {
                c.commit();
                return null;
            }
            st.execute("DROP SCHEMA IF EXISTS " + DemoTable.SCHEMA + " CASCADE");
            st.execute("CREATE SCHEMA " + DemoTable.SCHEMA);
            for (DemoTable t : DemoTable.values()) {
                st.execute(createTable(t, false, true));
            }
            Map<DemoTable, Long> counts = new EnumMap<>(DemoTable.class);
            for (DemoTable t : DemoTable.values()) {
                counts.put(t, append(duck, t, data.rows(t)));
            }
            writeMarker(st, data, "DOUBLE");
            c.commit();
            return counts;
        }
    }

    private static long append(DuckDBConnection duck, DemoTable t, Stream<? extends DemoRow> rows) throws SQLException {
        List<Column> columns = t.columns();
        long n = 0;
        try (DuckDBAppender app = duck.createAppender(DemoTable.SCHEMA, t.tableName())) {
            Iterator<? extends DemoRow> it = rows.iterator();
            while (it.hasNext()) {
                Object[] v = it.next().values();
                app.beginRow();
                for (int i = 0; i < v.length; i++) {
                    Object x = v[i];
                    if (x == null) {
                        app.appendNull();
                        continue;
                    }
                    switch (columns.get(i).type()) {
                        case BIGINT -> app.append((long) (Long) x);
                        case INT -> app.append((int) (Integer) x);
                        case VARCHAR -> app.append((String) x);
                        case DATE -> app.append((LocalDate) x);
                        case TIMESTAMP -> app.append((LocalDateTime) x);
                        case DECIMAL_10_2, DECIMAL_4_2 -> app.append((BigDecimal) x);
                    }
                }
                app.endRow();
                n++;
            }
            app.flush();
        }
        return n;
    }

    // ---------------------------------------------------------------- MySQL/MariaDB: multi-row INSERTs

    private static Map<DemoTable, Long> loadMysql(Connection c, DemoDataset data, boolean skipIfPresent)
            throws SQLException {
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT GET_LOCK('" + MYSQL_LOCK + "', 600)")) {
                if (!rs.next() || rs.getInt(1) != 1) {
                    throw new SQLException("Timed out waiting for lock " + MYSQL_LOCK + " held by another demo loader");
                }
            }
            try {
                if (skipIfPresent && markerMatches(c, data)) {
                    return null;
                }
                // DDL commits implicitly on MySQL; the marker is written last, so a partial load is never
                // mistaken for a complete one.
                st.execute("DROP DATABASE IF EXISTS " + DemoTable.SCHEMA);
                st.execute("CREATE DATABASE " + DemoTable.SCHEMA + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
                for (DemoTable t : DemoTable.values()) {
                    st.execute(createTable(t, true, true));
                }
                c.setAutoCommit(false);
                Map<DemoTable, Long> counts = new EnumMap<>(DemoTable.class);
                for (DemoTable t : DemoTable.values()) {
                    counts.put(t, insert(c, t, data.rows(t)));
                    c.commit();
                }
                c.setAutoCommit(true);
                writeMarker(st, data, "DOUBLE");
                return counts;
            } finally {
                try (ResultSet rs = st.executeQuery("SELECT RELEASE_LOCK('" + MYSQL_LOCK + "')")) {
                    rs.next();
                }
            }
        }
    }

    private static long insert(Connection c, DemoTable t, Stream<? extends DemoRow> rows) throws SQLException {
        List<Column> columns = t.columns();
        String cols = columns.stream().map(Column::name).collect(Collectors.joining(", "));
        String tuple = columns.stream().map(x -> "?").collect(Collectors.joining(", ", "(", ")"));
        String prefix = "INSERT INTO " + t.qualifiedName() + " (" + cols + ") VALUES ";
        long n = 0;
        List<Object[]> chunk = new ArrayList<>(MYSQL_ROWS_PER_INSERT);
        try (PreparedStatement full = c.prepareStatement(prefix + String.join(", ",
                java.util.Collections.nCopies(MYSQL_ROWS_PER_INSERT, tuple)))) {
            Iterator<? extends DemoRow> it = rows.iterator();
            while (it.hasNext()) {
                chunk.add(it.next().values());
                if (chunk.size() == MYSQL_ROWS_PER_INSERT) {
                    n += execute(full, chunk, columns);
                    chunk.clear();
                }
            }
        }
        if (!chunk.isEmpty()) {
            try (PreparedStatement rest = c.prepareStatement(prefix + String.join(", ",
                    java.util.Collections.nCopies(chunk.size(), tuple)))) {
                n += execute(rest, chunk, columns);
            }
        }
        return n;
    }

    private static int execute(PreparedStatement ps, List<Object[]> chunk, List<Column> columns) throws SQLException {
        int p = 1;
        for (Object[] v : chunk) {
            for (int i = 0; i < v.length; i++, p++) {
                Object x = v[i];
                ColumnType type = columns.get(i).type();
                if (x == null) {
                    ps.setNull(p, type == ColumnType.VARCHAR ? java.sql.Types.VARCHAR : java.sql.Types.OTHER);
                    continue;
                }
                switch (type) {
                    case BIGINT -> ps.setLong(p, (Long) x);
                    case INT -> ps.setInt(p, (Integer) x);
                    case VARCHAR -> ps.setString(p, (String) x);
                    case DATE -> ps.setString(p, x.toString()); // no time-zone conversion
                    case TIMESTAMP -> ps.setString(p, TS.format((LocalDateTime) x));
                    case DECIMAL_10_2, DECIMAL_4_2 -> ps.setBigDecimal(p, (BigDecimal) x);
                }
            }
        }
        ps.executeUpdate();
        return chunk.size();
    }
}
