package io.strata.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata models push DIR}: sends a directory of model files to a running server. */
@Command(name = "models", mixinStandardHelpOptions = true,
    description = "Manage the models of a running server.",
    subcommands = {ModelsCommand.Push.class})
final class ModelsCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: push");
  }

  @Command(name = "push", mixinStandardHelpOptions = true,
      description = {"Pushes every *.yml/*.yaml file of DIR to the server. The server validates"
          + " the whole resulting set first: on any error nothing is saved and each error is"
          + " printed as file:line:column: message.",
          "Credentials: --token or STRATA_TOKEN, else --user/STRATA_USER with STRATA_PASSWORD.",
          "Exit status: 0 saved, 1 refused or failed, 2 usage error."})
  static final class Push implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "directory of model files")
    Path dir;

    @Option(names = "--server", paramLabel = "URL", defaultValue = "${env:STRATA_URL:-http://localhost:8080}",
        description = "server URL (default: STRATA_URL or http://localhost:8080)")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:STRATA_TOKEN}",
        description = "API token (default: STRATA_TOKEN)")
    String token;

    @Option(names = "--user", paramLabel = "USER", defaultValue = "${env:STRATA_USER:-admin}",
        description = "user for Basic auth when no token is given; the password is read from STRATA_PASSWORD")
    String user;

    @Option(names = "--prune", description = "delete stored model files that are not in DIR")
    boolean prune;

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      StrataCli.directory(spec, dir, "DIR");
      Map<String, String> files = new LinkedHashMap<>();
      try (Stream<Path> paths = Files.list(dir)) {
        for (Path p : paths.sorted().toList()) {
          String name = p.getFileName().toString();
          if (Files.isRegularFile(p) && (name.endsWith(".yml") || name.endsWith(".yaml"))) {
            files.put(name, Files.readString(p, StandardCharsets.UTF_8));
          }
        }
      } catch (IOException e) {
        return fail(err, "cannot read " + dir + ": " + e.getMessage());
      }
      if (files.isEmpty() && !prune) {
        return fail(err, "no *.yml or *.yaml files in " + dir);
      }
      String auth;
      if (token != null && !token.isBlank()) {
        auth = "Bearer " + token.trim();
      } else {
        String password = System.getenv("STRATA_PASSWORD");
        if (password == null) {
          return fail(err, "no credentials: set STRATA_TOKEN (or --token), or STRATA_PASSWORD for user '" + user + "'");
        }
        auth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
            .getBytes(StandardCharsets.UTF_8));
      }
      HttpResponse<String> response;
      URI uri = URI.create(server.replaceAll("/+$", "") + "/api/v1/models");
      try {
        String body = JSON.writeValueAsString(Map.of("files", files, "replace", prune));
        response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/json").header("Authorization", auth)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
      } catch (ConnectException e) {
        return fail(err, "cannot reach the server at " + server + " (is it running? set --server or STRATA_URL)");
      } catch (IOException | IllegalArgumentException e) {
        return fail(err, "request to " + uri + " failed: " + e);
      }
      JsonNode json;
      try {
        json = JSON.readTree(response.body());
      } catch (IOException e) {
        json = null;
      }
      if (response.statusCode() == 200) {
        int written = 0;
        for (JsonNode v : json.path("written")) {
          out.println((v.path("deleted").asBoolean() ? "deleted " : "saved   ")
              + v.path("name").asText() + " v" + v.path("version").asInt());
          written++;
        }
        out.println(written + " changed, " + json.path("unchanged").asInt() + " unchanged");
        out.flush();
        return 0;
      }
      JsonNode error = json == null ? null : json.path("error");
      if (error != null && error.has("errors")) {
        for (JsonNode e : error.path("errors")) {
          err.println(e.path("file").asText() + ":" + e.path("line").asInt() + ":"
              + e.path("column").asInt() + ": " + e.path("message").asText());
        }
      }
      String message = error != null && error.has("message") ? error.path("message").asText()
          : response.body();
      return fail(err, "HTTP " + response.statusCode() + ": " + message);
    }

    private static int fail(PrintWriter err, String message) {
      err.println("strata models push: " + message);
      err.flush();
      return StrataCli.INVALID;
    }
  }
}
