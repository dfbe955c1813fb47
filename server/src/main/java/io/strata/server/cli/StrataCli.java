package io.strata.server.cli;

import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.dialect.Dialect;
import io.strata.semantic.model.ModelError;
import io.strata.semantic.model.ModelValidationException;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.QueryException;
import io.strata.semantic.query.QueryJson;
import io.strata.semantic.query.SemanticQuery;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The {@code strata} command line. Exit status: 0 on success, 1 when the input is invalid
 * (model errors, a bad query, an unknown dialect), 2 on usage errors.
 */
@Command(name = "strata", mixinStandardHelpOptions = true, version = "strata 0.1.0-SNAPSHOT",
    description = "Strata semantic layer command line.",
    subcommands = {ServeCommand.class, WorkerCommand.class, ModelsCommand.class,
        SecretsCommand.class, StrataCli.Validate.class,
        StrataCli.Compile.class,
        CommandLine.HelpCommand.class})
public final class StrataCli implements Runnable {
  /** Exit status when models, a query or an option value are invalid. */
  public static final int INVALID = 1;
  /** Exit status for usage errors (picocli's). */
  public static final int USAGE = CommandLine.ExitCode.USAGE;

  @Spec
  CommandSpec spec;

  private final InputStream stdin;

  public StrataCli() {
    this(System.in);
  }

  /** A CLI that reads {@code -} (standard input) from {@code stdin}: for tests. */
  public StrataCli(InputStream stdin) {
    this.stdin = stdin;
  }

  /** The command line, ready to {@link CommandLine#execute(String...)}. */
  public static CommandLine commandLine(InputStream stdin) {
    return new CommandLine(new StrataCli(stdin));
  }

  public static void main(String[] args) {
    System.exit(commandLine(System.in).execute(args));
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing command: give one of serve, worker, models, secrets, validate, compile (see 'strata help')");
  }

  /** Prints model errors, one {@code file:line:column: message} per line. */
  static void printErrors(PrintWriter err, List<ModelError> errors) {
    errors.stream().sorted().forEach(e -> err.println(e));
    err.flush();
  }

  static Path directory(CommandSpec spec, Path dir, String what) {
    if (!Files.isDirectory(dir)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          what + " '" + dir + "' is not a directory");
    }
    return dir;
  }

  @Command(name = "validate", mixinStandardHelpOptions = true,
      description = {"Loads and validates every model and view file (*.yml, *.yaml) under DIR.",
          "Prints each error as file:line:column: message (paths relative to DIR) to standard"
              + " error; on success prints 'N models, M views: OK'.",
          "Exit status: 0 valid, 1 errors found, 2 usage error."})
  static final class Validate implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "directory of model files")
    Path dir;

    @Override
    public Integer call() {
      directory(spec, dir, "DIR");
      SemanticCatalog catalog;
      try {
        catalog = SemanticCatalog.load(dir);
      } catch (ModelValidationException e) {
        printErrors(spec.commandLine().getErr(), e.errors());
        return INVALID;
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(catalog.models().size() + " models, " + catalog.views().size() + " views: OK");
      out.flush();
      return 0;
    }
  }

  @Command(name = "compile", mixinStandardHelpOptions = true,
      description = {"Compiles a semantic query (JSON) against the models into one warehouse's"
          + " SQL and prints it.",
          "Exit status: 0 compiled, 1 invalid models, query or dialect, 2 usage error."})
  static final class Compile implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    StrataCli parent;

    @Option(names = "--models", required = true, paramLabel = "DIR",
        description = "directory of model files")
    Path models;

    @Option(names = "--dialect", required = true, paramLabel = "D",
        description = "postgres, duckdb, mysql (or mariadb), bigquery, snowflake, redshift")
    String dialect;

    @Parameters(index = "0", paramLabel = "QUERY.json",
        description = "the semantic query; '-' reads standard input")
    String queryFile;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      directory(spec, models, "--models");
      Dialect d;
      try {
        d = Dialect.parse(dialect);
      } catch (IllegalArgumentException e) {
        return fail(err, e.getMessage());
      }
      String text;
      try {
        text = "-".equals(queryFile)
            ? new String(parent.stdin.readAllBytes(), StandardCharsets.UTF_8)
            : Files.readString(Path.of(queryFile));
      } catch (IOException e) {
        return fail(err, "cannot read query " + ("-".equals(queryFile) ? "from standard input"
            : "file '" + queryFile + "'") + ": " + e.getMessage());
      }
      String source = "-".equals(queryFile) ? "<stdin>" : queryFile;
      SemanticQuery query;
      try {
        query = QueryJson.parse(text);
      } catch (QueryException e) {
        return fail(err, source + ": invalid query: " + e.getMessage());
      }
      SemanticCatalog catalog;
      try {
        catalog = SemanticCatalog.load(models);
      } catch (ModelValidationException e) {
        printErrors(err, e.errors());
        return INVALID;
      }
      String sql;
      try {
        sql = new SemanticCompiler(catalog).compile(query, d).sql();
      } catch (QueryException e) {
        return fail(err, source + ": " + e.getMessage());
      } catch (UnsupportedOperationException e) {
        return fail(err, source + ": cannot compile: " + e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(sql);
      out.flush();
      return 0;
    }

    private static int fail(PrintWriter err, String message) {
      err.println("strata compile: " + message);
      err.flush();
      return INVALID;
    }
  }
}
