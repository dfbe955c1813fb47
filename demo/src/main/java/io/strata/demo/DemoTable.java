package io.strata.demo;

import java.util.List;

/** The tables of schema {@code retail}, in load order, with their columns and primary keys. */
public enum DemoTable {
    CUSTOMERS("customers", List.of("customer_id"),
            new Column("customer_id", ColumnType.BIGINT), new Column("name", ColumnType.VARCHAR),
            new Column("region", ColumnType.VARCHAR), new Column("country", ColumnType.VARCHAR),
            new Column("segment", ColumnType.VARCHAR), new Column("signup_date", ColumnType.DATE)),
    PRODUCTS("products", List.of("product_id"),
            new Column("product_id", ColumnType.BIGINT), new Column("name", ColumnType.VARCHAR),
            new Column("category", ColumnType.VARCHAR), new Column("brand", ColumnType.VARCHAR),
            new Column("list_price", ColumnType.DECIMAL_10_2)),
    ORDERS("orders", List.of("order_id"),
            new Column("order_id", ColumnType.BIGINT), new Column("customer_id", ColumnType.BIGINT),
            new Column("ordered_at", ColumnType.TIMESTAMP), new Column("status", ColumnType.VARCHAR),
            new Column("channel", ColumnType.VARCHAR)),
    ORDER_ITEMS("order_items", List.of(),
            new Column("order_id", ColumnType.BIGINT), new Column("line_no", ColumnType.INT),
            new Column("product_id", ColumnType.BIGINT), new Column("quantity", ColumnType.INT),
            new Column("unit_price", ColumnType.DECIMAL_10_2), new Column("discount", ColumnType.DECIMAL_4_2));

    /** The schema (a database on MySQL/MariaDB) all tables live in. */
    public static final String SCHEMA = "retail";
    /** Marker table: {@code retail.strata_demo_info(scale, seed, generator_version)}. */
    public static final String INFO_TABLE = "strata_demo_info";

    private final String tableName;
    private final List<String> primaryKey;
    private final List<Column> columns;

    DemoTable(String tableName, List<String> primaryKey, Column... columns) {
        this.tableName = tableName;
        this.primaryKey = primaryKey;
        this.columns = List.of(columns);
    }

    /** Unqualified name, e.g. {@code orders}. */
    public String tableName() {
        return tableName;
    }

    /** {@code retail.orders}. */
    public String qualifiedName() {
        return SCHEMA + "." + tableName;
    }

    public List<Column> columns() {
        return columns;
    }

    /** Primary-key columns; empty for {@code order_items}. */
    public List<String> primaryKey() {
        return primaryKey;
    }

    /** A column and its logical type. */
    public record Column(String name, ColumnType type) {
    }

    /** Logical column types; the Java value of each is given in brackets. */
    public enum ColumnType {
        /** {@code Long} */ BIGINT("BIGINT", "BIGINT"),
        /** {@code Integer} */ INT("INTEGER", "INT"),
        /** {@code String}, may be null */ VARCHAR("VARCHAR", "VARCHAR(100)"),
        /** {@code LocalDate} */ DATE("DATE", "DATE"),
        /** {@code LocalDateTime}, second precision, no time zone (DATETIME on MySQL) */ TIMESTAMP("TIMESTAMP", "DATETIME"),
        /** {@code BigDecimal} scale 2 */ DECIMAL_10_2("DECIMAL(10,2)", "DECIMAL(10,2)"),
        /** {@code BigDecimal} scale 2 */ DECIMAL_4_2("DECIMAL(4,2)", "DECIMAL(4,2)");

        private final String standardSql;
        private final String mysqlSql;

        ColumnType(String standardSql, String mysqlSql) {
            this.standardSql = standardSql;
            this.mysqlSql = mysqlSql;
        }

        /** DDL type for DuckDB and Postgres. */
        public String standardSql() {
            return standardSql;
        }

        /** DDL type for MySQL/MariaDB. */
        public String mysqlSql() {
            return mysqlSql;
        }
    }
}
