package io.strata.server.auth.throttle;

import java.net.InetAddress;

/**
 * Who is trying to log in, as far as the network says: the endpoint ({@code rest}, {@code jdbc},
 * {@code flight}) and the client's address (the socket's peer, or what a trusted proxy
 * forwarded; null when unknown, which is then throttled per user only).
 */
public record Client(String endpoint, InetAddress address) {

  public boolean loopback() {
    return address != null && address.isLoopbackAddress();
  }

  /** The address as text for messages and the audit log, or null. */
  public String addressText() {
    return address == null ? null : address.getHostAddress();
  }

  /**
   * The client of a request that came in from {@code peer}: the last address of
   * {@code X-Forwarded-For} that is not itself a trusted proxy when {@code peer} is one, else
   * {@code peer}. Proxies append, so entries left of the last untrusted one may be forged.
   */
  public static Client of(String endpoint, InetAddress peer, String forwardedFor,
      LoginThrottleSettings settings) {
    InetAddress client = peer;
    if (peer != null && forwardedFor != null && settings.trustedProxies().contains(peer)) {
      String[] hops = forwardedFor.split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        var hop = LoginThrottleSettings.parseAddress(hops[i]);
        if (hop.isEmpty()) {
          break; // garbage: keep the last address we could trust
        }
        client = hop.get();
        if (!settings.trustedProxies().contains(client)) {
          break;
        }
      }
    }
    return new Client(endpoint, client);
  }
}
