package io.strata.server.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.semantic.query.QueryException;
import io.strata.semantic.query.QueryJson;
import io.strata.server.datasource.DataSourceException;
import io.strata.server.metadata.Chart;
import io.strata.server.metadata.Dashboard;
import io.strata.server.metadata.DashboardStore;
import io.strata.server.metadata.NotFoundException;
import io.strata.server.query.QueryService;
import io.strata.server.security.SecurityContext;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Dashboards and charts as the API and the UI see them: checked JSON in, JSON out. A dashboard
 * is {@code {name, description, filters, charts}}; a chart is {@code {title, query, viz, layout}}
 * where {@code query} is a semantic query (compiled against the catalog before it is stored, so
 * a typo in a member name is refused with its path), {@code viz} says how to draw it and
 * {@code layout} where it sits on the 12-column grid. The export format is the same JSON
 * without ids, and import takes it back: the demo's dashboards are shipped in it.
 *
 * <p>Storage: a dashboard's {@code layout_json} holds {@code {"filters": ...}}, a chart's
 * {@code viz_json} holds {@code {"viz": ..., "layout": ...}}.
 */
@Singleton
public final class DashboardService {
  public static final Set<String> VIZ_TYPES =
      Set.of("number", "line", "bar", "area", "pie", "table", "pivot", "scatter", "heatmap", "combo",
          "funnel", "markdown");
  /** A text tile: {@code viz.text} is markdown shown as it is, and the tile has no query. */
  public static final String MARKDOWN = "markdown";
  private static final int MAX_MARKDOWN = 20_000;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final DashboardStore store;
  private final QueryService queries;

  public DashboardService(DashboardStore store, QueryService queries) {
    this.store = store;
    this.queries = queries;
  }

  /**
   * Told after a dashboard or one of its charts was created or changed here (thumbnails are
   * rendered again). Called on the thread that made the change, after it is stored; a listener
   * that throws is logged and does not undo the change.
   */
  public interface ChangeListener {
    /** @param chartId the chart that changed, or null when the dashboard itself did */
    void changed(long dashboardId, Long chartId);
  }

  private final List<ChangeListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  public void onChange(ChangeListener listener) {
    listeners.add(listener);
  }

  private void changed(long dashboardId, Long chartId) {
    for (ChangeListener l : listeners) {
      try {
        l.changed(dashboardId, chartId);
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(DashboardService.class).warn(
            "after dashboard {} changed: {}", dashboardId, e.toString());
      }
    }
  }

  /** A checked dashboard definition; {@code charts} is null when the JSON has none. */
  public record DashboardSpec(String name, String description, JsonNode filters, List<ChartSpec> charts) {}

  /** A checked chart definition. */
  public record ChartSpec(String title, JsonNode query, JsonNode viz, JsonNode layout, Integer position) {}

  // ------------------------------------------------------------------ reading JSON

