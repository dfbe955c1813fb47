package io.strata.acceleration.cache;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How one request uses the results cache. REST clients name it with the {@code cache} option
 * (the first name of each constant); SQL clients with {@code SET strata_cache = '...'} or the
 * {@code strata_cache} connection property, where {@code refresh} means {@link #NO_CACHE}.
 */
public enum CacheMode {
  /** The default: a fresh entry is served; a stale one within the grace window is served while
   * one background query refreshes it; otherwise the warehouse answers and the result is stored. */
  ON("on", "default"),
  /** Ask the warehouse and store its answer (also: {@code refresh}). */
  NO_CACHE("no-cache", "refresh"),
  /** Serve only a fresh entry, never a stale one; otherwise ask the warehouse. */
  MUST_REVALIDATE("must-revalidate"),
  /** Serve any stored entry however old, without asking the warehouse; ask it only when there is
   * none. */
  STALE_OK("stale-ok"),
  /** Neither read nor write the cache. */
  BYPASS("bypass", "off");

  private final String[] names;

  CacheMode(String... names) {
    this.names = names;
  }

  /** The name clients use. */
  public String id() {
    return names[0];
  }

  public boolean reads() {
    return this == ON || this == MUST_REVALIDATE || this == STALE_OK;
  }

  public boolean writes() {
    return this != BYPASS;
  }

  /**
   * The mode a client named, case-insensitively.
   *
   * @param where where the value came from, for the error ("the cache option")
   * @throws IllegalArgumentException naming the value, where it came from and the valid names
   */
  public static CacheMode parse(String value, String where) {
    if (value == null || value.isBlank()) {
      return ON;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    for (CacheMode m : values()) {
      for (String n : m.names) {
        if (n.equals(v)) {
          return m;
        }
      }
    }
    throw new IllegalArgumentException(where + " '" + value + "' is not a cache mode; use one of "
        + Arrays.stream(values()).flatMap(m -> Arrays.stream(m.names))
            .collect(Collectors.joining(", ")));
  }
}
