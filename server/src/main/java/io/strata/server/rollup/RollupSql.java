package io.strata.server.rollup;

import java.util.List;
import java.util.stream.Collectors;

/** The few statements a rollup store writes, the same in every dialect Strata supports. */
final class RollupSql {
  private RollupSql() {}

  /** A view over the partitions of one version: their UNION ALL (one partition: itself). */
  static String createView(String view, List<String> tables) {
    return "CREATE VIEW " + view + " AS " + tables.stream()
        .map(t -> "SELECT * FROM " + t).collect(Collectors.joining(" UNION ALL "));
  }
}
