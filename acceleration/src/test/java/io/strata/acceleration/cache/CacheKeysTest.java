package io.strata.acceleration.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.semantic.query.Filter;
import io.strata.semantic.query.FilterOperator;
import io.strata.semantic.query.SemanticQuery;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class CacheKeysTest {
  private static final String SQL = "SELECT status, count(*) FROM retail.orders WHERE region = ? GROUP BY 1";

  private static CacheKeys.Parts base() {
    return new CacheKeys.Parts("warehouse", "postgres", SQL, List.of("EU", 10),
        Map.of("orders", "v1", "customers", "v7"), "tenant=42", Map.of("SELECT max(u) FROM t", "2026-01-01"));
  }

  private static String hash(CacheKeys.Parts p) {
    return CacheKeys.key(p, 0, Map.of()).hash();
  }

  private static CacheKeys.Parts with(UnaryOperator<Map<String, Object>> change) {
    CacheKeys.Parts b = base();
    Map<String, Object> m = new HashMap<>();
    m.put("ds", b.dataSource());
    m.put("dialect", b.dialect());
    m.put("sql", b.sql());
    m.put("params", b.parameters());
    m.put("models", b.modelVersions());
    m.put("rls", b.securityContext());
    m.put("refresh", b.refreshKeys());
    m = change.apply(m);
    @SuppressWarnings("unchecked")
    CacheKeys.Parts p = new CacheKeys.Parts((String) m.get("ds"), (String) m.get("dialect"),
        (String) m.get("sql"), (List<?>) m.get("params"), (Map<String, String>) m.get("models"),
        (String) m.get("rls"), (Map<String, String>) m.get("refresh"));
    return p;
  }

  @Test
  void samePartsSameHash() {
    CacheKey a = CacheKeys.key(base(), 0, Map.of());
    // map order does not matter
    Map<String, String> reversed = new LinkedHashMap<>();
    reversed.put("customers", "v7");
    reversed.put("orders", "v1");
    CacheKey b = CacheKeys.key(with(m -> { m.put("models", reversed); return m; }), 0, Map.of());
    assertThat(b.hash()).isEqualTo(a.hash()).hasSize(64);
    assertThat(a.dataSource()).isEqualTo("warehouse");
    assertThat(a.models()).containsExactly("customers", "orders");
    assertThat(a.sqlHash()).isEqualTo(CacheKeys.sha256(SQL));
  }

  @Test
  void everyPartChangesTheHash() {
    String h = hash(base());
    List<CacheKeys.Parts> changed = List.of(
        with(m -> { m.put("ds", "other"); return m; }),
        with(m -> { m.put("dialect", "snowflake"); return m; }),
        with(m -> { m.put("sql", SQL + " "); return m; }),
        with(m -> { m.put("params", List.of("US", 10)); return m; }),
        with(m -> { m.put("params", List.of("EU", 10L)); return m; }),
        with(m -> { m.put("params", List.of("EU", "10")); return m; }),
        with(m -> { m.put("params", List.of("EU")); return m; }),
        with(m -> { m.put("models", Map.of("orders", "v2", "customers", "v7")); return m; }),
        with(m -> { m.put("models", Map.of("orders", "v1")); return m; }),
        with(m -> { m.put("rls", "tenant=43"); return m; }),
        with(m -> { m.put("rls", ""); return m; }),
        with(m -> { m.put("refresh", Map.of("SELECT max(u) FROM t", "2026-01-02")); return m; }),
        with(m -> { m.put("refresh", Map.of()); return m; }));
    for (CacheKeys.Parts p : changed) {
      assertThat(hash(p)).as("%s", p).isNotEqualTo(h);
    }
    assertThat(changed.stream().map(CacheKeysTest::hash).distinct()).hasSize(changed.size());
  }

  @Test
  void nullParameterDiffersFromTheStringNull() {
    java.util.ArrayList<Object> withNull = new java.util.ArrayList<>();
    withNull.add(null);
    assertThat(hash(with(m -> { m.put("params", withNull); return m; })))
        .isNotEqualTo(hash(with(m -> { m.put("params", List.of("null")); return m; })));
  }

  @Test
  void partsCannotBeForgedThroughSeparators() {
    // a client-supplied parameter must not be able to make one key look like another
    CacheKeys.Parts two = with(m -> { m.put("params", List.of("a", "b")); return m; });
    CacheKeys.Parts one = with(m -> { m.put("params", List.of("a\u0000String:b")); return m; });
    assertThat(hash(one)).isNotEqualTo(hash(two));
    // nor a security context the refresh keys
    CacheKeys.Parts rk = with(m -> { m.put("rls", "t"); m.put("refresh", Map.of("k", "1")); return m; });
    CacheKeys.Parts forged = with(m -> { m.put("rls", "t\u0000k=1"); m.put("refresh", Map.of()); return m; });
    assertThat(hash(forged)).isNotEqualTo(hash(rk));
  }

  @Test
  void generationsArePartOfTheKey() {
    String h = hash(base());
    assertThat(CacheKeys.key(base(), 1, Map.of()).hash()).isNotEqualTo(h);
    assertThat(CacheKeys.key(base(), 0, Map.of("ds:warehouse", 1L)).hash()).isNotEqualTo(h);
    assertThat(CacheKeys.key(base(), 0, Map.of("ds:warehouse", 0L)).hash())
        .isEqualTo(CacheKeys.key(base(), 0, Map.of("ds:warehouse", 0L)).hash());
  }

  @Test
  void normaliseOrdersFiltersAndSegmentsButKeepsMeasures() {
    Filter f1 = new Filter.Condition("orders.status", FilterOperator.EQUALS, List.of("completed"));
    Filter f2 = new Filter.Condition("customers.region", FilterOperator.EQUALS, List.of("EU"));
    SemanticQuery a = new SemanticQuery(List.of("orders.count", "orders.revenue"), List.of("orders.status"),
        null, List.of(f1, f2), List.of("orders.online", "orders.big"), null, 10, null, null);
    SemanticQuery b = new SemanticQuery(List.of("orders.count", "orders.revenue"), List.of("orders.status"),
        null, List.of(f2, f1), List.of("orders.big", "orders.online"), null, 10, null, null);
    SemanticQuery swappedMeasures = new SemanticQuery(List.of("orders.revenue", "orders.count"),
        List.of("orders.status"), null, List.of(f1, f2), List.of("orders.online", "orders.big"), null, 10,
        null, null);

    assertThat(a).isNotEqualTo(b);
    assertThat(CacheKeys.normalise(a)).isEqualTo(CacheKeys.normalise(b));
    assertThat(CacheKeys.normalise(a).measures()).containsExactly("orders.count", "orders.revenue");
    assertThat(CacheKeys.normalise(swappedMeasures)).isNotEqualTo(CacheKeys.normalise(a));
    assertThat(CacheKeys.normalise(swappedMeasures).measures())
        .containsExactly("orders.revenue", "orders.count");
  }

  @Test
  void invalidationChangesOnlyTheCoveredKeys() {
    try (ResultCache cache = new ResultCache(Results.l1Only(), new TestClock())) {
      CacheKeys.Parts x = Results.parts("x", SQL);
      CacheKeys.Parts y = Results.parts("y", SQL);
      CacheKeys.Parts products = new CacheKeys.Parts("x", "postgres", SQL, List.of(),
          Map.of("products", "v1"), "", Map.of());
      String kx = cache.key(x).hash();
      String ky = cache.key(y).hash();
      String kp = cache.key(products).hash();
      assertThat(cache.key(x).hash()).isEqualTo(kx);

      cache.invalidateDataSource("x");
      String kx2 = cache.key(x).hash();
      assertThat(kx2).isNotEqualTo(kx);
      assertThat(cache.key(y).hash()).isEqualTo(ky);
      String kp2 = cache.key(products).hash();
      assertThat(kp2).isNotEqualTo(kp); // same data source

      cache.invalidateModel("orders");
      String kx3 = cache.key(x).hash();
      String ky3 = cache.key(y).hash();
      assertThat(kx3).isNotEqualTo(kx2);
      assertThat(ky3).isNotEqualTo(ky);
      assertThat(cache.key(products).hash()).isEqualTo(kp2); // reads no 'orders'

      cache.invalidateAll();
      assertThat(cache.key(x).hash()).isNotEqualTo(kx3);
      assertThat(cache.key(y).hash()).isNotEqualTo(ky3);
      assertThat(cache.key(products).hash()).isNotEqualTo(kp2);
    }
  }

  @Test
  void aRememberedKeyFollowsInvalidationsAndRefreshKeys() {
    try (ResultCache cache = new ResultCache(Results.l1Only(), new TestClock());
        ResultCache other = new ResultCache(Results.l1Only(), new TestClock())) {
      CacheKeys.Stem stem = CacheKeys.stem(base());
      CacheKey first = cache.key(stem, base().refreshKeys());
      // the same key the parts give, and remembered: the second ask hashes nothing
      assertThat(first).isEqualTo(cache.key(base()));
      assertThat(cache.key(stem, base().refreshKeys())).isSameAs(first);

      Map<String, String> newer = Map.of("SELECT max(u) FROM t", "2026-01-02");
      CacheKey refreshed = cache.key(stem, newer);
      assertThat(refreshed.hash()).isNotEqualTo(first.hash());
      assertThat(cache.key(stem, base().refreshKeys())).isEqualTo(first);

      for (Runnable invalidation : List.<Runnable>of(() -> cache.invalidateModel("orders"),
          () -> cache.invalidateDataSource("warehouse"), cache::invalidateAll)) {
        String before = cache.key(stem, base().refreshKeys()).hash();
        invalidation.run();
        assertThat(cache.key(stem, base().refreshKeys()).hash()).isNotEqualTo(before);
      }
      String after = cache.key(stem, base().refreshKeys()).hash();
      cache.invalidateModel("products"); // not read by the query: the key stays
      assertThat(cache.key(stem, base().refreshKeys()).hash()).isEqualTo(after);
      // another cache's generations are its own
      assertThat(other.key(stem, base().refreshKeys())).isEqualTo(first);
    }
  }
}
