package io.strata.semantic.model;

/** A trailing window of {@code count} units of {@code unit} (day, week or month). */
public record Window(int count, Granularity unit) {
  @Override
  public String toString() {
    return count + " " + unit.lowerName() + (count == 1 ? "" : "s");
  }
}
