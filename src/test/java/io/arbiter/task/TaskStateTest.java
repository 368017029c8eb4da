package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The task state table")
public class TaskStateTest {

  /** A state condition of a WHERE clause: {@code [alias.]state = 'x'} or {@code [alias.]state IN ('x', 'y')}. */
  private static final Pattern STATE_CONDITION =
      Pattern.compile("(?:WHERE|AND)\\s+((?:\\w+\\.)?state\\s+(?:=\\s*'\\w+'|IN\\s*\\([^)]*\\)))");

  /** Every state condition in the WHERE clauses of {@code sql}, as written. */
  public static List<String> stateConditions(String sql) {
    List<String> found = new ArrayList<>();
    Matcher m = STATE_CONDITION.matcher(sql);
    while (m.find()) {
      found.add(m.group(1).replaceAll("\\s+", " "));
    }
    return found;
  }

  /**
   * Asserts that every state condition of {@code sql} is {@link TaskState#guard} for {@code target}, from
   * {@code sources} when the statement makes only some of the table's moves into it.
   */
  public static void assertGuardsOn(String name, String sql, TaskState target, TaskState... sources) {
    List<String> conditions = stateConditions(sql);
    assertThat(conditions).as("%s guards on a state", name).isNotEmpty();
    for (String condition : conditions) {
      String column = condition.substring(0, condition.indexOf(' '));
      assertThat(condition).as("%s guards with the table's sources of %s", name, target)
          .isEqualTo(sources.length == 0 ? TaskState.guard(column, target) : TaskState.guard(column, target, sources));
    }
  }

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
    assertThat(TaskState.SCHEDULED.canMoveTo(TaskState.QUEUED)).as("due").isTrue();
    assertThat(TaskState.SCHEDULED.canMoveTo(TaskState.CANCELED)).isTrue();
    assertThat(TaskState.WAITING.canMoveTo(TaskState.QUEUED)).as("parents ended").isTrue();
    assertThat(TaskState.WAITING.canMoveTo(TaskState.SCHEDULED)).as("parents ended, not yet due").isTrue();
    assertThat(TaskState.WAITING.canMoveTo(TaskState.CANCELED)).as("a parent ended badly").isTrue();
    assertThat(TaskState.QUEUED.canMoveTo(TaskState.TIMED_OUT)).as("queue time-out").isTrue();

    assertThat(TaskState.QUEUED.canMoveTo(TaskState.RUNNING)).as("no start without an assignment").isFalse();
    assertThat(TaskState.SUCCEEDED.canMoveTo(TaskState.QUEUED)).as("success is final").isFalse();
    assertThat(TaskState.CANCELED.canMoveTo(TaskState.QUEUED)).as("cancel is final").isFalse();
    assertThat(TaskState.QUEUED.canMoveTo(TaskState.QUEUED)).isFalse();
    assertThat(TaskState.SCHEDULED.canMoveTo(TaskState.ASSIGNED)).as("not before its time").isFalse();
    assertThat(TaskState.WAITING.canMoveTo(TaskState.ASSIGNED)).as("not before its parents").isFalse();
    assertThat(TaskState.QUEUED.canMoveTo(TaskState.SCHEDULED)).isFalse();
    for (TaskState state : TaskState.values()) {
      assertThat(state.canMoveTo(state)).as("%s does not move to itself", state).isFalse();
    }
  }

  @Test
  @DisplayName("SQL guards read their source states from the table")
  void sourcesOfTarget() {
    assertThat(TaskState.sourcesOf(TaskState.CANCELED))
        .containsExactlyInAnyOrder("scheduled", "waiting", "queued", "assigned", "running");
    assertThat(TaskState.sourcesOf(TaskState.RUNNING)).containsExactly("assigned");
    assertThat(TaskState.sourcesOf(TaskState.QUEUED))
        .containsExactlyInAnyOrder("scheduled", "waiting", "failed", "timed_out", "dead");
    assertThat(TaskState.sourcesOf(TaskState.SCHEDULED)).containsExactly("waiting");
  }

  @Test
  @DisplayName("guards name only stored states: failed and timed out pass within the statement that enters them")
  void storedSources() {
    assertThat(TaskState.storedSourcesOf(TaskState.QUEUED)).as("due, released, or an operator's requeue")
        .containsExactly("scheduled", "waiting", "dead");
    assertThat(TaskState.storedSourcesOf(TaskState.SUCCEEDED)).containsExactly("assigned", "running");
    assertThat(TaskState.storedSourcesOf(TaskState.FAILED)).containsExactly(TaskState.storedSourcesOf(TaskState.SUCCEEDED));
    assertThat(TaskState.storedSourcesOf(TaskState.TIMED_OUT)).containsExactly("queued", "assigned", "running");
    assertThat(TaskState.guard("t0.state", TaskState.RUNNING)).isEqualTo("t0.state = 'assigned'");
    assertThat(TaskState.guard("state", TaskState.CANCELED))
        .isEqualTo("state IN ('scheduled', 'waiting', 'queued', 'assigned', 'running')");
    assertThat(TaskState.guard("t0.state", TaskState.QUEUED, TaskState.DEAD)).isEqualTo("t0.state = 'dead'");
    assertThatThrownBy(() -> TaskState.guard("state", TaskState.QUEUED, TaskState.RUNNING))
        .as("a move the table does not have").isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TaskState.guard("state", TaskState.DEAD, TaskState.TIMED_OUT))
        .as("a passing state is never stored").isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("every task statement that moves a task guards with the table's sources of its target")
  void statementsGuardFromTheTable() {
    Map<String, Object[]> statements = Map.of(
        "CLAIM", new Object[] {TaskSql.CLAIM, TaskState.RUNNING},
        "CLAIM_RUNNING", new Object[] {TaskSql.CLAIM_RUNNING, TaskState.RUNNING},
        "ACK", new Object[] {TaskSql.ACK, TaskState.RUNNING},
        "RESULT", new Object[] {TaskSql.RESULT, TaskState.SUCCEEDED});
    statements.forEach((name, s) -> assertGuardsOn(name, (String) s[0], (TaskState) s[1]));
    assertGuardsOn("REQUEUE", TaskSql.REQUEUE, TaskState.QUEUED, TaskState.DEAD);
    assertGuardsOn("REQUEUE_DEAD", TaskSql.REQUEUE_DEAD, TaskState.QUEUED, TaskState.DEAD);
    assertGuardsOn("RESCUE", TaskSql.RESCUE, TaskState.TIMED_OUT, TaskState.ASSIGNED, TaskState.RUNNING);
    assertGuardsOn("PROMOTE_DUE", TaskSql.PROMOTE_DUE, TaskState.QUEUED, TaskState.SCHEDULED);
    assertGuardsOn("QUEUE_TIMEOUTS", TaskSql.QUEUE_TIMEOUTS, TaskState.TIMED_OUT, TaskState.QUEUED);
    assertThat(stateConditions(TaskSql.SETTLE)).as("SETTLE guards on waiting; parents' end states are no guard")
        .contains(TaskState.guard("t.state", TaskState.QUEUED, TaskState.WAITING));
    assertThat(stateConditions("SELECT 1 FROM tasks t WHERE t.id = $1 AND t.state IN ('queued', 'dead')"))
        .as("the check finds a hand-written guard").containsExactly("t.state IN ('queued', 'dead')");
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
