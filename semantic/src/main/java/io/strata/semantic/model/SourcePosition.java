package io.strata.semantic.model;

/**
 * Where something was written: a file and a 1-based line and column. Every validation error
 * and every model element carries one, so a message can point a data team at the exact spot.
 */
public record SourcePosition(String file, int line, int column) {
  public static final SourcePosition UNKNOWN = new SourcePosition("<unknown>", 0, 0);

  /** The position {@code offset} characters further along the same line. */
  public SourcePosition plusColumns(int offset) {
    return new SourcePosition(file, line, column + offset);
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
