package io.strata.semantic.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated, immutable set of models and views: what queries are resolved against. Build one
 * with {@link #load(Path)} or {@link #of(List, List)}; both throw
 * {@link ModelValidationException} listing every error when the models are not valid.
 */
public final class SemanticCatalog {
  private final Map<String, Model> models = new LinkedHashMap<>();
  private final Map<String, View> views = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> viewColumns = new LinkedHashMap<>();
  private final JoinGraph joinGraph;

  private SemanticCatalog(List<Model> models, List<View> views) {
    for (Model m : models) {
      this.models.putIfAbsent(m.name(), m);
    }
    for (View v : views) {
      this.views.putIfAbsent(v.name(), v);
    }
    this.joinGraph = new JoinGraph(this.models.values());
    for (View v : this.views.values()) {
      viewColumns.put(v.name(), expandView(v));
    }
  }

  /** Loads and validates every model file under a directory. */
  public static SemanticCatalog load(Path dir) {
    return fromLoad(ModelLoader.loadDirectory(dir));
  }

  /** Validates a load result and builds the catalog. */
  public static SemanticCatalog fromLoad(ModelLoader.Result result) {
    List<ModelError> errors = new ArrayList<>(result.errors());
    errors.addAll(ModelValidator.validate(result.models(), result.views()));
    if (!errors.isEmpty()) {
      throw new ModelValidationException(errors);
    }
    return new SemanticCatalog(result.models(), result.views());
  }

  /** Validates models and views and builds the catalog. */
  public static SemanticCatalog of(List<Model> models, List<View> views) {
    return fromLoad(new ModelLoader.Result(models, views, List.of()));
  }

  /** Builds a catalog without validating: for the validator itself, which reports problems. */
  static SemanticCatalog unchecked(List<Model> models, List<View> views) {
    return new SemanticCatalog(models, views);
  }

  public Collection<Model> models() {
    return models.values();
  }

  public Collection<View> views() {
    return views.values();
  }

  public Optional<Model> model(String name) {
    return Optional.ofNullable(models.get(name));
  }

  public Optional<View> view(String name) {
    return Optional.ofNullable(views.get(name));
  }

  public JoinGraph joinGraph() {
    return joinGraph;
  }

  /** A view's columns in order: column name to the {@code model.member} it shows. */
  public Map<String, String> viewColumns(String view) {
    return viewColumns.getOrDefault(view, Map.of());
  }

  /**
   * Resolves {@code model.member} or {@code view.column} to the model member it names.
   * Empty when no such member exists.
   */
  public Optional<Member> resolve(String path) {
    int dot = path == null ? -1 : path.indexOf('.');
    if (dot <= 0 || dot == path.length() - 1) {
      return Optional.empty();
    }
    String owner = path.substring(0, dot);
    String name = path.substring(dot + 1);
    Model model = models.get(owner);
    if (model != null) {
      return member(model, name);
    }
    Map<String, String> columns = viewColumns.get(owner);
    if (columns != null && columns.containsKey(name)) {
      return resolve(columns.get(name));
    }
    return Optional.empty();
  }

  /** A member of a model by name, whatever its kind. */
  public static Optional<Member> member(Model model, String name) {
    Optional<Member> m = model.dimension(name)
        .map(d -> new Member(model, MemberKind.DIMENSION, name, d));
    if (m.isEmpty()) {
      m = model.measure(name).map(x -> new Member(model, MemberKind.MEASURE, name, x));
    }
    if (m.isEmpty()) {
      m = model.metric(name).map(x -> new Member(model, MemberKind.METRIC, name, x));
    }
    if (m.isEmpty()) {
      m = model.segment(name).map(x -> new Member(model, MemberKind.SEGMENT, name, x));
    }
    return m;
  }

  /** All members of a model in declaration order: dimensions, measures, metrics, segments. */
  public static List<Member> members(Model model) {
    List<Member> all = new ArrayList<>();
    model.dimensions().forEach(d -> all.add(new Member(model, MemberKind.DIMENSION, d.name(), d)));
    model.measures().forEach(x -> all.add(new Member(model, MemberKind.MEASURE, x.name(), x)));
    model.metrics().forEach(x -> all.add(new Member(model, MemberKind.METRIC, x.name(), x)));
    model.segments().forEach(x -> all.add(new Member(model, MemberKind.SEGMENT, x.name(), x)));
    return all;
  }

  private Map<String, String> expandView(View view) {
    Map<String, String> columns = new LinkedHashMap<>();
    for (ViewMember vm : view.members()) {
      Model model = models.get(vm.model());
      if (model == null) {
        continue;
      }
      String prefix = vm.prefix() == null ? "" : vm.prefix();
      if (vm.wildcard()) {
        for (Member m : members(model)) {
          columns.putIfAbsent(prefix + m.name(), m.path());
        }
      } else if (member(model, vm.memberName()).isPresent()) {
        String column = vm.alias() != null ? vm.alias() : prefix + vm.memberName();
        columns.putIfAbsent(column, vm.member());
      }
    }
    return columns;
  }
}
