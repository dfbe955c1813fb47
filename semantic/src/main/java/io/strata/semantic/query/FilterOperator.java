package io.strata.semantic.query;

/** Filter operators, named as in Cube's query format. */
public enum FilterOperator {
  EQUALS("equals"), NOT_EQUALS("notEquals"), CONTAINS("contains"), NOT_CONTAINS("notContains"),
  STARTS_WITH("startsWith"), ENDS_WITH("endsWith"), GT("gt"), GTE("gte"), LT("lt"), LTE("lte"),
  SET("set"), NOT_SET("notSet"), IN_DATE_RANGE("inDateRange"),
  NOT_IN_DATE_RANGE("notInDateRange"), BEFORE_DATE("beforeDate"), AFTER_DATE("afterDate");

  private final String jsonName;

  FilterOperator(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }

  public static FilterOperator fromJson(String name) {
    for (FilterOperator op : values()) {
      if (op.jsonName.equals(name)) {
        return op;
      }
    }
    return null;
  }
}
