package io.strata.server.pgwire;

import com.ongres.scram.common.ClientFirstMessage;
import com.ongres.scram.common.Gs2CbindFlag;
import com.ongres.scram.common.ScramFunctions;
import com.ongres.scram.common.ServerFirstMessage;
import com.ongres.scram.common.exception.ScramParseException;
import io.strata.server.auth.ScramVerifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802 as Postgres runs it: the user is the
 * startup message's, the client-first's user name is ignored, no channel binding). Messages are
 * parsed and keys computed with the OnGres SCRAM library, which pgjdbc uses on its side.
 *
 * <p>A user without a verifier (unknown, disabled, or not logged in since SCRAM came) goes
 * through the same exchange with a made-up verifier and fails at the proof, so a client cannot
 * tell which users exist.
 */
final class PgScram {
  static final String MECHANISM = "SCRAM-SHA-256";
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Salts the made-up verifiers; random per process, so they cannot be told from real ones. */
  private static final byte[] DECOY_KEY = ScramFunctions.salt(32, RANDOM);

  private final ScramVerifier verifier;
  private final boolean real;
  private String clientFirstBare;
  private String serverFirst;
  private String nonce;

  /** @param verifier the user's verifier, or null when there is none */
  PgScram(String username, ScramVerifier verifier) {
    this.real = verifier != null;
    this.verifier = real ? verifier : decoy(username);
  }

  private static ScramVerifier decoy(String username) {
    byte[] salt;
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(DECOY_KEY);
      salt = java.util.Arrays.copyOf(d.digest(username.getBytes(StandardCharsets.UTF_8)), 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return ScramVerifier.derive(Base64.getEncoder().encodeToString(ScramFunctions.salt(24,
        RANDOM)), salt, 4096);
  }

  /**
   * Reads the client-first message and answers the server-first.
   *
   * @throws PgException 08P01 for a message that is not SCRAM's, 28000 for channel binding
   */
  String first(String clientFirst) {
    ClientFirstMessage m;
    try {
      // libpq sends no user name (n=,): Postgres takes the startup message's, and so does this
      m = ClientFirstMessage.parseFrom(clientFirst.replaceFirst("^([^,]*,[^,]*,)n=,", "$1n=*,"));
    } catch (ScramParseException | IllegalArgumentException e) {
      throw PgException.fatal("08P01", "malformed SCRAM client-first message: "
          + e.getMessage());
    }
    if (m.getGs2Header().getChannelBindingFlag() == Gs2CbindFlag.CHANNEL_BINDING_REQUIRED) {
      throw PgException.fatal("28000", "channel binding is not supported: Strata offers "
          + MECHANISM + " without it");
    }
    // the bare message is everything after the GS2 header's two commas
    int first = clientFirst.indexOf(',');
    int second = first < 0 ? -1 : clientFirst.indexOf(',', first + 1);
    clientFirstBare = clientFirst.substring(second + 1);
    String serverNonce = ScramFunctions.nonce(24, RANDOM);
    ServerFirstMessage sf = new ServerFirstMessage(m.getClientNonce(), serverNonce,
        Base64.getEncoder().encodeToString(verifier.salt()), verifier.iterations());
    serverFirst = sf.toString();
    nonce = m.getClientNonce() + serverNonce;
    return serverFirst;
  }

  /**
   * Checks the client-final message's proof.
   *
   * @return the server-final message when the proof is right, else null
   * @throws PgException 08P01 for a message that is not SCRAM's
   */
  String last(String clientFinal) {
    int p = clientFinal.lastIndexOf(",p=");
    if (serverFirst == null || p < 0) {
      throw PgException.fatal("08P01", "malformed SCRAM client-final message");
    }
    String withoutProof = clientFinal.substring(0, p);
    byte[] proof;
    try {
      proof = Base64.getDecoder().decode(clientFinal.substring(p + 3));
    } catch (IllegalArgumentException e) {
      throw PgException.fatal("08P01", "malformed SCRAM client proof");
    }
    String givenNonce = null;
    for (String attribute : withoutProof.split(",")) {
      if (attribute.startsWith("r=")) {
        givenNonce = attribute.substring(2);
      }
    }
    if (!nonce.equals(givenNonce)) {
      throw PgException.fatal("08P01", "the SCRAM nonce does not match");
    }
    String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
    boolean valid = proof.length == verifier.storedKey().length && ScramFunctions
        .verifyClientProof(ScramVerifier.MECHANISM, proof, verifier.storedKey(), authMessage);
    if (!valid || !real) {
      return null;
    }
    return "v=" + Base64.getEncoder().encodeToString(ScramFunctions.serverSignature(
        ScramVerifier.MECHANISM, verifier.serverKey(), authMessage));
  }
}
