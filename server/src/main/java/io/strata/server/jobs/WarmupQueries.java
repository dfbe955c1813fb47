package io.strata.server.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The queries a dashboard's first viewer runs, so that warm-up caches exactly those: each
 * chart's query with the dashboard's default filters applied as the UI applies them
 * ({@code ui/src/lib/query.ts}: {@code applyDashboardFilters} with the default date range and no
 * selected values), plus the previous-period query of a number chart that compares with it
 * ({@code previousPeriodQuery}). Keep the two in step: the warm-up test checks that a first view
 * after warm-up is all cache hits.
 */
final class WarmupQueries {
  private WarmupQueries() {}

  /** The first view's queries of a dashboard as {@code GET /dashboards/{id}} shows it. */
  static List<JsonNode> of(JsonNode dashboard) {
    JsonNode filters = dashboard.path("filters");
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode chart : dashboard.path("charts")) {
      JsonNode query = chart.path("query");
      if (!query.isObject()) {
        continue;
      }
      ObjectNode q = withDefaults((ObjectNode) query.deepCopy(), filters);
      out.add(q);
      JsonNode viz = chart.path("viz");
      if (viz.path("type").asText().equals("number")
          && viz.path("compare").asText().equals("previous_period")) {
        ObjectNode previous = previousPeriod(q);
        if (previous != null) {
          out.add(previous);
        }
      }
    }
    return out;
  }

  /** The default date range on the dashboard's time dimension (added when the chart has none). */
  static ObjectNode withDefaults(ObjectNode q, JsonNode filters) {
    String td = filters.path("timeDimension").asText(null);
    JsonNode range = filters.path("dateRange");
    if (td == null) {
      return q;
    }
    ArrayNode tds = q.has("timeDimensions") && q.get("timeDimensions").isArray()
        ? (ArrayNode) q.get("timeDimensions") : JsonNodeFactory.instance.arrayNode();
    boolean hasRange = range.isArray() && range.size() == 2;
    boolean found = false;
    for (JsonNode t : tds) {
      if (!td.equals(t.path("dimension").asText())) {
        continue;
      }
      found = true;
      if (hasRange) {
        ((ObjectNode) t).set("dateRange", range.deepCopy());
      }
    }
    if (!found && hasRange) {
      tds.addObject().put("dimension", td).set("dateRange", range.deepCopy());
    }
    if (!tds.isEmpty()) {
      q.set("timeDimensions", tds);
    }
    return q;
  }

  /** The same query over the period just before its absolute date range, or null. */
  static ObjectNode previousPeriod(ObjectNode q) {
    JsonNode range = null;
    for (JsonNode t : q.path("timeDimensions")) {
      if (t.path("dateRange").isArray() && t.path("dateRange").size() == 2) {
        range = t.path("dateRange");
        break;
      }
    }
    if (range == null) {
      return null;
    }
    LocalDate from;
    LocalDate to;
    try {
      from = LocalDate.parse(range.get(0).asText().substring(0, 10));
      to = LocalDate.parse(range.get(1).asText().substring(0, 10));
    } catch (RuntimeException e) {
      return null; // a relative range ("last week"): the UI compares nothing either
    }
    LocalDate[] prev = previous(from, to);
    ObjectNode out = q.deepCopy();
    for (JsonNode t : out.path("timeDimensions")) {
      if (t.path("dateRange").isArray()) {
        ArrayNode r = ((ObjectNode) t).putArray("dateRange");
        r.add(prev[0].toString());
        r.add(prev[1].toString());
      }
    }
    return out;
  }

  /** A range of whole months moves back by that many months; any other by its length in days. */
  static LocalDate[] previous(LocalDate from, LocalDate to) {
    boolean wholeMonths = from.getDayOfMonth() == 1 && to.equals(to.withDayOfMonth(to.lengthOfMonth()));
    if (wholeMonths) {
      long months = ChronoUnit.MONTHS.between(from.withDayOfMonth(1), to.withDayOfMonth(1)) + 1;
      return new LocalDate[] {from.minusMonths(months), from.minusDays(1)};
    }
    long days = ChronoUnit.DAYS.between(from, to) + 1;
    return new LocalDate[] {from.minusDays(days), from.minusDays(1)};
  }
}
