package io.strata.server.datasource;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.duckdb.DuckDBConnection;

/**
 * One DuckDB database shared by every pooled connection of a data source: the first call opens
 * a root connection with the data source's URL and properties, and every connection handed to
 * the pool is {@link DuckDBConnection#duplicate()} of it, i.e. another connection to the same
 * in-process database instance.
 *
 * <p>Why not let HikariCP open each connection through the driver? Measured with duckdb_jdbc
 * 1.4.1: for a file, the driver's instance cache does make two {@code getConnection} calls share
 * one database, but only while at least one connection stays open and only when every opener
 * passes the same configuration (otherwise: "Can't open a connection to same database file with
 * a different configuration"); and {@code jdbc:duckdb:} (in-memory) gives every connection its
 * own empty database, so a pool of them would not even see the same tables. Holding one root
 * connection keeps the database open while the pool shrinks to zero idle connections, makes
 * in-memory databases work, and keeps the configuration in one place. Closed when the pool is.
 */
final class DuckDbDatabase implements DataSource {
  private final Driver driver;
  private final String url;
  private final Properties properties;
  private Connection root; // guarded by this
  private boolean closed; // guarded by this

  DuckDbDatabase(Driver driver, String url, Properties properties) {
    this.driver = driver;
    this.url = url;
    this.properties = properties;
  }

  @Override
  public synchronized Connection getConnection() throws SQLException {
    if (closed) {
      throw new SQLException("the DuckDB database of this data source has been closed");
    }
    if (root == null || root.isClosed()) {
      Connection c = driver.connect(url, properties);
      if (c == null) {
        throw new SQLException("the DuckDB driver does not accept the url " + url);
      }
      root = c;
    }
    return root.unwrap(DuckDBConnection.class).duplicate();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return getConnection();
  }

  /** Closes the root connection; the database closes once the last duplicate is closed too. */
  synchronized void close() {
    closed = true;
    if (root != null) {
      try {
        root.close();
      } catch (SQLException e) {
        // closing an in-process database does not fail in ways the caller could act on
      }
      root = null;
    }
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // no logging
  }

  @Override
  public void setLoginTimeout(int seconds) {
    // opening an in-process database does not wait on a network
  }

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("no java.util.logging logger");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("not a wrapper for " + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
