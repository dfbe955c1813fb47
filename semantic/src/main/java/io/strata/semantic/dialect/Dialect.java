package io.strata.semantic.dialect;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The warehouses Strata compiles for; each has one {@link WarehouseDialect}. */
public enum Dialect {
  POSTGRES, DUCKDB, MYSQL, BIGQUERY, SNOWFLAKE, REDSHIFT;

  private volatile WarehouseDialect sqlDialect;

  /** The lower-case name used in configuration and files ({@code postgres}, {@code duckdb}...). */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public WarehouseDialect sqlDialect() {
    WarehouseDialect d = sqlDialect;
    if (d == null) {
      d = StrataSqlDialect.of(this);
      sqlDialect = d;
    }
    return d;
  }

  /** Parses a dialect name; {@code mariadb} means {@code mysql}. */
  public static Dialect parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("mariadb")) {
      return MYSQL;
    }
    if (t.equals("postgresql")) {
      return POSTGRES;
    }
    for (Dialect d : values()) {
      if (d.id().equals(t)) {
        return d;
      }
    }
    throw new IllegalArgumentException("unknown dialect '" + text + "' (expected one of "
        + Arrays.stream(values()).map(Dialect::id).collect(Collectors.joining(", ")) + ")");
  }
}
