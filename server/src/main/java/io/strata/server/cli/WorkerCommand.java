package io.strata.server.cli;

import io.micronaut.context.ApplicationContext;
import io.strata.server.StrataServer;
import io.strata.server.jobs.Jobs;
import io.strata.server.jobs.WorkerHealth;
import java.io.IOException;
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
 * {@code strata worker}: a process that only runs jobs. It shares the metadata database (and
 * Redis, and the job store directory) with the servers, opens no HTTP, JDBC or Flight port, and
 * loads the same data sources and models; SIGTERM lets its running jobs finish (or hands them
 * back to the queue) before it exits.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = {"Runs jobs (async queries, CSV exports, cache warm-up) from the shared"
        + " metadata database, without serving any endpoint.",
        "Configure it like the servers: STRATA_METADATA_URL (not the embedded H2, which one"
            + " process owns), STRATA_JOBS_STORE_DIR, STRATA_CACHE_REDIS_URI.",
        "Every setting is listed in the README's configuration table."})
final class WorkerCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--threads", paramLabel = "N",
      description = "jobs run at once (strata.workers.threads)")
  Integer threads;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (strata.data-dir)")
  Path dataDir;

  /**
   * Whether {@code strata.metadata.url} is set (in any property source): a worker on the
   * embedded default would share nothing with the servers.
   */
  static boolean sharedMetadata(Map<String, Object> props) {
    try (ApplicationContext probe = ApplicationContext.builder().mainClass(StrataServer.class)
        .properties(props).build()) {
      probe.getEnvironment().start();
      return !probe.getEnvironment().getProperty("strata.metadata.url", String.class).orElse("")
          .isBlank();
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    Map<String, Object> props = new HashMap<>();
    props.put("strata.workers.enabled", "true");
    // the servers own the demo, the endpoints and the first admin; a worker only runs jobs
    props.put("strata.demo.enabled", "false");
    props.put("strata.jdbc.enabled", "false");
    props.put("strata.flight.enabled", "false");
    props.put("strata.pgwire.enabled", "false");
    if (threads != null) {
      props.put("strata.workers.threads", threads);
    }
    if (dataDir != null) {
      props.put("strata.data-dir", dataDir.toString());
    }
    if (!sharedMetadata(props)) {
      spec.commandLine().getErr().println("strata worker: no metadata database is configured, so"
          + " this worker would run the jobs of an embedded database of its own that no server"
          + " uses; set STRATA_METADATA_URL (strata.metadata.url) to the servers' Postgres or"
          + " MySQL database");
      spec.commandLine().getErr().flush();
      return StrataCli.INVALID;
    }
    ApplicationContext context;
    try {
      context = StrataServer.startWorker(props);
    } catch (RuntimeException e) {
      spec.commandLine().getErr().println("strata worker: could not start: "
          + ServeCommand.rootMessage(e));
      spec.commandLine().getErr().flush();
      return StrataCli.INVALID;
    }
    WorkerHealth health;
    String host = context.getBean(io.strata.server.cluster.ClusterSettings.class).bindHost();
    try {
      health = context.getBean(Jobs.class).startHealth(host);
    } catch (IOException e) {
      context.close();
      spec.commandLine().getErr().println("strata worker: could not start: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return StrataCli.INVALID;
    }
    if (health != null) {
      spec.commandLine().getOut().println("Strata worker health: http://" + host + ":" + health.port()
          + "/health");
    }
    spec.commandLine().getOut().println("Strata worker is running (Ctrl-C stops it)");
    spec.commandLine().getOut().flush();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (health != null) {
        health.close();
      }
      context.close();
    }, "strata-worker-stop"));
    new CountDownLatch(1).await();
    return 0;
  }
}
