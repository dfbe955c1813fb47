package io.strata.server.catalog;

import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.model.Model;
import io.strata.semantic.model.ModelError;
import io.strata.semantic.model.ModelLoader;
import io.strata.semantic.model.ModelValidationException;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.model.SourcePosition;
import io.strata.server.metadata.ModelStore;
import io.strata.server.metadata.ModelVersion;
import io.strata.server.metadata.NotFoundException;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The semantic models the server answers from: the current versions in the metadata database,
 * validated and compiled into one {@link SemanticCatalog}. A change is validated as a whole set
 * (a model may break a view in another file) and refused with every file/line error before
 * anything is stored; once stored it replaces the catalog at once, and other servers pick it up
 * through {@link #refreshIfChanged()}.
 *
 * <p>Model files are stored under their file name ({@code orders.yml}); the API also accepts the
 * bare name ({@code orders}), which means {@code orders.yml}.
 */
@Singleton
public final class CatalogService {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogService.class);
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}");

  private final ModelStore store;
  private final DataSourceService dataSources;

  /** The catalog and the store revision it was built from, swapped together. */
  private record Snapshot(SemanticCompiler compiler, long revision) {}

  private volatile Snapshot snapshot;
  private final List<java.util.function.Consumer<Set<String>>> modelsChanged =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<Runnable> reloaded = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * Adds {@code listener}, run after every reload that added, changed or removed a model: the
   * rollups of new or changed models are due a build.
   */
  public void onModelsAddedOrChanged(Runnable listener) {
    reloaded.add(listener);
  }

  /**
   * Adds {@code listener}, told the names of the models changed or removed by every catalog
   * reload (a save here, or one another server made): the results cache drops what they
   * answered.
   */
  public void onModelsChanged(java.util.function.Consumer<Set<String>> listener) {
    this.modelsChanged.add(listener);
  }

  public CatalogService(ModelStore store, DataSourceService dataSources) {
    this.store = store;
    this.dataSources = dataSources;
    this.snapshot = new Snapshot(new SemanticCompiler(SemanticCatalog.of(List.of(), List.of())), -1);
  }

  public SemanticCompiler compiler() {
    return snapshot.compiler();
  }

  public SemanticCatalog catalog() {
    return snapshot.compiler().catalog();
  }

  /** Normalises an API name to a stored file name: {@code orders} means {@code orders.yml}. */
  public static String fileName(String name) {
    String n = name == null ? "" : name.trim();
    if (!FILE_NAME.matcher(n).matches()) {
      throw new IllegalArgumentException("'" + name + "' is not a model file name (letters, digits, "
          + "'_', '-' and '.', ending in .yml or .yaml)");
    }
    String lower = n.toLowerCase(Locale.ROOT);
    return lower.endsWith(".yml") || lower.endsWith(".yaml") ? n : n + ".yml";
  }

  /** Rebuilds the catalog from the store when another server changed it. */
  public void refreshIfChanged() {
    if (store.revision() != snapshot.revision()) {
      reload();
    }
  }

  /**
   * Rebuilds the catalog from the stored models. Stored models were valid when saved; if they no
   * longer are (a data source was removed, or an older server wrote them), the last good catalog
   * stays in place and the problem is logged, so queries keep being answered.
   */
  public synchronized void reload() {
    long revision = store.revision();
    Map<String, String> files = new LinkedHashMap<>();
    store.currentAll().forEach(v -> files.put(v.name(), v.yaml()));
    List<ModelError> errors = new ArrayList<>();
    SemanticCatalog catalog = build(files, errors);
    if (catalog == null) {
      LOG.error("stored models do not validate; keeping the previous catalog:\n  {}",
          String.join("\n  ", errors.stream().map(ModelError::toString).toList()));
      snapshot = new Snapshot(snapshot.compiler(), revision);
      return;
    }
    SemanticCatalog previous = snapshot.compiler().catalog();
    snapshot = new Snapshot(new SemanticCompiler(catalog), revision);
    Set<String> changed = new java.util.TreeSet<>();
    previous.models().forEach(m -> {
      if (!catalog.model(m.name()).map(m::equals).orElse(false)) {
        changed.add(m.name());
      }
    });
    boolean added = catalog.models().stream()
        .anyMatch(m -> previous.model(m.name()).isEmpty());
    if (!changed.isEmpty() || added) {
      for (Runnable listener : reloaded) {
        try {
          listener.run();
        } catch (RuntimeException e) {
          LOG.warn("a listener of catalog reloads failed", e);
        }
      }
    }
    if (!changed.isEmpty()) {
      for (var listener : modelsChanged) {
        try {
          listener.accept(changed);
        } catch (RuntimeException e) {
          LOG.warn("a listener of model changes failed", e);
        }
      }
    }
    LOG.info("catalog loaded: {} models, {} views (revision {})", catalog.models().size(),
        catalog.views().size(), revision);
  }

  /**
   * Validates and stores model files. With {@code replace}, the files are the whole set and any
   * stored file missing from it is deleted (a directory push); otherwise they are added to or
   * replace the stored ones.
   *
   * @throws ModelValidationException with every error of the resulting set; nothing is stored
   */
  public synchronized List<ModelVersion> save(Map<String, String> files, String author,
      boolean replace) {
    Map<String, String> named = named(files);
    validate(resulting(named, replace));
    List<ModelVersion> written = replace ? store.replaceAll(named, author) : store.save(named, author);
    reload();
    return written;
  }

  /** Deletes a model file, refused when the remaining models would not validate without it. */
  public synchronized ModelVersion delete(String name, String author) {
    String file = fileName(name);
    Map<String, String> resulting = new LinkedHashMap<>();
    store.currentAll().forEach(v -> resulting.put(v.name(), v.yaml()));
    if (resulting.remove(file) == null) {
      throw new NotFoundException("model file '" + file + "' does not exist");
    }
    validate(resulting);
    ModelVersion deleted = store.delete(file, author);
    reload();
    return deleted;
  }

  /** Checks files as {@link #save} would store them, without storing; throws with every error. */
  public void check(Map<String, String> files, boolean replace) {
    validate(resulting(named(files), replace));
  }

  private static Map<String, String> named(Map<String, String> files) {
    Map<String, String> named = new LinkedHashMap<>();
    files.forEach((name, yaml) -> named.put(fileName(name), yaml == null ? "" : yaml));
    return named;
  }

  /** The whole set of files a save would leave in the store. */
  private Map<String, String> resulting(Map<String, String> named, boolean replace) {
    Map<String, String> resulting = new LinkedHashMap<>();
    if (!replace) {
      store.currentAll().forEach(v -> resulting.put(v.name(), v.yaml()));
    }
    resulting.putAll(named);
    return resulting;
  }

  private void validate(Map<String, String> files) {
    List<ModelError> errors = new ArrayList<>();
    if (build(files, errors) == null) {
      Collections.sort(errors);
      throw new ModelValidationException(errors);
    }
  }

  /** The catalog for these files, or null with the errors added. */
  private SemanticCatalog build(Map<String, String> files, List<ModelError> errors) {
    ModelLoader.Result loaded = ModelLoader.loadTexts(files);
    SemanticCatalog catalog = null;
    try {
      catalog = SemanticCatalog.fromLoad(loaded);
    } catch (ModelValidationException e) {
      errors.addAll(e.errors());
    }
    Set<String> known = dataSources.names();
    for (Model m : loaded.models()) {
      if (m.dataSource() != null && !known.contains(m.dataSource())) {
        SourcePosition at = m.origin().of("data_source");
        errors.add(new ModelError(at, "unknown data source '" + m.dataSource() + "' (known: "
            + (known.isEmpty() ? "none" : String.join(", ", known.stream().sorted().toList()))
            + ")"));
      }
    }
    return errors.isEmpty() ? catalog : null;
  }
}
