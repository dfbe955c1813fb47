package io.strata.server.flight;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Makes a Flight call's remote socket address known to {@link FlightAuthenticator}: Arrow's
 * middleware sees only headers, so this gRPC interceptor (installed on the Netty server builder,
 * ahead of Arrow's own) puts the address in the gRPC {@link Context} while the call starts,
 * which is when Arrow authenticates it. Not a header: a client cannot forge it.
 */
final class PeerAddress implements ServerInterceptor {
  private static final Context.Key<InetAddress> KEY = Context.key("strata-peer-address");

  /** The address of the call being authenticated on this thread, or null when unknown. */
  static InetAddress current() {
    return KEY.get();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    InetAddress address = remote instanceof InetSocketAddress i ? i.getAddress() : null;
    return Contexts.interceptCall(Context.current().withValue(KEY, address), call, headers, next);
  }
}
