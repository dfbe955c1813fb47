package io.strata.semantic.model;

/** One problem found in a model file: where it is and what is wrong. */
public record ModelError(SourcePosition position, String message) implements Comparable<ModelError> {
  @Override
  public String toString() {
    return position + ": " + message;
  }

  @Override
  public int compareTo(ModelError o) {
    int c = position.file().compareTo(o.position.file());
    if (c == 0) {
      c = Integer.compare(position.line(), o.position.line());
    }
    if (c == 0) {
      c = Integer.compare(position.column(), o.position.column());
    }
    return c != 0 ? c : message.compareTo(o.message);
  }
}
