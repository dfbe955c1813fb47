package io.strata.semantic.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Validator behaviours not covered by one broken-models case each. */
class ModelValidatorTest {

  static List<String> errors(String yaml) {
    ModelLoader.Result r = ModelLoader.loadText("m.yml", yaml);
    List<ModelError> all = new ArrayList<>(r.errors());
    all.addAll(ModelValidator.validate(r.models(), r.views()));
    return all.stream().sorted().map(ModelError::toString).toList();
  }

  @Test
  void membersNamedLikeSqlKeywordsCanBeReferenced() {
    assertThat(errors("""
        name: orders
        data_source: demo
        table: retail.orders
        measures:
          - { name: count, agg: count }
          - { name: sum, agg: sum, expr: amount }
          - { name: avg, agg: number, expr: "{sum} / NULLIF({orders.count}, 0)" }
        """)).isEmpty();
  }

  @Test
  void parseErrorAfterABraceReferenceKeepsItsColumn() {
    assertThat(errors("""
        name: orders
        data_source: demo
        table: retail.orders
        measures:
          - { name: count, agg: count }
          - { name: r, agg: number, expr: "{orders.count} + + * 2" }
        """)).containsExactly(
            "m.yml:6:51: measure 'orders.r': expr is not a valid SQL expression:"
                + " Encountered \"+ + *\"");
  }

  @Test
  void parseErrorsInBlockScalarsPointIntoTheFile() {
    assertThat(errors("""
        name: orders
        data_source: demo
        sql: |
          SELECT id,
                 status,
          FROM retail.orders
        dimensions:
          - { name: id, type: number }
        """)).containsExactly(
            "m.yml:6:3: model 'orders': sql is not a valid SQL query:"
                + " Incorrect syntax near the keyword 'FROM'");
  }

  @Test
  void sqlThatChangesTheWarehouseEngineIsRefused() {
    // DuckDB's enable_logging writes log files to any path and is not stopped by its
    // external-access lockdown; in a model it would run on every viewer's behalf
    assertThat(errors("""
        name: orders
        data_source: demo
        sql: "SELECT * FROM enable_logging(storage = 'file', storage_path = '/tmp/x')"
        dimensions:
          - { name: id, type: number }
        """)).singleElement().asString()
        .startsWith("m.yml:3:")
        .contains("model 'orders': sql calls enable_logging()")
        .contains("may only read data");
    assertThat(errors("""
        name: orders
        data_source: demo
        sql: "SELECT id FROM retail.orders WHERE id > (SELECT count(*) FROM DISABLE_LOGGING())"
        dimensions:
          - { name: id, type: number }
        """)).singleElement().asString().contains("calls disable_logging()");
    // a column that happens to share a name is not a call
    assertThat(errors("""
        name: orders
        data_source: demo
        sql: "SELECT id, checkpoint FROM retail.orders"
        dimensions:
          - { name: id, type: number }
        """)).isEmpty();
  }

  @Test
  void selfReferenceIsACycle() {
    assertThat(errors("""
        name: orders
        data_source: demo
        table: retail.orders
        metrics:
          - { name: m, type: derived, expr: "{m} + 1" }
        """)).containsExactly(
            "m.yml:5:38: cycle among derived measures and metrics: orders.m -> orders.m;"
                + " a measure cannot depend on itself");
  }

  @Test
  void cyclesThroughMetricsAndModelsAreReportedOnce() {
    List<String> errors = errors("""
        models:
          - name: orders
            data_source: demo
            table: retail.orders
            measures:
              - { name: a, agg: number, expr: "{customers.b} * 2" }
            joins:
              - { model: customers, relationship: many_to_one, on: "{orders}.c = {customers}.id" }
          - name: customers
            data_source: demo
            table: retail.customers
            metrics:
              - { name: b, type: ratio, numerator: orders.a, denominator: orders.a }
        """);
    assertThat(errors).containsExactly(
        "m.yml:6:40: cycle among derived measures and metrics:"
            + " orders.a -> customers.b -> orders.a; a measure cannot depend on itself");
  }

  @Test
  void catalogThrowsWithEveryError() {
    ModelLoader.Result r = ModelLoader.loadText("m.yml", """
        name: orders
        data_source: demo
        table: retail.orders
        primary_key: id
        joins:
          - { model: nowhere, relationship: many_to_one, on: "{orders}.x = {nowhere}.x" }
        """);
    assertThatThrownBy(() -> SemanticCatalog.fromLoad(r))
        .isInstanceOf(ModelValidationException.class)
        .satisfies(e -> assertThat(((ModelValidationException) e).errors()).hasSize(2))
        .hasMessageContaining("m.yml:4:14: model 'orders': primary_key 'id'")
        .hasMessageContaining("m.yml:6:14: model 'orders': join to unknown model 'nowhere'");
  }
}
