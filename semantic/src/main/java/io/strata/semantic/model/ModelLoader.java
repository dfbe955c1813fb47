package io.strata.semantic.model;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads semantic model YAML into {@link Model} and {@link View} records, keeping the file, line
 * and column of every element and field. Structural problems (wrong types, unknown or missing
 * keys, bad enum values) are collected as {@link ModelError}s and loading goes on, so one run
 * reports every error. Cross-model checks are {@link ModelValidator}'s job.
 *
 * <p>A file holds either one model (a mapping with {@code name}), one view (a mapping with
 * {@code members}), or lists under {@code models:} and {@code views:}. Directories are read
 * recursively, {@code .yml} and {@code .yaml} files in path order.
 */
public final class ModelLoader {

  /** What a load produced: models, views and every structural error met on the way. */
  public record Result(List<Model> models, List<View> views, List<ModelError> errors) {}

  private static final Set<String> MODEL_KEYS = Set.of("name", "description", "data_source",
      "table", "sql", "primary_key", "dimensions", "measures", "joins", "segments", "metrics",
      "refresh", "rollups", "title");
  private static final Set<String> DIMENSION_KEYS = Set.of("name", "type", "expr", "description",
      "title", "format", "primary_key");
  private static final Set<String> MEASURE_KEYS = Set.of("name", "agg", "expr", "filter",
      "description", "title", "format");
  private static final Set<String> JOIN_KEYS = Set.of("model", "relationship", "on");
  private static final Set<String> SEGMENT_KEYS = Set.of("name", "filter", "description");
  private static final Set<String> METRIC_KEYS = Set.of("name", "type", "expr", "numerator",
      "denominator", "measure", "time_dimension", "window", "description", "title", "format");
  private static final Set<String> REFRESH_KEYS = Set.of("every", "sql");
  private static final Set<String> ROLLUP_KEYS = Set.of("name", "measures", "dimensions",
      "time_dimension", "granularity", "segments", "partition_by", "build_range", "refresh",
      "store", "timezone");
  private static final Set<String> BUILD_RANGE_KEYS = Set.of("start", "end", "relative", "sql");
  private static final Set<String> ROLLUP_REFRESH_KEYS = Set.of("every", "sql", "update_window");
  private static final Set<String> VIEW_KEYS = Set.of("name", "description", "members", "title");
  private static final Set<String> VIEW_MEMBER_KEYS = Set.of("member", "prefix", "alias");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(s|m|h|d|w)");
  private static final Pattern WINDOW = Pattern.compile("(\\d+)\\s+(day|week|month)s?");

  private final List<Model> models = new ArrayList<>();
  private final List<View> views = new ArrayList<>();
  private final List<ModelError> errors = new ArrayList<>();
  private String file = "<string>";
  private String[] lines = {};

  private ModelLoader() {}