  /** Parses a request body; a syntax error is reported with its line and column. */
  public static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      throw new InvalidDashboardException(null, "the request has no JSON body");
    }
    try {
      JsonNode node = QueryJson.MAPPER.readTree(body);
      if (node == null || !node.isObject()) {
        throw new InvalidDashboardException(null, "the body must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      QueryJson.Problem p = QueryJson.describe(e);
      throw new InvalidDashboardException(p.location(), p.message());
    }
  }

  /** Checks a dashboard and its {@code charts} array, if it has one. */
  public DashboardSpec dashboard(JsonNode node) {
    return dashboard(node, SecurityContext.internal("dashboards"));
  }

  /**
   * Checks a dashboard and its {@code charts} array, if it has one, as {@code security} would
   * run its charts: a chart naming what they may not see is refused as a typo would be.
   */
  public DashboardSpec dashboard(JsonNode node, SecurityContext security) {
    onlyFields(node, "", DASHBOARD_FIELDS, DASHBOARD_READ_ONLY);
    String name = requiredText(node, "name", "");
    if (name.length() > 255) {
      throw new InvalidDashboardException("name", "name is longer than 255 characters");
    }
    String description = optionalText(node, "description", "");
    JsonNode filters = node.path("filters");
    if (filters.isMissingNode() || filters.isNull()) {
      filters = NODES.objectNode();
    } else {
      checkFilters(filters);
      checkFilterMembers(filters, security);
    }
    List<ChartSpec> charts = null;
    JsonNode array = node.path("charts");
    if (!array.isMissingNode() && !array.isNull()) {
      if (!array.isArray()) {
        throw new InvalidDashboardException("charts", "charts must be an array of charts");
      }
      charts = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        charts.add(chart(array.get(i), "charts[" + i + "].", security));
      }
    }
    return new DashboardSpec(name, description, filters, charts);
  }

  /** The fields a dashboard, its filters and a chart may have. */
  private static final List<String> DASHBOARD_FIELDS = List.of("name", "description", "filters", "charts");
  private static final List<String> FILTER_FIELDS = List.of("timeDimension", "dateRange", "granularity", "dimensions");
  private static final List<String> CHART_FIELDS = List.of("title", "query", "viz", "layout", "position");
  /** Fields the API answers with; a client may send a dashboard or chart back as it got it. */
  private static final List<String> DASHBOARD_READ_ONLY = List.of("id", "ownerId", "chartCount", "createdAt", "updatedAt");
  private static final List<String> CHART_READ_ONLY = List.of("id", "dashboardId");
  private static final Set<String> GRANULARITIES =
      Set.of("second", "minute", "hour", "day", "week", "month", "quarter", "year");

  /** Refuses a field that is neither known nor one the API itself answers with. */
  private static void onlyFields(JsonNode node, String prefix, List<String> known, List<String> readOnly) {
    for (var it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f) && !readOnly.contains(f)) {
        throw new InvalidDashboardException(prefix + f, "unknown field '" + prefix + f + "' (expected "
            + String.join(", ", known) + ")");
      }
    }
  }

  /**
   * Checks the filters against the catalog: the time dimension is a time dimension, each filter
   * dimension a dimension, the date range one the query compiler takes (dates within the bounds
   * every warehouse handles). Each is compiled as a small query, so the rules are the compiler's.
   */
  private void checkFilterMembers(JsonNode filters, SecurityContext security) {
    JsonNode td = filters.path("timeDimension");
    if (td.isTextual()) {
      ObjectNode probe = NODES.objectNode();
      probe.putArray("dimensions").add(td.asText());
      ObjectNode t = probe.putArray("timeDimensions").addObject();
      t.put("dimension", td.asText());
      t.put("granularity", filters.path("granularity").isTextual() ? filters.get("granularity").asText() : "day");
      if (filters.hasNonNull("dateRange")) {
        t.set("dateRange", filters.get("dateRange"));
      }
      try {
        queries.plan(QueryJson.parse(probe), security);
      } catch (QueryException e) {
        String loc = e.location() == null ? "" : e.location();
        String at = loc.endsWith(".dateRange") ? "filters.dateRange"
            : loc.endsWith(".granularity") ? "filters.granularity" : "filters.timeDimension";
        throw new InvalidDashboardException(at, at + ": " + e.getMessage().replaceAll(" \\(at [^)]*\\)$", ""));
      } catch (DataSourceException e) {
        throw new InvalidDashboardException("filters.timeDimension", "filters.timeDimension: " + e.getMessage());
      }
    }
    JsonNode dims = filters.path("dimensions");
    for (int i = 0; i < dims.size(); i++) {
      ObjectNode probe = NODES.objectNode();
      probe.putArray("dimensions").add(dims.get(i).asText());
      try {
        queries.plan(QueryJson.parse(probe), security);
      } catch (QueryException e) {
        String at = "filters.dimensions[" + i + "]";
        throw new InvalidDashboardException(at, at + ": " + e.getMessage().replaceAll(" \\(at [^)]*\\)$", ""));
      } catch (DataSourceException e) {
        throw new InvalidDashboardException("filters.dimensions[" + i + "]", e.getMessage());
      }
    }
  }

  private static void checkFilters(JsonNode filters) {
    if (!filters.isObject()) {
      throw new InvalidDashboardException("filters", "filters must be an object");
    }
    onlyFields(filters, "filters.", FILTER_FIELDS, List.of());
    JsonNode g = filters.path("granularity");
    if (!g.isMissingNode() && !g.isNull() && !(g.isTextual() && GRANULARITIES.contains(g.asText()))) {
      throw new InvalidDashboardException("filters.granularity", "filters.granularity must be one of"
          + " second, minute, hour, day, week, month, quarter, year (got " + g + ")");
    }
    boolean hasTime = filters.path("timeDimension").isTextual();
    for (String f : List.of("dateRange", "granularity")) {
      if (filters.hasNonNull(f) && !hasTime) {
        throw new InvalidDashboardException("filters." + f, "filters." + f
            + " needs filters.timeDimension: the time dimension it applies to");
      }
    }
    JsonNode td = filters.path("timeDimension");
    if (!td.isMissingNode() && !td.isNull() && !td.isTextual()) {
      throw new InvalidDashboardException("filters.timeDimension", "filters.timeDimension must be a member name");
    }
    JsonNode range = filters.path("dateRange");
    if (!range.isMissingNode() && !range.isNull() && !range.isTextual()
        && !(range.isArray() && range.size() == 2 && range.get(0).isTextual() && range.get(1).isTextual())) {
      throw new InvalidDashboardException("filters.dateRange",
          "filters.dateRange must be [\"from\", \"to\"] dates or a relative range such as \"last 30 days\"");
    }
    JsonNode dims = filters.path("dimensions");
    if (!dims.isMissingNode() && !dims.isNull()) {
      if (!dims.isArray()) {
        throw new InvalidDashboardException("filters.dimensions", "filters.dimensions must be an array of member names");
      }
      for (int i = 0; i < dims.size(); i++) {
        if (!dims.get(i).isTextual()) {
          throw new InvalidDashboardException("filters.dimensions[" + i + "]", "filters.dimensions[" + i
              + "] must be a member name");
        }
      }
    }
  }

  /**
   * Checks a chart: a title, a query that compiles against the current catalog, a known viz
   * type and an optional grid layout. {@code prefix} is prepended to the path of a bad field.
   */
  public ChartSpec chart(JsonNode node, String prefix) {
    return chart(node, prefix, SecurityContext.internal("dashboards"));
  }

  /** Checks a chart, its query as {@code security} would run it. */
  public ChartSpec chart(JsonNode node, String prefix, SecurityContext security) {
    if (node == null || !node.isObject()) {
      throw new InvalidDashboardException(prefix.isEmpty() ? null : prefix.substring(0, prefix.length() - 1),
          (prefix.isEmpty() ? "a chart" : prefix.substring(0, prefix.length() - 1)) + " must be an object");
    }
    onlyFields(node, prefix, CHART_FIELDS, CHART_READ_ONLY);
    String title = requiredText(node, "title", prefix);
    if (title.length() > 1024) {
      throw new InvalidDashboardException(prefix + "title", prefix + "title is longer than 1024 characters");
    }
    JsonNode query = node.path("query");
    boolean markdown = node.path("viz").path("type").asText("").equals(MARKDOWN);
    if (markdown) {
      if (!query.isMissingNode() && !query.isNull()) {
        throw new InvalidDashboardException(prefix + "query", prefix + "query: a markdown tile"
            + " shows text and has no query (leave query out)");
      }
      query = NODES.nullNode();
    } else if (!query.isObject()) {
      throw new InvalidDashboardException(prefix + "query", prefix + "query must be a semantic query object");
    }
    if (!markdown) {
      try {
        queries.plan(QueryJson.parse(query.toString()), security);
      } catch (QueryException e) {
        // the query was re-serialised, so a line and column would point nowhere: keep the path
        String loc = e.location() == null ? "" : e.location().replaceFirst("^line \\d+, column \\d+(, )?", "");
        String at = prefix + "query" + (loc.isEmpty() ? "" : (loc.startsWith("[") ? "" : ".") + loc);
        throw new InvalidDashboardException(at, at + ": " + e.getMessage().replaceAll(" \\(at [^)]*\\)$", ""));
      } catch (DataSourceException e) {
        throw new InvalidDashboardException(prefix + "query", prefix + "query: " + e.getMessage());
      }
    }
    JsonNode viz = node.path("viz");
    if (!viz.isObject()) {
      throw new InvalidDashboardException(prefix + "viz", prefix + "viz must be an object such as {\"type\": \"bar\"}");
    }
    String type = viz.path("type").asText("");
    if (!VIZ_TYPES.contains(type)) {
      throw new InvalidDashboardException(prefix + "viz.type", prefix + "viz.type '" + viz.path("type").asText()
          + "' is not one of " + String.join(", ", VIZ_TYPES.stream().sorted().toList()));
    }
    if (markdown) {
      JsonNode text = viz.path("text");
      if (!text.isTextual() || text.asText().isBlank()) {
        throw new InvalidDashboardException(prefix + "viz.text", prefix + "viz.text is required"
            + " for a markdown tile: the markdown to show");
      }
      if (text.asText().length() > MAX_MARKDOWN) {
        throw new InvalidDashboardException(prefix + "viz.text", prefix + "viz.text is longer than "
            + MAX_MARKDOWN + " characters");
      }
      onlyFields(viz, prefix + "viz.", List.of("type", "text"), List.of());
    }
    JsonNode layout = node.path("layout");
    if (layout.isMissingNode() || layout.isNull()) {
      layout = null;
    } else {
      if (!layout.isObject()) {
        throw new InvalidDashboardException(prefix + "layout", prefix + "layout must be {\"x\", \"y\", \"w\", \"h\"}");
      }
      for (String f : List.of("x", "y", "w", "h")) {
        JsonNode v = layout.path(f);
        if (!v.isMissingNode() && !(v.canConvertToInt() && v.isIntegralNumber() && v.asInt() >= 0 && v.asInt() <= 1000)) {
          throw new InvalidDashboardException(prefix + "layout." + f, prefix + "layout." + f
              + " must be a whole number from 0 to 1000");
        }
      }
      onlyFields(layout, prefix + "layout.", List.of("x", "y", "w", "h"), List.of());
      if (layout.has("w") && (layout.get("w").asInt() < 1 || layout.get("w").asInt() > 12)) {
        throw new InvalidDashboardException(prefix + "layout.w", prefix + "layout.w must be from 1 to 12 (grid columns)");
      }
      if (layout.has("h") && layout.get("h").asInt() < 1) {
        throw new InvalidDashboardException(prefix + "layout.h", prefix + "layout.h must be 1 or more (grid rows)");
      }
      int x = layout.path("x").asInt(0);
      int w = layout.path("w").asInt(1);
      if (x + w > 12) {
        throw new InvalidDashboardException(prefix + "layout.x", prefix + "layout: x " + x + " + w " + w
            + " is past the 12-column grid (x + w must be 12 or less)");
      }
    }
    JsonNode pos = node.path("position");
    Integer position = null;
    if (!pos.isMissingNode() && !pos.isNull()) {
      if (!pos.isIntegralNumber() || !pos.canConvertToInt()) {
        throw new InvalidDashboardException(prefix + "position", prefix + "position must be a whole number");
      }
      position = pos.asInt();
    }
    return new ChartSpec(title, query, viz, layout, position);
  }

  private static String requiredText(JsonNode node, String field, String prefix) {
    JsonNode v = node.path(field);
    if (!v.isTextual() || v.asText().isBlank()) {
      throw new InvalidDashboardException(prefix + field, prefix + field + " is required (a non-empty string)");
    }
    return v.asText().trim();
  }

  private static String optionalText(JsonNode node, String field, String prefix) {
    JsonNode v = node.path(field);
    if (v.isMissingNode() || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new InvalidDashboardException(prefix + field, prefix + field + " must be a string");
    }
    return v.asText();
  }

  // ------------------------------------------------------------------ storing

  /** Creates a dashboard and its charts (a create or an import) in one transaction. */
  public ObjectNode create(DashboardSpec spec, long ownerId) {
    Dashboard d = store.create(spec.name(), spec.description(), layoutJson(spec.filters()), ownerId,
        newCharts(spec));
    changed(d.id(), null);
    return get(d.id());
  }

  /**
   * Replaces a dashboard's name, description and filters; when the spec has {@code charts}, they
   * replace every chart of the dashboard in the same transaction (as a Superset dashboard import
   * with overwrite does), otherwise the charts are kept.
   */
  public ObjectNode update(long id, DashboardSpec spec) {
    if (spec.charts() == null) {
      store.update(id, spec.name(), spec.description(), layoutJson(spec.filters()));
    } else {
      store.replace(id, spec.name(), spec.description(), layoutJson(spec.filters()), newCharts(spec));
    }
    changed(id, null);
    return get(id);
  }

  private static List<DashboardStore.NewChart> newCharts(DashboardSpec spec) {
    List<DashboardStore.NewChart> out = new ArrayList<>();
    if (spec.charts() == null) {
      return out;
    }
    int position = 0;
    for (ChartSpec c : spec.charts()) {
      out.add(new DashboardStore.NewChart(c.title(), c.query().toString(), vizJson(c),
          c.position() == null ? position : c.position()));
      position++;
    }
    return out;
  }

  public ObjectNode addChart(long dashboardId, ChartSpec spec) {
    int position = spec.position() != null ? spec.position() : store.charts(dashboardId).stream()
        .mapToInt(c -> c.position() + 1).max().orElse(0);
    Chart added = store.addChart(dashboardId, spec.title(), spec.query().toString(), vizJson(spec), position);
    changed(dashboardId, added.id());
    return chartJson(added);
  }

  public ObjectNode updateChart(long id, ChartSpec spec) {
    Chart old = store.findChart(id).orElseThrow(() -> new NotFoundException("chart " + id + " does not exist"));
    Chart updated = store.updateChart(id, spec.title(), spec.query().toString(), vizJson(spec),
        spec.position() == null ? old.position() : spec.position());
    changed(old.dashboardId(), id);
    return chartJson(updated);
  }

  // ------------------------------------------------------------------ writing JSON

  /** The dashboard with its charts. */
  public ObjectNode get(long id) {
    Dashboard d = store.find(id).orElseThrow(() -> new NotFoundException("dashboard " + id + " does not exist"));
    List<Chart> all = store.charts(id);
    ObjectNode out = summary(d, all);
    ArrayNode charts = out.putArray("charts");
    all.forEach(c -> charts.add(chartJson(c)));
    return out;
  }

  /** Every dashboard, without its charts but with their count. */
  public ArrayNode list() {
    ArrayNode out = NODES.arrayNode();
    for (Dashboard d : store.list()) {
      out.add(summary(d, store.charts(d.id())));
    }
    return out;
  }

  public ObjectNode chart(long id) {
    return chartJson(store.findChart(id).orElseThrow(() -> new NotFoundException("chart " + id + " does not exist")));
  }

  /** The export format: the dashboard without ids, owner or times, as import takes it. */
  public ObjectNode export(long id) {
    Dashboard d = store.find(id).orElseThrow(() -> new NotFoundException("dashboard " + id + " does not exist"));
    ObjectNode out = NODES.objectNode();
    out.put("name", d.name());
    if (d.description() != null) {
      out.put("description", d.description());
    }
    out.set("filters", filters(d));
    ArrayNode charts = out.putArray("charts");
    for (Chart c : store.charts(id)) {
      ObjectNode chart = chartJson(c);
      chart.remove(List.of("id", "dashboardId", "position"));
      charts.add(chart);
    }
    return out;
  }

  private static ObjectNode summary(Dashboard d, List<Chart> charts) {
    ObjectNode out = NODES.objectNode();
    out.put("id", d.id());
    out.put("name", d.name());
    out.put("description", d.description());
    out.set("filters", filters(d));
    out.put("ownerId", d.ownerId());
    out.put("chartCount", charts.size());
    out.put("createdAt", d.createdAt().toString());
    out.put("updatedAt", d.updatedAt().toString());
    return out;
  }

  private static JsonNode filters(Dashboard d) {
    JsonNode layout = read(d.layoutJson());
    JsonNode f = layout.path("filters");
    return f.isObject() ? f : NODES.objectNode();
  }

  private static ObjectNode chartJson(Chart c) {
    ObjectNode out = NODES.objectNode();
    out.put("id", c.id());
    out.put("dashboardId", c.dashboardId());
    out.put("title", c.title());
    out.set("query", read(c.queryJson()));
    JsonNode stored = read(c.vizJson());
    out.set("viz", stored.has("viz") ? stored.get("viz") : stored);
    JsonNode layout = stored.path("layout");
    if (layout.isObject()) {
      out.set("layout", layout);
    }
    out.put("position", c.position());
    return out;
  }

  private static String layoutJson(JsonNode filters) {
    ObjectNode n = NODES.objectNode();
    n.set("filters", filters);
    return n.toString();
  }

  private static String vizJson(ChartSpec c) {
    ObjectNode n = NODES.objectNode();
    n.set("viz", c.viz());
    if (c.layout() != null) {
      n.set("layout", c.layout());
    }
    return n.toString();
  }

  private static JsonNode read(String json) {
    if (json == null || json.isBlank()) {
      return NODES.objectNode();
    }
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      return NODES.objectNode(); // stored by something else; shown as empty rather than failing the page
    }
  }
}
