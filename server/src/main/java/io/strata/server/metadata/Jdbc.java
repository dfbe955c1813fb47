package io.strata.server.metadata;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * JDBC helpers shared by the stores.
 *
 * <p>Instants are stored in {@code TIMESTAMP(6)} / {@code DATETIME(6)} columns as their UTC wall-clock
 * time, bound and read as {@link LocalDateTime} so neither the JVM's nor the session's time zone is
 * ever applied; they are truncated to microseconds, the columns' precision, before they are written.
 */
final class Jdbc {

    private Jdbc() {
    }

    /** Sets the parameters of a statement. */
    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement ps) throws SQLException;

        Binder NONE = ps -> { };
    }

    /** Reads the current row. */
    @FunctionalInterface
    interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    static <T> List<T> list(Connection c, String sql, Binder binder, RowReader<T> reader) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(reader.read(rs));
                }
                return rows;
            }
        }
    }

    static <T> Optional<T> one(Connection c, String sql, Binder binder, RowReader<T> reader) throws SQLException {
        List<T> rows = list(c, sql, binder, reader);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    static long count(Connection c, String sql, Binder binder) throws SQLException {
        return one(c, sql, binder, rs -> rs.getLong(1)).orElse(0L);
    }

    static int update(Connection c, String sql, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        }
    }

    /** Runs an INSERT and returns the generated {@code id}. */
    static long insert(Connection c, String sql, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            binder.bind(ps);
            ps.executeUpdate();
            return generatedId(ps);
        }
    }

    /** The instant at the precision the database keeps (microseconds). */
    static Instant micros(Instant i) {
        return i == null ? null : i.truncatedTo(ChronoUnit.MICROS);
    }

    static Instant now() {
        return micros(Instant.now());
    }

    static void setInstant(PreparedStatement ps, int index, Instant i) throws SQLException {
        if (i == null) {
            ps.setNull(index, Types.TIMESTAMP);
        } else {
            ps.setObject(index, LocalDateTime.ofInstant(micros(i), ZoneOffset.UTC));
        }
    }

    static Instant getInstant(ResultSet rs, String column) throws SQLException {
        LocalDateTime t = rs.getObject(column, LocalDateTime.class);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }

    static void setLongOrNull(PreparedStatement ps, int index, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, v);
        }
    }

    /** The generated key ({@code id}, the first column of every table that has one) of the row just inserted. */
    private static long generatedId(PreparedStatement ps) throws SQLException {
        try (ResultSet keys = ps.getGeneratedKeys()) {
            if (!keys.next()) {
                throw new SQLException("the database returned no generated id");
            }
            return keys.getLong(1);
        }
    }

    /** {@code s} cut to at most {@code max} chars (never between the two halves of a surrogate pair), NULs removed. */
    static String clip(String s, int max) {
        if (s == null) {
            return null;
        }
        if (s.indexOf('\0') >= 0) { // Postgres text cannot hold NUL
            s = s.replace("\0", "");
        }
        if (s.length() <= max) {
            return s;
        }
        int end = max;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }

    // ------------------------------------------------------------------ error classification

    /** A unique or primary key violation (H2/Postgres 23505, MySQL 1062). */
    static boolean isUniqueViolation(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if ("23505".equals(x.getSQLState()) || x.getErrorCode() == 1062 || x.getErrorCode() == 1586) {
                return true;
            }
            if (x.getCause() instanceof SQLException c && c != x && isUniqueViolation(c)) {
                return true;
            }
        }
        return false;
    }

    /** A foreign key violation in either direction (H2 23503/23506, Postgres 23503, MySQL 1451/1452/1216/1217). */
    static boolean isForeignKeyViolation(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            String state = x.getSQLState();
            int code = x.getErrorCode();
            if ("23503".equals(state) || "23506".equals(state)
                    || code == 1451 || code == 1452 || code == 1216 || code == 1217) {
                return true;
            }
            if (x.getCause() instanceof SQLException c && c != x && isForeignKeyViolation(c)) {
                return true;
            }
        }
        return false;
    }

    /** A deadlock or serialization failure, worth retrying the whole transaction (40001, Postgres 40P01, MySQL 1213). */
    static boolean isTransient(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            String state = x.getSQLState();
            if ("40001".equals(state) || "40P01".equals(state) || x.getErrorCode() == 1213) {
                return true;
            }
            if (x.getCause() instanceof SQLException c && c != x && isTransient(c)) {
                return true;
            }
        }
        return false;
    }

    static String describe(SQLException e) {
        String m = String.valueOf(e.getMessage()).strip();
        return e.getSQLState() == null ? m : m + " [SQLState " + e.getSQLState() + "]";
    }

    static String requireName(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return value;
    }
}
