package io.arbiter.callback;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A callback claimed for one try: where it goes, which try this is, and what its body reports of the finished task.
 * The body is the same on every try; the task id is the delivery's id, which a receiver dedupes on.
 */
record Due(UUID taskId, String tenantId, String url, int attempts, String state, int taskAttempt, Object result,
           String error, OffsetDateTime finishedAt) {

  /** The value of the {@code Arbiter-Delivery} header: one per callback, the same on every try. */
  String deliveryId() {
    return taskId.toString();
  }

  /** {@code {taskId, tenantId, state, attempt, result, error, finishedAt}}, as JSON bytes. */
  Buffer body() {
    return new JsonObject().put("taskId", taskId.toString()).put("tenantId", tenantId).put("state", state)
        .put("attempt", taskAttempt).put("result", result).put("error", error)
        .put("finishedAt", finishedAt == null ? null : finishedAt.toInstant().toString()).toBuffer();
  }

  static Object json(Object value) {
    return value instanceof JsonObject || value instanceof JsonArray ? value : null;
  }
}
