package io.strata.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The semantic models of the retail demo, shipped as resources. They work from a jar as well as
 * from a directory: {@link #files()} gives their texts by file name, {@link #copyTo(Path)} writes
 * them to a directory (for {@code strata validate} and friends).
 */
public final class DemoModels {
  /** Resource folder of the demo models. */
  public static final String RESOURCE_DIR = "/io/strata/demo/models/";
  /** The model files, in load order. */
  public static final List<String> FILES =
      List.of("customers.yml", "products.yml", "orders.yml", "order_items.yml", "sales.yml");

  private DemoModels() {}

  /** File name to YAML text, in {@link #FILES} order. */
  public static Map<String, String> files() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String f : FILES) {
      try (InputStream in = DemoModels.class.getResourceAsStream(RESOURCE_DIR + f)) {
        if (in == null) {
          throw new IllegalStateException("demo model " + f + " is missing from the classpath");
        }
        out.put(f, new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** Writes the demo model files into {@code dir} (created if needed) and returns it. */
  public static Path copyTo(Path dir) {
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, String> e : files().entrySet()) {
        Files.writeString(dir.resolve(e.getKey()), e.getValue());
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
