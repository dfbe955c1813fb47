package io.strata.semantic.model;

import java.util.Map;

/**
 * Where a model element and each of its fields were written. {@link #of(String)} gives the
 * position of a field's value, falling back to the element itself when the field is absent.
 */
public record Origin(SourcePosition at, Map<String, SourcePosition> fields) {
  public static final Origin UNKNOWN = new Origin(SourcePosition.UNKNOWN, Map.of());

  public Origin {
    fields = Map.copyOf(fields);
  }

  public static Origin at(SourcePosition at) {
    return new Origin(at, Map.of());
  }

  public SourcePosition of(String field) {
    return fields.getOrDefault(field, at);
  }

  public String file() {
    return at.file();
  }
}
