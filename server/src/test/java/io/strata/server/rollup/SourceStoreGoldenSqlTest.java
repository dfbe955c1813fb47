package io.strata.server.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.strata.acceleration.rollup.Partition;
import io.strata.acceleration.rollup.RollupColumn;
import io.strata.acceleration.rollup.RollupLayout;
import io.strata.acceleration.rollup.Rollups;
import io.strata.acceleration.rollup.TimeSpan;
import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.dialect.Dialect;
import io.strata.semantic.model.ModelLoader;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.server.datasource.DataSourceRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The SQL the {@code source} store issues in each warehouse dialect, for a rollup whose members
 * are named with reserved words ({@code at}, {@code order}, {@code group}, {@code user}), is
 * exactly {@code src/test/resources/golden/rollup-source/<dialect>.sql}: the schema, each
 * partition's {@code CREATE TABLE ... AS} its compiled build query, the row count and size
 * reads, the new version's view (the warehouse side of the atomic switch, which the metadata
 * database's one UPDATE completes) and the cleanup of the replaced version. The statements come
 * from the store's own methods, the ones {@link SourceRollupStore#write} and the others run, so
 * Snowflake, BigQuery and Redshift (not reachable from tests) are covered by the code path that
 * Postgres, MySQL and DuckDB run in {@code RollupStoresTest} and {@code ReservedWordRollupsTest}.
 * Run with {@code -Dstrata.golden.update=true} to rewrite the files, then review the diff.
 */
class SourceStoreGoldenSqlTest {
  static final boolean UPDATE = Boolean.getBoolean("strata.golden.update");
  static final Clock CLOCK = Clock.fixed(Instant.parse("2024-07-15T12:00:00Z"), ZoneOffset.UTC);
  static final DataSourceRegistry REGISTRY = new DataSourceRegistry();

  static final String MODEL = """
      name: events
      data_source: wh
      table: raw.events
      dimensions:
        - { name: order, type: string, expr: "\\"order\\"" }
        - { name: group, type: string, expr: "\\"group\\"" }
        - { name: at, type: time, expr: "\\"at\\"" }
      measures:
        - { name: count, agg: count }
        - { name: user, agg: sum, expr: "\\"user\\"" }
        - { name: avg_user, agg: avg, expr: "\\"user\\"" }
      rollups:
        - name: daily
          measures: [count, user, avg_user]
          dimensions: [order, group]
          time_dimension: at
          granularity: day
          partition_by: month
          build_range: { start: "2024-01-01", end: "2024-02-29" }
      """;

  @AfterAll
  static void close() {
    REGISTRY.close();
  }

  static SemanticCatalog catalog() {
    return SemanticCatalog.fromLoad(ModelLoader.loadTexts(Map.of("events.yml", MODEL)));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Dialect.class)
  void theSourceStoreIssuesTheGoldenStatements(Dialect dialect) throws IOException {
    String script = script(dialect);
    Path golden = moduleDir().resolve("src/test/resources/golden/rollup-source/" + dialect.id()
        + ".sql");
    if (UPDATE) {
      Files.createDirectories(golden.getParent());
      Files.writeString(golden, script, StandardCharsets.UTF_8);
      return;
    }
    if (!Files.exists(golden)) {
      fail("no golden file " + golden + "; run with -Dstrata.golden.update=true to create it."
          + "\nStatements:\n" + script);
    }
    assertThat(script).as("the source store's statements on %s differ from %s (run with"
        + " -Dstrata.golden.update=true if the change is intended)", dialect.id(), golden)
        .isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
  }

  /** Every statement of a first build (2 partitions) and of a second that rebuilds the last. */
  static String script(Dialect dialect) {
    Rollups rollups = new Rollups(catalog(), CLOCK);
    RollupLayout layout = rollups.layout("events", "daily");
    List<Partition> partitions = rollups.partitions(layout, new TimeSpan(
        LocalDateTime.parse("2024-01-01T00:00"), LocalDateTime.parse("2024-03-01T00:00")));
    assertThat(partitions).hasSize(2);
    SourceRollupStore store = new SourceRollupStore(REGISTRY, "wh", "strata_rollups", dialect);
    SemanticCompiler compiler = new SemanticCompiler(layout.catalog(), CLOCK);
    List<String> columns = layout.columns().stream().map(RollupColumn::name).toList();
    String base = RollupService.baseName("events", "daily");
    StringBuilder out = new StringBuilder();
    out.append("-- rollup events.daily, store: source, schema strata_rollups, on ")
        .append(dialect.id()).append("\n");
    List<String> v1 = new ArrayList<>();
    for (Partition p : partitions) {
      String table = RollupService.partitionTable(base, 1, p.key());
      v1.add(table);
      String sql = compiler.compile(rollups.buildQuery(layout, p), dialect).sql();
      out.append("\n-- version 1, partition ").append(p.key())
          .append(": the schema, then the partition's table from its build query\n");
      store.writeStatements(table, sql, columns).forEach(s -> out.append(s).append(";\n"));
      out.append("-- its rows and bytes\n").append(store.countStatement(table)).append(";\n");
      RollupSql.Statement size = store.sizeStatement(table);
      out.append(size == null ? "-- (size not read on " + dialect.id() + ")\n"
          : size.sql() + ";  -- parameters " + size.parameters() + "\n");
    }
    out.append("\n-- version 1's view; it is served once the metadata database's row names it\n")
        .append(store.viewStatement(base + "_v1", v1)).append(";\n");
    // version 2 rebuilds the last partition and reuses the first
    Partition last = partitions.get(partitions.size() - 1);
    String rebuilt = RollupService.partitionTable(base, 2, last.key());
    out.append("\n-- version 2 rebuilds partition ").append(last.key())
        .append(" (update window) and reuses ").append(partitions.get(0).key()).append("\n");
    store.writeStatements(rebuilt, compiler.compile(rollups.buildQuery(layout, last), dialect)
        .sql(), columns).forEach(s -> out.append(s).append(";\n"));
    out.append(store.viewStatement(base + "_v2", List.of(v1.get(0), rebuilt))).append(";\n");
    out.append("\n-- after the switch and the grace period: version 1's view and the table only"
        + " it read\n");
    out.append(store.dropStatement(base + "_v1", true)).append(";\n");
    out.append(store.dropStatement(v1.get(1), false)).append(";\n");
    return out.toString();
  }

  static Path moduleDir() {
    Path here = Path.of("").toAbsolutePath();
    return Files.isDirectory(here.resolve("server")) ? here.resolve("server") : here;
  }
}
