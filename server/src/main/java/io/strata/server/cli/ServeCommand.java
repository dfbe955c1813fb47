package io.strata.server.cli;

import io.micronaut.context.ApplicationContext;
import io.strata.server.StrataServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata serve}: runs the server until it is stopped (Ctrl-C or SIGTERM shut it down
 * gracefully). Options override the matching settings; everything else comes from
 * {@code application.yml} and {@code STRATA_*} environment variables.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Starts the Strata server: REST API and UI on port 8080 (STRATA_HTTP_PORT).",
        "With no configuration it runs the embedded demo: metadata in H2 under ./data, the retail"
            + " demo generated into ./data/demo.duckdb on first start, the demo models loaded.",
        "Every setting is listed in the README's configuration table."})
final class ServeCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--port", paramLabel = "PORT", description = "HTTP port (strata.http.port)")
  Integer port;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (strata.data-dir)")
  Path dataDir;

  @Option(names = "--models", paramLabel = "DIR",
      description = "push the model files of DIR on start (strata.models.dir)")
  Path models;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, Object> props = new HashMap<>();
    if (port != null) {
      props.put("strata.http.port", port);
    }
    if (dataDir != null) {
      props.put("strata.data-dir", dataDir.toString());
    }
    if (models != null) {
      props.put("strata.models.dir", models.toString());
    }
    ApplicationContext context;
    try {
      context = StrataServer.start(props);
    } catch (RuntimeException e) {
      spec.commandLine().getErr().println("strata serve: could not start: " + rootMessage(e));
      spec.commandLine().getErr().flush();
      return StrataCli.INVALID;
    }
    int actual = context.getProperty("micronaut.server.port", Integer.class).orElse(-1);
    spec.commandLine().getOut().println("Strata is running on http://localhost:" + actual
        + " (Ctrl-C stops it)");
    spec.commandLine().getOut().flush();
    new CountDownLatch(1).await(); // the shutdown hook closes the context and ends the JVM
    return 0;
  }

  /** The innermost message: Micronaut wraps start-up failures in bean-creation exceptions. */
  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t == e ? String.valueOf(e.getMessage()) : t.getMessage() + " (" + summary(e) + ")";
  }

  private static String summary(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return (nl < 0 ? m : m.substring(0, nl)).trim();
  }
}
