package io.strata.semantic.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelLoaderTest {

  static List<String> errors(ModelLoader.Result r) {
    return r.errors().stream().sorted().map(ModelError::toString).toList();
  }

  @Test
  void fieldPositionsPointAtTheValueInsideQuotes() {
    ModelLoader.Result r = ModelLoader.loadText("m.yml", """
        name: orders
        data_source: demo
        table: 'retail.orders'
        dimensions:
          - { name: status, type: string, expr: "lower(status)" }
          - name: channel
            type: string
            expr: 'upper(channel)'
          - { name: plain, type: string, expr: trim(plain) }
        """);
    assertThat(errors(r)).isEmpty();
    Model m = r.models().get(0);
    assertThat(m.origin().at()).isEqualTo(new SourcePosition("m.yml", 1, 1));
    assertThat(m.origin().of("name")).isEqualTo(new SourcePosition("m.yml", 1, 7));
    assertThat(m.origin().of("table")).isEqualTo(new SourcePosition("m.yml", 3, 9));
    // A field that is absent falls back to the element's own position.
    assertThat(m.origin().of("sql")).isEqualTo(m.origin().at());
    assertThat(m.dimensions().get(0).origin().of("expr"))
        .isEqualTo(new SourcePosition("m.yml", 5, 42));
    assertThat(m.dimensions().get(1).origin().of("expr"))
        .isEqualTo(new SourcePosition("m.yml", 8, 12));
    assertThat(m.dimensions().get(2).origin().of("expr"))
        .isEqualTo(new SourcePosition("m.yml", 9, 40));
    assertThat(m.dimensions().get(1).origin().at()).isEqualTo(new SourcePosition("m.yml", 6, 5));
  }

  @Test
  void duplicateKeysAreReportedAtTheSecondKeyAndTheFirstValueWins() {
    ModelLoader.Result r = ModelLoader.loadText("m.yml", """
        name: orders
        data_source: demo
        table: retail.orders
        table: retail.orders_v2
        dimensions:
          - { name: status, type: string, type: number }
        """);
    assertThat(errors(r)).containsExactly(
        "m.yml:4:1: duplicate key 'table' in model",
        "m.yml:6:35: duplicate key 'type' in dimension");
    assertThat(r.models().get(0).table()).isEqualTo("retail.orders");
    assertThat(r.models().get(0).dimensions().get(0).type()).isEqualTo(DimensionType.STRING);
  }

  @Test
  void severalDocumentsInOneFile() {
    ModelLoader.Result r = ModelLoader.loadText("all.yml", """
        name: orders
        data_source: demo
        table: retail.orders
        ---
        name: customers
        data_source: demo
        table: retail.customers
        ---
        name: everything
        members: [orders.*, customers.*]
        """);
    assertThat(errors(r)).isEmpty();
    assertThat(r.models()).extracting(Model::name).containsExactly("orders", "customers");
    assertThat(r.models().get(1).origin().of("name"))
        .isEqualTo(new SourcePosition("all.yml", 5, 7));
    assertThat(r.views()).extracting(View::name).containsExactly("everything");
    assertThat(r.views().get(0).members()).extracting(ViewMember::member)
        .containsExactly("orders.*", "customers.*");
  }

  @Test
  void modelsAndViewsLists() {
    ModelLoader.Result r = ModelLoader.loadText("lists.yml", """
        models:
          - name: orders
            data_source: demo
            table: retail.orders
            dimensions:
              - { name: status, type: string }
          - name: customers
            data_source: demo
            sql: SELECT * FROM retail.customers
        views:
          - name: v
            members:
              - orders.status
              - { member: customers.*, prefix: customer_ }
        """);
    assertThat(errors(r)).isEmpty();
    assertThat(r.models()).extracting(Model::name).containsExactly("orders", "customers");
    assertThat(r.models().get(1).sql()).isEqualTo("SELECT * FROM retail.customers");
    View v = r.views().get(0);
    assertThat(v.members()).hasSize(2);
    assertThat(v.members().get(0).origin().of("member"))
        .isEqualTo(new SourcePosition("lists.yml", 13, 9));
    assertThat(v.members().get(1).prefix()).isEqualTo("customer_");
    assertThat(v.members().get(1).origin().of("prefix"))
        .isEqualTo(new SourcePosition("lists.yml", 14, 40));
  }

  @Test
  void unknownTopLevelKeyNextToModelsList() {
    ModelLoader.Result r = ModelLoader.loadText("lists.yml", """
        models: []
        modles: []
        """);
    assertThat(errors(r)).containsExactly(
        "lists.yml:2:1: unknown key 'modles' in file (expected one of models, views)");
  }

  @Test
  void filesAreNamedAsGiven() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("a/orders.yml", "name: orders\ndata_source: demo\n");
    files.put("b/bad.yml", "name: [\n");
    ModelLoader.Result r = ModelLoader.loadTexts(files);
    assertThat(errors(r)).hasSize(2);
    assertThat(errors(r).get(0)).startsWith("a/orders.yml:1:1: model 'orders' needs 'table'");
    assertThat(errors(r).get(1)).startsWith("b/bad.yml:").contains("YAML syntax error");
  }

  @Test
  void blockScalarPositionsPointAtTheFirstLineOfText() {
    ModelLoader.Result r = ModelLoader.loadText("m.yml", """
        name: orders
        data_source: demo
        sql: |
          SELECT id,
                 status
          FROM retail.orders
        dimensions:
          - { name: id, type: number }
        """);
    assertThat(errors(r)).isEmpty();
    assertThat(r.models().get(0).origin().of("sql"))
        .isEqualTo(new SourcePosition("m.yml", 4, 3));
  }
}
