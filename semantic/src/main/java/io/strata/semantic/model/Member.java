package io.strata.semantic.model;

/**
 * A resolved member: the model that owns it, its kind and its definition
 * ({@link Dimension}, {@link Measure}, {@link Segment} or {@link Metric}).
 */
public record Member(Model model, MemberKind kind, String name, Object definition) {
  /** {@code model.member}. */
  public String path() {
    return model.name() + "." + name;
  }

  public Dimension dimension() {
    return (Dimension) definition;
  }

  public Measure measure() {
    return (Measure) definition;
  }

  public Segment segment() {
    return (Segment) definition;
  }

  public Metric metric() {
    return (Metric) definition;
  }

  public Origin origin() {
    return switch (kind) {
      case DIMENSION -> dimension().origin();
      case MEASURE -> measure().origin();
      case SEGMENT -> segment().origin();
      case METRIC -> metric().origin();
    };
  }

  /** Measures and metrics are aggregated; dimensions and segments are not. */
  public boolean aggregated() {
    return kind == MemberKind.MEASURE || kind == MemberKind.METRIC;
  }
}
