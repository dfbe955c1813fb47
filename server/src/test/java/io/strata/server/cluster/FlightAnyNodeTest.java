package io.strata.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.server.TestServer;
import io.strata.server.secret.SecretKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a Flight SQL client needs when a balancer moves its connection to another node: the
 * bearer token of its handshake is accepted by every node sharing the secret key (and refused
 * by one that does not), and a statement's ticket is redeemed on another node by running the
 * statement again there, with the same answer; on the node that issued it a ticket is read once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlightAnyNodeTest {
  private static final String SQL = "SELECT status, count(*) AS n FROM demo.retail.orders"
      + " GROUP BY status ORDER BY status";
  private final BufferAllocator memory = new RootAllocator();
  private TestServer a;
  private TestServer b;
  private final List<FlightClient> clients = new ArrayList<>();

  @BeforeAll
  void start() {
    String key = SecretKey.generate("test").base64();
    // a loaded machine may take long over the first query; the test is not about timeouts
    a = TestServer.start(Map.of("strata.secret.key", key, "strata.query.timeout", "15m"));
    b = TestServer.start(Map.of("strata.secret.key", key, "strata.query.timeout", "15m"));
  }

  @AfterAll
  void stop() throws Exception {
    for (FlightClient c : clients) {
      c.close();
    }
    memory.close();
    a.close();
    b.close();
  }

  private FlightClient client(TestServer s) {
    FlightClient c = FlightClient.builder(memory, Location.forGrpcInsecure("localhost",
        s.flightPort())).build();
    clients.add(c);
    return c;
  }

  @Test
  void aHandshakeTokenAndATicketFromOneNodeAreHonouredByAnother() throws Exception {
    FlightClient onA = client(a);
    CredentialCallOption bearer = onA.authenticateBasicToken("admin", TestServer.ADMIN_PASSWORD)
        .orElseThrow();
    FlightSqlClient sqlA = new FlightSqlClient(onA);
    FlightInfo info = sqlA.execute(SQL, bearer);
    Ticket ticket = info.getEndpoints().get(0).getTicket();

    FlightSqlClient sqlB = new FlightSqlClient(client(b));
    List<String> onB = rows(sqlB, ticket, bearer);
    assertThat(onB).isNotEmpty();
    // the same statement asked and read on A
    List<String> direct = rows(sqlA, sqlA.execute(SQL, bearer).getEndpoints().get(0)
        .getTicket(), bearer);
    assertThat(onB).isEqualTo(direct);
    // and the ticket is still A's to read once
    assertThat(rows(sqlA, ticket, bearer)).isEqualTo(direct);
    assertThatThrownBy(() -> rows(sqlA, ticket, bearer))
        .isInstanceOfSatisfying(FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND));

    // a token whose signature does not match (another key signed it, or it was altered) is
    // refused, saying what to do
    String forged = SignedTokensTestAccess.forge("admin");
    FlightSqlClient plainB = new FlightSqlClient(client(b));
    assertThatThrownBy(() -> plainB.execute(SQL, new CredentialCallOption(
        new org.apache.arrow.flight.auth2.BearerCredentialWriter(forged))))
        .isInstanceOfSatisfying(FlightRuntimeException.class, e -> {
          assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED);
          assertThat(e.getMessage()).contains("authenticate again");
        });
  }

  /** A handshake token of the right shape signed under a key no server has. */
  private static final class SignedTokensTestAccess {
    static String forge(String user) {
      return new SignedTokens(new io.strata.server.secret.SecretBox(SecretKey.generate("forger"),
          List.of(), "test"), "strata flight tokens v1", "strata_flt_")
          .issue(user, java.time.Instant.now().plusSeconds(3600));
    }
  }

  private static List<String> rows(FlightSqlClient sql, Ticket ticket, CredentialCallOption bearer)
      throws Exception {
    List<String> out = new ArrayList<>();
    try (FlightStream s = sql.getStream(ticket, bearer)) {
      VectorSchemaRoot root = s.getRoot();
      while (s.next()) {
        for (int i = 0; i < root.getRowCount(); i++) {
          out.add(root.getVector(0).getObject(i) + "=" + root.getVector(1).getObject(i));
        }
      }
    }
    return out;
  }
}
