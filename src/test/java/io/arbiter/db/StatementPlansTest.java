package io.arbiter.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.support.ArbiterApp;
import io.arbiter.support.TestApp;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The tasks and routing pools plan each statement once per connection and keep that plan for every call
 * ({@code Database.pool(..., planOnce)}): that one plan must reach rows through the indexes, however many tasks,
 * results and audit records the tables hold.
 */
@ArbiterApp
@DisplayName("The task, routing and audit statements' one plan")
class StatementPlansTest {

  /** Tables that grow with every task: no statement run per task may read them whole. */
  private static final Pattern FULL_SCAN = Pattern.compile("Seq Scan on (tasks|task_results|audit_log|routing_decisions)\\b");

  /** What a whole statement starts with. */
  private static final Pattern STATEMENT = Pattern.compile("\\s*(SELECT|WITH|INSERT|UPDATE|DELETE)\\b");

  /** Statements that read every queued task on purpose (the queue-depth gauges), through the queue's partial index. */
  private static final List<String> WHOLE_QUEUE = List.of("QUEUE_DEPTH", "QUEUE_BY_PRIORITY");

  @ArbiterApp.Inject private static TestApp app;

  @BeforeAll
  static void fillTables() {
    // 20 tenants with 1,000 tasks each in every state, their results, routing decisions and audit records, so that
    // the planner's statistics describe a database in use, not an empty one
    app.sqlTransaction("""
        INSERT INTO tasks (id, tenant_id, type, priority, timeout_ms, max_attempts, attempt_budget, state, attempt,
                           assigned_agent_id, assigned_at, lease_expires_at)
        SELECT gen_random_uuid(), 'tenant-' || (i % 20), 'type-' || (i % 7), (i % 10)::smallint, 60000, 3, 3,
               (ARRAY['queued', 'assigned', 'running', 'succeeded', 'succeeded', 'succeeded', 'dead'])[1 + i % 7],
               CASE WHEN i % 7 > 0 THEN 1 ELSE 0 END,
               CASE WHEN i % 7 > 0 THEN 'agent-' || (i % 40) END,
               CASE WHEN i % 7 > 0 THEN now() END,
               CASE WHEN i % 7 IN (1, 2) THEN now() + interval '1 minute' END
        FROM generate_series(1, 20000) AS i""", """
        INSERT INTO audit_log (tenant_id, actor_sub, actor_role, action, target, outcome, details, tags)
        SELECT tenant_id, 'agent', 'agent', 'task.' || state, 'task:' || id, 'success',
               jsonb_build_object('from', 'queued', 'to', state, 'attempt', attempt), '{}'::text[]
        FROM tasks, generate_series(1, 3)""", """
        INSERT INTO task_results (task_id, attempt, tenant_id, agent_id, outcome)
        SELECT id, attempt, tenant_id, assigned_agent_id, CASE WHEN state = 'dead' THEN 'failed' ELSE 'succeeded' END
        FROM tasks WHERE state IN ('succeeded', 'dead')""", """
        INSERT INTO routing_decisions (task_id, attempt, tenant_id, agent_id, strategy, score, confidence,
                                       alternatives, rationale)
        SELECT id, attempt, tenant_id, assigned_agent_id, 'learning', 0.5, 0.5, '[]'::jsonb, 'planned'
        FROM tasks WHERE attempt > 0""", "ANALYZE tasks", "ANALYZE audit_log", "ANALYZE task_results",
        "ANALYZE routing_decisions");
  }

  @Test
  @DisplayName("no statement of the task, routing or audit domain reads a growing table whole")
  void everyStatementUsesTheIndexes() throws Exception {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (Field field : statements()) {
      if (!Modifier.isStatic(field.getModifiers()) || field.getType() != String.class
          || Modifier.isPrivate(field.getModifiers()) || WHOLE_QUEUE.contains(field.getName())) {
        continue;
      }
      field.setAccessible(true);
      String statement = (String) field.get(null);
      if (!STATEMENT.matcher(statement).lookingAt()) {
        continue; // a fragment other statements are built from, such as a column list
      }
      String plan = String.join("\n", app.genericPlan(statement));
      checked++;
      Matcher scan = FULL_SCAN.matcher(plan);
      if (scan.find()) {
        problems.add(field.getName() + ": " + scan.group() + "\n" + plan);
      }
    }
    assertThat(checked).as("statements checked").isGreaterThan(20);
    assertThat(problems).isEmpty();
  }

  @Test
  @DisplayName("a submission's idempotency keys are found through the keys' unique index, which holds keyed tasks only")
  void idempotencyKeysUseTheirPartialIndex() throws Exception {
    Field byKeys = Class.forName("io.arbiter.task.TaskSql").getDeclaredField("SELECT_BY_KEYS");
    byKeys.setAccessible(true);
    assertThat(String.join("\n", app.genericPlan((String) byKeys.get(null))))
        .contains("tasks_idempotency_key_unique");
    // every version of a task row without a key entered a full index as (tenant, NULL); the partial one takes none
    assertThat(app.sql("""
        SELECT pg_get_expr(i.indpred, i.indrelid) AS predicate, i.indisunique AS is_unique
        FROM pg_index i WHERE i.indexrelid = 'tasks_idempotency_key_unique'::regclass""").iterator().next().toJson())
        .isEqualTo(new io.vertx.core.json.JsonObject().put("predicate", "(idempotency_key IS NOT NULL)")
            .put("is_unique", true));
  }

  /** The fields of the SQL classes of the domains whose statements run per task or per seal (package-private, so found
   * by name). */
  private static List<Field> statements() throws ClassNotFoundException {
    List<Field> fields = new ArrayList<>();
    for (String sql : List.of("io.arbiter.task.TaskSql", "io.arbiter.routing.RoutingSql", "io.arbiter.audit.AuditSql")) {
      fields.addAll(List.of(Class.forName(sql).getDeclaredFields()));
    }
    return fields;
  }
}
