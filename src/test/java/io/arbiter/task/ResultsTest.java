package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("What a batch of recorded results sets moving")
class ResultsTest {

  private static final UUID A = UUID.fromString("00000000-0000-7000-8000-00000000000a");
  private static final UUID B = UUID.fromString("00000000-0000-7000-8000-00000000000b");
  private static final UUID C = UUID.fromString("00000000-0000-7000-8000-00000000000c");
  private static final UUID D = UUID.fromString("00000000-0000-7000-8000-00000000000d");

  private static TaskRepository.Guarded guarded(boolean moved, String after) {
    return new TaskRepository.Guarded(TaskState.RUNNING, 1, "coder", moved, null, after, null);
  }

  @Test
  @DisplayName("only the results the statement recorded count as completed attempts, in order")
  void recordedOutcomesSkipRepeatsAndUnknownTasks() {
    List<JsonObject> results = List.of(new JsonObject().put("outcome", "succeeded"),
        new JsonObject().put("outcome", "failed"), new JsonObject().put("outcome", "failed"),
        new JsonObject().put("outcome", "succeeded"));
    List<TaskRepository.Guarded> guarded = Arrays.asList(guarded(true, "succeeded"), guarded(false, null), null,
        guarded(true, "queued"));
    assertThat(Results.recordedOutcomes(results, guarded)).containsExactly("succeeded", "succeeded");
  }

  @Test
  @DisplayName("a task ended by its result is one recorded into a final state; a retry, a repeat or an unknown is not")
  void endedTasksAreRecordedIntoAFinalState() {
    List<TaskRepository.Guarded> guarded = Arrays.asList(guarded(true, "succeeded"), guarded(true, "queued"),
        guarded(false, "dead"), null);
    assertThat(Results.endedTasks(List.of(A, B, C, D), guarded)).containsExactly(A);
    assertThat(Results.endedTasks(List.of(A), List.of(guarded(true, "dead")))).containsExactly(A);
  }

  @Test
  @DisplayName("a result accepted into the outage journal answers buffered, not repeated")
  void bufferedResult() {
    JsonObject item = new JsonObject().put("taskId", A.toString()).put("attempt", 3).put("outcome", "failed")
        .put("result", new JsonObject());
    assertThat(Results.bufferedResult(item)).isEqualTo(new JsonObject().put("taskId", A.toString()).put("attempt", 3)
        .put("outcome", "failed").put("state", "buffered").put("repeated", false).put("buffered", true));
  }
}
