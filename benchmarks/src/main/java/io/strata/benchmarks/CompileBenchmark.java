package io.strata.benchmarks;

import io.strata.demo.DemoModels;
import io.strata.semantic.compile.CompiledQuery;
import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.dialect.Dialect;
import io.strata.semantic.model.ModelLoader;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.QueryJson;
import io.strata.semantic.query.SemanticQuery;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Compiling a typical dashboard query (3 dimensions, 2 measures, one join) over the demo models.
 * {@code cold}: no plan cache, every call parses model expressions and builds and unparses the
 * SQL tree. {@code repeated}: the same query shape again, answered by the compiled-plan cache
 * (the query arrives as a new, equal object each time, as it would from JSON). {@code parseJson}
 * is the JSON parse a REST request adds, for scale.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class CompileBenchmark {
  static final String TYPICAL = """
      {"measures": ["orders.count", "orders.customer_count"],
       "dimensions": ["orders.status", "orders.channel", "customers.region"],
       "filters": [{"member": "orders.ordered_at", "operator": "inDateRange",
                    "values": ["2024-01-01", "2024-06-30"]}],
       "order": {"orders.count": "desc"}, "limit": 100}
      """;

  @Param({"postgres", "snowflake"})
  public String dialect;

  private SemanticCompiler compiler;
  private Dialect target;
  private SemanticQuery[] queries;
  private int next;

  @Setup
  public void setUp() {
    SemanticCatalog catalog = SemanticCatalog.fromLoad(ModelLoader.loadTexts(DemoModels.files()));
    compiler = new SemanticCompiler(catalog);
    target = Dialect.parse(dialect);
    queries = new SemanticQuery[] {QueryJson.parse(TYPICAL), QueryJson.parse(TYPICAL)};
    compiler.compile(queries[0], target);
  }

  @Benchmark
  public CompiledQuery cold() {
    return compiler.compileUncached(queries[next++ & 1], target);
  }

  @Benchmark
  public CompiledQuery repeated() {
    return compiler.compile(queries[next++ & 1], target);
  }

  @Benchmark
  public SemanticQuery parseJson() {
    return QueryJson.parse(TYPICAL);
  }
}
