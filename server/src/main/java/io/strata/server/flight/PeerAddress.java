package io.strata.server.flight;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.Executor;
import org.apache.arrow.flight.CallHeaders;

/**
 * Makes a Flight call's remote socket address known to {@link FlightAuthenticator}, which sees
 * only headers: Arrow authenticates in the outermost gRPC interceptor, before any interceptor
 * of ours could run, so this hooks in earlier still, where gRPC picks a call's executor (the
 * one place that sees the call's transport and its headers before the interceptors), and
 * writes the address into the {@value #HEADER} header. Whatever a client sent under that name
 * is dropped first, so it cannot be forged. Always answers "no executor of mine": gRPC keeps
 * the server's own.
 */
final class PeerAddress implements ServerCallExecutorSupplier {
  static final String HEADER = "x-strata-peer-address";
  /** The client's connection: its address and port, and which transport of the server. */
  static final String CONNECTION_HEADER = "x-strata-peer-connection";
  private static final Metadata.Key<String> KEY =
      Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> CONNECTION_KEY =
      Metadata.Key.of(CONNECTION_HEADER, Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
    headers.discardAll(KEY);
    headers.discardAll(CONNECTION_KEY);
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (remote instanceof InetSocketAddress i && i.getAddress() != null) {
      headers.put(KEY, i.getAddress().getHostAddress());
      // the transport's attributes are one object per connection: a later connection from the
      // same port is another session
      headers.put(CONNECTION_KEY, i.getAddress().getHostAddress() + ":" + i.getPort() + "#"
          + Integer.toHexString(System.identityHashCode(call.getAttributes())));
    }
    return null;
  }

  /** The client connection of the call with these headers, or null when unknown. */
  static String connection(CallHeaders headers) {
    return headers.get(CONNECTION_HEADER);
  }

  /** The address of the call with these headers, or null when unknown. */
  static InetAddress of(CallHeaders headers) {
    String text = headers.get(HEADER);
    return text == null ? null
        : io.strata.server.auth.throttle.LoginThrottleSettings.parseAddress(text).orElse(null);
  }
}
