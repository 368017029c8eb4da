package io.arbiter.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.support.ArbiterApp;
import io.arbiter.support.TestApp;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The tasks and routing pools plan each statement once per connection and keep that plan for every call until the
 * table's next {@code ANALYZE} ({@code Database.pool(..., planOnce)}): that one plan must reach rows through the
 * indexes, and tasks by their key through the primary key, whatever the statistics were when it was made (a new
 * database, one in use, one whose tasks are all finished, one whose tasks were all purged).
 */
@ArbiterApp
@DisplayName("The task, routing, audit and policy statements' one plan")
class StatementPlansTest {

  /** Tables that grow with every task: no statement run per task may read them whole. */
  private static final Pattern FULL_SCAN = Pattern.compile("Seq Scan on (tasks|task_results|audit_log|routing_decisions)\\b");

  /**
   * A scan of the whole queue's index (no index condition): every queued task, the plan's stand-in for reading the
   * table whole when {@code enable_seqscan} is off and the statistics say the queue is nearly empty.
   */
  private static final Pattern WHOLE_QUEUE_INDEX = Pattern.compile(
      "(?:Index|Index Only) Scan(?: Backward)? using tasks_queue on tasks\\b[^\\n]*+(?!\\n\\s+Index Cond)");

  /** What a whole statement starts with. */
  private static final Pattern STATEMENT = Pattern.compile("\\s*(SELECT|WITH|INSERT|UPDATE|DELETE)\\b");

  /**
   * Statements that read every unfinished task on purpose (the queue-depth and state gauges), through the states'
   * partial indexes.
   */
  private static final List<String> WHOLE_QUEUE = List.of("QUEUE_DEPTH", "QUEUE_BY_PRIORITY", "STATE_COUNTS");

  /**
   * Tasks found by their key through an index other than the primary key. The tenants' listing index holds the key as
   * its last column (the queue's index did too), so a plan may take it for a lookup by key and tenant, and then reads
   * every task of the tenant for each lookup.
   */
  private static final Pattern BY_KEY_OFF_PRIMARY = Pattern.compile(
      "(?:using|Bitmap Index Scan on) (?!tasks_pkey\\b)tasks_\\w+[^\\n]*\\n\\s*Index Cond: [^\\n]*\\bid = [^\\n]*");

  /** Every problem a plan is checked for. */
  private static final List<Pattern> ANY_PROBLEM = List.of(FULL_SCAN, WHOLE_QUEUE_INDEX, BY_KEY_OFF_PRIMARY);

  /** The statistics of the growing tables, taken again. */
  private static final String ANALYZE = "ANALYZE tasks, audit_log, task_results, routing_decisions";

  @ArbiterApp.Inject private static TestApp app;

  /** The statements checked, by field name. */
  private static Map<String, String> statements;

  /** Their plans on the new database, before any statistics, as a server that starts on it makes them. */
  private static List<String> newDatabasePlans;

  @BeforeAll
  static void fillTables() throws Exception {
    statements = statements();
    newDatabasePlans = app.genericPlans(List.copyOf(statements.values()), planOnce());
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
        FROM tasks WHERE attempt > 0""", ANALYZE);
  }

  @Test
  @DisplayName("no statement of the task, routing, audit or policy domain reads a growing table whole or finds tasks "
      + "by their key through an index other than the primary key")
  void everyStatementUsesTheIndexes() {
    List<String> plans = app.genericPlans(List.copyOf(statements.values()), planOnce());
    assertThat(statements.size()).as("statements checked").isGreaterThan(20);
    assertThat(problems(plans, ANY_PROBLEM)).isEmpty();
  }

  @Test
  @DisplayName("on the new database, before any statistics, no statement reads a growing table whole or finds tasks "
      + "by their key through an index other than the primary key")
  void newDatabaseGivesThePlansOfOneInUse() {
    assertThat(problems(newDatabasePlans, ANY_PROBLEM)).isEmpty();
  }

  @Test
  @DisplayName("when the statistics say the tables are empty (every task purged), no statement reads a growing table "
      + "whole")
  void emptiedTablesAreStillReadThroughIndexes() {
    // Statistics of no rows at all make every index equally cheap, so a lookup by key may still take another index
    // that holds the key here; only reading the tables whole is ruled out. The next ANALYZE, once tasks arrive, plans
    // the statements again.
    List<String> emptied = plansAfter("DELETE FROM task_results", "DELETE FROM routing_decisions", "DELETE FROM tasks");
    assertThat(problems(emptied, List.of(FULL_SCAN, WHOLE_QUEUE_INDEX))).isEmpty();
  }

  @Test
  @DisplayName("when the statistics say only finished tasks are left (a quiet deployment with its history), no "
      + "statement reads a growing table whole or finds tasks by their key through an index other than the primary "
      + "key")
  void finishedTasksOnlyGiveThePlansOfABacklog() {
    List<String> quiet = plansAfter("DELETE FROM tasks WHERE state NOT IN ('succeeded', 'dead')");
    assertThat(problems(quiet, ANY_PROBLEM)).isEmpty();
  }

  /**
   * The statements' plans with the pools' settings after {@code changes} and an {@code ANALYZE}, in a transaction
   * rolled back afterwards; the statistics are taken again after it.
   */
  private static List<String> plansAfter(String... changes) {
    List<String> setup = new ArrayList<>(List.of(planOnce()));
    setup.addAll(List.of(changes));
    setup.add(ANALYZE);
    try {
      return app.genericPlans(List.copyOf(statements.values()), setup.toArray(String[]::new));
    } finally {
      app.sqlTransaction(ANALYZE);
    }
  }

  /** Each plan that shows one of {@code wrong}, named by its statement's field, with the plan. */
  private static List<String> problems(List<String> plans, List<Pattern> wrong) {
    List<String> problems = new ArrayList<>();
    List<String> names = List.copyOf(statements.keySet());
    for (int i = 0; i < plans.size(); i++) {
      for (Pattern pattern : wrong) {
        Matcher found = pattern.matcher(plans.get(i));
        if (found.find()) {
          problems.add(names.get(i) + ": " + found.group() + "\n" + plans.get(i));
        }
      }
    }
    return problems;
  }

  /** The planning settings of the pools that plan once, for the transaction that plans the statements. */
  private static String[] planOnce() {
    return Database.PLAN_ONCE.entrySet().stream().map(e -> "SET LOCAL " + e.getKey() + " = " + e.getValue())
        .toArray(String[]::new);
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

  /**
   * The statements of the SQL classes of the domains whose statements run per task or per seal (package-private, so
   * found by name), without the fragments they are built from and the whole-queue gauges.
   */
  private static Map<String, String> statements() throws ReflectiveOperationException {
    Map<String, String> statements = new LinkedHashMap<>();
    for (String sql : List.of("io.arbiter.task.TaskSql", "io.arbiter.routing.RoutingSql", "io.arbiter.audit.AuditSql",
        "io.arbiter.policy.PolicySql")) {
      for (Field field : Class.forName(sql).getDeclaredFields()) {
        if (!Modifier.isStatic(field.getModifiers()) || field.getType() != String.class
            || Modifier.isPrivate(field.getModifiers()) || WHOLE_QUEUE.contains(field.getName())) {
          continue;
        }
        field.setAccessible(true);
        String statement = (String) field.get(null);
        if (STATEMENT.matcher(statement).lookingAt()) { // not a fragment other statements are built from
          statements.put(sql.substring(sql.lastIndexOf('.') + 1) + "." + field.getName(), statement);
        }
      }
    }
    return statements;
  }
}
