package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The lease's answers to an agent's ack, heartbeat and result")
class LeaseRulesTest {

  private static final UUID ID = UUID.fromString("0b7e1c9a-5d2f-4e8a-9c3b-1a2b3c4d5e6f");
  private static final OffsetDateTime LEASE = OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);

  private static TaskRepository.Guarded found(TaskState state, int attempt, String holder, boolean moved) {
    return new TaskRepository.Guarded(state, attempt, holder, moved, LEASE, null, null);
  }

  @Test
  @DisplayName("an ack that moved the task answers the running lease; repeating it answers the same")
  void ackAnswersTheRunningLeaseAndIsIdempotent() {
    JsonObject first = LeaseRules.acked(ID, "coder", 2, found(TaskState.RUNNING, 2, "coder", true));
    assertThat(first).isEqualTo(new JsonObject().put("taskId", ID.toString()).put("attempt", 2).put("state", "running")
        .put("leaseExpiresAt", "2026-01-02T03:04:05Z").put("canceled", false));
    assertThat(LeaseRules.acked(ID, "coder", 2, found(TaskState.RUNNING, 2, "coder", false))).isEqualTo(first);
  }

  @Test
  @DisplayName("an ack of an unknown task is 404")
  void ackOfAnUnknownTaskIsNotFound() {
    assertThatThrownBy(() -> LeaseRules.acked(ID, "coder", 1, null))
        .isInstanceOfSatisfying(ArbiterException.class, e -> assertThat(e.failure()).isEqualTo(Failure.NOT_FOUND));
  }

  @Test
  @DisplayName("a call on another agent's task, on a stale attempt or in the wrong state is a 409 that says which")
  void refusalsNameTheirReason() {
    assertConflict(() -> LeaseRules.acked(ID, "coder", 1, found(TaskState.ASSIGNED, 1, "other", false)),
        "task " + ID + " is not held by agent coder (it is assigned)");
    assertConflict(() -> LeaseRules.acked(ID, "coder", 1, found(TaskState.ASSIGNED, 2, "coder", false)),
        "attempt 1 is stale: task " + ID + " is on attempt 2 (assigned)");
    assertConflict(() -> LeaseRules.acked(ID, "coder", 1, found(TaskState.SUCCEEDED, 1, "coder", false)),
        "cannot acknowledge task " + ID + ": it is succeeded");
    assertConflict(() -> LeaseRules.extended(ID, "coder", 1, found(TaskState.ASSIGNED, 1, "coder", false), true),
        "cannot report progress on task " + ID + ": it is assigned");
    assertConflict(() -> LeaseRules.extended(ID, "coder", 1, found(TaskState.QUEUED, 1, "coder", false), false),
        "cannot extend the lease of task " + ID + ": it is queued");
  }

  @Test
  @DisplayName("a heartbeat extends the lease, and tells the holder of a canceled task to stop")
  void heartbeatExtendsOrReportsCancellation() {
    assertThat(LeaseRules.extended(ID, "coder", 1, found(TaskState.RUNNING, 1, "coder", true), false)
        .getString("leaseExpiresAt")).isEqualTo("2026-01-02T03:04:05Z");
    JsonObject canceled = LeaseRules.extended(ID, "coder", 1, found(TaskState.CANCELED, 1, "coder", false), false);
    assertThat(canceled.getBoolean("canceled")).isTrue();
    assertThat(canceled.getString("state")).isEqualTo("canceled");
    assertThat(canceled.getString("leaseExpiresAt")).isNull();
    assertConflict(() -> LeaseRules.extended(ID, "coder", 1, found(TaskState.CANCELED, 2, "coder", false), false),
        "attempt 1 is stale: task " + ID + " is on attempt 2 (canceled)");
  }

  @Test
  @DisplayName("a recorded result answers the state after it; a repeat answers the attempt's first outcome")
  void resultAnswers() {
    TaskRepository.Guarded moved = new TaskRepository.Guarded(TaskState.RUNNING, 1, "coder", true, null, "queued",
        null);
    assertThat(LeaseRules.recorded(ID, 1, "failed", moved)).isEqualTo(new JsonObject().put("taskId", ID.toString())
        .put("attempt", 1).put("outcome", "failed").put("state", "queued").put("repeated", false));
    TaskRepository.Guarded repeat = found(TaskState.SUCCEEDED, 1, "coder", false);
    assertThat(LeaseRules.repeated(ID, "coder", 1, "succeeded", repeat).getBoolean("repeated")).isTrue();
    assertConflict(() -> LeaseRules.repeated(ID, "coder", 1, null, found(TaskState.QUEUED, 1, "coder", false)),
        "cannot report a result for task " + ID + ": it is queued");
  }

  private static void assertConflict(Runnable call, String message) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(ArbiterException.class, e -> {
      assertThat(e.failure()).isEqualTo(Failure.CONFLICT);
      assertThat(e.getMessage()).isEqualTo(message);
    });
  }
}
