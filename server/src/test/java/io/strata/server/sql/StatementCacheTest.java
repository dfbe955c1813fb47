package io.strata.server.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.acceleration.cache.CacheSettings;
import io.strata.acceleration.cache.ResultCache;
import io.strata.demo.DemoModels;
import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.model.ModelLoader;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.QueryJson;
import io.strata.server.datasource.DataSourceRegistry;
import io.strata.server.metadata.MetadataConfig;
import io.strata.server.metadata.MetadataDatabase;
import io.strata.server.metadata.Role;
import io.strata.server.metadata.SecurityStore;
import io.strata.server.metadata.StoredGrant;
import io.strata.server.metadata.UserStore;
import io.strata.server.query.QueryLimits;
import io.strata.server.query.QueryRequest;
import io.strata.server.query.QueryResult;
import io.strata.server.query.QueryService;
import io.strata.server.query.TestSupport;
import io.strata.server.security.AccessPolicy;
import io.strata.server.security.SecurityContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The statement cache never serves a translation made under other rules: a model change, a
 * grant change and two users with different row-level security rules each give the answer a
 * server without the cache gives, through SQL text, prepared statements and the query service,
 * with a real DuckDB warehouse, H2 metadata and the results cache on.
 */
class StatementCacheTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String BY_REGION =
      "SELECT region, MEASURE(count) FROM semantic.customers GROUP BY region ORDER BY region";

  Path dir;
  MetadataDatabase db;
  RootAllocator allocator;
  DataSourceRegistry registry;
  ResultCache cache;
  QueryService queries;
  AccessPolicy access;
  SqlService cached;
  SqlService uncached;
  final AtomicReference<SemanticCompiler> compiler = new AtomicReference<>();
  SecurityContext ann;
  SecurityContext bob;
  final SecurityContext admin = SecurityContext.internal("admin");

  @BeforeEach
  void setUp() throws Exception {
    dir = Files.createTempDirectory("strata-statement-cache");
    db = MetadataDatabase.open(new MetadataConfig(
        "jdbc:h2:file:" + dir.resolve("meta").toAbsolutePath(), "sa", "", 2));
    UserStore users = new UserStore(db);
    users.create("ann", "x", Role.VIEWER);
    users.create("bob", "x", Role.VIEWER);
    allocator = new RootAllocator();
    registry = new DataSourceRegistry();
    registry.put(TestSupport.duckdbSpec("demo"));
    compiler.set(TestSupport.compiler());
    cache = new ResultCache(CacheSettings.defaults(), null);
    queries = new QueryService(compiler::get, registry, allocator, QueryLimits.defaults(), null,
        TestSupport.CLOCK, cache);
    access = new AccessPolicy(new SecurityStore(db), users, () -> compiler.get().catalog(),
        () -> Set.of("demo"));
    queries.access(access);
    cached = new SqlService(() -> compiler.get().catalog(), registry, queries, allocator);
    uncached = new SqlService(() -> compiler.get().catalog(), registry, queries, allocator,
        SqlLimits.defaults(), 0);
    List<String> regions = column(run(uncached, admin, BY_REGION), 0);
    assertThat(regions).hasSizeGreaterThanOrEqualTo(2);
    long annId = users.find("ann").orElseThrow().id();
    long bobId = users.find("bob").orElseThrow().id();
    access.setAttributes(annId, JSON.readTree("{\"region\": \"" + regions.get(0) + "\"}"));
    access.setAttributes(bobId, JSON.readTree("{\"region\": \"" + regions.get(1) + "\"}"));
    ann = access.context("ann").orElseThrow();
    bob = access.context("bob").orElseThrow();
  }

  @AfterEach
  void tearDown() throws Exception {
    cached.close();
    uncached.close();
    queries.close();
    cache.close();
    registry.close();
    assertThat(allocator.getAllocatedMemory()).as("Arrow memory left allocated").isZero();
    allocator.close();
    db.close();
  }

  @Test
  void usersWithDifferentRulesNeverShareATranslation() throws Exception {
    access.createRule(new AccessPolicy.RuleInput("customers", JSON.readTree(
        "[{\"member\": \"customers.region\", \"operator\": \"equals\","
            + " \"values\": [\"{user.region}\"]}]"), List.of(), List.of(), "own region"));
    String prepared = "SELECT region, MEASURE(count) FROM semantic.customers"
        + " WHERE region <> ? GROUP BY region ORDER BY region";
    for (int round = 0; round < 3; round++) {
      for (SecurityContext user : List.of(ann, bob)) {
        List<List<String>> rows = run(cached, user, BY_REGION);
        assertThat(rows).as("%s sees only the own region", user.username()).hasSize(1);
        assertThat(rows.get(0).get(0)).isEqualTo(user.attributes().get("region"));
        assertThat(rows).isEqualTo(run(uncached, user, BY_REGION));
        List<Object> values = List.of("nowhere");
        assertThat(run(cached, user, prepared, values))
            .isEqualTo(run(uncached, user, prepared, values)).isEqualTo(rows);
      }
    }
    assertThat(run(cached, ann, BY_REGION)).isNotEqualTo(run(cached, bob, BY_REGION));
    // the admin is exempt: every region, through the same text
    assertThat(run(cached, admin, BY_REGION)).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void aGrantChangeIsSeenAtOnce() {
    String sql = "SELECT segment, MEASURE(count) FROM semantic.customers GROUP BY segment"
        + " ORDER BY segment";
    List<List<String>> before = run(cached, ann, sql);
    assertThat(before).isNotEmpty().isEqualTo(run(uncached, ann, sql));
    PreparedSql kept = cached.prepare(sql, new SqlSession(ann, "test"));
    StoredGrant hidden = access.createGrant(new AccessPolicy.GrantInput("member",
        "customers.segment", List.of("editor"), List.of(), "editors only"));
    for (SqlService service : List.of(cached, uncached)) {
      assertThatThrownBy(() -> run(service, ann, sql)).isInstanceOf(SqlQueryException.class)
          .hasMessageContaining("segment");
      // a statement prepared before the grant runs under the grant too
      assertThatThrownBy(() -> drain(service.execute(kept, List.of(),
          new SqlSession(ann, "test")))).isInstanceOf(SqlQueryException.class)
          .hasMessageContaining("segment");
    }
    access.deleteGrant(hidden.id());
    assertThat(run(cached, ann, sql)).isEqualTo(before);
  }

  @Test
  void aDescriptionIsKeptUntilTheRulesChange() {
    String sql = "SELECT segment, MEASURE(count) FROM semantic.customers WHERE segment = ?"
        + " GROUP BY segment";
    SqlSession session = new SqlSession(ann, "test");
    PreparedSql statement = cached.prepare(sql, session);
    SqlService.Description first = cached.describe(statement, session);
    assertThat(first.columns()).extracting(SqlColumn::name).containsExactly("segment",
        "count");
    assertThat(first.parameters()).extracting(SqlColumn::jdbcType)
        .containsExactly(java.sql.Types.VARCHAR);
    assertThat(first).isEqualTo(uncached.describe(statement, session));
    // a repeated Describe is the kept one, not validated again
    assertThat(cached.describe(statement, session)).isSameAs(first);
    assertThat(uncached.describe(statement, session)).isNotSameAs(
        uncached.describe(statement, session));
    // a statement kept for ann is not bob's
    assertThat(cached.describe(statement, new SqlSession(bob, "test"))).isNotSameAs(first);
    // hidden from viewers: validation fails, so the parameter's type is no longer known
    StoredGrant hidden = access.createGrant(new AccessPolicy.GrantInput("member",
        "customers.segment", List.of("editor"), List.of(), "editors only"));
    SqlService.Description after = cached.describe(statement, session);
    assertThat(after).isEqualTo(uncached.describe(statement, session)).isNotEqualTo(first);
    assertThat(after.parameters()).containsExactly((SqlColumn) null);
    access.deleteGrant(hidden.id());
    assertThat(cached.describe(statement, session)).isEqualTo(first);
    // turned off, every Describe validates again
    cached.rememberDescriptions(false);
    assertThat(cached.describe(statement, session)).isEqualTo(first)
        .isNotSameAs(cached.describe(statement, session));
  }

  @Test
  void aModelChangeIsSeenAtOnce() {
    String sql = "SELECT status, MEASURE(count) FROM semantic.orders GROUP BY status"
        + " ORDER BY status";
    String prepared = "SELECT status, MEASURE(count) FROM semantic.orders WHERE status = ?"
        + " GROUP BY status";
    List<List<String>> before = run(cached, bob, sql);
    List<List<String>> beforePrepared = run(cached, bob, prepared, List.of("completed"));
    assertThat(before).hasSizeGreaterThan(1).isEqualTo(run(uncached, bob, sql));
    // orders.count now counts completed orders only
    Map<String, String> files = new LinkedHashMap<>(DemoModels.files());
    String orders = files.get("orders.yml");
    files.put("orders.yml", orders.replace("{ name: count, agg: count, title: Orders }",
        "{ name: count, agg: count, filter: \"status = 'completed'\", title: Orders }"));
    assertThat(files.get("orders.yml")).isNotEqualTo(orders);
    compiler.set(new SemanticCompiler(SemanticCatalog.fromLoad(ModelLoader.loadTexts(files)),
        TestSupport.CLOCK));
    List<List<String>> after = run(cached, bob, sql);
    assertThat(after).isEqualTo(run(uncached, bob, sql)).isNotEqualTo(before);
    for (List<String> row : after) {
      assertThat(row.get(1)).as("status %s", row.get(0))
          .isEqualTo(row.get(0).equals("completed") ? before.stream()
              .filter(r -> r.get(0).equals("completed")).findFirst().orElseThrow().get(1) : "0");
    }
    assertThat(run(cached, bob, prepared, List.of("completed"))).isEqualTo(beforePrepared);
    assertThat(run(cached, bob, prepared, List.of("shipped")))
        .isEqualTo(run(uncached, bob, prepared, List.of("shipped")));
  }

  @Test
  void everyPathGivesTheSameAnswers() {
    String text = "SELECT channel, MEASURE(count) FROM semantic.orders"
        + " WHERE ordered_at >= DATE '2024-01-01' GROUP BY channel ORDER BY channel";
    String prepared = "SELECT channel, MEASURE(count) FROM semantic.orders"
        + " WHERE ordered_at >= ? GROUP BY channel ORDER BY channel";
    String json = """
        {"measures": ["orders.count"], "dimensions": ["orders.channel"],
         "filters": [{"member": "orders.ordered_at", "operator": "gte",
                      "values": ["2024-01-01"]}],
         "order": [["orders.channel", "asc"]]}""";
    List<List<String>> reference = run(uncached, admin, text);
    assertThat(reference).hasSizeGreaterThan(1);
    for (int i = 0; i < 3; i++) {
      assertThat(run(cached, admin, text)).isEqualTo(reference);
      assertThat(run(cached, ann, text)).isEqualTo(run(uncached, ann, text));
      assertThat(run(cached, admin, prepared, List.of(LocalDate.of(2024, 1, 1))))
          .isEqualTo(reference);
      assertThat(run(cached, admin, prepared, List.of("2024-01-01"))).isEqualTo(reference);
      try (QueryResult r = queries.execute(new QueryRequest(QueryJson.parse(json), json, admin,
          "test"))) {
        List<List<String>> rows = new ArrayList<>();
        for (VectorSchemaRoot b : r.batches()) {
          rows.addAll(rows(b));
        }
        assertThat(rows).isEqualTo(reference);
      }
    }
    // another value is another translation
    assertThat(run(cached, admin, prepared, List.of(LocalDate.of(2099, 1, 1)))).isEmpty();
    // a Postgres session reads its own SQL: the same text is kept apart
    SqlSession pg = new SqlSession(admin, "pgwire", null,
        SqlSession.Options.postgres(io.strata.acceleration.cache.CacheMode.ON));
    assertThat(rowsOf(cached.execute(text, pg))).isEqualTo(reference);
  }

  // ------------------------------------------------------------------ helpers

  List<List<String>> run(SqlService service, SecurityContext user, String sql) {
    return rowsOf(service.execute(sql, new SqlSession(user, "test")));
  }

  List<List<String>> run(SqlService service, SecurityContext user, String sql,
      List<Object> values) {
    SqlSession session = new SqlSession(user, "test");
    return rowsOf(service.execute(service.prepare(sql, session), values, session));
  }

  static List<List<String>> rowsOf(SqlCursor c) {
    List<List<String>> out = new ArrayList<>();
    try (c) {
      while (c.next()) {
        out.addAll(rows(c.batch()));
      }
    }
    return out;
  }

  static void drain(SqlCursor c) {
    rowsOf(c);
  }

  static List<List<String>> rows(VectorSchemaRoot b) {
    List<List<String>> out = new ArrayList<>();
    for (int r = 0; r < b.getRowCount(); r++) {
      List<String> row = new ArrayList<>();
      for (int col = 0; col < b.getFieldVectors().size(); col++) {
        Object v = b.getVector(col).getObject(r);
        row.add(v == null ? null : v.toString());
      }
      out.add(row);
    }
    return out;
  }

  static List<String> column(List<List<String>> rows, int i) {
    return rows.stream().map(r -> r.get(i)).toList();
  }
}
