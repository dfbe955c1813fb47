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

  /** The title clients show: the member's own, else its name made readable. */
  public String title() {
    String title = switch (kind) {
      case DIMENSION -> dimension().title();
      case MEASURE -> measure().title();
      case SEGMENT -> null;
      case METRIC -> metric().title();
    };
    return title != null ? title : humanise(name);
  }

  /** {@code avg_order_value} as "Avg order value". */
  public static String humanise(String name) {
    String s = name.replace('_', ' ');
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** Measures and metrics are aggregated; dimensions and segments are not. */
  public boolean aggregated() {
    return kind == MemberKind.MEASURE || kind == MemberKind.METRIC;
  }
}
