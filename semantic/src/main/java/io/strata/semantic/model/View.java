package io.strata.semantic.model;

import java.util.List;

/**
 * A view: members of several joined models presented as one table to SQL clients. Each column
 * of the view maps to one model member; queries over a view compile like queries over those
 * members.
 */
public record View(String name, String description, List<ViewMember> members, Origin origin) {
  public View {
    members = List.copyOf(members);
  }
}
