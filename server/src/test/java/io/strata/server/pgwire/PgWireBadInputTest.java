package io.strata.server.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.TestServer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input on the Postgres wire: messages no stock client sends (a stock client is used for
 * the well-formed part, a socket for the rest). Each gets an ErrorResponse or a closed
 * connection, and after each a new pgjdbc connection still runs a query.
 */
class PgWireBadInputTest {
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("strata.pgwire.max-message-size", "1MB"));
    PgWireJdbcTest.server = server;
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @AfterEach
  void serverStillAnswers() throws Exception {
    try (Connection c = PgWireJdbcTest.admin(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT MEASURE(count) AS n FROM semantic.orders")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isPositive();
    }
  }

  /** A raw protocol session: startup sent, then whatever the test writes. */
  static final class Wire implements AutoCloseable {
    final Socket socket;
    final DataOutputStream out;
    final DataInputStream in;

    Wire() throws IOException {
      socket = new Socket("127.0.0.1", server.pgwirePort());
      socket.setSoTimeout(20_000);
      out = new DataOutputStream(socket.getOutputStream());
      in = new DataInputStream(socket.getInputStream());
    }

    void startup(Map<String, String> parameters) throws IOException {
      java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
      DataOutputStream b = new DataOutputStream(body);
      b.writeInt(196608);
      for (Map.Entry<String, String> p : parameters.entrySet()) {
        b.write(cstring(p.getKey()));
        b.write(cstring(p.getValue()));
      }
      b.writeByte(0);
      out.writeInt(body.size() + 4);
      out.write(body.toByteArray());
      out.flush();
    }

    void message(char type, byte[] body) throws IOException {
      out.writeByte(type);
      out.writeInt(body.length + 4);
      out.write(body);
      out.flush();
    }

    /** Reads messages until one of {@code type}; returns its body, or null at end of stream. */
    byte[] until(char type) throws IOException {
      while (true) {
        int t;
        try {
          t = in.readUnsignedByte();
        } catch (EOFException | SocketException e) {
          return null;
        }
        int length = in.readInt();
        byte[] body = new byte[length - 4];
        in.readFully(body);
        if (t == type) {
          return body;
        }
      }
    }

    /** The SQLSTATE of an ErrorResponse body. */
    static String sqlState(byte[] error) {
      String s = new String(error, StandardCharsets.UTF_8);
      int c = s.indexOf("\0C");
      return s.substring(c + 2, s.indexOf('\0', c + 2));
    }

    static String message(byte[] error) {
      String s = new String(error, StandardCharsets.UTF_8);
      int m = s.indexOf("\0M");
      return s.substring(m + 2, s.indexOf('\0', m + 2));
    }

    boolean closedByServer() throws IOException {
      try {
        while (in.read() >= 0) {
          // drain what was sent before the close
        }
        return true;
      } catch (SocketException e) {
        return true;
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  static byte[] cstring(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[b.length + 1];
    System.arraycopy(b, 0, out, 0, b.length);
    return out;
  }

  @Test
  void aGigabyteLengthPrefixIsRefusedAndClosed() throws Exception {
    try (Wire w = new Wire()) {
      w.out.writeInt(1 << 30);
      w.out.writeInt(196608);
      w.out.flush();
      byte[] error = w.until('E');
      assertThat(error).isNotNull();
      assertThat(Wire.sqlState(error)).isEqualTo("08P01");
      assertThat(Wire.message(error)).contains("strata.pgwire.max-message-size");
      assertThat(w.closedByServer()).isTrue();
    }
  }

  @Test
  void aNegativeLengthIsRefused() throws Exception {
    try (Wire w = new Wire()) {
      w.out.writeInt(-5);
      w.out.writeInt(0);
      w.out.flush();
      byte[] error = w.until('E');
      assertThat(error).isNotNull();
      assertThat(Wire.sqlState(error)).isEqualTo("08P01");
      assertThat(w.closedByServer()).isTrue();
    }
  }

  @Test
  void anUnsupportedProtocolVersionIsRefused() throws Exception {
    try (Wire w = new Wire()) {
      w.out.writeInt(8);
      w.out.writeInt(2 << 16);
      w.out.flush();
      byte[] error = w.until('E');
      assertThat(Wire.sqlState(error)).isEqualTo("0A000");
      assertThat(Wire.message(error)).contains("protocol 2.0");
    }
  }

  @Test
  void aStartupWithoutUserIsRefused() throws Exception {
    try (Wire w = new Wire()) {
      w.startup(Map.of("database", "strata"));
      byte[] error = w.until('E');
      assertThat(Wire.sqlState(error)).isEqualTo("28000");
    }
  }

  @Test
  void anUnknownMessageTypeBeforeAuthenticationIsRefused() throws Exception {
    try (Wire w = new Wire()) {
      Map<String, String> p = new LinkedHashMap<>();
      p.put("user", "admin");
      w.startup(p);
      assertThat(w.until('R')).isNotNull(); // the SASL request
      w.message('Z', new byte[] {1, 2, 3});
      byte[] error = w.until('E');
      assertThat(Wire.sqlState(error)).isEqualTo("08P01");
      assertThat(w.closedByServer()).isTrue();
    }
  }

  @Test
  void aMalformedScramMessageIsRefused() throws Exception {
    try (Wire w = new Wire()) {
      w.startup(Map.of("user", "admin"));
      assertThat(w.until('R')).isNotNull();
      java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
      b.write(cstring("SCRAM-SHA-256"));
      byte[] garbage = "this is not scram".getBytes(StandardCharsets.UTF_8);
      new DataOutputStream(b).writeInt(garbage.length);
      b.write(garbage);
      w.message('p', b.toByteArray());
      byte[] error = w.until('E');
      assertThat(Wire.sqlState(error)).isEqualTo("08P01");
      assertThat(w.closedByServer()).isTrue();
    }
  }

  @Test
  void aTruncatedMessageIsRefused() throws Exception {
    try (Wire w = new Wire()) {
      w.startup(Map.of("user", "admin"));
      assertThat(w.until('R')).isNotNull();
      // a SASLInitialResponse whose data length is larger than the message
      java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
      b.write(cstring("SCRAM-SHA-256"));
      new DataOutputStream(b).writeInt(1000);
      w.message('p', b.toByteArray());
      byte[] error = w.until('E');
      assertThat(Wire.sqlState(error)).isEqualTo("08P01");
    }
  }

  /** Logs the raw session in as admin with SCRAM-SHA-256, computed with the OnGres library. */
  static void login(Wire w) throws IOException {
    w.startup(Map.of("user", "admin", "database", "strata"));
    assertThat(w.until('R')).isNotNull();
    String clientNonce = "rOprNGfwEbeRWgbNEkqO";
    String clientFirstBare = "n=,r=" + clientNonce;
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    b.write(cstring("SCRAM-SHA-256"));
    byte[] first = ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    new DataOutputStream(b).writeInt(first.length);
    b.write(first);
    w.message('p', b.toByteArray());
    byte[] continued = w.until('R');
    String serverFirst = new String(continued, 4, continued.length - 4, StandardCharsets.UTF_8);
    com.ongres.scram.common.ServerFirstMessage sf;
    try {
      sf = com.ongres.scram.common.ServerFirstMessage.parseFrom(serverFirst, clientNonce);
    } catch (com.ongres.scram.common.exception.ScramParseException e) {
      throw new AssertionError(serverFirst, e);
    }
    var mechanism = com.ongres.scram.common.ScramMechanism.SCRAM_SHA_256;
    byte[] salted = com.ongres.scram.common.ScramFunctions.saltedPassword(mechanism,
        com.ongres.scram.common.StringPreparation.POSTGRESQL_PREPARATION,
        TestServer.ADMIN_PASSWORD.toCharArray(), java.util.Base64.getDecoder().decode(
            sf.getSalt()), sf.getIterationCount());
    byte[] clientKey = com.ongres.scram.common.ScramFunctions.clientKey(mechanism, salted);
    byte[] storedKey = com.ongres.scram.common.ScramFunctions.storedKey(mechanism, clientKey);
    String withoutProof = "c=biws,r=" + sf.getNonce();
    String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
    byte[] proof = com.ongres.scram.common.ScramFunctions.clientProof(clientKey,
        com.ongres.scram.common.ScramFunctions.clientSignature(mechanism, storedKey,
            authMessage));
    w.message('p', (withoutProof + ",p=" + java.util.Base64.getEncoder().encodeToString(proof))
        .getBytes(StandardCharsets.UTF_8));
    assertThat(w.until('Z')).as("logged in").isNotNull();
  }

  static byte[] parse(String name, String sql) throws IOException {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    b.write(cstring(name));
    b.write(cstring(sql));
    b.write(new byte[] {0, 0});
    return b.toByteArray();
  }

  static byte[] bind(String portal, String statement) throws IOException {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    b.write(cstring(portal));
    b.write(cstring(statement));
    b.write(new byte[] {0, 0, 0, 0, 0, 0});
    return b.toByteArray();
  }

  static byte[] named(char kind, String name) throws IOException {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    b.write(kind);
    b.write(cstring(name));
    return b.toByteArray();
  }

  static byte[] execute(String portal) throws IOException {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    b.write(cstring(portal));
    b.write(new byte[] {0, 0, 0, 0});
    return b.toByteArray();
  }

  /** Sends Sync and reads to ReadyForQuery; the first ErrorResponse's SQLSTATE, or null. */
  static String sync(Wire w) throws IOException {
    w.message('S', new byte[0]);
    String state = null;
    while (true) {
      int t = w.in.readUnsignedByte();
      byte[] body = new byte[w.in.readInt() - 4];
      w.in.readFully(body);
      if (t == 'E' && state == null) {
        state = Wire.sqlState(body);
      }
      if (t == 'Z') {
        return state;
      }
    }
  }

  @Test
  void extendedProtocolMistakesAnswerErrorsAndTheConnectionGoesOn() throws Exception {
    try (Wire w = new Wire()) {
      login(w);
      w.message('P', parse("s1", "SELECT MEASURE(count) AS n FROM semantic.orders"));
      assertThat(sync(w)).isNull();
      // a statement name reused
      w.message('P', parse("s1", "SELECT 1"));
      assertThat(sync(w)).isEqualTo("42P05");
      // a portal on a closed statement
      w.message('C', named('S', "s1"));
      w.message('B', bind("p1", "s1"));
      w.message('E', execute("p1"));
      assertThat(sync(w)).isEqualTo("26000");
      // an unknown portal, and messages after the error are skipped until Sync
      w.message('E', execute("nope"));
      w.message('P', parse("", "SELECT FROM WHERE"));
      assertThat(sync(w)).isEqualTo("34000");
      // a bad statement, then the connection still runs one
      w.message('P', parse("", "SELECT FROM WHERE"));
      assertThat(sync(w)).isEqualTo("42601");
      w.message('P', parse("", "SELECT MEASURE(count) AS n FROM semantic.orders"));
      w.message('B', bind("", ""));
      w.message('E', execute(""));
      assertThat(sync(w)).isNull();
      // an unknown message type after login: FATAL and closed
      w.message('y', new byte[] {1});
      byte[] error = w.until('E');
      assertThat(Wire.sqlState(error)).isEqualTo("08P01");
      assertThat(w.closedByServer()).isTrue();
    }
  }
}
