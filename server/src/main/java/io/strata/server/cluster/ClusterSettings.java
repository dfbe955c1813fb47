package io.strata.server.cluster;

import io.micronaut.core.value.PropertyResolver;
import io.strata.server.config.Setting;
import io.strata.server.config.SettingsReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * What one node of a team deployment needs to know about itself: the address its listeners
 * bind, the address clients reach it at, its name, and how long it drains on SIGTERM.
 *
 * @param bindHost {@code strata.bind-host}: every listener binds this address
 * @param advertisedHost {@code strata.advertised-host}: put in Flight SQL endpoint locations;
 *     empty for none
 * @param nodeId {@code strata.node-id}, or the host name and HTTP port
 * @param drainDelay {@code strata.shutdown.drain-delay}: on SIGTERM, how long {@code
 *     /health/ready} answers 503 while the node still serves, before it stops listening
 */
public record ClusterSettings(String bindHost, String advertisedHost, String nodeId,
    Duration drainDelay) {
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:\\-\\[\\]]+");
  private static final Pattern NODE = Pattern.compile("[A-Za-z0-9._:@\\-]{1,100}");

  /** The defaults: every interface, nothing advertised, no drain delay. */
  public static final ClusterSettings DEFAULT =
      new ClusterSettings("0.0.0.0", "", "strata", Duration.ZERO);

  /** Reads and checks the settings; a bad value stops the start naming it. */
  public static ClusterSettings from(PropertyResolver env) {
    SettingsReader r = new SettingsReader(env);
    String bind = r.text(Setting.BIND_HOST);
    if (bind.isEmpty() || !HOST.matcher(bind).matches()) {
      r.problem(Setting.BIND_HOST, bind, "expected an IP address or host name of this machine,"
          + " such as 0.0.0.0 (every interface), 127.0.0.2 or 10.0.0.5");
    }
    String advertised = r.text(Setting.ADVERTISED_HOST);
    if (!advertised.isEmpty() && !HOST.matcher(advertised).matches()) {
      r.problem(Setting.ADVERTISED_HOST, advertised, "expected a host name or IP address clients"
          + " reach this node at (no scheme, no port), or empty");
    }
    String node = r.text(Setting.NODE_ID);
    if (!node.isEmpty() && !NODE.matcher(node).matches()) {
      r.problem(Setting.NODE_ID, node, "expected 1 to 100 letters, digits, '.', '_', '-', ':'"
          + " or '@'");
    }
    Duration drain = r.duration(Setting.SHUTDOWN_DRAIN_DELAY);
    if (drain.compareTo(Duration.ofMinutes(10)) > 0) {
      r.problem(Setting.SHUTDOWN_DRAIN_DELAY, r.text(Setting.SHUTDOWN_DRAIN_DELAY),
          "expected a duration from 0s to 10m");
    }
    r.throwIfInvalid();
    if (node.isEmpty()) {
      node = hostName() + ":" + r.text(Setting.HTTP_PORT);
    }
    return new ClusterSettings(bind, advertised, node, drain);
  }

  /** The bind host of {@code s}, or every interface when there is none (a hand-built bean). */
  public static String bindHostOf(ClusterSettings s) {
    return s == null ? DEFAULT.bindHost() : s.bindHost();
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
