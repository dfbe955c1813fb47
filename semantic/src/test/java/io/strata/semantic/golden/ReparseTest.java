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
   * (Babel limitations, not Strata bugs): dialect -> (regex of the construct -> a stand-in Babel
   * parses). The stand-in replaces only that construct, so the rest of the statement is still
   * checked; nothing is skipped.
   */
  static final Map<Dialect, Map<String, String>> BABEL_LIMITATIONS = Map.of(
      // Babel has no AT TIME ZONE operator ("Encountered \"AT\"")
      Dialect.POSTGRES, Map.of(" AT TIME ZONE '[^']*'", ""),
      Dialect.DUCKDB, Map.of(" AT TIME ZONE '[^']*'", ""),
      // MySQL's INTERVAL takes an expression (INTERVAL WEEKDAY(x) DAY); Babel wants a literal
      Dialect.MYSQL, Map.of("INTERVAL WEEKDAY\\([^()]*\\) DAY", "INTERVAL '1' DAY"),
      // Redshift's APPROXIMATE prefix is not in Babel's grammar
      Dialect.REDSHIFT, Map.of("APPROXIMATE COUNT\\(DISTINCT", "COUNT(DISTINCT"));

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
    for (Map.Entry<String, String> construct
        : BABEL_LIMITATIONS.getOrDefault(d, Map.of()).entrySet()) {
      sql = sql.replaceAll(construct.getKey(), construct.getValue());
    }
    try {
      SqlParser.create(sql, config(d)).parseQuery();
    } catch (SqlParseException e) {
      fail(q.name() + " [" + d.id() + "] does not parse with Babel: " + e.getMessage()
          + "\n" + sql);
    }
  }
}
