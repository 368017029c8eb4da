package io.arbiter.callback;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.support.ArbiterApp;
import io.arbiter.support.TestApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The callback statements reach rows through the indexes on a database in use: many finished tasks whose callbacks
 * were delivered, and many unfinished ones whose callbacks wait.
 */
@ArbiterApp
@DisplayName("The callback statements' plans")
class CallbackPlansTest {

  @ArbiterApp.Inject private static TestApp app;

  @BeforeAll
  static void fillTables() {
    app.sqlTransaction("""
        INSERT INTO tasks (id, tenant_id, type, priority, timeout_ms, max_attempts, attempt_budget, state, attempt,
                           assigned_agent_id, assigned_at, lease_expires_at, finished_at)
        SELECT gen_random_uuid(), 'tenant-' || (i % 20), 'type', 5, 60000, 3, 3,
               (ARRAY['queued', 'running', 'succeeded', 'succeeded', 'dead'])[1 + i % 5],
               CASE WHEN i % 5 > 0 THEN 1 ELSE 0 END,
               CASE WHEN i % 5 > 0 THEN 'agent' END, CASE WHEN i % 5 > 0 THEN now() END,
               CASE WHEN i % 5 = 1 THEN now() + interval '1 minute' END,
               CASE WHEN i % 5 > 1 THEN now() END
        FROM generate_series(1, 20000) AS i""", """
        INSERT INTO task_callbacks (task_id, tenant_id, url, state, attempts, delivered_at)
        SELECT id, tenant_id, 'https://hooks.example.com/x',
               CASE WHEN state IN ('queued', 'running') THEN 'pending' ELSE 'delivered' END,
               CASE WHEN state IN ('queued', 'running') THEN 0 ELSE 1 END,
               CASE WHEN state IN ('queued', 'running') THEN NULL ELSE now() END
        FROM tasks""", "ANALYZE tasks", "ANALYZE task_callbacks");
  }

  @Test
  @DisplayName("the claim of due callbacks walks the partial index of undelivered ones, never a whole table")
  void claimUsesThePartialIndex() {
    String plan = String.join("\n", app.genericPlan(CallbackSql.CLAIM_DUE));
    assertThat(plan).contains("task_callbacks_due").doesNotContain("Seq Scan on tasks")
        .doesNotContain("Seq Scan on task_callbacks");
  }

  @Test
  @DisplayName("recording a try and reading a task's callback go by its key")
  void recordAndReadUseTheKey() {
    assertThat(String.join("\n", app.genericPlan(CallbackSql.RECORD))).contains("task_callbacks_pkey");
    assertThat(String.join("\n", app.genericPlan(CallbackSql.SELECT_ONE))).contains("task_callbacks_pkey");
  }
}
