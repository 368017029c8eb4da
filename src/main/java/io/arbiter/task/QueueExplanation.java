package io.arbiter.task;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Why a queued task has not been assigned: either no registered agent of its tenant takes its type (it is
 * unroutable), or, for each agent that does, what holds it back, in the order the dispatcher checks: its status
 * (offline, draining), whether it takes what it is sent (consuming), its free slots, the task's {@code minQuality}
 * against the agent's average quality; an agent that passes all of them is free and able, and only loses on order
 * (tasks ahead of this one) or score to the agents chosen for them. Pure: the agents as the registry holds them now.
 */
public final class QueueExplanation {
  private QueueExplanation() {}

  /** A registered agent that takes the task's type, as the registry holds it. */
  public record Agent(String id, String status, boolean consuming, int currentLoad, int maxConcurrentTasks,
                      double averageQuality, List<String> languages, List<String> specializations) {}

  /** What the task asks of an agent beyond its type. */
  public record Need(String type, List<String> languages, List<String> specializations, double minQuality) {
    static Need of(JsonObject task) {
      JsonObject requirements = task.getJsonObject("requirements", new JsonObject());
      return new Need(task.getString("type"), strings(requirements.getJsonArray("languages")),
          strings(requirements.getJsonArray("specializations")), requirements.getDouble("minQuality", 0.0));
    }
  }

  /** The explanation: {@code {reason, unroutable?, agents: [{agentId, status, reason}]}}. */
  public static JsonObject explain(Need need, String unroutable, List<Agent> agents) {
    JsonArray held = new JsonArray();
    int able = 0;
    for (Agent agent : agents) {
      String why = holdsBack(need, agent);
      if (why.startsWith("free and able")) {
        able++;
      }
      held.add(new JsonObject().put("agentId", agent.id()).put("status", agent.status()).put("reason", why));
    }
    String reason;
    if (agents.isEmpty()) {
      reason = unroutable != null ? unroutable : "no registered agent of the tenant takes task type " + need.type();
    } else if (able == 0) {
      reason = "none of the " + agents.size() + " agent(s) that take task type " + need.type() + " can take it now";
    } else {
      reason = able + " agent(s) are free and able: the next dispatch may assign it, after the tasks ahead of it";
    }
    JsonObject out = new JsonObject().put("reason", reason).put("agents", held);
    if (unroutable != null) {
      out.put("unroutable", unroutable);
    }
    return out;
  }

  static String holdsBack(Need need, Agent agent) {
    if ("offline".equals(agent.status())) {
      return "offline";
    }
    if ("draining".equals(agent.status())) {
      return "draining: takes no new work";
    }
    if (!agent.consuming()) {
      return "not consuming: its deliveries are not being taken";
    }
    if (agent.currentLoad() >= agent.maxConcurrentTasks()) {
      return "full: " + agent.currentLoad() + " of " + agent.maxConcurrentTasks() + " slots in use";
    }
    if (agent.averageQuality() < need.minQuality()) {
      return "over a limit: its average quality " + agent.averageQuality() + " is below the task's minQuality "
          + need.minQuality();
    }
    List<String> missing = need.languages().stream().filter(l -> !agent.languages().contains(l)).toList();
    List<String> lacking = need.specializations().stream().filter(s -> !agent.specializations().contains(s)).toList();
    if (!missing.isEmpty() || !lacking.isEmpty()) {
      return "free and able, with a lower score: lacks " + String.join(", ",
          java.util.stream.Stream.concat(missing.stream().map(l -> "language " + l),
              lacking.stream().map(s -> "specialization " + s)).toList());
    }
    return "free and able: tasks ahead of this one, or agents with a higher score for them, go first";
  }

  private static List<String> strings(JsonArray array) {
    return array == null ? List.of() : array.stream().map(String::valueOf).toList();
  }
}
