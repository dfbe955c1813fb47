package io.strata.semantic.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models and the joins between them, each join usable in both directions. Paths are
 * shortest paths; when two different shortest paths connect the same models the path is
 * ambiguous and is reported, never chosen silently.
 */
public final class JoinGraph {

  /** One step of a path: from a model to the next, with the cardinality seen from {@code from}. */
  public record Edge(String from, String to, Relationship relationship, Join join) {}

  /** The outcome of a path search: the path, or why there is none. */
  public record PathResult(List<Edge> path, String problem) {
    public boolean found() {
      return problem == null;
    }
  }

  private final Map<String, List<Edge>> adjacency = new LinkedHashMap<>();

  public JoinGraph(Iterable<Model> models) {
    for (Model m : models) {
      adjacency.computeIfAbsent(m.name(), k -> new ArrayList<>());
    }
    for (Model m : models) {
      for (Join j : m.joins()) {
        if (!adjacency.containsKey(j.model()) || j.model().equals(m.name())) {
          continue; // unknown target or self join: reported by the validator
        }
        addIfAbsent(new Edge(m.name(), j.model(), j.relationship(), j));
        addIfAbsent(new Edge(j.model(), m.name(), j.relationship().reverse(), j));
      }
    }
  }

  private void addIfAbsent(Edge e) {
    List<Edge> out = adjacency.get(e.from());
    for (Edge existing : out) {
      if (existing.to().equals(e.to())) {
        return; // both models declared the same join; the first declaration wins
      }
    }
    out.add(e);
  }

  public List<Edge> edges(String model) {
    return adjacency.getOrDefault(model, List.of());
  }

  /** The shortest join path from {@code from} to {@code to}. */
  public PathResult path(String from, String to) {
    if (from.equals(to)) {
      return new PathResult(List.of(), null);
    }
    Map<String, Integer> depth = new HashMap<>();
    Map<String, Integer> ways = new HashMap<>();
    Map<String, Edge> via = new HashMap<>();
    Deque<String> queue = new ArrayDeque<>();
    depth.put(from, 0);
    ways.put(from, 1);
    queue.add(from);
    while (!queue.isEmpty()) {
      String cur = queue.poll();
      for (Edge e : edges(cur)) {
        Integer d = depth.get(e.to());
        if (d == null) {
          depth.put(e.to(), depth.get(cur) + 1);
          ways.put(e.to(), ways.get(cur));
          via.put(e.to(), e);
          queue.add(e.to());
        } else if (d == depth.get(cur) + 1) {
          ways.merge(e.to(), ways.get(cur), Integer::sum);
        }
      }
    }
    if (!depth.containsKey(to)) {
      return new PathResult(List.of(), "no join path from '" + from + "' to '" + to + "'");
    }
    if (ways.get(to) > 1) {
      return new PathResult(List.of(), "ambiguous join path from '" + from + "' to '" + to
          + "': " + ways.get(to) + " different paths of length " + depth.get(to));
    }
    List<Edge> path = new ArrayList<>();
    for (String at = to; !at.equals(from); at = via.get(at).from()) {
      path.add(0, via.get(at));
    }
    return new PathResult(path, null);
  }

  /** True when any step of the path repeats rows of the model it starts from. */
  public static boolean fansOut(List<Edge> path) {
    return path.stream().anyMatch(e -> e.relationship().fansOut());
  }

  public Optional<Edge> edge(String from, String to) {
    return edges(from).stream().filter(e -> e.to().equals(to)).findFirst();
  }
}
