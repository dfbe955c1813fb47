package io.strata.semantic.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.dialect.Dialect;
import io.strata.semantic.golden.QueryCorpus.QueryFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every query file x every dialect compiles to exactly the SQL in
 * {@code src/test/resources/golden/<dialect>/<query>.sql}. Run with
 * {@code -Dstrata.golden.update=true} to rewrite the golden files in the source tree, then
 * review and commit the diff.
 */
class GoldenSqlTest {
  static final boolean UPDATE = Boolean.getBoolean("strata.golden.update");
  static SemanticCompiler compiler;

  @BeforeAll
  static void setUp() {
    compiler = QueryCorpus.compiler();
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (QueryFile q : QueryCorpus.queries()) {
      for (Dialect d : Dialect.values()) {
        out.add(Arguments.of(q, d));
      }
    }
    return out.stream();
  }

  @Test
  void corpusIsLargeEnough() {
    assertThat(QueryCorpus.queries()).hasSizeGreaterThanOrEqualTo(25);
  }

  @ParameterizedTest(name = "{0} [{1}]")
  @MethodSource("cases")
  void matchesGoldenSql(QueryFile q, Dialect d) throws IOException {
    String sql = QueryCorpus.compile(compiler, q, d).sql() + "\n";
    Path golden = QueryCorpus.moduleBaseDir()
        .resolve("src/test/resources/golden/" + d.id() + "/" + q.name() + ".sql");
    if (UPDATE) {
      Files.createDirectories(golden.getParent());
      Files.writeString(golden, sql, StandardCharsets.UTF_8);
      return;
    }
    if (!Files.exists(golden)) {
      fail("no golden file " + golden + "; run with -Dstrata.golden.update=true to create it."
          + "\nCompiled SQL:\n" + sql);
    }
    String expected = Files.readString(golden, StandardCharsets.UTF_8);
    if (!expected.equals(sql)) {
      fail("compiled SQL for " + q.name() + " [" + d.id() + "] differs from " + golden
          + " (run with -Dstrata.golden.update=true if the change is intended)\n"
          + Diff.unified(expected, sql, "golden/" + d.id() + "/" + q.name() + ".sql", "compiled"));
    }
  }

  @ParameterizedTest(name = "{0} [{1}]")
  @MethodSource("cases")
  void compilationIsDeterministic(QueryFile q, Dialect d) {
    String first = QueryCorpus.compile(compiler, q, d).sql();
    String again = QueryCorpus.compile(compiler, q, d).sql();
    String fresh = QueryCorpus.compile(QueryCorpus.compiler(), q, d).sql();
    assertThat(again).as("same compiler, second compile").isEqualTo(first);
    assertThat(fresh).as("fresh compiler and catalog").isEqualTo(first);
  }
}
