package io.strata.server.sql;

import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The name patterns metadata requests carry (JDBC's {@code getTables}, Flight SQL's
 * {@code GetTables}): {@code %} any run of characters, {@code _} one character, a backslash
 * escapes the next; everything else is literal and matched with case, as names are stored.
 */
public final class SearchPattern {
  private SearchPattern() {}

  /** A test for names; a null pattern matches every name. */
  public static Predicate<String> of(String pattern) {
    if (pattern == null) {
      return s -> true;
    }
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char ch = pattern.charAt(i);
      if (ch == '\\' && i + 1 < pattern.length()) {
        re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (ch == '%') {
        re.append(".*");
      } else if (ch == '_') {
        re.append('.');
      } else {
        re.append(Pattern.quote(String.valueOf(ch)));
      }
    }
    Pattern p = Pattern.compile(re.toString(), Pattern.DOTALL);
    return s -> s != null && p.matcher(s).matches();
  }
}
