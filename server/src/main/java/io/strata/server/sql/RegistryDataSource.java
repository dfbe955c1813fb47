package io.strata.server.sql;

import io.strata.server.datasource.DataSourceRegistry;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source's pool as a {@link DataSource}, for Calcite's JDBC adapter. Each statement
 * Calcite opens on one of its connections is known to the {@link CalciteTables.Execution} the
 * thread works for, so that cancelling the SQL statement (by the client, the timeout or
 * shutdown) cancels the warehouse's query too.
 */
final class RegistryDataSource implements DataSource {
  private final DataSourceRegistry registry;
  private final String name;

  RegistryDataSource(DataSourceRegistry registry, String name) {
    this.registry = registry;
    this.name = name;
  }

  @Override
  public Connection getConnection() {
    Connection c = registry.connect(name);
    return (Connection) Proxy.newProxyInstance(RegistryDataSource.class.getClassLoader(),
        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
          Object result;
          try {
            result = method.invoke(c, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
          if (result instanceof Statement st) {
            return tracked(st);
          }
          return result;
        });
  }

  /**
   * {@code st}, known to the current execution while it is open; refused when the execution
   * was cancelled (or timed out) while Calcite planned it, before the warehouse starts on it.
   */
  private static Statement tracked(Statement st) throws SQLException {
    CalciteTables.Execution exec = CalciteTables.Execution.current();
    if (exec == null) {
      return st;
    }
    if (exec.cancelled) {
      st.close();
      throw new SQLException("the statement was cancelled before the warehouse ran it",
          "57014");
    }
    exec.opened(st);
    Class<?>[] types = st instanceof PreparedStatement
        ? new Class<?>[] {PreparedStatement.class} : new Class<?>[] {Statement.class};
    return (Statement) Proxy.newProxyInstance(RegistryDataSource.class.getClassLoader(), types,
        (proxy, method, args) -> {
          if (method.getName().equals("close") && method.getParameterCount() == 0) {
            exec.closed(st);
          }
          try {
            return method.invoke(st, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Override
  public Connection getConnection(String username, String password) {
    return getConnection();
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("not a wrapper of " + iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
