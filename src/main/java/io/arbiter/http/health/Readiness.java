package io.arbiter.http.health;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;

/**
 * The answer of {@code /health/ready}: UP (200), degraded (200: a breaker is open or the outage journal holds items,
 * and the journal still has room) or DOWN (503).
 */
record Readiness(String status, long buffered, long journalCapacity, CheckResult checks) {

  static Readiness of(CheckResult result) {
    long buffered = 0;
    long capacity = 0;
    boolean tasksAnswered = false;
    if (result.getChecks() != null) {
      for (CheckResult check : result.getChecks()) {
        JsonObject data = check.getData();
        if ("tasks".equals(check.getId()) && data != null && data.containsKey("buffered")) {
          tasksAnswered = true;
          buffered = data.getLong("buffered");
          capacity = data.getLong("journalCapacity", 0L);
        }
      }
    }
    if (CheckResult.isUp(result) && buffered == 0) {
      return new Readiness("UP", buffered, capacity, result);
    }
    boolean journalHasRoom = tasksAnswered && buffered < capacity;
    return new Readiness(journalHasRoom ? "degraded" : "DOWN", buffered, capacity, result);
  }

  int httpStatus() {
    return "DOWN".equals(status) ? 503 : 200;
  }

  JsonObject toJson() {
    return checks.toJson().put("status", status).put("outcome", status).put("buffered", buffered)
        .put("journalCapacity", journalCapacity);
  }
}
