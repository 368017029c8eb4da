package io.arbiter.routing;

import io.arbiter.audit.AuditLog;
import io.arbiter.registry.AgentSlots;
import io.arbiter.registry.SpecializationRecord;
import io.arbiter.task.Assignments;
import io.arbiter.task.TaskState;
import io.arbiter.task.Transitions;

/**
 * The dispatcher's SQL. Dispatching is system work across tenants; each statement still keeps every row within its
 * own tenant (a task only ever goes to an agent of its tenant). PostgreSQL, not memory, guarantees the two
 * invariants across nodes: candidate tasks are locked with {@code FOR UPDATE SKIP LOCKED} (no task reaches two
 * agents), and an agent's load only grows through a conditional update within {@code max_concurrent_tasks} (backed by
 * the {@code agents_load_within_capacity} constraint). Agent rows are locked in (tenant, id) order, as everywhere.
 */
final class RoutingSql {
  private RoutingSql() {}

  /** Agents that may take work now: active, not draining, consuming what they are sent, with a free slot; with their
   * specialization records. */
  static final String ROUTABLE_AGENTS = """
      SELECT a.tenant_id, a.id, a.task_types, a.languages, a.specializations, a.max_concurrent_tasks, a.current_load,
             a.success_rate, a.average_quality, a.average_latency_ms, a.task_count,
             """ + SpecializationRecord.RECORDS_OF_AGENT_A + """
       AS records
      FROM agents a
      WHERE a.status IN ('available', 'busy') AND a.deregistered_at IS NULL AND a.consuming
        AND a.current_load < a.max_concurrent_tasks
      """;

  /** $1 tenant ids: {@link #ROUTABLE_AGENTS} of those tenants only. */
  static final String ROUTABLE_AGENTS_OF = ROUTABLE_AGENTS + "  AND a.tenant_id = ANY ($1::text[])\n";

  /** $1 tenant ids, $2 agent ids (parallel arrays): those agents' learned arms, every task type. */
  static final String ARMS = """
      SELECT r.tenant_id, r.task_type, r.agent_id, r.prior_mean, r.gained, r.lost, r.pulls, r.reward_sum
      FROM unnest($1::text[], $2::text[]) AS k(tenant_id, agent_id)
      JOIN routing_arms r ON r.tenant_id = k.tenant_id AND r.agent_id = k.agent_id
      """;

  /** $1 tenant, $2 task type: the tenant's agents that can do the type, with their arm for it if they have one. */
  static final String STATS = """
      SELECT a.id, a.status, a.success_rate, r.prior_mean, r.gained, r.lost, r.pulls, r.reward_sum
      FROM agents a
      LEFT JOIN routing_arms r ON r.tenant_id = a.tenant_id AND r.agent_id = a.id AND r.task_type = $2
      WHERE a.tenant_id = $1 AND a.task_types @> ARRAY[$2::text]
      ORDER BY a.id
      """;

  /**
   * $1 tenant ids, $2 task types, $3 limits (parallel arrays, one entry per tenant and type that has free capacity):
   * for each pair, its most urgent and oldest ready tasks, at most its limit, locked for this transaction and skipped
   * if another dispatcher holds them.
   */
  static final String LOCK_CANDIDATES = """
      SELECT t.id, t.tenant_id, t.type, t.priority, t.created_at, t.requirements
      FROM unnest($1::text[], $2::text[], $3::int[]) AS p(tenant_id, type, lim)
      CROSS JOIN LATERAL (
        SELECT id, tenant_id, type, priority, created_at, requirements
        FROM tasks
        WHERE tenant_id = p.tenant_id AND type = p.type AND run_after <= now() AND
      """
      + TaskState.guard("state", TaskState.ASSIGNED) + """

        ORDER BY priority DESC, created_at
        LIMIT p.lim
        FOR UPDATE SKIP LOCKED
      ) t
      """;

  /**
   * $1 the plan, a JSON array of {task_id, tenant_id, agent_id, strategy, score, confidence, alternatives, rationale,
   * details};
   * $2 the ack timeout in ms. Takes each agent's slots all at once and only within capacity; assigns the tasks of the
   * agents that got them (the caller holds their row locks, so each is still queued), stores each decision, and writes
   * history and audit. Returns the assigned tasks, each with how long it waited since it became ready (submitted, or
   * due after a retry's backoff).
   */
  static final String ASSIGN = """
      WITH plan AS (
        SELECT * FROM jsonb_to_recordset($1::jsonb) AS p(
          task_id uuid, tenant_id text, agent_id text, strategy text, score float8, confidence float8,
          alternatives jsonb, rationale text, details jsonb)
      ),
      per_agent AS (
        SELECT tenant_id, agent_id, count(*)::int AS n FROM plan GROUP BY tenant_id, agent_id
      ),
      """ + AgentSlots.lock("agents_locked", "per_agent") + ",\n"
      + AgentSlots.take("granted", "agents_locked", "per_agent") + ",\n"
      + Assignments.cte("assigned", """
          SELECT p.task_id, p.tenant_id, p.agent_id
          FROM plan p JOIN granted g ON g.tenant_id = p.tenant_id AND g.id = p.agent_id""", "$2") + ",\n" + """
      decisions AS (
        INSERT INTO routing_decisions (task_id, attempt, tenant_id, agent_id, strategy, score, confidence,
                                       alternatives, rationale, details)
        SELECT a.id, a.attempt, a.tenant_id, a.assigned_agent_id, p.strategy, p.score, p.confidence, p.alternatives,
               p.rationale, p.details
        FROM assigned a JOIN plan p ON p.task_id = a.id
      ),
      """ + AuditLog.cte("audited", """
        SELECT a.tenant_id, 'arbiter', 'system', 'task.assigned', 'task:' || a.id, 'success', NULL, NULL, 'dispatcher',
               %s, '{}'::text[]
        FROM assigned a JOIN plan p ON p.task_id = a.id
      """.formatted(Transitions.details("'queued'", "'assigned'", "a.attempt", "a.assigned_agent_id",
          "'routed by ' || p.strategy", "jsonb_build_object('strategy', p.strategy, 'score', p.score)"))) + """
      SELECT id, tenant_id, attempt, assigned_agent_id,
             (extract(epoch FROM clock_timestamp() - ready_at) * 1000)::float8 AS waited_ms
      FROM assigned
      """;
}
