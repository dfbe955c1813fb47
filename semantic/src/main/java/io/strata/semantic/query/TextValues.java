package io.strata.semantic.query;

/**
 * Which strings a warehouse can hold. Filter values reach the warehouse inside the SQL Strata
 * compiles, so a character no warehouse stores must be refused before: PostgreSQL's text types
 * cannot hold NUL (U+0000) and DuckDB's parser ends a literal at it, and a lone UTF-16 surrogate
 * has no UTF-8 encoding at all. Every other character round-trips through each dialect's string
 * literal (see the dialects' {@code quoteStringLiteral}).
 */
public final class TextValues {
  private TextValues() {}

  /**
   * What in {@code value} no warehouse can hold, as {@code "a NUL character (U+0000) at index
   * 3"}, or null when it is fine (null included).
   */
  public static String unstorable(String value) {
    if (value == null) {
      return null;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == 0) {
        return "a NUL character (U+0000) at index " + i;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++;
          continue;
        }
        return "a lone surrogate (U+" + hex(c) + ") at index " + i;
      }
      if (Character.isLowSurrogate(c)) {
        return "a lone surrogate (U+" + hex(c) + ") at index " + i;
      }
    }
    return null;
  }

  private static String hex(char c) {
    return String.format("%04X", (int) c);
  }
}
