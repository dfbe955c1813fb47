package io.strata.server.sql;

/**
 * One column of a SQL result or of a table, described the way JDBC describes it.
 *
 * @param name the column label ({@code status}, {@code revenue})
 * @param jdbcType a {@link java.sql.Types} constant
 * @param typeName the SQL type name ({@code VARCHAR}, {@code BIGINT}, {@code TIMESTAMP})
 * @param nullable whether it may hold NULL
 * @param precision the precision (DECIMAL) or maximum length, 0 when unknown
 * @param scale the scale of a DECIMAL, else 0
 * @param remarks a description (the member's description for semantic columns), or null
 */
public record SqlColumn(String name, int jdbcType, String typeName, boolean nullable,
    int precision, int scale, String remarks) {}
