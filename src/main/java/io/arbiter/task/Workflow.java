package io.arbiter.task;

import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small graph of tasks submitted at once: nodes, each a submission with a client-side {@code key}, and edges by key,
 * {@code {from, to, onFailure?}}, where {@code from} is the parent that must end before {@code to} may run. Pure: it
 * checks the graph (unique keys, edges between known keys, at most {@link Flow#MAX_PARENTS} parents a node, no cycle)
 * and answers each node's parents by key.
 */
public final class Workflow {
  private Workflow() {}

  /** The most nodes one workflow may have. */
  public static final int MAX_NODES = 100;

  /** A workflow's submissions, in the order of its nodes, each with its parents, and their ids by key. */
  public record Plan(List<Submission> batch, JsonObject ids) {}

  /**
   * The workflow of {@code body} ({@code {nodes, edges}}) as submissions: {@code from} reads each node (without its
   * key) as a submission, its fields named with the given prefix ({@code nodes[i].}); each gets its parents' ids.
   */
  static Plan plan(JsonObject body, java.util.function.BiFunction<JsonObject, String, Submission> from) {
    JsonArray nodes = body.getJsonArray("nodes");
    Map<String, List<Parent>> parents = parents(nodes, body.getJsonArray("edges"));
    Map<String, Submission> byKey = new LinkedHashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      JsonObject node = nodes.getJsonObject(i).copy();
      String key = (String) node.remove("key");
      byKey.put(key, from.apply(node, "nodes[" + i + "]."));
    }
    List<Submission> batch = new ArrayList<>(byKey.size());
    JsonObject ids = new JsonObject();
    int i = 0;
    for (Map.Entry<String, Submission> node : byKey.entrySet()) {
      List<Flow.Edge> edges = parents.get(node.getKey()).stream()
          .map(p -> new Flow.Edge(byKey.get(p.key()).id(), p.onFailure())).toList();
      batch.add(node.getValue().withParents(edges, "nodes[" + i++ + "].dependsOn"));
      ids.put(node.getKey(), node.getValue().id().toString());
    }
    return new Plan(batch, ids);
  }

  /** A parent of a node, by key. */
  public record Parent(String key, Flow.OnFailure onFailure) {}

  /**
   * The parents of each node by key, in the order the nodes are given.
   *
   * @throws ArbiterException {@link Failure#BAD_REQUEST} naming the field: a repeated key, an edge to an unknown key,
   *                          a node with too many parents, or a cycle (its keys in order)
   */
  public static Map<String, List<Parent>> parents(JsonArray nodes, JsonArray edges) {
    if (nodes.size() > MAX_NODES) {
      throw invalid("nodes", "has " + nodes.size() + " nodes; the limit is " + MAX_NODES);
    }
    Map<String, List<Parent>> parents = new LinkedHashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      String key = nodes.getJsonObject(i).getString("key");
      if (parents.putIfAbsent(key, new ArrayList<>()) != null) {
        throw invalid("nodes[" + i + "].key", "repeats key " + key);
      }
    }
    JsonArray all = edges == null ? new JsonArray() : edges;
    for (int i = 0; i < all.size(); i++) {
      JsonObject edge = all.getJsonObject(i);
      String from = edge.getString("from");
      String to = edge.getString("to");
      if (!parents.containsKey(from)) {
        throw invalid("edges[" + i + "].from", "names no node: " + from);
      }
      if (!parents.containsKey(to)) {
        throw invalid("edges[" + i + "].to", "names no node: " + to);
      }
      List<Parent> into = parents.get(to);
      if (into.stream().anyMatch(p -> p.key().equals(from))) {
        throw invalid("edges[" + i + "]", "repeats the edge " + from + " -> " + to);
      }
      into.add(new Parent(from, Flow.onFailure(edge.getString("onFailure"), "edges[" + i + "].onFailure")));
      if (into.size() > Flow.MAX_PARENTS) {
        throw invalid("edges[" + i + "].to", "gives " + to + " more than " + Flow.MAX_PARENTS + " parents");
      }
    }
    cycle(parents).ifPresent(keys -> {
      throw invalid("edges", "form a cycle: " + String.join(" -> ", keys));
    });
    return parents;
  }

  /** A cycle of the graph, as its keys in order with the first repeated at the end, if it has one. */
  static Optional<List<String>> cycle(Map<String, List<Parent>> parents) {
    Map<String, Integer> mark = new HashMap<>();
    for (String start : parents.keySet()) {
      if (mark.containsKey(start)) {
        continue;
      }
      List<String> path = new ArrayList<>();
      List<java.util.Iterator<Parent>> stack = new ArrayList<>();
      path.add(start);
      stack.add(parents.get(start).iterator());
      mark.put(start, 1);
      while (!stack.isEmpty()) {
        java.util.Iterator<Parent> next = stack.get(stack.size() - 1);
        if (!next.hasNext()) {
          mark.put(path.remove(path.size() - 1), 2);
          stack.remove(stack.size() - 1);
          continue;
        }
        String parent = next.next().key();
        Integer seen = mark.get(parent);
        if (seen == null) {
          mark.put(parent, 1);
          path.add(parent);
          stack.add(parents.get(parent).iterator());
        } else if (seen == 1) {
          List<String> cycle = new ArrayList<>(path.subList(path.indexOf(parent), path.size()));
          cycle.add(parent);
          java.util.Collections.reverse(cycle);
          return Optional.of(cycle);
        }
      }
    }
    return Optional.empty();
  }

  private static ArbiterException invalid(String field, String message) {
    return new ArbiterException(Failure.BAD_REQUEST, "field " + field + ": " + message,
        new JsonObject().put("field", field));
  }
}
