package io.strata.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.server.MovingClock;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.auth2.BearerCredentialWriter;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Login throttling on every endpoint of a running server, with stock clients: the JDK's HTTP
 * client (REST), Avatica's remote driver (JDBC), Arrow's FlightClient (Flight SQL). The server's
 * clock is a {@link MovingClock}, so back-off and lockout end when the test moves time.
 *
 * <p>REST requests name their client address with {@code X-Forwarded-For} (127.0.0.1 is a
 * trusted proxy here); JDBC and Flight connect to this machine's own non-loopback address, so
 * the server sees a remote client, and to 127.0.0.1 for the loopback admin rule. After each test
 * the clock moves past the lockout, which forgets every failure.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoginThrottleEndpointsTest {
  static final String PASSWORD = "right-password-1";
  static final Duration BACKOFF = Duration.ofSeconds(10);
  static final Duration LOCKOUT = Duration.ofMinutes(15);

  TestServer server;
  MovingClock clock;
  String remoteHost;
  RootAllocator memory;

  @BeforeAll
  void start() {
    remoteHost = nonLoopbackAddress();
    Map<String, Object> props = new HashMap<>();
    props.put(MovingClock.SETTING, "true");
    props.put("strata.auth.throttle.free-failures", "3");
    props.put("strata.auth.throttle.lockout-failures", "6");
    props.put("strata.auth.throttle.address-free-failures", "10");
    props.put("strata.auth.throttle.address-lockout-failures", "20");
    props.put("strata.auth.throttle.backoff", "10s");
    props.put("strata.auth.throttle.lockout", "15m");
    props.put("strata.auth.trusted-proxies", "127.0.0.1, ::1");
    props.put("strata.demo.scale", "0.001");
    server = TestServer.start(props);
    clock = MovingClock.of(server);
    memory = new RootAllocator();
    for (String user : new String[] {"alice", "bob", "carol", "dave", "erin", "frank"}) {
      Response r = server.admin().post("/api/v1/users", Map.of("username", user,
          "password", PASSWORD, "role", "viewer"));
      assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }
  }

  @AfterEach
  void forget() {
    clock.advance(LOCKOUT.plusSeconds(1));
  }

  @AfterAll
  void stop() {
    if (memory != null) {
      memory.close();
    }
    if (server != null) {
      server.close();
    }
  }

  // ------------------------------------------------------------------ REST

  Client rest(String user, String password, String address) {
    return server.as(user, password).header("X-Forwarded-For", address);
  }

  @Test
  void restRefusesAfterTheFreeFailuresEvenTheRightPasswordThenRecovers() {
    String from = "203.0.113.10";
    for (int i = 0; i < 3; i++) {
      assertThat(rest("alice", "wrong-" + i, from).get("/api/v1/auth/me").status()).isEqualTo(401);
    }
    Response refused = rest("alice", PASSWORD, from).get("/api/v1/auth/me");
    assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
    assertThat(refused.header("Retry-After")).isEqualTo("10");
    assertThat(refused.json().path("error").path("code").asText())
        .isEqualTo("TOO_MANY_FAILED_LOGINS");
    assertThat(refused.json().path("error").path("message").asText())
        .contains("user 'alice'").contains("try again in 10 seconds");
    // the login endpoint is throttled the same way, and from any address
    Response login = server.anonymous().header("X-Forwarded-For", "203.0.113.99")
        .post("/api/v1/auth/login", Map.of("username", "alice", "password", PASSWORD));
    assertThat(login.status()).as(login.toString()).isEqualTo(429);
    assertThat(login.header("Retry-After")).isEqualTo("10");

    // others from the same address are unaffected
    assertThat(rest("bob", PASSWORD, from).get("/api/v1/auth/me").status()).isEqualTo(200);

    clock.advance(BACKOFF);
    assertThat(rest("alice", PASSWORD, from).get("/api/v1/auth/me").status()).isEqualTo(200);
    // the success reset the count: one more failure is free again
    assertThat(rest("alice", "wrong", from).get("/api/v1/auth/me").status()).isEqualTo(401);
    assertThat(rest("alice", PASSWORD, from).get("/api/v1/auth/me").status()).isEqualTo(200);
  }

  @Test
  void backOffDoublesThenLocksOutWithAWarningMetric() {
    String from = "203.0.113.11";
    double lockouts = metric("strata_auth_lockouts_total{kind=\"user\"");
    for (int i = 0; i < 3; i++) {
      rest("carol", "wrong", from).get("/api/v1/auth/me");
    }
    assertThat(rest("carol", "wrong", from).get("/api/v1/auth/me").header("Retry-After"))
        .isEqualTo("10"); // refused: not counted
    clock.advance(BACKOFF);
    assertThat(rest("carol", "wrong", from).get("/api/v1/auth/me").status()).isEqualTo(401);
    assertThat(rest("carol", PASSWORD, from).get("/api/v1/auth/me").header("Retry-After"))
        .isEqualTo("20");
    clock.advance(Duration.ofSeconds(20));
    assertThat(rest("carol", "wrong", from).get("/api/v1/auth/me").status()).isEqualTo(401);
    assertThat(rest("carol", PASSWORD, from).get("/api/v1/auth/me").header("Retry-After"))
        .isEqualTo("40");
    clock.advance(Duration.ofSeconds(40));
    assertThat(rest("carol", "wrong", from).get("/api/v1/auth/me").status()).isEqualTo(401);
    Response locked = rest("carol", PASSWORD, from).get("/api/v1/auth/me");
    assertThat(locked.status()).isEqualTo(429);
    assertThat(locked.header("Retry-After")).isEqualTo("900");
    assertThat(locked.json().path("error").path("message").asText()).contains("15 minutes");
    assertThat(metric("strata_auth_lockouts_total{kind=\"user\"")).isEqualTo(lockouts + 1);
    assertThat(metric("strata_auth_failures_total{endpoint=\"rest\"")).isGreaterThanOrEqualTo(6);
    clock.advance(Duration.ofMinutes(14));
    assertThat(rest("carol", PASSWORD, from).get("/api/v1/auth/me").status()).isEqualTo(429);
    clock.advance(Duration.ofMinutes(1));
    assertThat(rest("carol", PASSWORD, from).get("/api/v1/auth/me").status()).isEqualTo(200);
  }

  @Test
  void refusalsReadTheSameWhetherOrNotTheUserExists() {
    String from = "203.0.113.12";
    for (int i = 0; i < 3; i++) {
      rest("dave", "wrong", from).get("/api/v1/auth/me");
      rest("nobody-here", "wrong", from).get("/api/v1/auth/me");
    }
    Response existing = rest("dave", "wrong", from).get("/api/v1/auth/me");
    Response missing = rest("nobody-here", "wrong", from).get("/api/v1/auth/me");
    assertThat(existing.status()).isEqualTo(missing.status()).isEqualTo(429);
    assertThat(existing.header("Retry-After")).isEqualTo(missing.header("Retry-After"));
    assertThat(existing.text().replace("dave", "X"))
        .isEqualTo(missing.text().replace("nobody-here", "X"));
  }

  @Test
  void anAddressThatGuessesManyUsersIsRefusedForAll() {
    String from = "198.51.100.7";
    for (int i = 0; i < 10; i++) {
      // one failure each for ten names, and bad tokens count too
      if (i % 2 == 0) {
        rest("guess" + i, "wrong", from).get("/api/v1/auth/me");
      } else {
        server.bearer("strata_pat_forged" + i).header("X-Forwarded-For", from)
            .get("/api/v1/auth/me");
      }
    }
    Response refused = rest("erin", PASSWORD, from).get("/api/v1/auth/me");
    assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
    assertThat(refused.json().path("error").path("message").asText())
        .contains("from address 198.51.100.7");
    // erin herself is fine from elsewhere
    assertThat(rest("erin", PASSWORD, "198.51.100.8").get("/api/v1/auth/me").status())
        .isEqualTo(200);
  }

  @Test
  void anAdminLockedOutStillGetsInFromLoopback() {
    String from = "203.0.113.13";
    lockOutAdmin(() -> rest("admin", "wrong", from).get("/api/v1/auth/me"));
    assertThat(rest("admin", TestServer.ADMIN_PASSWORD, from).get("/api/v1/auth/me").status())
        .isEqualTo(429);
    // from the server's own host (no X-Forwarded-For: the socket's loopback address)
    Response local = server.admin().get("/api/v1/auth/me");
    assertThat(local.status()).as(local.toString()).isEqualTo(200);
    // and only with the right password, and only for admins
    assertThat(server.as("admin", "wrong").get("/api/v1/auth/me").status()).isEqualTo(429);
    // a remote client cannot pass for loopback with X-Forwarded-For: it is not a trusted proxy
    assertThat(fromRemote("/api/v1/auth/me", basic("admin", TestServer.ADMIN_PASSWORD),
        "127.0.0.1")).isEqualTo(429);
    for (int i = 0; i < 6; i++) {
      rest("frank", "wrong", from).get("/api/v1/auth/me");
      clock.advance(LOCKOUT.dividedBy(2)); // past any back-off, within the lockout
    }
    assertThat(server.as("frank", PASSWORD).get("/api/v1/auth/me").status()).isEqualTo(429);
  }

  /** The status of a GET sent from this machine's non-loopback address. */
  int fromRemote(String path, String authorization, String forwardedFor) {
    java.net.URI uri = java.net.URI.create("http://" + remoteHost + ":"
        + server.uri("/").getPort() + path);
    try {
      return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(uri)
              .header("Authorization", authorization).header("X-Forwarded-For", forwardedFor)
              .GET().build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (java.io.IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  static String basic(String user, String password) {
    return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password)
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  void lockOutAdmin(Runnable wrongAttempt) {
    for (int i = 0; i < 6; i++) {
      wrongAttempt.run();
      clock.advance(Duration.ofMinutes(5)); // past every back-off (at most 40s here)
    }
  }

  double metric(String prefix) {
    for (String line : server.admin().get("/metrics").text().split("\n")) {
      if (line.startsWith(prefix)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no metric " + prefix);
  }

  // ------------------------------------------------------------------ JDBC

  Connection jdbc(String host, String user, String password) throws Exception {
    Properties p = new Properties();
    p.setProperty("avatica_user", user);
    p.setProperty("avatica_password", password);
    return DriverManager.getConnection("jdbc:avatica:remote:url=http://" + host + ":"
        + server.jdbcPort() + ";serialization=protobuf;authentication=BASIC", p);
  }

  /** The SQLState the stock driver reports: on an SQLException, or on the Avatica error it throws. */
  static String sqlState(Throwable e) {
    if (e instanceof java.sql.SQLException s) {
      return s.getSQLState();
    }
    if (e instanceof org.apache.calcite.avatica.remote.AvaticaRuntimeException a) {
      return a.getSqlState();
    }
    if (e instanceof org.apache.calcite.avatica.AvaticaClientRuntimeException a) {
      return a.getSqlState();
    }
    return e.getCause() == null ? null : sqlState(e.getCause());
  }

  void jdbcWorks(String host, String user, String password) throws Exception {
    try (Connection c = jdbc(host, user, password); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT 1")) {
      assertThat(rs.next()).isTrue();
    }
  }

  @Test
  void jdbcRefusesWithAnSqlErrorThatSaysWhyAndRecovers() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> jdbc(remoteHost, "alice", "wrong")).hasMessageContaining("401");
    }
    assertThatThrownBy(() -> jdbc(remoteHost, "alice", PASSWORD))
        .hasMessageContaining("too many failed logins for user 'alice'")
        .hasMessageContaining("try again in 10 seconds")
        .satisfies(e -> assertThat(sqlState(e)).as(e.toString()).isEqualTo("28000"));
    jdbcWorks(remoteHost, "bob", PASSWORD);
    clock.advance(BACKOFF);
    jdbcWorks(remoteHost, "alice", PASSWORD);
  }

  @Test
  void jdbcLoopbackAdmin() throws Exception {
    lockOutAdmin(() -> assertThatThrownBy(() -> jdbc(remoteHost, "admin", "wrong"))
        .hasMessageContaining("401"));
    assertThatThrownBy(() -> jdbc(remoteHost, "admin", TestServer.ADMIN_PASSWORD))
        .hasMessageContaining("too many failed logins for user 'admin'");
    jdbcWorks("127.0.0.1", "admin", TestServer.ADMIN_PASSWORD);
  }

  // ------------------------------------------------------------------ Flight SQL

  FlightClient flight(String host) {
    return FlightClient.builder(memory, Location.forGrpcInsecure(host, server.flightPort()))
        .build();
  }

  static Consumer<Throwable> status(FlightStatusCode code, String... contains) {
    return e -> {
      assertThat(e).isInstanceOf(FlightRuntimeException.class);
      assertThat(((FlightRuntimeException) e).status().code()).as(e.toString()).isEqualTo(code);
      for (String c : contains) {
        assertThat(e.getMessage()).contains(c);
      }
    };
  }

  @Test
  void flightHandshakeRefusesWithResourceExhaustedAndRecovers() throws Exception {
    try (FlightClient c = flight(remoteHost)) {
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> c.authenticateBasicToken("alice", "wrong"))
            .satisfies(status(FlightStatusCode.UNAUTHENTICATED));
      }
      assertThatThrownBy(() -> c.authenticateBasicToken("alice", PASSWORD))
          .satisfies(status(FlightStatusCode.RESOURCE_EXHAUSTED,
              "too many failed logins for user 'alice'", "try again in 10 seconds"));
      assertThat(c.authenticateBasicToken("bob", PASSWORD)).isPresent();
      clock.advance(BACKOFF);
      CallOption token = c.authenticateBasicToken("alice", PASSWORD).orElseThrow();
      assertThat(new FlightSqlClient(c).getCatalogs(token).getEndpoints()).isNotEmpty();
    }
  }

  @Test
  void flightBadBearerTokensCountPerAddress() throws Exception {
    try (FlightClient c = flight(remoteHost)) {
      FlightSqlClient sql = new FlightSqlClient(c);
      for (int i = 0; i < 10; i++) {
        String forged = (i % 2 == 0 ? "strata_flt_forged" : "strata_pat_forged") + i;
        assertThatThrownBy(() -> sql.getCatalogs(bearer(forged)))
            .satisfies(status(FlightStatusCode.UNAUTHENTICATED));
      }
      assertThatThrownBy(() -> c.authenticateBasicToken("bob", PASSWORD))
          .satisfies(status(FlightStatusCode.RESOURCE_EXHAUSTED,
              "from address " + remoteHost));
    }
    try (FlightClient local = flight("127.0.0.1")) {
      assertThat(local.authenticateBasicToken("bob", PASSWORD)).isPresent();
    }
  }

  @Test
  void flightLoopbackAdmin() throws Exception {
    try (FlightClient remote = flight(remoteHost); FlightClient local = flight("127.0.0.1")) {
      lockOutAdmin(() -> assertThatThrownBy(() -> remote.authenticateBasicToken("admin", "wrong"))
          .satisfies(status(FlightStatusCode.UNAUTHENTICATED)));
      assertThatThrownBy(() -> remote.authenticateBasicToken("admin", TestServer.ADMIN_PASSWORD))
          .satisfies(status(FlightStatusCode.RESOURCE_EXHAUSTED, "user 'admin'"));
      assertThat(local.authenticateBasicToken("admin", TestServer.ADMIN_PASSWORD)).isPresent();
    }
  }

  // ------------------------------------------------------------------ Flight token expiry

  @Test
  void flightBearerTokensExpireAfterTheSessionTtl() throws Exception {
    try (FlightClient c = flight("127.0.0.1")) {
      CallOption token = c.authenticateBasicToken("bob", PASSWORD).orElseThrow();
      FlightSqlClient sql = new FlightSqlClient(c);
      clock.advance(Duration.ofHours(11)); // session-ttl is 12h: still good, however busy
      assertThat(sql.getCatalogs(token).getEndpoints()).isNotEmpty();
      clock.advance(Duration.ofHours(1));
      assertThatThrownBy(() -> sql.getCatalogs(token))
          .satisfies(status(FlightStatusCode.UNAUTHENTICATED, "expired", "authenticate again",
              "strata.auth.session-ttl"));
      // authenticating again works
      CallOption again = c.authenticateBasicToken("bob", PASSWORD).orElseThrow();
      assertThat(sql.getCatalogs(again).getEndpoints()).isNotEmpty();
    }
  }

  @Test
  void jdbcHasNoLongLivedCredentialToExpire() throws Exception {
    // JDBC checks Basic credentials or an API token on every request: a password changed
    // (or a user disabled) mid-connection stops the next request.
    Connection c = jdbc("127.0.0.1", "bob", PASSWORD);
    Statement st = c.createStatement();
    assertThat(st.executeQuery("SELECT 1").next()).isTrue();
    long id = userId("bob");
    Response disabled = server.admin().put("/api/v1/users/" + id, Map.of("disabled", true));
    assertThat(disabled.status()).as(disabled.toString()).isEqualTo(200);
    try {
      assertThatThrownBy(() -> st.executeQuery("SELECT 1")).hasMessageContaining("401");
    } finally {
      Response enabled = server.admin().put("/api/v1/users/" + id, Map.of("disabled", false));
      assertThat(enabled.status()).as(enabled.toString()).isEqualTo(200);
    }
    // re-enabled: in again (on a new connection: the stock driver's HTTP client stops sending a
    // connection's credentials once they drew a 401)
    jdbcWorks("127.0.0.1", "bob", PASSWORD);
  }

  long userId(String name) {
    for (var u : server.admin().get("/api/v1/users").json()) {
      if (u.path("username").asText().equals(name)) {
        return u.path("id").asLong();
      }
    }
    throw new AssertionError("no user " + name);
  }

  static CallOption bearer(String token) {
    return new CredentialCallOption(new BearerCredentialWriter(token));
  }

  /** This machine's first non-loopback IPv4 address: a client the server sees as remote. */
  static String nonLoopbackAddress() {
    try {
      for (NetworkInterface n : NetworkInterface.networkInterfaces().toList()) {
        if (!n.isUp() || n.isLoopback()) {
          continue;
        }
        for (InetAddress a : n.inetAddresses().toList()) {
          if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
            return a.getHostAddress();
          }
        }
      }
    } catch (java.net.SocketException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("this test needs a non-loopback IPv4 address on this machine to"
        + " connect from (a remote client, for the throttling of non-loopback addresses)");
  }
}
