package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The task state table")
class TaskStateTest {

  @Test
  @DisplayName("allows the lifecycle's moves and nothing else")
  void allowedMoves() {
    assertThat(TaskState.QUEUED.canMoveTo(TaskState.ASSIGNED)).isTrue();
    assertThat(TaskState.ASSIGNED.canMoveTo(TaskState.RUNNING)).isTrue();
    assertThat(TaskState.RUNNING.canMoveTo(TaskState.SUCCEEDED)).isTrue();
    assertThat(TaskState.RUNNING.canMoveTo(TaskState.TIMED_OUT)).isTrue();
    assertThat(TaskState.FAILED.canMoveTo(TaskState.QUEUED)).isTrue();
    assertThat(TaskState.TIMED_OUT.canMoveTo(TaskState.DEAD)).isTrue();
    assertThat(TaskState.DEAD.canMoveTo(TaskState.QUEUED)).isTrue();

    assertThat(TaskState.QUEUED.canMoveTo(TaskState.RUNNING)).as("no start without an assignment").isFalse();
    assertThat(TaskState.SUCCEEDED.canMoveTo(TaskState.QUEUED)).as("success is final").isFalse();
    assertThat(TaskState.CANCELED.canMoveTo(TaskState.QUEUED)).as("cancel is final").isFalse();
    assertThat(TaskState.QUEUED.canMoveTo(TaskState.QUEUED)).isFalse();
    for (TaskState state : TaskState.values()) {
      assertThat(state.canMoveTo(state)).as("%s does not move to itself", state).isFalse();
    }
  }

  @Test
  @DisplayName("SQL guards read their source states from the table")
  void sourcesOfTarget() {
    assertThat(TaskState.sourcesOf(TaskState.CANCELED)).containsExactlyInAnyOrder("queued", "assigned", "running");
    assertThat(TaskState.sourcesOf(TaskState.RUNNING)).containsExactly("assigned");
    assertThat(TaskState.sourcesOf(TaskState.QUEUED)).containsExactlyInAnyOrder("failed", "timed_out", "dead");
  }

  @Test
  @DisplayName("task ids are time-ordered version 7 UUIDs")
  void idsAreTimeOrdered() {
    long before = System.currentTimeMillis();
    var first = TaskIds.next();
    var second = TaskIds.next();
    long after = System.currentTimeMillis();
    assertThat(first.version()).isEqualTo(7);
    assertThat(first.variant()).isEqualTo(2);
    long firstMillis = first.getMostSignificantBits() >>> 16;
    assertThat(firstMillis).isBetween(before, after);
    assertThat(second.getMostSignificantBits() >>> 16).isGreaterThanOrEqualTo(firstMillis);
    assertThat(first).isNotEqualTo(second);
  }
}
