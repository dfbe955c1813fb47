package io.strata.server.sql;

import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The name patterns metadata requests carry (JDBC's {@code getTables}, Flight SQL's
 * {@code GetTables}): {@code %} any run of characters, {@code _} one character, a backslash
 * escapes the next; everything else is literal. Letters match in either case: Strata's SQL
 * reads unquoted and quoted identifiers without case ({@code ORDERS} is {@code orders}), and
 * stock drivers that believe names are stored in upper case (Avatica's and the Flight SQL JDBC
 * driver's default) send them so, as sqlline's {@code !columns orders} does.
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
    Pattern p = Pattern.compile(re.toString(),
        Pattern.DOTALL | Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    return s -> s != null && p.matcher(s).matches();
  }

  /** A test for a name given exactly (no pattern), matched as {@link #of} matches letters. */
  public static Predicate<String> exact(String name) {
    return s -> s != null && s.equalsIgnoreCase(name);
  }
}
