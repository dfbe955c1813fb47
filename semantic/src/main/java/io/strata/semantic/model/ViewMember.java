package io.strata.semantic.model;

/**
 * One entry of a view's member list: {@code model.member} or {@code model.*}, with an optional
 * {@code prefix} (prepended to every column name it yields) or {@code alias} (for a single
 * member). In YAML either a plain string ({@code orders.*}) or a mapping
 * ({@code {member: customers.*, prefix: customer_}}).
 */
public record ViewMember(String member, String prefix, String alias, Origin origin) {
  public boolean wildcard() {
    return member != null && member.endsWith(".*");
  }

  public String model() {
    int dot = member.indexOf('.');
    return dot < 0 ? member : member.substring(0, dot);
  }

  /** The member name after the model, or {@code *}. */
  public String memberName() {
    int dot = member.indexOf('.');
    return dot < 0 ? "" : member.substring(dot + 1);
  }
}
