package io.strata.semantic.golden;

import java.util.ArrayList;
import java.util.List;

/** A small line-based unified-style diff (LCS), good enough for SQL of a few dozen lines. */
public final class Diff {
  private Diff() {}

  public static String unified(String expected, String actual, String expectedName,
      String actualName) {
    String[] a = expected.split("\n", -1);
    String[] b = actual.split("\n", -1);
    int[][] lcs = new int[a.length + 1][b.length + 1];
    for (int i = a.length - 1; i >= 0; i--) {
      for (int j = b.length - 1; j >= 0; j--) {
        lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1
            : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    List<String> lines = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i].equals(b[j])) {
        lines.add("  " + a[i]);
        i++;
        j++;
      } else if (j < b.length && (i == a.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
        lines.add("+ " + b[j++]);
      } else {
        lines.add("- " + a[i++]);
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append("--- ").append(expectedName).append('\n').append("+++ ").append(actualName)
        .append('\n');
    // print changed lines with 2 lines of context
    boolean[] keep = new boolean[lines.size()];
    for (int k = 0; k < lines.size(); k++) {
      if (!lines.get(k).startsWith("  ")) {
        for (int c = Math.max(0, k - 2); c <= Math.min(lines.size() - 1, k + 2); c++) {
          keep[c] = true;
        }
      }
    }
    boolean gap = false;
    for (int k = 0; k < lines.size(); k++) {
      if (keep[k]) {
        if (gap) {
          sb.append("@@ ... @@\n");
        }
        sb.append(lines.get(k)).append('\n');
        gap = false;
      } else {
        gap = true;
      }
    }
    return sb.toString();
  }
}
