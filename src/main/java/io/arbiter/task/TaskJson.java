package io.arbiter.task;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;

/** The API's JSON views of task rows: the task, a delivery to an agent, a transition, a decision. */
final class TaskJson {
  private TaskJson() {}

  static JsonObject task(Row row) {
    JsonObject json = new JsonObject()
        .put("id", row.getUUID("id").toString())
        .put("tenantId", row.getString("tenant_id"))
        .put("type", row.getString("type"))
        .put("priority", row.getInteger("priority"))
        .put("payload", json(row.getJson("payload")))
        .put("requirements", row.getJson("requirements"))
        .put("budget", row.getJson("budget"))
        .put("gates", row.getJson("gates"))
        .put("timeoutMs", row.getLong("timeout_ms"))
        .put("maxAttempts", row.getInteger("max_attempts"))
        .put("state", row.getString("state"))
        .put("attempt", row.getInteger("attempt"));
    putIfPresent(json, "idempotencyKey", row.getString("idempotency_key"));
    putIfPresent(json, "assignedAgentId", row.getString("assigned_agent_id"));
    putIfPresent(json, "leaseExpiresAt", time(row.getOffsetDateTime("lease_expires_at")));
    putIfPresent(json, "runAfter", time(row.getOffsetDateTime("run_after")));
    putIfPresent(json, "progress", json(row.getJson("progress")));
    putIfPresent(json, "result", json(row.getJson("result")));
    putIfPresent(json, "error", row.getString("error"));
    putIfPresent(json, "createdAt", time(row.getOffsetDateTime("created_at")));
    putIfPresent(json, "updatedAt", time(row.getOffsetDateTime("updated_at")));
    putIfPresent(json, "assignedAt", time(row.getOffsetDateTime("assigned_at")));
    putIfPresent(json, "startedAt", time(row.getOffsetDateTime("started_at")));
    putIfPresent(json, "finishedAt", time(row.getOffsetDateTime("finished_at")));
    putIfPresent(json, "queueTimeoutMs", row.getLong("queue_timeout_ms"));
    putIfPresent(json, "unroutable", row.getString("unroutable"));
    if (row.getColumnIndex("parents") >= 0) {
      putIfPresent(json, "parents", json(row.getJson("parents")));
    }
    return json;
  }

  /** A task just queued, without reading it back. */
  static JsonObject queued(Submission s, OffsetDateTime createdAt) {
    JsonObject json = new JsonObject()
        .put("id", s.id().toString()).put("tenantId", s.ctx().tenantId()).put("type", s.type())
        .put("priority", s.priority()).put("payload", s.payload()).put("requirements", s.requirements())
        .put("budget", s.budget()).put("gates", s.gates())
        .put("timeoutMs", s.timeoutMs()).put("maxAttempts", s.maxAttempts())
        .put("state", s.flow().initialState(createdAt.toInstant()).wire()).put("attempt", 0)
        .put("createdAt", time(createdAt)).put("updatedAt", time(createdAt));
    putIfPresent(json, "idempotencyKey", s.idempotencyKey());
    putIfPresent(json, "runAfter", s.flow().runAt() == null ? null : s.flow().runAt().toString());
    putIfPresent(json, "queueTimeoutMs", s.flow().queueTimeoutMs());
    return json;
  }

  static JsonObject delivery(Row row) {
    String lease = time(row.getOffsetDateTime("lease_expires_at"));
    JsonObject delivery = new JsonObject()
        .put("taskId", row.getUUID("id").toString())
        .put("attempt", row.getInteger("attempt"))
        .put("type", row.getString("type"))
        .put("priority", row.getInteger("priority"))
        .put("payload", json(row.getJson("payload")))
        .put("requirements", row.getJson("requirements"))
        .put("budget", row.getJson("budget"))
        .put("gates", row.getJson("gates"))
        .put("timeoutMs", row.getLong("timeout_ms"))
        .put("leaseExpiresAt", lease)
        .put("ackDeadline", lease);
    if (row.getColumnIndex("parents") >= 0) {
      putIfPresent(delivery, "parents", json(row.getJson("parents")));
    }
    return delivery;
  }

  /** A delivery that is already acknowledged: running under its lease, with no ack deadline. */
  static JsonObject runningDelivery(Row row) {
    JsonObject delivery = delivery(row).put("state", TaskState.RUNNING.wire());
    delivery.remove("ackDeadline");
    return delivery;
  }

  static JsonObject transition(Row row) {
    return new JsonObject()
        .put("from", row.getString("from_state"))
        .put("to", row.getString("to_state"))
        .put("attempt", row.getInteger("attempt"))
        .put("agentId", row.getString("agent_id"))
        .put("reason", row.getString("reason"))
        .put("at", time(row.getOffsetDateTime("at")));
  }

  static JsonObject decision(Row row) {
    return new JsonObject()
        .put("taskId", row.getUUID("task_id").toString())
        .put("attempt", row.getInteger("attempt"))
        .put("agentId", row.getString("agent_id"))
        .put("strategy", row.getString("strategy"))
        .put("score", row.getDouble("score"))
        .put("confidence", row.getDouble("confidence"))
        .put("alternatives", row.getJson("alternatives"))
        .put("rationale", row.getString("rationale"))
        .put("details", row.getJson("details"))
        .put("decidedAt", time(row.getOffsetDateTime("decided_at")));
  }

  static String time(OffsetDateTime at) {
    return at == null ? null : at.toInstant().toString();
  }

  private static Object json(Object value) {
    return value == Tuple.JSON_NULL ? null : value;
  }

  private static void putIfPresent(JsonObject json, String key, Object value) {
    if (value != null) {
      json.put(key, value);
    }
  }
}
