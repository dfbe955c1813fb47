package io.strata.server.sql;

/**
 * How big and deep a SQL statement may be. Calcite's parser, validator and planner recurse once
 * per level of nesting, on the thread of the request, so a statement past these limits is
 * refused ({@code TOO_COMPLEX}, naming the limit and its setting) before Calcite sees it rather
 * than overflowing the thread's stack. The limits are checked cheaply: the length and the depth
 * of parentheses on the text before parsing, the rest on the parsed tree without recursion.
 *
 * @param maxLength characters in the statement ({@code strata.sql.max-length})
 * @param maxDepth nesting of expressions, subqueries and parentheses
 *     ({@code strata.sql.max-depth}); a chain {@code a + b + c} or {@code x AND y AND z} nests
 *     once per operator
 * @param maxInList values in one {@code IN (...)} list ({@code strata.sql.max-in-list})
 * @param maxSetOperations UNION, INTERSECT and EXCEPT in one statement
 *     ({@code strata.sql.max-set-operations})
 */
public record SqlLimits(int maxLength, int maxDepth, int maxInList, int maxSetOperations) {
  public static final String MAX_LENGTH = "strata.sql.max-length";
  public static final String MAX_DEPTH = "strata.sql.max-depth";
  public static final String MAX_IN_LIST = "strata.sql.max-in-list";
  public static final String MAX_SET_OPERATIONS = "strata.sql.max-set-operations";

  public SqlLimits {
    if (maxLength < 1 || maxDepth < 1 || maxInList < 1 || maxSetOperations < 1) {
      throw new IllegalArgumentException("SQL limits must be positive: " + maxLength + ", "
          + maxDepth + ", " + maxInList + ", " + maxSetOperations);
    }
  }

  /**
   * The defaults of the settings, measured: Calcite planning raw-table SQL over DuckDB with an
   * IN list of 500 values crashed the JVM (a native stack overflow on the request thread, which
   * Java cannot turn into an error), 1,000 nested expressions overflowed Calcite's Java stack.
   */
  public static SqlLimits defaults() {
    return new SqlLimits(1_000_000, 100, 1000, 100);
  }
}
