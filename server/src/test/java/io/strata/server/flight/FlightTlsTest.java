package io.strata.server.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.core.value.MapPropertyResolver;
import io.strata.server.TestServer;
import io.strata.server.config.StrataConfig;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

/**
 * The Flight SQL endpoint with TLS from PEM files (a self-signed certificate made with the
 * JDK's keytool): Arrow's client and the JDBC driver connect over TLS, a plaintext client does
 * not; a certificate without its key is a configuration error.
 */
class FlightTlsTest {
  @Test
  void tlsFromPemFiles() throws Exception {
    Path dir = Files.createTempDirectory("strata-flight-tls");
    Path keystore = dir.resolve("server.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin",
        "keytool").toString(), "-genkeypair", "-alias", "strata", "-keyalg", "RSA",
        "-keysize", "2048", "-validity", "2", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", keystore.toString(),
        "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(output).isZero();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, "changeit".toCharArray());
    }
    PrivateKey key = (PrivateKey) ks.getKey("strata", "changeit".toCharArray());
    Certificate cert = ks.getCertificate("strata");
    Path certPem = dir.resolve("server.crt");
    Path keyPem = dir.resolve("server.key");
    Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded())); // PKCS#8

    try (TestServer server = TestServer.start(Map.of("strata.flight.tls.cert",
        certPem.toString(), "strata.flight.tls.key", keyPem.toString()));
        BufferAllocator memory = new RootAllocator()) {
      int port = server.flightPort();
      try (InputStream trusted = Files.newInputStream(certPem);
          FlightClient client = FlightClient.builder(memory, Location.forGrpcTls("localhost",
              port)).trustedCertificates(trusted).build()) {
        CallOption auth = client.authenticateBasicToken("admin", TestServer.ADMIN_PASSWORD)
            .orElseThrow();
        FlightSqlClient sql = new FlightSqlClient(client);
        FlightInfo info = sql.execute("SELECT COUNT(*) AS n FROM demo.retail.orders", auth);
        try (FlightStream s = sql.getStream(info.getEndpoints().get(0).getTicket(), auth)) {
          assertThat(s.next()).isTrue();
          assertThat(((Number) s.getRoot().getVector(0).getObject(0)).longValue()).isPositive();
        }
      }
      try (FlightClient plain = FlightClient.builder(memory, Location.forGrpcInsecure(
          "127.0.0.1", port)).build()) {
        assertThatThrownBy(() -> plain.authenticateBasicToken("admin",
            TestServer.ADMIN_PASSWORD)).isInstanceOf(FlightRuntimeException.class);
      }
      try (Connection c = DriverManager.getConnection("jdbc:arrow-flight-sql://localhost:"
          + port + "?useEncryption=true&disableCertificateVerification=true&user=admin"
          + "&password=" + TestServer.ADMIN_PASSWORD);
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT status, MEASURE(count) FROM semantic.orders"
              + " GROUP BY status")) {
        assertThat(rs.next()).isTrue();
      }
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void aCertificateWithoutItsKeyIsAConfigurationError() throws Exception {
    Path cert = Files.createTempFile("strata-flight", ".crt");
    try {
      assertThatThrownBy(() -> StrataConfig.from(new MapPropertyResolver(Map.of(
          "strata.flight.tls.cert", cert.toString()))))
          .hasMessageContaining("strata.flight.tls.cert and strata.flight.tls.key")
          .hasMessageContaining("set both for TLS");
      assertThatThrownBy(() -> StrataConfig.from(new MapPropertyResolver(Map.of(
          "strata.flight.tls.cert", cert.toString(), "strata.flight.tls.key", "/no/such.key"))))
          .hasMessageContaining("strata.flight.tls.key (STRATA_FLIGHT_TLS_KEY) is '/no/such.key'");
      StrataConfig defaults = StrataConfig.from(new MapPropertyResolver(Map.of()));
      assertThat(defaults.flightEnabled()).isTrue();
      assertThat(defaults.flightPort()).isEqualTo(8815);
      assertThat(defaults.flightTlsCert()).isEmpty();
    } finally {
      Files.deleteIfExists(cert);
    }
  }

  @Test
  void aTakenPortStopsTheStartWithAMessageSayingWhatToDo() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
      assertThatThrownBy(() -> TestServer.start(Map.of("strata.flight.port",
          taken.getLocalPort())))
          .hasStackTraceContaining("port " + taken.getLocalPort() + " is in use")
          .hasStackTraceContaining("strata.flight.port");
    }
    // the endpoint can be switched off
    try (TestServer server = TestServer.start(Map.of("strata.flight.enabled", "false"))) {
      assertThat(server.flightPort()).isEqualTo(-1);
    }
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
