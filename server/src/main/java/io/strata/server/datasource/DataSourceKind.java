package io.strata.server.datasource;

import io.strata.semantic.dialect.Dialect;
import java.util.List;
import java.util.Locale;

/**
 * The kinds of warehouse a data source can be: which SQL dialect the compiler writes for it,
 * which JDBC driver talks to it, and which URLs it accepts. DuckDB, Postgres and MySQL/MariaDB
 * drivers ship with Strata; the BigQuery, Snowflake and Redshift drivers have licences or sizes
 * that keep them out of the distribution, so users add their jar to the {@code drivers/}
 * directory and {@link #driverHint()} says which one.
 */
public enum DataSourceKind {
  DUCKDB(Dialect.DUCKDB, List.of("org.duckdb.DuckDBDriver"), List.of("jdbc:duckdb:"), true,
      "DuckDB ships with Strata; its driver (org.duckdb:duckdb_jdbc) should be in lib/. "
          + "Reinstall Strata if it is missing."),
  POSTGRES(Dialect.POSTGRES, List.of("org.postgresql.Driver"), List.of("jdbc:postgresql:"), true,
      "The PostgreSQL driver ships with Strata (org.postgresql:postgresql in lib/). "
          + "Reinstall Strata if it is missing."),
  /**
   * MySQL and MariaDB through MariaDB Connector/J, which is LGPL and ships with Strata (MySQL
   * Connector/J is GPL). {@code jdbc:mysql:} URLs are accepted; the registry adds the
   * {@code permitMysqlScheme} flag Connector/J 3 needs for them.
   */
  MYSQL(Dialect.MYSQL, List.of("org.mariadb.jdbc.Driver"), List.of("jdbc:mysql:", "jdbc:mariadb:"),
      true, "MariaDB Connector/J ships with Strata (org.mariadb.jdbc:mariadb-java-client in lib/)."
          + " Reinstall Strata if it is missing."),
  /**
   * Google's own JDBC driver for BigQuery (the successor of the Simba driver); the Simba driver
   * is accepted too when it is the one installed. Both take {@code jdbc:bigquery://} URLs.
   */
  BIGQUERY(Dialect.BIGQUERY,
      List.of("com.google.cloud.bigquery.jdbc.BigQueryDriver",
          "com.simba.googlebigquery.jdbc.Driver"),
      List.of("jdbc:bigquery:"), false,
      "Download the JDBC driver for BigQuery (Maven Central: "
          + "com.google.cloud:google-cloud-bigquery-jdbc, the jar with dependencies; see "
          + "https://cloud.google.com/bigquery/docs/jdbc-for-bigquery) and copy the jar into "
          + "the drivers/ directory of the Strata installation (it is on the classpath), then "
          + "restart Strata. The Simba driver (GoogleBigQueryJDBC42.jar) works too."),
  SNOWFLAKE(Dialect.SNOWFLAKE, List.of("net.snowflake.client.jdbc.SnowflakeDriver"),
      List.of("jdbc:snowflake:"), false,
      "Download the Snowflake JDBC driver (Maven Central: net.snowflake:snowflake-jdbc, "
          + "https://repo1.maven.org/maven2/net/snowflake/snowflake-jdbc/) and copy the jar into "
          + "the drivers/ directory of the Strata installation (it is on the classpath), then "
          + "restart Strata."),
  REDSHIFT(Dialect.REDSHIFT, List.of("com.amazon.redshift.jdbc42.Driver"),
      List.of("jdbc:redshift:"), false,
      "Download the Amazon Redshift JDBC driver 2.x (Maven Central: "
          + "com.amazon.redshift:redshift-jdbc42, "
          + "https://docs.aws.amazon.com/redshift/latest/mgmt/jdbc20-download-driver.html) and "
          + "copy the jar into the drivers/ directory of the Strata installation (it is on the "
          + "classpath), then restart Strata.");

  private final Dialect dialect;
  private final List<String> driverClasses;
  private final List<String> urlPrefixes;
  private final boolean shipped;
  private final String driverHint;

  DataSourceKind(Dialect dialect, List<String> driverClasses, List<String> urlPrefixes,
      boolean shipped, String driverHint) {
    this.dialect = dialect;
    this.driverClasses = driverClasses;
    this.urlPrefixes = urlPrefixes;
    this.shipped = shipped;
    this.driverHint = driverHint;
  }

  /** The lower-case name used in configuration: {@code duckdb}, {@code postgres}, ... */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The SQL dialect the compiler writes for this kind. */
  public Dialect dialect() {
    return dialect;
  }

  /** The preferred JDBC driver class. */
  public String driverClass() {
    return driverClasses.get(0);
  }

  /** Every driver class that can serve this kind, preferred first. */
  public List<String> driverClasses() {
    return driverClasses;
  }

  /** The JDBC URL prefixes this kind accepts. */
  public List<String> urlPrefixes() {
    return urlPrefixes;
  }

  /** Whether the driver ships with Strata (DuckDB, Postgres, MySQL/MariaDB). */
  public boolean shipped() {
    return shipped;
  }

  /** What to do when the driver is missing: which jar to download and where to put it. */
  public String driverHint() {
    return driverHint;
  }

  /** Whether {@code url} starts with one of {@link #urlPrefixes()}. */
  public boolean accepts(String url) {
    if (url == null) {
      return false;
    }
    for (String p : urlPrefixes) {
      if (url.regionMatches(true, 0, p, 0, p.length())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Parses a kind by its id, ignoring case; {@code mariadb} means {@link #MYSQL} and
   * {@code postgresql} {@link #POSTGRES}.
   *
   * @throws IllegalArgumentException naming the value and the accepted ones
   */
  public static DataSourceKind parse(String s) {
    String t = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
    switch (t) {
      case "mariadb":
        return MYSQL;
      case "postgresql":
        return POSTGRES;
      default:
        for (DataSourceKind k : values()) {
          if (k.id().equals(t)) {
            return k;
          }
        }
        throw new IllegalArgumentException("unknown data source kind '" + s
            + "' (expected duckdb, postgres, mysql, bigquery, snowflake or redshift)");
    }
  }
}
