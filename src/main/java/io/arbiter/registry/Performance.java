package io.arbiter.registry;

import io.vertx.core.json.JsonObject;

/** Running figures of an agent's results, updated incrementally on every completion. */
public record Performance(double successRate, double averageQuality, double averageLatencyMs, long taskCount) {
  public JsonObject toJson() {
    return new JsonObject().put("successRate", successRate).put("averageQuality", averageQuality)
        .put("averageLatencyMs", averageLatencyMs).put("taskCount", taskCount);
  }
}
