package io.arbiter.task;

import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * How the task addresses read their request bodies and shape the items of a batch answer: pure parsing, each
 * malformed field refused as {@link Failure#BAD_REQUEST} naming it.
 */
final class TaskRequests {
  private TaskRequests() {}

  /** The task a request names, in {@code taskId} or else in {@code id}. */
  static UUID taskId(JsonObject body) {
    String id = body.getString(body.containsKey("taskId") ? "taskId" : "id");
    try {
      return UUID.fromString(id);
    } catch (RuntimeException e) {
      throw Failure.BAD_REQUEST.exception("task id " + id + " is not a UUID");
    }
  }

  /** {@code value} as a UUID, or a refusal naming {@code field} (an item of a batch, say {@code tasks[2].taskId}). */
  static UUID uuid(String value, String field) {
    try {
      return UUID.fromString(value);
    } catch (RuntimeException e) {
      throw Failure.BAD_REQUEST.exception(field + " " + value + " is not a UUID");
    }
  }

  /** The ISO-8601 date-time with an offset in {@code q}'s {@code field}, or null when absent. */
  static OffsetDateTime instant(JsonObject q, String field) {
    String value = q.getString(field);
    if (value == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value);
    } catch (DateTimeParseException e) {
      throw badField(field, "is not an ISO-8601 date-time with an offset");
    }
  }

  /** A refusal of {@code field}, named in the problem's {@code field} member too. */
  static ArbiterException badField(String field, String message) {
    return new ArbiterException(Failure.BAD_REQUEST, "field " + field + ": " + message,
        new JsonObject().put("field", field));
  }

  /** One item of a batch answer: {@code work}'s answer with status 200, or its failure as status and problem. */
  static JsonObject item(UUID id, int attempt, Supplier<JsonObject> work) {
    try {
      return work.get().put("status", 200);
    } catch (RuntimeException e) {
      return problemItem(id, attempt, e);
    }
  }

  /** A failed item of a batch answer: its status and problem; a failure without a code is an internal error. */
  static JsonObject problemItem(UUID id, int attempt, Throwable cause) {
    ArbiterException e = cause instanceof ArbiterException known ? known
        : Failure.INTERNAL.exception("internal error");
    return new JsonObject().put("status", e.failure().httpStatus).put("taskId", id.toString()).put("attempt", attempt)
        .put("problem", e.failure().problem(e.getMessage()));
  }
}
