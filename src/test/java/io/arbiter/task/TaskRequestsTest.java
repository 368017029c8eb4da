package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("How the task addresses read request bodies and shape batch items")
class TaskRequestsTest {

  private static final UUID ID = UUID.fromString("0b7e1c9a-5d2f-4e8a-9c3b-1a2b3c4d5e6f");

  private static void assertBadRequest(Runnable parse, String message, String field) {
    assertThatThrownBy(parse::run).isInstanceOfSatisfying(ArbiterException.class, e -> {
      assertThat(e.failure()).isEqualTo(Failure.BAD_REQUEST);
      assertThat(e.getMessage()).isEqualTo(message);
      if (field != null) {
        assertThat(e.extra()).isEqualTo(new JsonObject().put("field", field));
      }
    });
  }

  @Test
  @DisplayName("a task id is read from taskId, else from id, and must be a UUID")
  void taskIdFromEitherField() {
    assertThat(TaskRequests.taskId(new JsonObject().put("taskId", ID.toString()).put("id", "other"))).isEqualTo(ID);
    assertThat(TaskRequests.taskId(new JsonObject().put("id", ID.toString()))).isEqualTo(ID);
    assertBadRequest(() -> TaskRequests.taskId(new JsonObject().put("id", "nope")), "task id nope is not a UUID", null);
    assertBadRequest(() -> TaskRequests.taskId(new JsonObject()), "task id null is not a UUID", null);
  }

  @Test
  @DisplayName("a batch item's UUID is refused naming the item's field")
  void uuidNamesTheField() {
    assertThat(TaskRequests.uuid(ID.toString(), "tasks[0].taskId")).isEqualTo(ID);
    assertBadRequest(() -> TaskRequests.uuid("x", "tasks[3].taskId"), "tasks[3].taskId x is not a UUID", null);
  }

  @Test
  @DisplayName("a date-time needs its offset; an absent one is null")
  void instantNeedsAnOffset() {
    assertThat(TaskRequests.instant(new JsonObject().put("from", "2026-12-07T10:00:00+01:00"), "from"))
        .isEqualTo(OffsetDateTime.parse("2026-12-07T10:00:00+01:00"));
    assertThat(TaskRequests.instant(new JsonObject(), "from")).isNull();
    assertBadRequest(() -> TaskRequests.instant(new JsonObject().put("to", "2026-12-07T10:00:00"), "to"),
        "field to: is not an ISO-8601 date-time with an offset", "to");
  }

  @Test
  @DisplayName("a batch item is its answer with status 200, or its failure's status and problem")
  void batchItems() {
    assertThat(TaskRequests.item(ID, 2, () -> new JsonObject().put("state", "running")))
        .isEqualTo(new JsonObject().put("state", "running").put("status", 200));
    JsonObject conflict = TaskRequests.item(ID, 2, () -> {
      throw Failure.CONFLICT.exception("held by another agent");
    });
    assertThat(conflict.getInteger("status")).isEqualTo(Failure.CONFLICT.httpStatus);
    assertThat(conflict.getString("taskId")).isEqualTo(ID.toString());
    assertThat(conflict.getInteger("attempt")).isEqualTo(2);
    assertThat(conflict.getJsonObject("problem")).isEqualTo(Failure.CONFLICT.problem("held by another agent"));
  }

  @Test
  @DisplayName("a failure without a code becomes an internal error that says nothing of its cause")
  void unknownFailuresSayNothing() {
    JsonObject item = TaskRequests.problemItem(ID, 1, new IllegalStateException("secret detail"));
    assertThat(item.getInteger("status")).isEqualTo(Failure.INTERNAL.httpStatus);
    assertThat(item.getJsonObject("problem").getString("detail")).isEqualTo("internal error");
  }
}
