package io.arbiter.routing;

import io.arbiter.task.TaskState;
import io.arbiter.task.TaskStateTest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The dispatcher's statements")
class RoutingSqlTest {

  @Test
  @DisplayName("pick and assign tasks only from the states the task table lets move to assigned")
  void assignGuardsFromTheTaskStateTable() {
    TaskStateTest.assertGuardsOn("LOCK_CANDIDATES", RoutingSql.LOCK_CANDIDATES, TaskState.ASSIGNED);
    TaskStateTest.assertGuardsOn("ASSIGN", RoutingSql.ASSIGN, TaskState.ASSIGNED);
  }
}
