package io.strata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.strata.server.TestServer.Response;
import io.strata.server.cli.StrataCli;
import io.strata.testkit.Warehouse;
import io.strata.testkit.Warehouses;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Data-source secrets at rest, end to end: real servers on one data directory (restarted), the
 * metadata rows read over JDBC, warehouses that check passwords (a MariaDB user; a Postgres
 * role, though the local Postgres trusts every login), and {@code strata secrets rotate-key}.
 */
class DataSourceSecretsTest {
  @TempDir
  Path dir;
  final String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  final String pgRole = "strata_secret_pg_" + suffix;
  final String pgPassword = "pg-pw-" + suffix;
  final String myUser = "strata_secret_my_" + suffix;
  final String myPassword = "my-pw-" + suffix;
  final String urlPassword = "url-pw-" + suffix;
  Warehouse pg;
  Warehouse my;

  @BeforeEach
  void createUsers() throws SQLException {
    pg = Warehouses.postgres();
    my = Warehouses.mariadb();
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      st.execute("CREATE ROLE " + pgRole + " LOGIN PASSWORD '" + pgPassword + "'");
    }
    try (Connection c = my.connect(); Statement st = c.createStatement()) {
      st.execute("CREATE USER '" + myUser + "'@'%' IDENTIFIED BY '" + myPassword + "'");
      // the same password in a URL, for the user-in-URL data source
      st.execute("CREATE USER '" + myUser + "u'@'%' IDENTIFIED BY '" + urlPassword + "'");
    }
  }

  @AfterEach
  void dropUsers() throws SQLException {
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      st.execute("DROP ROLE IF EXISTS " + pgRole);
    }
    try (Connection c = my.connect(); Statement st = c.createStatement()) {
      st.execute("DROP USER IF EXISTS '" + myUser + "'@'%'");
      st.execute("DROP USER IF EXISTS '" + myUser + "u'@'%'");
    }
  }

  private TestServer start(Map<String, Object> extra) {
    Map<String, Object> props = new java.util.HashMap<>(extra);
    props.put("strata.data-dir", dir.toString());
    props.put("strata.demo.enabled", "false");
    return TestServer.start(props);
  }

  private String mariadbBase() {
    return my.jdbcUrl().substring(0, my.jdbcUrl().indexOf("//") + 2)
        + my.jdbcUrl().substring(my.jdbcUrl().indexOf("//") + 2).replaceAll("/.*", "") + "/";
  }

  /** Every row of the data-source table, as a JDBC client of the (stopped) server's H2 reads it. */
  private String metadataRows() throws SQLException {
    StringBuilder b = new StringBuilder();
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("metadata"), "", "");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM strata_data_sources ORDER BY name")) {
      while (rs.next()) {
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          b.append(rs.getMetaData().getColumnLabel(i)).append('=').append(rs.getString(i)).append(' ');
        }
        b.append('\n');
      }
    }
    return b.toString();
  }

  private void assertConnects(TestServer s, String name) {
    Response t = s.admin().post("/api/v1/datasources/" + name + "/test", "{}");
    assertThat(t.status()).isEqualTo(200);
    assertThat(t.json().path("ok").asBoolean()).as(name + ": " + t).isTrue();
  }

  private String[] rotate() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = StrataCli.commandLine(new ByteArrayInputStream(new byte[0]));
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute("secrets", "rotate-key", "--data-dir", dir.toString());
    assertThat(code).as(out + "\n" + err).isZero();
    return new String[] {out.toString(), err.toString()};
  }

  @Test
  void secretsAreEncryptedSurviveRestartsAndRotationAndNeverComeBack() throws Exception {
    String myUrlWithPassword = mariadbBase() + "?user=" + myUser + "u&password=" + urlPassword;
    try (TestServer s = start(Map.of())) {
      Path keyFile = dir.resolve("secret.key");
      assertThat(Files.getPosixFilePermissions(keyFile))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(Base64.getDecoder().decode(Files.readString(keyFile).strip())).hasSize(32);
      Response a = s.admin().post("/api/v1/datasources", Map.of("name", "pgsrc", "kind", "postgres",
          "url", pg.jdbcUrl(), "username", pgRole, "password", pgPassword,
          "properties", Map.of("sslpassword", "prop-" + suffix)));
      assertThat(a.status()).as(a.toString()).isEqualTo(201);
      Response b = s.admin().post("/api/v1/datasources", Map.of("name", "mysrc", "kind", "mysql",
          "url", mariadbBase(), "username", myUser, "password", myPassword));
      assertThat(b.status()).as(b.toString()).isEqualTo(201);
      Response c = s.admin().post("/api/v1/datasources", Map.of("name", "myurl", "kind", "mysql",
          "url", myUrlWithPassword));
      assertThat(c.status()).as(c.toString()).isEqualTo(201);
      Response bad = s.admin().post("/api/v1/datasources", Map.of("name", "mywrong",
          "kind", "mysql", "url", mariadbBase(), "username", myUser, "password", "not-it"));
      assertThat(bad.status()).isEqualTo(201);
      // the warehouse checks the password: a wrong one fails, the stored ones work
      Response wrong = s.admin().post("/api/v1/datasources/mywrong/test", "{}");
      assertThat(wrong.json().path("ok").asBoolean()).isFalse();
      assertThat(wrong.json().path("error").asText()).contains("Access denied")
          .doesNotContain("not-it");
      assertConnects(s, "pgsrc");
      assertConnects(s, "mysrc");
      assertConnects(s, "myurl");
      // nothing the API returns carries a secret; the URL's password is masked
      for (String path : new String[] {"/api/v1/datasources", "/api/v1/datasources/myurl",
          "/api/v1/datasources/pgsrc"}) {
        Response r = s.admin().get(path);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).doesNotContain(pgPassword).doesNotContain(myPassword)
            .doesNotContain(urlPassword).doesNotContain("prop-" + suffix);
      }
      Response shown = s.admin().get("/api/v1/datasources/myurl");
      assertThat(shown.json().path("url").asText()).contains("password=***")
          .contains("user=" + myUser + "u");
      assertThat(s.admin().get("/api/v1/datasources/pgsrc").json().path("hasPassword").asBoolean())
          .isTrue();
      // the masked URL sent back (as the UI would) keeps the stored password
      Response put = s.admin().put("/api/v1/datasources/myurl",
          Map.of("url", shown.json().path("url").asText()));
      assertThat(put.status()).as(put.toString()).isEqualTo(200);
      assertConnects(s, "myurl");
      // raw SQL through the pool works, and the query log holds no secret
      Response sql = s.admin().send("POST", "/api/v1/sql", "text/plain",
          "SELECT count(*) AS n FROM pgsrc.pg_catalog.pg_namespace");
      assertThat(sql.status()).isBetween(200, 499);
      Response log = s.admin().get("/api/v1/queries");
      assertThat(log.text()).doesNotContain(pgPassword).doesNotContain(urlPassword);
    }
    String rows = metadataRows();
    assertThat(rows).contains("pgsrc").contains("myurl")
        .doesNotContain(pgPassword).doesNotContain(myPassword).doesNotContain(urlPassword)
        .doesNotContain("prop-" + suffix).contains("enc:v1:");

    // a restart reads them back with the key file
    try (TestServer s = start(Map.of())) {
      assertConnects(s, "pgsrc");
      assertConnects(s, "mysrc");
      assertConnects(s, "myurl");
    }

    // rotation: new key file, old one kept as .previous; every value re-encrypted
    String oldKey = Files.readString(dir.resolve("secret.key")).strip();
    String[] out = rotate();
    assertThat(out[0]).contains("re-encrypted 5 data-source secret(s)");
    String newKey = Files.readString(dir.resolve("secret.key")).strip();
    assertThat(newKey).isNotEqualTo(oldKey);
    assertThat(Files.readString(dir.resolve("secret.key.previous")).strip()).isEqualTo(oldKey);
    assertThat(Files.getPosixFilePermissions(dir.resolve("secret.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    String rotated = metadataRows();
    String oldId = io.strata.server.secret.SecretKey.parse(oldKey, "old").id();
    String newId = io.strata.server.secret.SecretKey.parse(newKey, "new").id();
    assertThat(rotated).doesNotContain("enc:v1:" + oldId).contains("enc:v1:" + newId)
        .doesNotContain(myPassword);
    // without the old key at all, the server starts and connects
    Files.delete(dir.resolve("secret.key.previous"));
    try (TestServer s = start(Map.of())) {
      assertConnects(s, "pgsrc");
      assertConnects(s, "mysrc");
      assertConnects(s, "myurl");
    }

    // the wrong key stops the start, naming the setting, never a secret
    String wrongKey = Base64.getEncoder().encodeToString(new byte[32]);
    Throwable e = catchThrowable(() -> start(Map.of("strata.secret.key", wrongKey)).close());
    assertThat(e).isNotNull();
    String messages = chain(e);
    assertThat(messages).contains("strata.secret.key").contains("STRATA_SECRET_KEY")
        .contains(newId).doesNotContain(myPassword).doesNotContain(wrongKey);
    // the new key given as a setting works (with the key file ignored)
    try (TestServer s = start(Map.of("strata.secret.key", newKey))) {
      assertConnects(s, "mysrc");
    }
    // rotation with the key in STRATA_SECRET_KEY (here the property): the new key is printed
    String envKey;
    System.setProperty("strata.secret.key", newKey);
    try {
      String printed = rotate()[0];
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("STRATA_SECRET_KEY=(\\S+)")
          .matcher(printed);
      assertThat(m.find()).as(printed).isTrue();
      envKey = m.group(1);
    } finally {
      System.clearProperty("strata.secret.key");
    }
    assertThat(Files.readString(dir.resolve("secret.key")).strip()).isEqualTo(newKey);
    try (TestServer s = start(Map.of("strata.secret.key", envKey))) {
      assertConnects(s, "mysrc");
      assertConnects(s, "myurl");
    }
    assertThat(metadataRows()).contains("enc:v1:" + io.strata.server.secret.SecretKey.parse(
        envKey, "printed").id() + ":").doesNotContain("enc:v1:" + newId);
    // a key that is not 32 bytes of base64 is a configuration error naming the setting
    Throwable shortKey = catchThrowable(() -> start(Map.of("strata.secret.key", "c2hvcnQ=")).close());
    assertThat(chain(shortKey)).contains("strata.secret.key").contains("32");
  }

  private static String chain(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      b.append(t.getMessage()).append('\n');
    }
    return b.toString();
  }
}
