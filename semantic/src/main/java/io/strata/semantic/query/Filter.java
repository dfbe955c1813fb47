package io.strata.semantic.query;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;

/** A filter: a condition on one member, or a nested {@code and} / {@code or} of filters. */
@JsonDeserialize(using = QueryJson.FilterDeserializer.class)
public sealed interface Filter {

  /** {@code member operator values}; see {@link FilterOperator} for the operators. */
  record Condition(String member, FilterOperator operator, List<String> values) implements Filter {
    public Condition {
      values = values == null ? List.of() : List.copyOf(values);
    }
  }

  record And(List<Filter> filters) implements Filter {
    public And {
      filters = List.copyOf(filters);
    }
  }

  record Or(List<Filter> filters) implements Filter {
    public Or {
      filters = List.copyOf(filters);
    }
  }
}
