package io.strata.server.reports;

import java.util.List;

/**
 * Where a report's or an alert's message goes.
 *
 * @param type {@code email} or {@code webhook}
 * @param to email: the recipients' addresses
 * @param url webhook: an incoming-webhook URL (Slack, Teams or anything taking the same JSON)
 */
public record Channel(String type, List<String> to, String url) {
  public Channel {
    to = to == null ? List.of() : List.copyOf(to);
  }

  public boolean email() {
    return "email".equals(type);
  }

  /** How the channel is named in a run's record: never the webhook's secret path. */
  public String label() {
    if (email()) {
      return "email " + String.join(", ", to);
    }
    java.net.URI u = java.net.URI.create(url);
    return "webhook " + u.getScheme() + "://" + u.getAuthority();
  }
}
