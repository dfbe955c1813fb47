package io.strata.server.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.server.api.BadRequestException;
import io.strata.server.config.StrataConfig;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A report's or an alert's checked definition, as the API takes it and {@code strata_reports.spec}
 * stores it. {@link #parse} refuses every bad field with a 400 naming it; what needs the catalog
 * or the metadata (the dashboard exists, the query compiles to one column) is checked by
 * {@link Reports}.
 *
 * @param dashboardId reports: the dashboard to send (or {@code chartId})
 * @param format reports: {@code png}, {@code pdf}, {@code csv} (a chart's data) or {@code text}
 *     (a big-number chart's value)
 * @param query alerts: a semantic query returning one number (or {@code sql})
 * @param gracePeriod alerts: no repeat notification while the condition keeps holding this long
 * @param attachChartId alerts: a chart whose image goes with the notification
 */
public record ReportSpec(Kind kind, String name, String cron, String timeZone, boolean active,
    List<Channel> channels, Long dashboardId, Long chartId, String format, int width, int height,
    JsonNode query, String sql, Condition condition, Duration gracePeriod, Long attachChartId) {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Reports send content on a schedule; alerts send when their condition holds. */
  public enum Kind {
    REPORT, ALERT;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Kind parse(String id) {
      return Kind.valueOf(id.toUpperCase(Locale.ROOT));
    }
  }

  private static final Set<String> COMMON =
      Set.of("name", "cron", "timeZone", "active", "channels");
  private static final Set<String> REPORT =
      Set.of("dashboardId", "chartId", "format", "width", "height");
  private static final Set<String> ALERT =
      Set.of("query", "sql", "condition", "gracePeriod", "attachChartId");
  /** Fields the API answers with, which a client may send back as it got them. */
  private static final Set<String> ANSWERED = Set.of("id", "kind", "owner", "state", "lastValue",
      "lastNotifiedAt", "createdAt", "updatedAt", "links");

  static BadRequestException bad(String field, String message) {
    return new BadRequestException("INVALID_" + "REPORT", field, message);
  }

  /** Checks a request body (JSON text) for a report or an alert. */
  public static ReportSpec parse(Kind kind, String body) {
    JsonNode node;
    try {
      node = body == null || body.isBlank() ? null : JSON.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadRequestException("INVALID_JSON", "line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr(), "the body is not JSON: "
          + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw bad("", "send a JSON object describing the " + kind.id());
    }
    return parse(kind, node);
  }

  static ReportSpec parse(Kind kind, JsonNode node) {
    Set<String> own = kind == Kind.REPORT ? REPORT : ALERT;
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!COMMON.contains(f) && !own.contains(f) && !ANSWERED.contains(f)) {
        throw bad(f, "unknown field '" + f + "' in a " + kind.id() + ": expected "
            + String.join(", ", new java.util.TreeSet<>(union(COMMON, own))));
      }
    }
    String name = text(node, "name", true);
    if (name.length() > 200) {
      throw bad("name", "name is " + name.length() + " characters: at most 200");
    }
    String cron = text(node, "cron", true);
    String zone = text(node, "timeZone", false);
    boolean active = !node.has("active") || bool(node, "active");
    List<Channel> channels = channels(node.get("channels"));
    if (kind == Kind.REPORT) {
      Long dashboard = id(node, "dashboardId");
      Long chart = id(node, "chartId");
      if ((dashboard == null) == (chart == null)) {
        throw bad("dashboardId", "a report sends a dashboard or a chart: give dashboardId or"
            + " chartId (one of them)");
      }
      String format = node.has("format") ? text(node, "format", true).toLowerCase(Locale.ROOT)
          : "png";
      if (!List.of("png", "pdf", "csv", "text").contains(format)) {
        throw bad("format", "format '" + format + "' is not one of png, pdf, csv, text");
      }
      if ((format.equals("csv") || format.equals("text")) && chart == null) {
        throw bad("format", "format " + format + " sends a chart's data: give chartId, not"
            + " dashboardId");
      }
      int width = integer(node, "width", 1280, 320, 4096);
      int height = integer(node, "height", 900, 200, 8192);
      return new ReportSpec(kind, name, cron, zone, active, channels, dashboard, chart, format,
          width, height, null, null, null, null, null);
    }
    JsonNode query = node.get("query");
    String sql = node.hasNonNull("sql") ? text(node, "sql", true) : null;
    if ((query == null || query.isNull()) == (sql == null)) {
      throw bad("query", "an alert checks one number: give query (a semantic query) or sql"
          + " (one of them)");
    }
    if (query != null && !query.isNull() && !query.isObject()) {
      throw bad("query", "query must be a semantic query object, e.g. {\"measures\":"
          + "[\"orders.count\"]}");
    }
    Condition condition = condition(node.get("condition"));
    Duration grace = Duration.ZERO;
    if (node.hasNonNull("gracePeriod")) {
      String g = text(node, "gracePeriod", true);
      grace = StrataConfig.parseDuration(g).orElseThrow(() -> bad("gracePeriod",
          "gracePeriod '" + g + "' is not a duration such as 0s, 30m, 6h or 1d"));
    }
    return new ReportSpec(kind, name, cron, zone, active, channels, null, null, null, 1280, 900,
        query == null || query.isNull() ? null : query, sql, condition, grace,
        id(node, "attachChartId"));
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new java.util.HashSet<>(a);
    u.addAll(b);
    return u;
  }

  private static Condition condition(JsonNode c) {
    if (c == null || !c.isObject()) {
      throw bad("condition", "condition is required: {\"op\": \">\", \"value\": 100}, op one of "
          + String.join(", ", Condition.OPS));
    }
    String op = c.path("op").asText("");
    if (!Condition.OPS.contains(op)) {
      throw bad("condition.op", "condition.op '" + op + "' is not one of "
          + String.join(", ", Condition.OPS));
    }
    JsonNode v = c.get("value");
    if (op.equals("is_empty")) {
      return new Condition(op, null);
    }
    if (v == null || !v.isNumber()) {
      throw bad("condition.value", "condition.value must be a number for " + op);
    }
    BigDecimal value = v.decimalValue();
    if (op.equals("changed_by_pct") && value.signum() < 0) {
      throw bad("condition.value", "changed_by_pct takes a percentage of 0 or more");
    }
    return new Condition(op, value);
  }

  private static List<Channel> channels(JsonNode node) {
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw bad("channels", "channels is required: a list such as [{\"type\": \"email\","
          + " \"to\": [\"ops@example.com\"]}, {\"type\": \"webhook\", \"url\": \"https://...\"}]");
    }
    if (node.size() > 20) {
      throw bad("channels", "at most 20 channels");
    }
    List<Channel> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode c = node.get(i);
      String at = "channels[" + i + "]";
      String type = c.path("type").asText("");
      if (type.equals("email")) {
        JsonNode to = c.get("to");
        if (to == null || !to.isArray() || to.isEmpty()) {
          throw bad(at + ".to", at + ".to must list one or more email addresses");
        }
        List<String> addresses = new ArrayList<>();
        for (int j = 0; j < to.size(); j++) {
          String a = to.get(j).asText("");
          try {
            new InternetAddress(a, true).validate();
          } catch (AddressException e) {
            throw bad(at + ".to[" + j + "]", "'" + a + "' is not an email address: "
                + e.getMessage());
          }
          addresses.add(a);
        }
        out.add(new Channel("email", addresses, null));
      } else if (type.equals("webhook")) {
        String url = c.path("url").asText("");
        try {
          URI u = new URI(url);
          if (u.getScheme() == null || !(u.getScheme().equalsIgnoreCase("http")
              || u.getScheme().equalsIgnoreCase("https")) || u.getHost() == null) {
            throw new URISyntaxException(url, "expected an absolute http:// or https:// URL with"
                + " a host");
          }
        } catch (URISyntaxException e) {
          throw bad(at + ".url", at + ".url '" + url + "' is not a webhook URL: "
              + e.getMessage());
        }
        out.add(new Channel("webhook", null, url));
      } else {
        throw bad(at + ".type", at + ".type '" + type + "' is not email or webhook");
      }
    }
    return List.copyOf(out);
  }

  private static String text(JsonNode node, String field, boolean required) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw bad(field, field + " is required");
      }
      return null;
    }
    if (!v.isTextual() || (required && v.asText().isBlank())) {
      throw bad(field, field + " must be " + (required ? "non-empty " : "") + "text");
    }
    return v.asText().trim();
  }

  private static boolean bool(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (!v.isBoolean()) {
      throw bad(field, field + " must be true or false");
    }
    return v.asBoolean();
  }

  private static Long id(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() <= 0) {
      throw bad(field, field + " must be the id of a " + (field.startsWith("dash") ? "dashboard"
          : "chart") + " (a positive whole number)");
    }
    return v.asLong();
  }

  private static int integer(JsonNode node, String field, int dflt, int min, int max) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
      throw bad(field, field + " must be a whole number of pixels from " + min + " to " + max);
    }
    return v.asInt();
  }

  /** The stored and answered form (without the schedule's fields, stored in their columns). */
  ObjectNode json() {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", name);
    o.put("cron", cron);
    if (timeZone != null) {
      o.put("timeZone", timeZone);
    }
    o.put("active", active);
    var cs = o.putArray("channels");
    for (Channel c : channels) {
      ObjectNode j = cs.addObject().put("type", c.type());
      if (c.email()) {
        c.to().forEach(j.putArray("to")::add);
      } else {
        j.put("url", c.url());
      }
    }
    if (kind == Kind.REPORT) {
      if (dashboardId != null) {
        o.put("dashboardId", dashboardId);
      }
      if (chartId != null) {
        o.put("chartId", chartId);
      }
      o.put("format", format).put("width", width).put("height", height);
    } else {
      if (query != null) {
        o.set("query", query);
      }
      if (sql != null) {
        o.put("sql", sql);
      }
      ObjectNode c = o.putObject("condition").put("op", condition.op());
      if (condition.value() != null) {
        c.put("value", condition.value());
      }
      o.put("gracePeriod", gracePeriod.toSeconds() + "s");
      if (attachChartId != null) {
        o.put("attachChartId", attachChartId);
      }
    }
    return o;
  }
}
