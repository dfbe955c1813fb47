package io.strata.semantic.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo models shipped with Strata load and validate without a single error. */
class DemoModelsTest {

  static Path demoModels() {
    URL url = DemoModelsTest.class.getClassLoader().getResource("io/strata/demo/models");
    assertThat(url).as("demo models on the test classpath").isNotNull();
    try {
      URI uri = url.toURI();
      if ("jar".equals(uri.getScheme())) {
        // In a reactor build the demo module is a jar: read the models through a zip file system.
        try {
          FileSystems.newFileSystem(uri, Map.of());
        } catch (FileSystemAlreadyExistsException e) {
          // opened by an earlier test
        }
      }
      return Path.of(uri);
    } catch (URISyntaxException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void demoModelsLoadWithoutErrors() {
    ModelLoader.Result result = ModelLoader.loadDirectory(demoModels());
    assertThat(result.errors()).isEmpty();
    assertThat(ModelValidator.validate(result.models(), result.views())).isEmpty();
  }

  @Test
  void demoCatalogLoads() {
    SemanticCatalog catalog = SemanticCatalog.load(demoModels());
    assertThat(catalog.models()).extracting(Model::name)
        .containsExactlyInAnyOrder("customers", "order_items", "orders", "products");
    assertThat(catalog.views()).extracting(View::name).containsExactly("sales");
    assertThat(catalog.viewColumns("sales")).containsEntry("order_count", "orders.count");
  }
}
