package io.strata.benchmarks.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * A JDBC connection reading every value of every row with {@code getObject}, as a BI tool does:
 * the stock Avatica remote driver, Strata's own {@code jdbc:strata:} driver (the shaded jar, as
 * a tool loads it), the stock Flight SQL JDBC driver, or a warehouse's own driver for the direct
 * baseline (then it runs {@link BenchQuery#warehouseSql()}).
 */
final class JdbcClient implements QueryClient {
  private final Connection connection;
  private final boolean direct;

  private JdbcClient(Connection connection, boolean direct) {
    this.connection = connection;
    this.direct = direct;
  }

  /** The stock Avatica driver, protobuf, with Strata's cache mode as a connection property. */
  static JdbcClient avatica(String host, int port, String user, String password, String cacheMode)
      throws SQLException {
    Properties p = new Properties();
    p.setProperty("avatica_user", user);
    p.setProperty("avatica_password", password);
    if (cacheMode != null) {
      p.setProperty("strata_cache", cacheMode);
    }
    return new JdbcClient(DriverManager.getConnection("jdbc:avatica:remote:url=http://" + host + ":"
        + port + ";serialization=protobuf;authentication=BASIC", p), false);
  }

  /** Strata's {@code jdbc:strata:} driver (protobuf, 10,000-row frames, prefetch). */
  static JdbcClient strata(String host, int port, String user, String password, String cacheMode)
      throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    if (cacheMode != null) {
      p.setProperty("strata_cache", cacheMode);
    }
    return new JdbcClient(DriverManager.getConnection("jdbc:strata://" + host + ":" + port, p),
        false);
  }

  /** The stock Flight SQL JDBC driver; the cache mode is a URL property it sends as a header. */
  static JdbcClient flightJdbc(String host, int port, String user, String password,
      String cacheMode) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    return new JdbcClient(DriverManager.getConnection("jdbc:arrow-flight-sql://" + host + ":" + port
        + "?useEncryption=false" + (cacheMode == null ? "" : "&strata_cache=" + cacheMode), p), false);
  }

  /**
   * pgjdbc on the Postgres wire; the cache mode is a startup option. Inside a transaction with
   * a default fetch size, so large results stream in steps as BI tools configure pgjdbc.
   */
  static JdbcClient postgres(String host, int port, String user, String password,
      String cacheMode) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("defaultRowFetchSize", "10000");
    if (cacheMode != null) {
      p.setProperty("options", "-c strata_cache=" + cacheMode);
    }
    Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port
        + "/strata", p);
    c.setAutoCommit(false);
    return new JdbcClient(c, false);
  }

  /** A warehouse's own driver, for the baseline. */
  static JdbcClient direct(Connection warehouse) {
    return new JdbcClient(warehouse, true);
  }

  @Override
  public RunResult run(BenchQuery query) throws SQLException {
    long rows = 0;
    long nonNull = 0;
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(direct ? query.warehouseSql() : query.semanticSql())) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= columns; i++) {
          if (rs.getObject(i) != null) {
            nonNull++;
          }
        }
        rows++;
      }
    }
    return new RunResult(rows, nonNull < 0 ? 0 : -1, null); // nonNull keeps the reads live
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
