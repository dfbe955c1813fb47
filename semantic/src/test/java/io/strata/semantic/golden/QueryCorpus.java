package io.strata.semantic.golden;

import io.strata.semantic.compile.CompiledQuery;
import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.dialect.Dialect;
import io.strata.demo.DemoModels;
import io.strata.semantic.model.ModelLoader;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.QueryJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

/** The semantic query corpus under {@code src/test/resources/queries} and the demo catalog. */
public final class QueryCorpus {
  /** Fixed clock for relative date ranges ("last 7 days"). */
  public static final Clock CLOCK = Clock.fixed(Instant.parse("2024-07-01T00:00:00Z"), ZoneOffset.UTC);

  private QueryCorpus() {}

  /** One query file: {@code q01-orders-count-by-status} and its JSON text. */
  public record QueryFile(String name, String json) {
    @Override
    public String toString() {
      return name;
    }
  }

  public static Path resource(String name) {
    try {
      return Path.of(QueryCorpus.class.getResource(name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("test resource " + name + " not found", e);
    }
  }

  public static Path queriesDir() {
    return resource("/queries");
  }

  /** The module's source tree ({@code semantic/}), found from the test-classes directory. */
  public static Path moduleBaseDir() {
    String basedir = System.getProperty("basedir");
    if (basedir != null) {
      return Path.of(basedir);
    }
    // target/test-classes/queries -> module dir
    return queriesDir().getParent().getParent().getParent();
  }

  public static SemanticCatalog catalog() {
    // From the jar or the directory alike: the demo module knows its own files.
    return SemanticCatalog.fromLoad(ModelLoader.loadTexts(DemoModels.files()));
  }

  public static SemanticCompiler compiler() {
    return new SemanticCompiler(catalog(), CLOCK);
  }

  public static List<QueryFile> queries() {
    try (Stream<Path> files = Files.list(queriesDir())) {
      return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted()
          .map(p -> new QueryFile(p.getFileName().toString().replaceFirst("\\.json$", ""),
              read(p)))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static CompiledQuery compile(SemanticCompiler compiler, QueryFile q, Dialect d) {
    return compiler.compile(QueryJson.parse(q.json()), d);
  }

  public static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
