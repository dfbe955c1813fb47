package io.strata.semantic.model;

import java.util.Locale;

/** Time granularities a time dimension can be truncated to. */
public enum Granularity {
  SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR;

  public String lowerName() {
    return name().toLowerCase(Locale.ROOT);
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
