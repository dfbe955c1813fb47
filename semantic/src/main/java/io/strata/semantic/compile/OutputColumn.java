package io.strata.semantic.compile;

import io.strata.semantic.model.MemberKind;

/**
 * One column of a compiled query's result: the member it holds ({@code orders.ordered_at}),
 * the granularity for time dimensions (else null), the SQL alias, the member's kind and its
 * type ({@code string}, {@code number}, {@code boolean}, {@code time}), title and format.
 */
public record OutputColumn(String member, String granularity, String alias, MemberKind kind,
    String type, String title, String format) {
  /** The name clients see: {@code orders.ordered_at.month} for a truncated time dimension. */
  public String name() {
    return granularity == null ? member : member + "." + granularity;
  }
}
