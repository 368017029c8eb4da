package io.arbiter.task;

import io.arbiter.db.TenantCheck;

/**
 * How the dispatcher (a routing statement) hands tasks to agents: a CTE fragment over {@code tasks}, so that the
 * task's move, the agent's slot and the routing decision commit together. The move is queued → assigned, guarded by
 * {@link TaskState}'s table; the caller writes its transition record ({@link Transitions}) from the returned rows.
 */
public final class Assignments {
  private Assignments() {}

  /**
   * {@code name AS (UPDATE tasks ...)}: each task of {@code grants} (an SQL select yielding {@code task_id, tenant_id,
   * agent_id}, whose task rows the caller holds locked) that may still be assigned goes to its agent for its next
   * attempt, with a fresh lease of {@code ackTimeoutMs} (an SQL expression) to be acknowledged in and its deadline
   * ({@code timeout_ms}) starting now. Returns {@code id, tenant_id, attempt, assigned_agent_id, priority, type} and
   * {@code ready_at}, when the task became ready (submitted, or due after a retry's backoff).
   *
   * <p>The state guard reads the task again by its key ({@code k}) instead of filtering {@code t}: a condition on
   * {@code t.state = 'queued'} lets the planner reach {@code t} through the queue's partial index, and a plan made
   * while the statistics said the queue was nearly empty read every queued task on each call (a hash join over the
   * whole index). {@code t} is then found by its key alone.
   */
  public static String cte(String name, String grants, String ackTimeoutMs) {
    return """
        %s AS (
          UPDATE tasks t SET state = 'assigned', attempt = t.attempt + 1, assigned_agent_id = p.agent_id,
                 assigned_at = now(), delivered_at = NULL, started_at = NULL, error = NULL,
                 lease_expires_at = now() + %s * interval '1 millisecond',
                 deadline_at = now() + t.timeout_ms * interval '1 millisecond',
                 updated_at = now()
          FROM (%s) p
          CROSS JOIN LATERAL (SELECT state FROM tasks k WHERE k.id = p.task_id) k
          WHERE t.id = p.task_id AND %s AND %s
          RETURNING t.id, t.tenant_id, t.attempt, t.assigned_agent_id, t.priority, t.type,
                    greatest(t.created_at, t.run_after) AS ready_at
        )""".formatted(name, ackTimeoutMs, grants, TenantCheck.of("t.tenant_id", "p.tenant_id"),
            TaskState.guard("k.state", TaskState.ASSIGNED));
  }
}
