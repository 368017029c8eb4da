package io.arbiter.policy;

import io.vertx.core.json.JsonObject;

/**
 * What a task asks of its result: the budget ({@code maxFiles}, {@code maxLoc}) and the quality gates
 * ({@code testsPassed}, {@code minCoverage}, {@code minQuality}), each null when the task does not set it.
 */
public record TaskPolicy(Integer maxFiles, Integer maxLoc, Boolean testsPassed, Double minCoverage,
                         Double minQuality) {

  public static final TaskPolicy NONE = new TaskPolicy(null, null, null, null, null);

  /** From the task's {@code budget} and {@code gates} objects (either may be null). */
  public static TaskPolicy from(JsonObject budget, JsonObject gates) {
    JsonObject b = budget == null ? new JsonObject() : budget;
    JsonObject g = gates == null ? new JsonObject() : gates;
    return new TaskPolicy(b.getInteger("maxFiles"), b.getInteger("maxLoc"), g.getBoolean("testsPassed"),
        g.getDouble("minCoverage"), g.getDouble("minQuality"));
  }

  /** True when no rule applies: such a task's results are not checked and get no verdict. */
  public boolean isEmpty() {
    return ResultGates.RULES.stream().noneMatch(rule -> rule.applies(this));
  }
}