  /** Loads every {@code .yml}/{@code .yaml} file under {@code dir}, recursively. */
  public static Result loadDirectory(Path dir) {
    ModelLoader loader = new ModelLoader();
    if (!Files.isDirectory(dir)) {
      loader.errors.add(new ModelError(new SourcePosition(dir.toString(), 0, 0),
          "not a directory"));
      return loader.result();
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile)
          .filter(p -> {
            String n = p.getFileName().toString();
            return n.endsWith(".yml") || n.endsWith(".yaml");
          })
          .sorted()
          .toList();
    } catch (IOException e) {
      loader.errors.add(new ModelError(new SourcePosition(dir.toString(), 0, 0),
          "cannot read directory: " + e.getMessage()));
      return loader.result();
    }
    for (Path p : files) {
      String name = dir.relativize(p).toString().replace('\\', '/');
      try {
        loader.read(name, Files.readString(p));
      } catch (IOException e) {
        loader.errors.add(new ModelError(new SourcePosition(name, 0, 0),
            "cannot read file: " + e.getMessage()));
      }
    }
    return loader.result();
  }

  /** Loads several named YAML texts, as if each were a file. */
  public static Result loadTexts(Map<String, String> filesByName) {
    ModelLoader loader = new ModelLoader();
    filesByName.forEach(loader::read);
    return loader.result();
  }

  public static Result loadText(String fileName, String yaml) {
    return loadTexts(Map.of(fileName, yaml));
  }

  private Result result() {
    return new Result(List.copyOf(models), List.copyOf(views), List.copyOf(errors));
  }

  private void read(String fileName, String yaml) {
    this.file = fileName;
    this.lines = yaml.split("\n", -1);
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(true); // we report duplicates ourselves, with positions
    Iterable<Node> docs;
    List<Node> nodes = new ArrayList<>();
    try {
      docs = new Yaml(options).composeAll(new StringReader(yaml));
      for (Node n : docs) {
        nodes.add(n);
      }
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
      errors.add(new ModelError(pos(m), "YAML syntax error: " + problem.trim()));
      return;
    } catch (RuntimeException e) {
      errors.add(new ModelError(new SourcePosition(file, 1, 1),
          "YAML syntax error: " + e.getMessage()));
      return;
    }
    for (Node doc : nodes) {
      MappingNode top = mapping(doc, "a model file");
      if (top == null) {
        continue;
      }
      if (hasKey(top, "models") || hasKey(top, "views")) {
        Map<String, NodeTuple> keys = keys(top, null, "file");
        checkKeys(top, keys, Set.of("models", "views"), "file");
        for (Node m : list(keys.get("models"), "models")) {
          readModel(m);
        }
        for (Node v : list(keys.get("views"), "views")) {
          readView(v);
        }
      } else if (hasKey(top, "members")) {
        readView(top);
      } else {
        readModel(top);
      }
    }
  }

  // ---------------------------------------------------------------- models

  private void readModel(Node node) {
    MappingNode map = mapping(node, "a model");
    if (map == null) {
      return;
    }
    Map<String, NodeTuple> k = keys(map, MODEL_KEYS, "model");
    String name = requiredIdentifier(map, k, "name", "model");
    String where = "model '" + (name == null ? "?" : name) + "'";
    String table = string(k, "table");
    String sql = string(k, "sql");
    if (table == null && sql == null) {
      error(map, where + " needs 'table' or 'sql'");
    } else if (table != null && sql != null) {
      error(k.get("sql").getKeyNode(), where + " has both 'table' and 'sql'; give one");
    }
    String dataSource = string(k, "data_source");
    if (dataSource == null) {
      error(map, where + " needs 'data_source'");
    }
    List<Dimension> dims = readAll(k, "dimensions", d -> readDimension(d, where));
    String primaryKey = string(k, "primary_key");
    List<Measure> measures = readAll(k, "measures", m -> readMeasure(m, where));
    List<Join> joins = readAll(k, "joins", j -> readJoin(j, where));
    List<Segment> segments = new ArrayList<>();
    for (Node s : list(k.get("segments"), "segments")) {
      MappingNode sm = mapping(s, "a segment");
      if (sm == null) {
        continue;
      }
      Map<String, NodeTuple> sk = keys(sm, SEGMENT_KEYS, "segment");
      String sname = requiredIdentifier(sm, sk, "name", "segment in " + where);
      String filter = requiredString(sm, sk, "filter", "segment '" + sname + "'");
      if (sname != null) {
        segments.add(new Segment(sname, filter, string(sk, "description"), origin(sm, sk)));
      }
    }
    List<Metric> metrics = readAll(k, "metrics", m -> readMetric(m, where));
    Refresh refresh = readRefresh(k.get("refresh"), where);
    List<Rollup> rollups = readAll(k, "rollups", r -> readRollup(r, where));
    if (name != null) {
      models.add(new Model(name, string(k, "description"), dataSource, table, sql, primaryKey,
          dims, measures, joins, segments, metrics, refresh, rollups, origin(map, k)));
    }
  }

  private Dimension readDimension(Node node, String where) {
    MappingNode map = mapping(node, "a dimension");
    if (map == null) {
      return null;
    }
    Map<String, NodeTuple> k = keys(map, DIMENSION_KEYS, "dimension");
    String name = requiredIdentifier(map, k, "name", "dimension in " + where);
    String typeText = requiredString(map, k, "type", "dimension '" + name + "'");
    DimensionType type = enumValue(k, "type", typeText, DimensionType.class,
        "dimension type");
    if (name == null || type == null) {
      return null;
    }
    return new Dimension(name, type, string(k, "expr"), string(k, "description"),
        string(k, "title"), string(k, "format"), origin(map, k));
  }

  private Measure readMeasure(Node node, String where) {
    MappingNode map = mapping(node, "a measure");
    if (map == null) {
      return null;
    }
    Map<String, NodeTuple> k = keys(map, MEASURE_KEYS, "measure");
    String name = requiredIdentifier(map, k, "name", "measure in " + where);
    String aggText = requiredString(map, k, "agg", "measure '" + name + "'");
    Aggregation agg = enumValue(k, "agg", aggText, Aggregation.class, "aggregation");
    String expr = string(k, "expr");
    if (agg != null && agg != Aggregation.COUNT && expr == null) {
      error(map, "measure '" + name + "' with agg " + aggText + " needs 'expr'");
    }
    if (name == null || agg == null) {
      return null;
    }
    return new Measure(name, agg, expr, string(k, "filter"), string(k, "description"),
        string(k, "title"), string(k, "format"), origin(map, k));
  }

  private Join readJoin(Node node, String where) {
    MappingNode map = mapping(node, "a join");
    if (map == null) {
      return null;
    }
    Map<String, NodeTuple> k = keys(map, JOIN_KEYS, "join");
    String model = requiredString(map, k, "model", "join in " + where);
    String relText = requiredString(map, k, "relationship", "join to '" + model + "'");
    Relationship rel = enumValue(k, "relationship", relText, Relationship.class, "relationship");
    String on = requiredString(map, k, "on", "join to '" + model + "'");
    if (model == null || rel == null || on == null) {
      return null;
    }
    return new Join(model, rel, on, origin(map, k));
  }

  private Metric readMetric(Node node, String where) {
    MappingNode map = mapping(node, "a metric");
    if (map == null) {
      return null;
    }
    Map<String, NodeTuple> k = keys(map, METRIC_KEYS, "metric");
    String name = requiredIdentifier(map, k, "name", "metric in " + where);
    String what = "metric '" + name + "'";
    String typeText = requiredString(map, k, "type", what);
    MetricType type = enumValue(k, "type", typeText, MetricType.class, "metric type");
    if (type == null || name == null) {
      return null;
    }
    Window window = null;
    switch (type) {
      case DERIVED -> requiredString(map, k, "expr", "derived " + what);
      case RATIO -> {
        requiredString(map, k, "numerator", "ratio " + what);
        requiredString(map, k, "denominator", "ratio " + what);
      }
      case CUMULATIVE -> {
        requiredString(map, k, "measure", "cumulative " + what);
        requiredString(map, k, "time_dimension", "cumulative " + what);
        String w = string(k, "window");
        if (w != null) {
          Matcher m = WINDOW.matcher(w.trim().toLowerCase(Locale.ROOT));
          if (m.matches() && Integer.parseInt(m.group(1)) > 0) {
            window = new Window(Integer.parseInt(m.group(1)), Granularity.parse(m.group(2)));
          } else {
            error(k.get("window").getValueNode(), what + ": window '" + w
                + "' is not of the form 'N days', 'N weeks' or 'N months' with N > 0");
          }
        }
      }
    }
    return new Metric(name, type, string(k, "expr"), string(k, "numerator"),
        string(k, "denominator"), string(k, "measure"), string(k, "time_dimension"), window,
        string(k, "description"), string(k, "title"), string(k, "format"), origin(map, k));
  }

  private Refresh readRefresh(NodeTuple tuple, String where) {
    if (tuple == null) {
      return null;
    }
    MappingNode map = mapping(tuple.getValueNode(), "a refresh policy");
    if (map == null) {
      return null;
    }
    Map<String, NodeTuple> k = keys(map, REFRESH_KEYS, "refresh");
    String every = string(k, "every");
    String sql = string(k, "sql");
    Duration duration = duration(k, "every", where + ": refresh every");
    if (every == null && sql == null) {
      error(map, where + ": refresh needs 'every' or 'sql'");
    }
    if (every != null && sql != null) {
      error(k.get("sql").getKeyNode(), where + ": refresh has both 'every' and 'sql'; give one");
    }
    return new Refresh(duration, sql, origin(map, k));
  }

  /** A duration such as 30s, 10m, 1h, 1d or 1w under {@code key}; null (reported) when not one. */
  private Duration duration(Map<String, NodeTuple> k, String key, String what) {
    String text = string(k, key);
    if (text == null) {
      return null;
    }
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      error(k.get(key).getValueNode(), what + " '" + text
          + "' is not a duration such as 30s, 10m, 1h, 1d or 1w");
      return null;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default -> Duration.ofDays(7 * n);
    };
  }

  // ---------------------------------------------------------------- rollups

  private Rollup readRollup(Node node, String where) {
    MappingNode map = mapping(node, "a rollup");
    if (map == null) {
      return null;
    }
    Map<String, NodeTuple> k = keys(map, ROLLUP_KEYS, "rollup");
    String name = requiredIdentifier(map, k, "name", "rollup in " + where);
    String what = "rollup '" + name + "'";
    Map<String, SourcePosition> elements = new LinkedHashMap<>();
    List<String> measures = strings(k, "measures", elements);
    List<String> dimensions = strings(k, "dimensions", elements);
    List<String> segments = strings(k, "segments", elements);
    if (!k.containsKey("measures")) {
      error(map, what + " needs 'measures'");
    }
    Granularity granularity = enumValue(k, "granularity", string(k, "granularity"),
        Granularity.class, "granularity");
    Granularity partitionBy = enumValue(k, "partition_by", string(k, "partition_by"),
        Granularity.class, "partition_by granularity");
    RollupStore store = enumValue(k, "store", string(k, "store"), RollupStore.class,
        "rollup store");
    Rollup.BuildRange range = readBuildRange(k.get("build_range"), what);
    Rollup.RollupRefresh refresh = readRollupRefresh(k.get("refresh"), what);
    if (name == null) {
      return null;
    }
    Origin own = origin(map, k);
    Map<String, SourcePosition> fields = new LinkedHashMap<>(own.fields());
    fields.putAll(elements);
    return new Rollup(name, measures, dimensions, string(k, "time_dimension"), granularity,
        segments, partitionBy, range, refresh, store, string(k, "timezone"),
        new Origin(own.at(), fields));
  }

  /**
   * A list of plain strings under {@code key}; each element's position goes into
   * {@code positions} as {@code key[i]}, so an error can point at the element.
   */
  private List<String> strings(Map<String, NodeTuple> k, String key,
      Map<String, SourcePosition> positions) {
    List<String> out = new ArrayList<>();
    List<Node> nodes = list(k.get(key), key);
    for (Node n : nodes) {
      if (n instanceof ScalarNode s && !s.getValue().isBlank()) {
        positions.put(key + "[" + out.size() + "]", valuePosition(s));
        out.add(s.getValue().trim());
      } else {
        error(n, "'" + key + "' must list member names such as status or customers.country");
      }
    }
    return out;
  }

  private Rollup.BuildRange readBuildRange(NodeTuple tuple, String what) {
    if (tuple == null) {
      return null;
    }
    Node v = tuple.getValueNode();
    if (v instanceof ScalarNode s) {
      // build_range: last 24 months
      return new Rollup.BuildRange(null, null, s.getValue().trim(), null,
          new Origin(valuePosition(s), Map.of("relative", valuePosition(s))));
    }
    MappingNode map = mapping(v, "a build range (a mapping with start/end, relative or sql,"
        + " or a relative range such as 'last 24 months')");
    if (map == null) {
      return null;
    }
    Map<String, NodeTuple> k = keys(map, BUILD_RANGE_KEYS, "build_range");
    String start = string(k, "start");
    String end = string(k, "end");
    String relative = string(k, "relative");
    String sql = string(k, "sql");
    int forms = (start != null || end != null ? 1 : 0) + (relative != null ? 1 : 0)
        + (sql != null ? 1 : 0);
    if (forms == 0) {
      error(map, what + ": build_range needs start and/or end, relative, or sql");
    } else if (forms > 1) {
      error(map, what + ": build_range gives more than one of start/end, relative and sql;"
          + " give one");
    }
    return new Rollup.BuildRange(start, end, relative, sql, origin(map, k));
  }

  private Rollup.RollupRefresh readRollupRefresh(NodeTuple tuple, String what) {
    if (tuple == null) {
      return null;
    }
    MappingNode map = mapping(tuple.getValueNode(), "a refresh policy");
    if (map == null) {
      return null;
    }
    Map<String, NodeTuple> k = keys(map, ROLLUP_REFRESH_KEYS, "rollup refresh");
    Duration every = duration(k, "every", what + ": refresh every");
    Duration window = duration(k, "update_window", what + ": refresh update_window");
    String sql = string(k, "sql");
    if (!k.containsKey("every") && sql == null) {
      error(map, what + ": refresh needs 'every' or 'sql'");
    }
    if (k.containsKey("every") && sql != null) {
      error(k.get("sql").getKeyNode(), what + ": refresh has both 'every' and 'sql'; give one");
    }
    return new Rollup.RollupRefresh(every, sql, window, origin(map, k));
  }

  // ---------------------------------------------------------------- views

  private void readView(Node node) {
    MappingNode map = mapping(node, "a view");
    if (map == null) {
      return;
    }
    Map<String, NodeTuple> k = keys(map, VIEW_KEYS, "view");
    String name = requiredIdentifier(map, k, "name", "view");
    List<ViewMember> members = new ArrayList<>();
    if (!k.containsKey("members")) {
      error(map, "view '" + name + "' needs 'members'");
    }
    for (Node m : list(k.get("members"), "members")) {
      if (m instanceof ScalarNode s) {
        members.add(new ViewMember(s.getValue(), null, null, Origin.at(pos(s.getStartMark()))));
        continue;
      }
      MappingNode mm = mapping(m, "a view member (a string such as 'orders.*' or a mapping)");
      if (mm == null) {
        continue;
      }
      Map<String, NodeTuple> mk = keys(mm, VIEW_MEMBER_KEYS, "view member");
      String member = requiredString(mm, mk, "member", "view member");
      if (member != null) {
        members.add(new ViewMember(member, string(mk, "prefix"), string(mk, "alias"),
            origin(mm, mk)));
      }
    }
    if (name != null) {
      views.add(new View(name, string(k, "description"), members, origin(map, k)));
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Reads each element of the list under {@code key}, keeping those that could be read. */
  private <T> List<T> readAll(Map<String, NodeTuple> keys, String key,
      java.util.function.Function<Node, T> reader) {
    List<T> out = new ArrayList<>();
    for (Node n : list(keys.get(key), key)) {
      T element = reader.apply(n);
      if (element != null) {
        out.add(element);
      }
    }
    return out;
  }

  private static boolean hasKey(MappingNode map, String key) {
    return map.getValue().stream()
        .anyMatch(t -> t.getKeyNode() instanceof ScalarNode k && key.equals(k.getValue()));
  }

  private SourcePosition pos(Mark mark) {
    return mark == null ? new SourcePosition(file, 1, 1)
        : new SourcePosition(file, mark.getLine() + 1, mark.getColumn() + 1);
  }

  private SourcePosition pos(Node node) {
    return pos(node.getStartMark());
  }

  private void error(Node node, String message) {
    errors.add(new ModelError(pos(node), message));
  }

  private MappingNode mapping(Node node, String what) {
    if (node instanceof MappingNode m) {
      return m;
    }
    if (node != null) {
      error(node, "expected " + what + " (a mapping of keys to values)");
    }
    return null;
  }

  private List<Node> list(NodeTuple tuple, String what) {
    if (tuple == null) {
      return List.of();
    }
    Node v = tuple.getValueNode();
    if (v instanceof SequenceNode s) {
      return s.getValue();
    }
    if (v instanceof ScalarNode s && (s.getValue().isEmpty() || "null".equals(s.getValue()))) {
      return List.of();
    }
    error(v, "'" + what + "' must be a list");
    return List.of();
  }

  /** The keys of a mapping, reporting duplicates and (when {@code allowed} given) unknown keys. */
  private Map<String, NodeTuple> keys(MappingNode map, Set<String> allowed, String what) {
    Map<String, NodeTuple> keys = new LinkedHashMap<>();
    for (NodeTuple t : map.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode key)) {
        error(t.getKeyNode(), "keys of a " + what + " must be plain strings");
        continue;
      }
      if (keys.containsKey(key.getValue())) {
        error(key, "duplicate key '" + key.getValue() + "' in " + what);
        continue;
      }
      keys.put(key.getValue(), t);
    }
    if (allowed != null) {
      checkKeys(map, keys, allowed, what);
    }
    return keys;
  }

  private void checkKeys(MappingNode map, Map<String, NodeTuple> keys, Set<String> allowed,
      String what) {
    for (Map.Entry<String, NodeTuple> e : keys.entrySet()) {
      if (!allowed.contains(e.getKey())) {
        error(e.getValue().getKeyNode(), "unknown key '" + e.getKey() + "' in " + what
            + " (expected one of " + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
    }
  }

  private String string(Map<String, NodeTuple> keys, String key) {
    NodeTuple t = keys.get(key);
    if (t == null) {
      return null;
    }
    if (t.getValueNode() instanceof ScalarNode s) {
      String v = s.getValue();
      return v == null || (v.isEmpty() && s.getScalarStyle().getChar() == null) ? null : v;
    }
    error(t.getValueNode(), "'" + key + "' must be a single value, not a list or mapping");
    return null;
  }

  private String requiredString(MappingNode map, Map<String, NodeTuple> keys, String key,
      String what) {
    String v = string(keys, key);
    if (v == null && !keys.containsKey(key)) {
      error(map, what + " needs '" + key + "'");
    } else if (v == null || v.isBlank()) {
      error(keys.get(key).getValueNode(), what + ": '" + key + "' is empty");
      return null;
    }
    return v;
  }

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private String requiredIdentifier(MappingNode map, Map<String, NodeTuple> keys, String key,
      String what) {
    String v = requiredString(map, keys, key, what);
    if (v != null && !IDENTIFIER.matcher(v).matches()) {
      error(keys.get(key).getValueNode(), what + ": name '" + v
          + "' must start with a letter or underscore and hold only letters, digits and underscores");
      return null;
    }
    return v;
  }

  private <E extends Enum<E>> E enumValue(Map<String, NodeTuple> keys, String key, String text,
      Class<E> type, String what) {
    if (text == null) {
      return null;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(text.trim())) {
        return e;
      }
    }
    List<String> allowed = Stream.of(type.getEnumConstants())
        .map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
    error(keys.get(key).getValueNode(), "unknown " + what + " '" + text + "' (expected one of "
        + String.join(", ", allowed) + ")");
    return null;
  }

  private Origin origin(MappingNode map, Map<String, NodeTuple> keys) {
    Map<String, SourcePosition> fields = new LinkedHashMap<>();
    keys.forEach((k, t) -> fields.put(k, valuePosition(t.getValueNode())));
    return new Origin(pos(map), fields);
  }

  /**
   * The position of a value's first character. For quoted scalars SnakeYAML's mark is the quote;
   * step past it so columns inside an expression line up with the file.
   */
  private SourcePosition valuePosition(Node node) {
    SourcePosition p = pos(node);
    if (node instanceof ScalarNode s && s.getScalarStyle().getChar() != null) {
      char c = s.getScalarStyle().getChar();
      if (c == '"' || c == '\'') {
        return p.plusColumns(1);
      }
      if (c == '|' || c == '>') {
        // A block scalar's mark is its indicator; its text starts on the next non-blank line.
        for (int i = p.line(); i < lines.length; i++) {
          String line = lines[i];
          if (!line.isBlank()) {
            int indent = 0;
            while (indent < line.length() && line.charAt(indent) == ' ') {
              indent++;
            }
            return new SourcePosition(file, i + 1, indent + 1);
          }
        }
      }
    }
    return p;
  }
}
