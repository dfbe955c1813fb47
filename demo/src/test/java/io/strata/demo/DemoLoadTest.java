package io.strata.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.demo.DemoRow.Order;
import io.strata.demo.DemoRow.OrderItem;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Loads the dataset into real DuckDB, Postgres and MariaDB and checks they agree exactly. */
class DemoLoadTest {

    private static final double SCALE = 0.05;

    /** Facts that must be identical in every database. */
    static Map<String, Object> facts(Connection c) throws SQLException {
        Map<String, Object> f = new LinkedHashMap<>();
        try (Statement st = c.createStatement()) {
            for (DemoTable t : DemoTable.values()) {
                f.put("count " + t.tableName(), one(st, "SELECT COUNT(*) FROM " + t.qualifiedName(), Long.class));
            }
            BigDecimal revenue = one(st, "SELECT SUM(quantity * unit_price * (1 - discount)) FROM retail.order_items",
                    BigDecimal.class);
            f.put("revenue", revenue.stripTrailingZeros());
            f.put("distinct customers", one(st, "SELECT COUNT(DISTINCT customer_id) FROM retail.orders", Long.class));
            f.put("min ordered_at", one(st, "SELECT MIN(ordered_at) FROM retail.orders", LocalDateTime.class));
            f.put("max ordered_at", one(st, "SELECT MAX(ordered_at) FROM retail.orders", LocalDateTime.class));
            f.put("null segments", one(st, "SELECT COUNT(*) FROM retail.customers WHERE segment IS NULL", Long.class));
            f.put("completed", one(st, "SELECT COUNT(*) FROM retail.orders WHERE status = 'completed'", Long.class));
            f.put("list prices", one(st, "SELECT SUM(list_price) FROM retail.products", BigDecimal.class).stripTrailingZeros());
            f.put("min signup", one(st, "SELECT CAST(MIN(signup_date) AS VARCHAR(10)) FROM retail.customers", String.class));
            f.put("Müller", one(st, "SELECT COUNT(*) FROM retail.customers WHERE name LIKE '%Müller'", Long.class));
            f.put("O'Brien", one(st, "SELECT COUNT(*) FROM retail.customers WHERE name LIKE '%O''Brien'", Long.class));
        }
        return f;
    }

    private static <T> T one(Statement st, String sql, Class<T> type) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            if (type == Long.class) {
                return type.cast(rs.getLong(1));
            }
            return rs.getObject(1, type);
        }
    }

    /** The same facts computed from the generator in Java. */
    static Map<String, Object> expected(DemoDataset d) {
        Map<String, Object> f = new LinkedHashMap<>();
        for (DemoTable t : DemoTable.values()) {
            f.put("count " + t.tableName(), d.rows(t).count());
        }
        BigDecimal one = BigDecimal.ONE;
        f.put("revenue", d.orderItems()
                .map((OrderItem i) -> i.unitPrice().multiply(BigDecimal.valueOf(i.quantity())).multiply(one.subtract(i.discount())))
                .reduce(BigDecimal.ZERO, BigDecimal::add).stripTrailingZeros());
        f.put("distinct customers", d.orders().mapToLong(Order::customerId).distinct().count());
        f.put("min ordered_at", d.orders().map(Order::orderedAt).min(Comparator.naturalOrder()).orElseThrow());
        f.put("max ordered_at", d.orders().map(Order::orderedAt).max(Comparator.naturalOrder()).orElseThrow());
        f.put("null segments", d.customers().filter(c -> c.segment() == null).count());
        f.put("completed", d.orders().filter(o -> o.status().equals("completed")).count());
        f.put("list prices", d.products().map(DemoRow.Product::listPrice).reduce(BigDecimal.ZERO, BigDecimal::add)
                .stripTrailingZeros());
        f.put("min signup", d.customers().map(c -> c.signupDate().toString()).min(Comparator.naturalOrder()).orElseThrow());
        f.put("Müller", d.customers().filter(c -> c.name().endsWith("Müller")).count());
        f.put("O'Brien", d.customers().filter(c -> c.name().endsWith("O'Brien")).count());
        return f;
    }

    @Test
    void duckdbPostgresAndMariadbAgreeExactly() throws Exception {
        Map<String, Object> expected = expected(DemoData.generate(SCALE));
        assertThat((Long) expected.get("Müller")).isPositive();
        assertThat((Long) expected.get("O'Brien")).isPositive();

        Warehouse duck = Warehouses.duckdb(null);
        try (Connection c = duck.connect()) {
            LoadResult r = DemoData.loadDuckDb(c, SCALE);
            assertThat(r.loaded()).isTrue();
            assertThat(r.rowCounts().get(DemoTable.ORDERS)).isEqualTo(5_000L);
            assertThat(facts(c)).isEqualTo(expected);
        }
        try (Connection c = Warehouses.postgres().connect()) {
            DemoData.loadPostgres(c, SCALE);
            assertThat(facts(c)).isEqualTo(expected);
        }
        try (Connection c = Warehouses.mariadb().connect()) {
            DemoData.loadMysql(c, SCALE);
            assertThat(facts(c)).isEqualTo(expected);
        }
    }

    @Test
    void primaryKeysAreCreated() throws Exception {
        try (Connection c = Warehouses.duckdb(null).connect()) {
            DemoData.loadDuckDb(c, 0.001);
            try (Statement st = c.createStatement()) {
                assertThat(one(st, "SELECT COUNT(*) FROM duckdb_constraints() WHERE schema_name = 'retail'"
                        + " AND constraint_type = 'PRIMARY KEY'", Long.class)).isEqualTo(3L);
            }
        }
    }

    @Test
    void ensureLoadedSkipsWhenMarkerMatchesAndLoadAlwaysReloads() throws Exception {
        try (Connection duck = Warehouses.duckdb(null).connect();
             Connection pg = Warehouses.postgres().connect();
             Connection maria = Warehouses.mariadb().connect()) {
            for (Connection c : new Connection[] {duck, pg, maria}) {
                String db = c.getMetaData().getDatabaseProductName();
                assertThat(DemoData.load(c, 0.002, 7).loaded()).as(db).isTrue();
                assertThat(DemoData.ensureLoaded(c, 0.002, 7).loaded()).as(db).isFalse();
                try (Statement st = c.createStatement()) {
                    st.execute("DELETE FROM retail.orders WHERE order_id = 1"); // a change ensureLoaded must not see
                }
                if (!c.getAutoCommit()) {
                    c.commit();
                }
                assertThat(DemoData.ensureLoaded(c, 0.002, 7).loaded()).as(db).isFalse();
                assertThat(count(c, "retail.orders")).as(db).isEqualTo(199);
                assertThat(DemoData.load(c, 0.002, 7).loaded()).as(db).isTrue();
                assertThat(count(c, "retail.orders")).as(db).isEqualTo(200);
                // a different scale, or seed, is a different dataset
                LoadResult other = DemoData.ensureLoaded(c, 0.003, 7);
                assertThat(other.loaded()).as(db).isTrue();
                assertThat(count(c, "retail.orders")).as(db).isEqualTo(300);
                assertThat(DemoData.ensureLoaded(c, 0.003, 8).loaded()).as(db).isTrue();
                assertThat(DemoData.ensureLoaded(c, 0.003, 8).loaded()).as(db).isFalse();
                assertThat(c.getAutoCommit()).as(db).isTrue();
            }
        }
    }

    private static long count(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement()) {
            return one(st, "SELECT COUNT(*) FROM " + table, Long.class);
        }
    }
}
