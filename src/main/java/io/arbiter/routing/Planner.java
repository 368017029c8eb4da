package io.arbiter.routing;

import io.arbiter.registry.MatchScore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Plans one dispatch: puts the waiting tasks in fair order ({@link #fairOrder}) and gives each, in turn, to the agent
 * its strategy chooses among the capable candidates that still have a free slot, counting each assignment against
 * the agent's capacity as it goes. Pure: no I/O, deterministic for the same input.
 */
public final class Planner {
  private Planner() {}

  /** A planned assignment. */
  public record Assignment(QueuedTask task, Decision decision) {}

  /** The most alternatives a decision records. */
  static final int MAX_ALTERNATIVES = 5;

  public static List<Assignment> plan(List<QueuedTask> waiting, List<Candidate> agents, RoutingStrategy strategy) {
    Map<String, Candidate> byKey = new LinkedHashMap<>();
    agents.forEach(a -> byKey.put(a.tenantId() + "/" + a.agentId(), a));
    List<Assignment> plan = new ArrayList<>();
    for (QueuedTask task : fairOrder(waiting)) {
      List<RoutingStrategy.Scored> capable = new ArrayList<>();
      for (Candidate agent : byKey.values()) {
        if (!agent.tenantId().equals(task.tenantId()) || agent.freeSlots() == 0
            || agent.performance().averageQuality() < task.minQuality()) {
          continue;
        }
        OptionalDouble score = MatchScore.of(agent.capabilities(), agent.currentLoad(), agent.maxConcurrentTasks(),
            agent.performance().averageQuality(), task.need());
        if (score.isPresent()) {
          capable.add(new RoutingStrategy.Scored(agent, score.getAsDouble()));
        }
      }
      if (capable.isEmpty()) {
        continue;
      }
      strategy.choose(task, capable).ifPresent(decision -> {
        plan.add(new Assignment(task, decision));
        String key = task.tenantId() + "/" + decision.agentId();
        byKey.put(key, byKey.get(key).plus(1));
      });
    }
    return plan;
  }

  /**
   * Most urgent first; among equal priority, tenants take turns (each tenant's oldest, then each tenant's second
   * oldest, …), so that one tenant's flood never starves another; then oldest first.
   */
  public static List<QueuedTask> fairOrder(List<QueuedTask> waiting) {
    Map<String, Integer> seen = new HashMap<>();
    Map<QueuedTask, Integer> turn = new HashMap<>();
    waiting.stream()
        .sorted(Comparator.comparingInt(QueuedTask::priority).reversed()
            .thenComparing(QueuedTask::createdAt).thenComparing(QueuedTask::id))
        .forEach(t -> turn.put(t, seen.merge(t.tenantId() + "#" + t.priority(), 1, Integer::sum)));
    return waiting.stream()
        .sorted(Comparator.comparingInt(QueuedTask::priority).reversed()
            .thenComparing(turn::get)
            .thenComparing(QueuedTask::createdAt)
            .thenComparing(QueuedTask::id))
        .toList();
  }

  static List<Decision.Alternative> alternatives(List<RoutingStrategy.Scored> ranked) {
    return ranked.stream().skip(1).limit(MAX_ALTERNATIVES)
        .map(s -> new Decision.Alternative(s.candidate().agentId(), s.score())).toList();
  }
}
