package io.strata.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The dashboards of the retail demo, shipped as resources in the export format of
 * {@code GET /api/v1/dashboards/{id}/export}: the server seeds them on first start and the
 * benchmark harness replays their queries.
 */
public final class DemoDashboards {
  /** Resource folder of the demo dashboards. */
  public static final String RESOURCE_DIR = "/io/strata/demo/dashboards/";
  /** The dashboard files, in seed order. */
  public static final List<String> FILES = List.of("retail-overview.json");

  private DemoDashboards() {}

  /** The JSON text of one of {@link #FILES}. */
  public static String json(String file) {
    try (InputStream in = DemoDashboards.class.getResourceAsStream(RESOURCE_DIR + file)) {
      if (in == null) {
        throw new IllegalStateException("demo dashboard " + file + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
