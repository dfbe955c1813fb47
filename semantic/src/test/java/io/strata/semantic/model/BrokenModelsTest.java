package io.strata.semantic.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each directory under {@code src/test/resources/broken-models/} holds model files with one kind
 * of problem and {@code expected-errors.txt}: the exact errors, one {@code file:line:column:
 * message} per line, in {@link ModelError} order. Run with {@code -Dstrata.broken-models.write}
 * to rewrite the expected files from the actual errors (then review the diff).
 */
class BrokenModelsTest {
  static final Path CASES = Path.of("src/test/resources/broken-models");

  static Stream<String> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(CASES)) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted()
          .toList().stream();
    }
  }

  /** Loader and validator errors together, sorted, as the catalog and the CLI report them. */
  static List<String> errors(Path dir) {
    ModelLoader.Result result = ModelLoader.loadDirectory(dir);
    List<ModelError> errors = new ArrayList<>(result.errors());
    errors.addAll(ModelValidator.validate(result.models(), result.views()));
    return errors.stream().sorted().map(ModelError::toString).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reportsExactlyTheExpectedErrors(String name) throws IOException {
    Path dir = CASES.resolve(name);
    List<String> actual = errors(dir);
    Path expectedFile = dir.resolve("expected-errors.txt");
    if (System.getProperty("strata.broken-models.write") != null) {
      Files.write(expectedFile, actual);
    }
    List<String> expected = Files.readAllLines(expectedFile).stream()
        .filter(l -> !l.isBlank()).toList();
    assertThat(expected).as("expected errors of %s", name).isNotEmpty();
    assertThat(actual).as("errors of %s", name).containsExactlyElementsOf(expected);
  }
}
