package io.strata.jdbc.it;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The packaged (shaded) driver jar, loaded the way a BI tool loads it: in its own class loader
 * whose parent is the platform class loader, so nothing of the test class path is visible to
 * it, and the driver found through {@link ServiceLoader}.
 */
final class ShadedDriver {

  final Path jar;
  final URLClassLoader loader;
  final Driver driver;

  private ShadedDriver(Path jar, URLClassLoader loader, Driver driver) {
    this.jar = jar;
    this.loader = loader;
    this.driver = driver;
  }

  static ShadedDriver load() throws IOException {
    Path jar = locateJar();
    URLClassLoader loader = new URLClassLoader("strata-jdbc-driver",
        new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
    List<Driver> drivers = ServiceLoader.load(Driver.class, loader).stream()
        .map(ServiceLoader.Provider::get)
        .collect(Collectors.toList());
    if (drivers.size() != 1) {
      throw new IllegalStateException("expected exactly one java.sql.Driver in " + jar
          + ", found " + drivers);
    }
    return new ShadedDriver(jar, loader, drivers.get(0));
  }

  /** {@code strata.driver.jar} (set by the build), else the jar in target/. */
  static Path locateJar() throws IOException {
    String configured = System.getProperty("strata.driver.jar");
    if (configured != null && !configured.isEmpty()) {
      Path p = Paths.get(configured);
      if (!Files.isRegularFile(p)) {
        throw new IllegalStateException(p + " does not exist: run `./mvnw -pl jdbc-driver -am"
            + " verify` (the ITs need the packaged jar)");
      }
      return p;
    }
    try (Stream<Path> files = Files.list(Paths.get("target"))) {
      return files
          .filter(f -> f.getFileName().toString().matches("strata-jdbc-driver-.*\\.jar"))
          .filter(f -> !f.getFileName().toString().contains("sources"))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no target/strata-jdbc-driver-*.jar:"
              + " package the module first"));
    }
  }

  Connection connect(String url, String user, String password) throws SQLException {
    Properties p = new Properties();
    if (user != null) {
      p.setProperty("user", user);
    }
    if (password != null) {
      p.setProperty("password", password);
    }
    return connect(url, p);
  }

  Connection connect(String url, Properties properties) throws SQLException {
    Connection c = driver.connect(url, properties);
    if (c == null) {
      throw new SQLException("the driver did not accept " + url);
    }
    return c;
  }

  /** A public field of one of the driver's (relocated Avatica) objects, read reflectively. */
  static Object field(Object target, String name) {
    try {
      return target.getClass().getField(name).get(target);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Avatica's id of a connection. */
  static String connectionId(Connection connection) {
    return (String) field(connection, "id");
  }

  /** Avatica's statement handle id of a statement. */
  static int statementId(java.sql.Statement statement) {
    return (Integer) field(field(statement, "handle"), "id");
  }
}
