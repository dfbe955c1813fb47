package io.strata.semantic.model;

import java.util.Locale;

/** Time granularities a time dimension can be truncated to. */
public enum Granularity {
  SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR;

  public String lowerName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * True when every period of {@code coarser} is a whole number of periods of this one, so rows
   * at this grain can be grouped into it: a day rolls up to a month, a week does not (weeks
   * cross month, quarter and year boundaries). Every granularity rolls up to itself.
   */
  public boolean rollsUpTo(Granularity coarser) {
    if (coarser.ordinal() < ordinal()) {
      return false;
    }
    return this != WEEK || coarser == WEEK;
  }

  /** Parses a granularity name, case-insensitively; null when it is not one. */
  public static Granularity parse(String text) {
    if (text == null) {
      return null;
    }
    for (Granularity g : values()) {
      if (g.name().equalsIgnoreCase(text.trim())) {
        return g;
      }
    }
    return null;
  }
}
