package io.strata.semantic.compile;

import io.strata.semantic.dialect.Dialect;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.QueryJson;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ScratchTest {
  @Test
  void print() throws Exception {
    Path dir = Path.of(getClass().getResource("/io/strata/demo/models").toURI());
    SemanticCatalog cat = SemanticCatalog.load(dir);
    SemanticCompiler c = new SemanticCompiler(cat, java.time.Clock.fixed(java.time.Instant.parse("2024-06-15T12:00:00Z"), java.time.ZoneOffset.UTC));
    String[] qs = {
      "{\"measures\":[\"orders.count\"],\"dimensions\":[\"orders.status\"],\"limit\":10,\"offset\":5}",
      "{\"measures\":[\"orders.count\",\"order_items.revenue\"],\"dimensions\":[\"customers.region\"]}",
      "{\"measures\":[\"orders.avg_order_value\",\"orders.completion_rate\"],\"timeDimensions\":[{\"dimension\":\"orders.ordered_at\",\"granularity\":\"month\",\"dateRange\":[\"2024-01-01\",\"2024-03-31\"]}],\"timezone\":\"America/New_York\"}",
      "{\"measures\":[\"orders.count\"],\"dimensions\":[\"products.category\"],\"filters\":[{\"member\":\"customers.name\",\"operator\":\"contains\",\"values\":[\"a_b\"]},{\"member\":\"orders.count\",\"operator\":\"gt\",\"values\":[\"10\"]}]}",
      "{\"measures\":[\"order_items.cumulative_revenue\",\"order_items.revenue_trailing_3_months\",\"order_items.revenue\"],\"timeDimensions\":[{\"dimension\":\"orders.ordered_at\",\"granularity\":\"month\",\"dateRange\":[\"2024-01-01\",\"2024-06-30\"]}]}",
      "{\"measures\":[\"orders.approx_customer_count\"],\"timeDimensions\":[{\"dimension\":\"orders.ordered_at\",\"granularity\":\"quarter\"}],\"segments\":[\"orders.online\"]}",
    };
    for (String q : qs) {
      for (Dialect d : Dialect.values()) {
        System.out.println("-- " + d + "\n" + c.compile(QueryJson.parse(q), d).sql() + "\n");
      }
    }
  }
}
