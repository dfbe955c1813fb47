package io.strata.testkit;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Comparing query answers across databases and layers: every value normalised to one text form
 * (numbers to 6 decimals, timestamps to {@code yyyy-MM-dd HH:mm:ss}, booleans from 0/1 when the
 * member is boolean), rows compared as multisets or in order. Shared by the answer tests of the
 * compiler, the query service and the REST API, so all three judge answers the same way.
 */
public final class Answers {
  public static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private Answers() {}

  /** Runs SQL and normalises each value; {@code types} are the members' types by column, if known. */
  public static List<List<String>> run(Connection c, String sql, List<String> types)
      throws SQLException {
    List<List<String>> rows = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
          row.add(normalise(rs.getObject(i), i <= types.size() ? types.get(i - 1) : null));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  public static String normalise(Object v, String type) {
    if (v == null) {
      return null;
    }
    if (v instanceof Boolean b) {
      return b.toString();
    }
    if ("boolean".equals(type) && v instanceof Number n) {
      return Boolean.toString(n.intValue() != 0);
    }
    if (v instanceof Number n) {
      BigDecimal d = n instanceof BigDecimal bd ? bd : new BigDecimal(n.toString());
      return d.setScale(6, RoundingMode.HALF_UP).toPlainString();
    }
    if (v instanceof java.sql.Timestamp t) {
      return t.toLocalDateTime().format(TS);
    }
    if (v instanceof LocalDateTime t) {
      return t.format(TS);
    }
    if (v instanceof OffsetDateTime t) {
      return t.toLocalDateTime().format(TS);
    }
    if (v instanceof java.sql.Date d) {
      return d.toLocalDate().atStartOfDay().format(TS);
    }
    if (v instanceof LocalDate d) {
      return d.atStartOfDay().format(TS);
    }
    return v.toString();
  }

  /**
   * Null when the answers agree, else what differs. Columns in {@code approximate} (0-based)
   * may differ by up to 25%: HyperLogLog counts.
   */
  public static String compare(List<List<String>> expected, List<List<String>> actual,
      Set<Integer> approximate, boolean ordered) {
    if (expected.size() != actual.size()) {
      return "row counts differ";
    }
    List<List<String>> e = new ArrayList<>(expected);
    List<List<String>> a = new ArrayList<>(actual);
    if (!ordered) {
      e.sort(Answers::compareRows);
      a.sort(Answers::compareRows);
    }
    for (int i = 0; i < e.size(); i++) {
      if (!rowsMatch(e.get(i), a.get(i), approximate)) {
        return (ordered ? "row " + i + " differs (order checked)" : "multisets differ")
            + ": expected " + e.get(i) + " but got " + a.get(i);
      }
    }
    return null;
  }

  static boolean rowsMatch(List<String> e, List<String> a, Set<Integer> approximate) {
    if (e.size() != a.size()) {
      return false;
    }
    for (int i = 0; i < e.size(); i++) {
      String x = e.get(i);
      String y = a.get(i);
      if (x == null ? y == null : x.equals(y)) {
        continue;
      }
      if (x != null && y != null && approximate.contains(i)) {
        BigDecimal bx = new BigDecimal(x);
        BigDecimal by = new BigDecimal(y);
        if (bx.subtract(by).abs().compareTo(bx.abs().multiply(new BigDecimal("0.25"))) <= 0) {
          continue;
        }
      }
      return false;
    }
    return true;
  }

  public static int compareRows(List<String> a, List<String> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      String x = a.get(i);
      String y = b.get(i);
      int c = x == null ? (y == null ? 0 : -1) : y == null ? 1 : x.compareTo(y);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  /** The first 20 rows, for failure messages. */
  public static String show(List<List<String>> rows) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(20, rows.size()); i++) {
      sb.append("  ").append(rows.get(i).stream().map(String::valueOf)
          .collect(Collectors.joining(" | "))).append('\n');
    }
    if (rows.size() > 20) {
      sb.append("  ... ").append(rows.size() - 20).append(" more\n");
    }
    return sb.toString();
  }
}
