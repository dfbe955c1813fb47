package io.strata.server.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.server.TestServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Postgres wire endpoint with TLS from the Flight endpoint's PEM files (a self-signed
 * certificate made with the JDK's keytool): pgjdbc and psql connect over TLS with the password
 * or an API token sent inside it; without TLS the same server asks for SCRAM-SHA-256, where a
 * token is no password.
 */
class PgWireTlsTest {
  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  static Connection connect(int port, String password, String sslmode) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "admin");
    p.setProperty("password", password);
    p.setProperty("sslmode", sslmode);
    // a self-signed certificate: encryption without verification, as sslmode=require means
    p.setProperty("sslfactory", "org.postgresql.ssl.NonValidatingFactory");
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/strata", p);
  }

  static long count(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT MEASURE(count) AS n FROM semantic.orders")) {
      assertThat(rs.next()).isTrue();
      return rs.getLong(1);
    }
  }

  @Test
  void passwordsAndTokensInsideTls() throws Exception {
    Path dir = Files.createTempDirectory("strata-pgwire-tls");
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
    Path certPem = dir.resolve("server.crt");
    Path keyPem = dir.resolve("server.key");
    Files.writeString(certPem, pem("CERTIFICATE", ks.getCertificate("strata").getEncoded()));
    Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));

    try (TestServer server = TestServer.start(Map.of("strata.flight.tls.cert",
        certPem.toString(), "strata.flight.tls.key", keyPem.toString()))) {
      int port = server.pgwirePort();
      TestServer.Response created = server.admin().post("/api/v1/tokens",
          Map.of("name", "pgwire"));
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
      String token = created.json().path("secret").asText();
      assertThat(token).startsWith("strata_pat_");

      long expected;
      try (Connection c = connect(port, TestServer.ADMIN_PASSWORD, "require")) {
        expected = count(c);
        assertThat(expected).isPositive();
        assertThat(((org.postgresql.PGConnection) c).getParameterStatus("server_version"))
            .isEqualTo(PgSettings.SERVER_VERSION);
      }
      try (Connection c = connect(port, token, "require")) {
        assertThat(count(c)).isEqualTo(expected);
      }
      assertThatThrownBy(() -> connect(port, "strata_pat_not-a-token", "require"))
          .isInstanceOfSatisfying(SQLException.class,
              e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
      // without TLS: SCRAM, where the password works and a token does not
      try (Connection c = connect(port, TestServer.ADMIN_PASSWORD, "disable")) {
        assertThat(count(c)).isEqualTo(expected);
      }
      assertThatThrownBy(() -> connect(port, token, "disable"))
          .isInstanceOfSatisfying(SQLException.class,
              e -> assertThat(e.getSQLState()).isEqualTo("28P01"));

      // psql over TLS, with the token as its password
      ProcessBuilder pb = new ProcessBuilder("psql", "-X", "-A", "-t", "-c",
          "SELECT MEASURE(count) AS n FROM semantic.orders").redirectErrorStream(true);
      pb.environment().putAll(Map.of("PGHOST", "127.0.0.1", "PGPORT", Integer.toString(port),
          "PGUSER", "admin", "PGDATABASE", "strata", "PGPASSWORD", token, "PGSSLMODE",
          "require"));
      Process psql = pb.start();
      String out = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(psql.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(psql.exitValue()).as(out).isZero();
      assertThat(List.of(out.trim())).containsExactly(Long.toString(expected));
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
