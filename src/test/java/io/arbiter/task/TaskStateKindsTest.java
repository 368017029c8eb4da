package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Which states are held, finished and pending, and their names on the wire. */
@DisplayName("Task states: held, finished, pending, and their wire names")
class TaskStateKindsTest {

  @Test
  @DisplayName("only assigned and running are held under a lease")
  void activeStates() {
    assertThat(Arrays.stream(TaskState.values()).filter(TaskState::active))
        .containsExactly(TaskState.ASSIGNED, TaskState.RUNNING);
  }

  @Test
  @DisplayName("succeeded, canceled and dead are finished")
  void finishedStates() {
    assertThat(Arrays.stream(TaskState.values()).filter(TaskState::finished))
        .containsExactly(TaskState.SUCCEEDED, TaskState.CANCELED, TaskState.DEAD);
  }

  @Test
  @DisplayName("scheduled and waiting are pending")
  void pendingStates() {
    assertThat(Arrays.stream(TaskState.values()).filter(TaskState::pending))
        .containsExactly(TaskState.SCHEDULED, TaskState.WAITING);
  }

  @Test
  @DisplayName("every state reads back from its wire name; an unknown name is refused")
  void wireNamesRoundTrip() {
    for (TaskState state : TaskState.values()) {
      assertThat(TaskState.fromWire(state.wire())).isEqualTo(state);
    }
    assertThat(TaskState.fromWire("timed_out")).isEqualTo(TaskState.TIMED_OUT);
    assertThatThrownBy(() -> TaskState.fromWire("paused")).isInstanceOf(IllegalArgumentException.class);
  }
}
