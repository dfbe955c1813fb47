package io.strata.semantic.golden;

import static org.junit.jupiter.api.Assertions.fail;

import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.dialect.Dialect;
import io.strata.semantic.golden.QueryCorpus.QueryFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.config.Lex;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.babel.SqlBabelParserImpl;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SQL Strata generates for every dialect parses with Calcite's Babel parser (a syntax check
 * only: Babel is lenient, so this catches broken SQL text, not dialect-specific semantics).
 */
class ReparseTest {
  /**
   * Constructs Strata emits correctly for a warehouse but Calcite's Babel parser cannot parse
   * (Babel limitations, not Strata bugs): dialect -> exact construct. SQL containing one of these
   * is skipped (reported as skipped with the reason); everything else must parse.
   */
  static final Map<Dialect, List<String>> BABEL_LIMITATIONS = Map.of(
      // Babel has no AT TIME ZONE operator ("Encountered \"AT\"")
      Dialect.POSTGRES, List.of(" AT TIME ZONE "),
      Dialect.DUCKDB, List.of(" AT TIME ZONE "),
      // WEEKDAY is a Calcite keyword (time unit), so MySQL's WEEKDAY(x) function call fails
      Dialect.MYSQL, List.of("WEEKDAY("),
      Dialect.REDSHIFT, List.of("APPROXIMATE COUNT(DISTINCT"));

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

  static SqlParser.Config config(Dialect d) {
    SqlParser.Config c = SqlParser.config()
        .withParserFactory(SqlBabelParserImpl.FACTORY)
        .withUnquotedCasing(Casing.UNCHANGED)
        .withQuotedCasing(Casing.UNCHANGED)
        .withCaseSensitive(false);
    return switch (d) {
      // BIG_QUERY conformance requires BigQuery's char literal styles (Lex.BIG_QUERY)
      case BIGQUERY -> c.withLex(Lex.BIG_QUERY).withParserFactory(SqlBabelParserImpl.FACTORY)
          .withConformance(SqlConformanceEnum.BIG_QUERY).withQuoting(Quoting.BACK_TICK);
      case MYSQL -> c.withConformance(SqlConformanceEnum.BABEL).withQuoting(Quoting.BACK_TICK);
      default -> c.withConformance(SqlConformanceEnum.BABEL).withQuoting(Quoting.DOUBLE_QUOTE);
    };
  }

  @ParameterizedTest(name = "{0} [{1}]")
  @MethodSource("cases")
  void generatedSqlParses(QueryFile q, Dialect d) {
    String sql = QueryCorpus.compile(compiler, q, d).sql();
    for (String construct : BABEL_LIMITATIONS.getOrDefault(d, List.of())) {
      Assumptions.assumeFalse(sql.contains(construct),
          "Babel cannot parse " + d.id() + " construct '" + construct + "'");
    }
    try {
      SqlParser.create(sql, config(d)).parseQuery();
    } catch (SqlParseException e) {
      fail(q.name() + " [" + d.id() + "] does not parse with Babel: " + e.getMessage()
          + "\n" + sql);
    }
  }
}
