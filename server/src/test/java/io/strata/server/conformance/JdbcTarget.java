package io.strata.server.conformance;

import io.strata.server.TestServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Map;
import java.util.Objects;

/**
 * One stock JDBC client of the conformance suite: how it connects to a running server, and
 * what its own code (not Strata's answers) cannot do. Adding a client is one more target in
 * {@link JdbcConformance#targets()}.
 *
 * @param name how the tests name it
 * @param connector opens a connection as admin to the server under test
 * @param clientLimits what the client does by itself, whatever the server says: DatabaseMetaData
 *     methods by name, each with its exact behaviour pinned ({@link Limit}: the suite fails when
 *     an upgrade of the client changes it, so the pin and the README are updated), and
 *     {@link #CONCURRENT_USE} for a connection that cannot be used from several threads
 */
public record JdbcTarget(String name, Connector connector, Map<String, Limit> clientLimits) {
  /** The limit of a client whose connection fails when used from several threads at once. */
  public static final String CONCURRENT_USE = "concurrent use";

  /** Opens a connection for a target. */
  @FunctionalInterface
  public interface Connector {
    Connection connect(TestServer server) throws SQLException;
  }

  public Connection connect(TestServer server) throws SQLException {
    return connector.connect(server);
  }

  /** Whether the client answers this DatabaseMetaData method (or does this) by itself. */
  public boolean limited(String method) {
    return clientLimits.containsKey(method);
  }

  @Override
  public String toString() {
    return name;
  }

  /**
   * What a stock client does by itself in one DatabaseMetaData method, exactly: it throws an
   * exception of one class (not a subclass) with one message, answers one value, or answers an
   * empty result set. {@link #untested} is only for {@link #CONCURRENT_USE}, which no single
   * call shows.
   *
   * @param why where in the client's code this comes from
   * @param thrown the exact class thrown, or null when the method answers
   * @param message the thrown exception's exact message (null: any message)
   * @param answer the value answered ({@link #EMPTY} for a result set without rows)
   */
  public record Limit(String why, Class<? extends Throwable> thrown, String message,
      Object answer) {
    /** The answer of a method that returns a result set with no rows. */
    public static final Object EMPTY = new Object() {
      @Override
      public String toString() {
        return "an empty result set";
      }
    };
    private static final Object UNTESTED = new Object();

    public static Limit throwing(Class<? extends Throwable> thrown, String message, String why) {
      return new Limit(why, thrown, message, null);
    }

    /** SQLFeatureNotSupportedException (any message): allowed, but pinned so a change shows. */
    public static Limit unsupported(String why) {
      return new Limit(why, SQLFeatureNotSupportedException.class, null, null);
    }

    public static Limit answering(Object answer, String why) {
      return new Limit(why, null, null, answer);
    }

    public static Limit empty(String why) {
      return new Limit(why, null, null, EMPTY);
    }

    /** A limit no DatabaseMetaData call shows ({@link #CONCURRENT_USE}): not pinned by one. */
    public static Limit untested(String why) {
      return new Limit(why, null, null, UNTESTED);
    }

    public boolean pinned() {
      return answer != UNTESTED;
    }

    /**
     * Null when a call behaved as pinned, else what it did instead. {@code result} is what the
     * call returned (a result set is read here), {@code failure} what it threw.
     */
    public String mismatch(Object result, Throwable failure) throws SQLException {
      String expected = expected();
      if (thrown != null) {
        if (failure == null) {
          return "expected " + expected + ", answered " + describe(result);
        }
        if (failure.getClass() != thrown
            || (message != null && !message.equals(failure.getMessage()))) {
          return "expected " + expected + ", threw " + failure;
        }
        return null;
      }
      if (failure != null) {
        return "expected " + expected + ", threw " + failure;
      }
      if (answer == EMPTY) {
        if (!(result instanceof ResultSet rs)) {
          return "expected " + expected + ", answered " + describe(result);
        }
        try (rs) {
          return rs.next() ? "expected " + expected + ", answered rows" : null;
        }
      }
      return Objects.equals(answer, result) ? null
          : "expected " + expected + ", answered " + describe(result);
    }

    private String expected() {
      if (thrown != null) {
        return thrown.getName() + (message == null ? "" : ": " + message);
      }
      return answer == EMPTY ? "an empty result set" : "the answer " + answer;
    }

    private static String describe(Object result) {
      return result instanceof ResultSet ? "a result set" : String.valueOf(result);
    }
  }
}
