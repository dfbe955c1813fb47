package io.strata.server.reports;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * An alert's condition on the one number its query returns.
 *
 * @param op {@code >}, {@code >=}, {@code <}, {@code <=}, {@code ==}, {@code !=},
 *     {@code changed_by_pct} (the value moved by more than {@code value} percent since the
 *     previous run) or {@code is_empty} (no row, or a null)
 */
public record Condition(String op, BigDecimal value) {
  static final java.util.List<String> OPS =
      java.util.List.of(">", ">=", "<", "<=", "==", "!=", "changed_by_pct", "is_empty");

  /**
   * Whether the condition holds for {@code current}, given the previous run's value
   * ({@code changed_by_pct} never holds on a first run or after an empty one).
   */
  public boolean holds(BigDecimal current, BigDecimal previous) {
    if (op.equals("is_empty")) {
      return current == null;
    }
    if (current == null) {
      return false;
    }
    int c = current.compareTo(value == null ? BigDecimal.ZERO : value);
    return switch (op) {
      case ">" -> c > 0;
      case ">=" -> c >= 0;
      case "<" -> c < 0;
      case "<=" -> c <= 0;
      case "==" -> c == 0;
      case "!=" -> c != 0;
      case "changed_by_pct" -> {
        if (previous == null) {
          yield false;
        }
        if (previous.signum() == 0) {
          yield current.signum() != 0;
        }
        BigDecimal pct = current.subtract(previous).abs()
            .multiply(BigDecimal.valueOf(100)).divide(previous.abs(), MathContext.DECIMAL64);
        yield pct.compareTo(value) > 0;
      }
      default -> throw new IllegalStateException("unknown condition " + op);
    };
  }

  public String describe() {
    return switch (op) {
      case "is_empty" -> "is empty";
      case "changed_by_pct" -> "changed by more than " + value.toPlainString() + "%";
      default -> op + " " + value.toPlainString();
    };
  }
}
