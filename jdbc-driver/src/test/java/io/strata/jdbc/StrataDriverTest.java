package io.strata.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StrataDriverTest {

  private final StrataDriver driver = new StrataDriver();

  @Test void acceptsOnlyStrataUrls() throws SQLException {
    assertThat(driver.acceptsURL("jdbc:strata://localhost")).isTrue();
    assertThat(driver.acceptsURL("jdbc:strata:https://localhost:8765")).isTrue();
    assertThat(driver.acceptsURL("jdbc:avatica:remote:url=http://localhost:8765")).isFalse();
    assertThat(driver.acceptsURL("jdbc:postgresql://localhost/db")).isFalse();
    assertThatThrownBy(() -> driver.acceptsURL(null)).isInstanceOf(SQLException.class);
  }

  @Test void notOurUrlGivesNull() throws SQLException {
    assertThat(driver.connect("jdbc:postgresql://localhost/db", new Properties())).isNull();
  }

  @Test void nameAndVersionFromTheFilteredResource() {
    assertThat(driver.getDriverVersion().name).isEqualTo("Strata JDBC Driver");
    String version = driver.getVersion();
    assertThat(version).matches("\\d+\\.\\d+\\.\\d+.*").doesNotContain("${");
    String[] parts = version.replaceAll("-.*", "").split("\\.");
    assertThat(driver.getMajorVersion()).isEqualTo(Integer.parseInt(parts[0]));
    assertThat(driver.getMinorVersion()).isEqualTo(Integer.parseInt(parts[1]));
    assertThat(driver.jdbcCompliant()).isFalse();
  }

  @Test void registeredWithDriverManagerAndServiceLoader() throws SQLException {
    assertThat(DriverManager.getDriver("jdbc:strata://localhost"))
        .isInstanceOf(StrataDriver.class);
    assertThat(ServiceLoader.load(Driver.class).stream().map(p -> p.type().getName()))
        .contains(StrataDriver.class.getName());
  }

  @Test void propertyInfoOffersTheOptions() {
    DriverPropertyInfo[] info = driver.getPropertyInfo("jdbc:strata://h?user=alice",
        new Properties());
    assertThat(Arrays.stream(info).map(i -> i.name).collect(Collectors.toList()))
        .contains("user", "password", "token", "serialization", "fetchSize");
    assertThat(Arrays.stream(info).filter(i -> i.name.equals("user")).findFirst().get().value)
        .isEqualTo("alice");
    // an incomplete URL (while the user is typing) still gets the list
    assertThat(driver.getPropertyInfo("jdbc:strata://", new Properties())).isNotEmpty();
  }

  @Test void badUrlIsAnSqlExceptionNamingTheProblem() {
    assertThatThrownBy(() -> driver.connect("jdbc:strata://host:port", new Properties()))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("port 'port' is not a number");
  }

  @Test void unreachableServerIsAnSqlExceptionNamingTheEndpoint() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    } // closed: nothing listens there now
    Properties p = new Properties();
    p.setProperty("user", "alice");
    p.setProperty("password", "pw");
    p.setProperty("http_connection_timeout", "2000");
    String url = "jdbc:strata://127.0.0.1:" + port;
    assertThatThrownBy(() -> driver.connect(url, p))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("http://127.0.0.1:" + port)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
  }

  @Test void wireNamesAreRewrittenByPrefix() {
    String wire = WireNameTranslation.WIRE_PREFIX + "proto.Requests$OpenConnectionRequest";
    String local = "io.strata.jdbc.shaded." + wire;
    assertThat(WireNameTranslation.rename(local, "io.strata.jdbc.shaded." + wire.substring(0,
        WireNameTranslation.WIRE_PREFIX.length()), WireNameTranslation.WIRE_PREFIX))
        .isEqualTo(wire);
    assertThat(WireNameTranslation.rename("other.Name", "x.", "y.")).isEqualTo("other.Name");
    // in the plain (unshaded) build nothing is rewritten
    assertThat(WireNameTranslation.LOCAL_PREFIX).isEqualTo(WireNameTranslation.WIRE_PREFIX);
    assertThat(Collections.list(DriverManager.getDrivers())).isNotEmpty();
  }
}
