package io.strata.server.cli;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import io.strata.server.config.StrataConfig;
import io.strata.server.metadata.DataSourceStore;
import io.strata.server.metadata.MetadataConfig;
import io.strata.server.metadata.MetadataDatabase;
import io.strata.server.secret.SecretBox;
import io.strata.server.secret.SecretKey;
import io.strata.server.secret.SecretKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code strata secrets}: the key that encrypts data-source secrets in the metadata database. */
@Command(name = "secrets", mixinStandardHelpOptions = true,
    description = "Manages the key that encrypts data-source secrets.",
    subcommands = {SecretsCommand.RotateKey.class})
final class SecretsCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: rotate-key");
  }

  /**
   * {@code strata secrets rotate-key}: re-encrypts every data-source secret under a new random
   * key in one transaction of the metadata database, with the same settings as
   * {@code strata serve} (metadata URL, key settings). With a key file, the new key replaces it
   * (the old one kept in {@code <file>.previous}); with {@code STRATA_SECRET_KEY}, the new key
   * is printed for the operator to install.
   */
  @Command(name = "rotate-key", mixinStandardHelpOptions = true,
      description = {"Re-encrypts every data-source secret under a new key, in one transaction.",
          "Reads the metadata database and the current key from the same settings as 'strata"
              + " serve'. With a key file (strata.secret.key-file, or the generated"
              + " <data-dir>/secret.key) the new key replaces it and the old one is kept in"
              + " <file>.previous; with STRATA_SECRET_KEY the new key is printed: set it as"
              + " STRATA_SECRET_KEY, and the old one as STRATA_SECRET_KEY_PREVIOUS, on every"
              + " server."})
  static final class RotateKey implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (strata.data-dir)")
    Path dataDir;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Map<String, Object> props = new HashMap<>();
      if (dataDir != null) {
        props.put("strata.data-dir", dataDir.toString());
      }
      try (ApplicationContext context = ApplicationContext.builder().properties(props).build()) {
        Environment env = context.getEnvironment();
        env.start();
        StrataConfig config = StrataConfig.from(env);
        Files.createDirectories(config.dataDir());
        SecretKeys keys = SecretKeys.load(env, config.dataDir());
        SecretKey next = SecretKey.generate(keys.file().map(f -> "the key file " + f)
            .orElse("the new STRATA_SECRET_KEY"));
        SecretBox rotated = keys.box().rotatedTo(next);
        if (keys.file().isPresent()) {
          SecretKeys.stage(keys.file().get(), next);
        }
        int count;
        try (MetadataDatabase db = MetadataDatabase.open(new MetadataConfig(config.metadataUrl(),
            config.metadataUser(), config.metadataPassword(), 2))) {
          count = new DataSourceStore(db, rotated).sealAll();
        } catch (RuntimeException e) {
          keys.file().ifPresent(f -> f.resolveSibling(f.getFileName() + ".new").toFile().delete());
          throw e;
        }
        out.println("re-encrypted " + count + " data-source secret(s) under the new key "
            + next.id() + " (the old key was " + keys.box().current().id() + ")");
        if (keys.file().isPresent()) {
          Path f = keys.file().get();
          try {
            SecretKeys.commit(f);
          } catch (IOException e) {
            err.println("strata secrets rotate-key: the secrets are re-encrypted but " + f
                + " could not be replaced (" + e + "): move " + f.getFileName() + ".new over it"
                + " before starting a server");
            err.flush();
            return StrataCli.INVALID;
          }
          out.println("the new key is in " + f + "; the old one is kept in " + f.getFileName()
              + ".previous (still accepted) until you delete it");
        } else {
          out.println("set on every server, then restart them one by one:");
          out.println("  STRATA_SECRET_KEY=" + next.base64());
          out.println("  STRATA_SECRET_KEY_PREVIOUS=<the old STRATA_SECRET_KEY>"
              + "   (remove once every server runs the new key)");
        }
        out.flush();
        return 0;
      } catch (IOException | RuntimeException e) {
        err.println("strata secrets rotate-key: nothing was changed: "
            + ServeCommand.rootMessage(e));
        err.flush();
        return StrataCli.INVALID;
      }
    }
  }
}
