package io.strata.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class StrataConnectionConfigTest {

  private static StrataConnectionConfig parse(String url) throws SQLException {
    return StrataConnectionConfig.parse(url, new Properties());
  }

  private static StrataConnectionConfig parse(String url, String... keyValues)
      throws SQLException {
    Properties p = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return StrataConnectionConfig.parse(url, p);
  }

  @Test void hostAndDefaultPort() throws SQLException {
    StrataConnectionConfig c = parse("jdbc:strata://db.example.com");
    assertThat(c.scheme()).isEqualTo("http");
    assertThat(c.host()).isEqualTo("db.example.com");
    assertThat(c.port()).isEqualTo(8765);
    assertThat(c.endpoint()).isEqualTo("http://db.example.com:8765");
    assertThat(c.cancelUri()).hasToString("http://db.example.com:8765/strata/cancel");
  }

  @Test void explicitPortAndTrailingSlash() throws SQLException {
    assertThat(parse("jdbc:strata://localhost:9000/").endpoint())
        .isEqualTo("http://localhost:9000");
    assertThat(parse("jdbc:strata://localhost:9000/?user=a").endpoint())
        .isEqualTo("http://localhost:9000");
    assertThat(parse("jdbc:strata://10.0.0.7:1").port()).isEqualTo(1);
  }

  @Test void ipv6Host() throws SQLException {
    StrataConnectionConfig c = parse("jdbc:strata://[::1]:8000");
    assertThat(c.host()).isEqualTo("[::1]");
    assertThat(c.endpoint()).isEqualTo("http://[::1]:8000");
    assertThat(parse("jdbc:strata://[::1]").port()).isEqualTo(8765);
  }

  @Test void httpsAndHttpForms() throws SQLException {
    StrataConnectionConfig tls = parse("jdbc:strata:https://strata.example.com:443");
    assertThat(tls.scheme()).isEqualTo("https");
    assertThat(tls.endpoint()).isEqualTo("https://strata.example.com:443");
    assertThat(parse("jdbc:strata:https://strata.example.com").port()).isEqualTo(8765);
    assertThat(parse("jdbc:strata:http://h:1234").endpoint()).isEqualTo("http://h:1234");
    // behind a proxy under a path
    StrataConnectionConfig proxied = parse("jdbc:strata:https://gw.example.com:443/strata/");
    assertThat(proxied.endpoint()).isEqualTo("https://gw.example.com:443/strata");
    assertThat(proxied.cancelUri()).hasToString("https://gw.example.com:443/strata/strata/cancel");
  }

  @Test void prefixIsCaseInsensitive() throws SQLException {
    assertThat(StrataConnectionConfig.accepts("JDBC:STRATA://h")).isTrue();
    assertThat(parse("JDBC:Strata:HTTPS://h:1").scheme()).isEqualTo("https");
    assertThat(StrataConnectionConfig.accepts("jdbc:avatica:remote:url=http://h")).isFalse();
    assertThat(StrataConnectionConfig.accepts(null)).isFalse();
  }

  @Test void urlParameters() throws SQLException {
    StrataConnectionConfig c = parse(
        "jdbc:strata://h?user=alice&password=p%26ss%3Dw+rd&serialization=JSON&fetchSize=500"
            + "&schema=retail");
    assertThat(c.user()).isEqualTo("alice");
    assertThat(c.password()).isEqualTo("p&ss=w+rd"); // %-escapes decoded, '+' kept
    assertThat(c.serialization()).isEqualTo("json");
    assertThat(c.fetchSize()).isEqualTo(500);
    assertThat(c.extra()).containsEntry("schema", "retail");
  }

  @Test void defaults() throws SQLException {
    StrataConnectionConfig c = parse("jdbc:strata://h");
    assertThat(c.serialization()).isEqualTo("protobuf");
    assertThat(c.fetchSize()).isEqualTo(10_000);
    assertThat(c.user()).isNull();
    assertThat(c.authorizationHeader()).isNull();
    Properties p = c.toAvaticaProperties();
    assertThat(p.getProperty("url")).isEqualTo("http://h:8765");
    assertThat(p.getProperty("serialization")).isEqualTo("protobuf");
    assertThat(p.getProperty("fetch_size")).isEqualTo("10000");
    assertThat(p.getProperty("authentication")).isNull();
    assertThat(p.getProperty("factory")).isEqualTo(StrataServiceFactory.class.getName());
    assertThat(p.getProperty("httpclient_impl")).isEqualTo(StrataHttpClient.class.getName());
  }

  @Test void propertiesWinOverUrlParameters() throws SQLException {
    StrataConnectionConfig c = parse("jdbc:strata://h?user=url-user&password=url-pw&fetchSize=7",
        "user", "prop-user", "password", "prop-pw");
    assertThat(c.user()).isEqualTo("prop-user");
    assertThat(c.password()).isEqualTo("prop-pw");
    assertThat(c.fetchSize()).isEqualTo(7); // not overridden: stays from the URL
  }

  @Test void emptyPropertiesDoNotMaskUrlParameters() throws SQLException {
    // e.g. a tool sending the empty user/password fields of its dialog
    StrataConnectionConfig c = parse("jdbc:strata://h?user=alice&password=secret",
        "user", "", "password", "");
    assertThat(c.user()).isEqualTo("alice");
    assertThat(c.password()).isEqualTo("secret");
  }

  @Test void basicAuthentication() throws SQLException {
    StrataConnectionConfig c = parse("jdbc:strata://h", "user", "alice", "password", "s3cret");
    Properties p = c.toAvaticaProperties();
    assertThat(p.getProperty("authentication")).isEqualTo("BASIC");
    assertThat(p.getProperty("avatica_user")).isEqualTo("alice");
    assertThat(p.getProperty("avatica_password")).isEqualTo("s3cret");
    // credentials are not left under names that Avatica would forward to the server
    assertThat(p).doesNotContainKeys("user", "password", "token");
    assertThat(c.authorizationHeader()).isEqualTo("Basic "
        + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8)));
  }

  @Test void tokenAuthentication() throws SQLException {
    StrataConnectionConfig c = parse("jdbc:strata://h?token=abc.def");
    Properties p = c.toAvaticaProperties();
    assertThat(p.getProperty("authentication")).isEqualTo("BEARER");
    assertThat(p.getProperty("bearer_token")).isEqualTo("abc.def");
    assertThat(p.getProperty("avatica_password")).isNull();
    assertThat(c.authorizationHeader()).isEqualTo("Bearer abc.def");
  }

  @Test void extraOptionsPassThrough() throws SQLException {
    Properties p = parse("jdbc:strata:https://h?truststore=/etc/ts.jks&truststore_password=x"
        + "&hostname_verification=NONE").toAvaticaProperties();
    assertThat(p.getProperty("truststore")).isEqualTo("/etc/ts.jks");
    assertThat(p.getProperty("truststore_password")).isEqualTo("x");
    assertThat(p.getProperty("hostname_verification")).isEqualTo("NONE");
  }

  @Test void redactsSecrets() {
    assertThat(StrataConnectionConfig.redact("jdbc:strata://h?user=a&password=b&token=c&x=1"))
        .isEqualTo("jdbc:strata://h?user=a&password=***&token=***&x=1");
  }

  private static void assertBad(String url, String expectedMessagePart) {
    assertThatThrownBy(() -> parse(url))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining(expectedMessagePart)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
  }

  @Test void badUrlsNameTheProblem() {
    assertBad("jdbc:strata:", "expected '//HOST[:PORT]'");
    assertBad("jdbc:strata:localhost:8765", "expected '//HOST[:PORT]'");
    assertBad("jdbc:strata:ftp://h", "expected '//HOST[:PORT]'");
    assertBad("jdbc:strata://", "the host is missing");
    assertBad("jdbc:strata://:8765", "the host is missing");
    assertBad("jdbc:strata://h:abc", "port 'abc' is not a number");
    assertBad("jdbc:strata://h:", "port '' is not a number");
    assertBad("jdbc:strata://h:70000", "port 70000 is out of range");
    assertBad("jdbc:strata://h:0", "port 0 is out of range");
    assertBad("jdbc:strata://h/demo", "takes no path, but found '/demo'");
    assertBad("jdbc:strata://bob:pw@h", "not before the host");
    assertBad("jdbc:strata://h?user", "parameter 'user' is not of the form key=value");
    assertBad("jdbc:strata://h?password", "parameter 'password' is not of the form");
    assertBad("jdbc:strata://h?x=%zz", "bad %-escape");
    assertBad("jdbc:strata://h_h!", "is not a valid host name");
    assertBad("jdbc:strata://[::1", "unclosed '['");
    assertBad("jdbc:mysql://h", "not a Strata JDBC URL");
  }

  @Test void badPropertiesNameTheProblem() {
    assertBad("jdbc:strata://h?serialization=xml", "serialization 'xml' is not supported");
    assertBad("jdbc:strata://h?fetchSize=lots", "fetchSize 'lots' is not a whole number");
    assertBad("jdbc:strata://h?fetchSize=0", "fetchSize must be at least 1");
    assertBad("jdbc:strata://h?user=a&password=b&token=c", "both a password and a token");
    assertBad("jdbc:strata://h?password=b", "a password is set but no user");
    assertBad("jdbc:strata://h?url=http://elsewhere", "property 'url' cannot be set");
    assertBad("jdbc:strata://h?avatica_password=x", "property 'avatica_password' cannot be set");
  }

  @Test void badUrlMessagesDoNotShowThePassword() {
    assertThatThrownBy(() -> parse("jdbc:strata://h/oops?user=a&password=hunter2"))
        .isInstanceOf(SQLException.class)
        .message().doesNotContain("hunter2");
  }
}
