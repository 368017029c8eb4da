package io.arbiter.registry;

/**
 * How another domain's statement changes an agent's load and running figures: CTE fragments over {@code agents}, so
 * that a task's move and the agent slot it takes or frees commit together, as one statement, or not at all. The
 * dispatcher takes slots ({@link #take}); cancels, the outcome fold and the lease rescuer free them.
 *
 * <p>Every fragment that changes a row joins the rows {@link #lock} returned: agent rows are locked in (tenant, id)
 * order, as everywhere, after the statement's task rows, so that concurrent statements cannot deadlock. The relations
 * a caller passes are named in the statement (a CTE or table name); {@code perAgent} relations name the agent by
 * {@code tenant_id} and {@code agent_id}.
 */
public final class AgentSlots {
  private AgentSlots() {}

  /**
   * {@code name AS (SELECT ... FOR UPDATE OF a)}: locks, in (tenant, id) order, the agents {@code rows} names (a
   * relation with {@code tenant_id} and {@code agent_id}), and returns each as the lock found it, its newest committed
   * version: {@code tenant_id, id, current_load, status, max_concurrent_tasks, success_rate, delivery, consuming}. The
   * fragments below read the slot columns from this row ({@link #slotsFreed}), and a caller may read the rest (the
   * fold's learning arms start from {@code success_rate}).
   */
  public static String lock(String name, String rows) {
    return """
        %s AS (
          SELECT a.tenant_id, a.id, a.current_load, a.status, a.max_concurrent_tasks, a.success_rate, a.delivery,
                 a.consuming
          FROM agents a JOIN %s r ON a.tenant_id = r.tenant_id AND a.id = r.agent_id
          ORDER BY a.tenant_id, a.id
          FOR UPDATE OF a
        )""".formatted(name, rows);
  }

  /**
   * {@code name AS (UPDATE agents ...)}: each agent of {@code perAgent} ({@code tenant_id, agent_id, n}), locked in
   * {@code locked} ({@link #lock}), takes {@code n} slots at once, and only if it may take work (available or busy,
   * registered) and all {@code n} fit within {@code max_concurrent_tasks}; it turns busy when full. Returns the agents
   * that got their slots ({@code tenant_id, id}); the others took none.
   *
   * <p>Unlike {@link #slotsFreed}, this reads the target row: its condition bounds the very values it sets, so the row
   * it computes keeps {@code agents_load_within_capacity} whichever version of the agent it was computed from.
   */
  public static String take(String name, String locked, String perAgent) {
    return """
        %s AS (
          UPDATE agents a SET current_load = a.current_load + p.n,
                 status = CASE WHEN a.current_load + p.n >= a.max_concurrent_tasks THEN 'busy' ELSE 'available' END,
                 updated_at = now()
          FROM %s p JOIN %s l ON l.tenant_id = p.tenant_id AND l.id = p.agent_id
          WHERE a.tenant_id = p.tenant_id AND a.id = p.agent_id AND a.status IN ('available', 'busy')
            AND a.deregistered_at IS NULL AND a.current_load + p.n <= a.max_concurrent_tasks
          RETURNING a.tenant_id, a.id
        )""".formatted(name, perAgent, locked);
  }

  /**
   * {@code name AS (UPDATE agents ...)}: each agent locked in {@code locked} ({@link #lock}) gives back {@code n}
   * slots ({@link #slotsFreed}), {@code n} an expression over the locked row {@code l} (a cancel frees {@code 1}).
   */
  public static String release(String name, String locked, String n) {
    return """
        %s AS (
          UPDATE agents a SET %s
          FROM %s l
          WHERE a.tenant_id = l.tenant_id AND a.id = l.id
        )""".formatted(name, slotsFreed(n), locked);
  }

  /**
   * {@code name AS (UPDATE agents ...)}: the outcome fold's change to each agent of {@code perAgent}
   * ({@code tenant_id, agent_id, n} outcomes of which {@code successes} succeeded, {@code rated} reported a quality
   * summing to {@code quality_sum}, and whose latencies sum to {@code latency_sum}), locked in {@code locked}
   * ({@link #lock}): its {@code n} slots are freed ({@link #slotsFreed}) and its running figures move, the baseline
   * counting as one prior observation and every completed attempt as one more.
   */
  public static String foldOutcomes(String name, String locked, String perAgent) {
    return """
        %s AS (
          UPDATE agents a SET %s,
            task_count = a.task_count + f.n,
            success_rate = (a.success_rate * (a.task_count + 1) + f.successes) / (a.task_count + 1 + f.n),
            average_quality = (a.average_quality * (a.task_count + 1) + f.quality_sum) / (a.task_count + 1 + f.rated),
            average_latency_ms = (a.average_latency_ms * (a.task_count + 1) + f.latency_sum) / (a.task_count + 1 + f.n)
          FROM %s f JOIN %s l ON l.tenant_id = f.tenant_id AND l.id = f.agent_id
          WHERE a.tenant_id = f.tenant_id AND a.id = f.agent_id
        )""".formatted(name, slotsFreed("f.n"), perAgent, locked);
  }

  /**
   * {@code name AS (UPDATE agents ...)}: the lease rescuer's change to each agent of {@code perAgent}
   * ({@code tenant_id, agent_id}, {@code n} attempts timed out, {@code unacked} of them pushed and not acknowledged in
   * time), locked in {@code locked} ({@link #lock}): its {@code n} slots are freed ({@link #slotsFreed}), each attempt
   * counts as a failure in its figures, and a push agent that left a delivery unacknowledged stops consuming (the
   * dispatcher gives it no new work until it consumes again). Returns {@code tenant_id, id}, {@code stalled} (it
   * stopped consuming now) and {@code unacked}.
   */
  public static String timeOut(String name, String locked, String perAgent) {
    return """
        %s AS (
          UPDATE agents a SET %s,
            task_count = a.task_count + r.n,
            success_rate = a.success_rate * (a.task_count + 1) / (a.task_count + 1 + r.n),
            consuming = a.consuming AND NOT (a.delivery = 'push' AND r.unacked > 0),
            consuming_changed_at = CASE WHEN a.consuming AND a.delivery = 'push' AND r.unacked > 0 THEN now()
                                        ELSE a.consuming_changed_at END
          FROM %s r JOIN %s l ON l.tenant_id = r.tenant_id AND l.id = r.agent_id
          WHERE a.tenant_id = r.tenant_id AND a.id = r.agent_id
          RETURNING a.tenant_id, a.id, l.consuming AND NOT a.consuming AS stalled, r.unacked
        )""".formatted(name, slotsFreed("r.n"), perAgent, locked);
  }

  /**
   * Releases {@code n} of an agent's slots: a draining agent that empties goes offline. The SET clauses of an
   * {@code UPDATE agents a ... FROM} that joins {@code l}, the same row as {@link #lock} returned it.
   *
   * <p>The new values come from {@code l}, not from {@code a}: PostgreSQL checks {@code agents_load_within_capacity}
   * on the row computed from the statement's snapshot before it finds a newer committed version to recompute from,
   * and a statement that waited on a task's row lock may hold a snapshot older than that task's own assignment (a
   * cancel that waited for the dispatcher's transaction): from {@code a} it would release a slot its snapshot never
   * saw taken, and fail the check. The row lock returns the newest version.
   */
  private static String slotsFreed(String n) {
    return """
        current_load = l.current_load - %1$s,
          status = CASE WHEN l.status = 'draining' AND l.current_load - %1$s = 0 THEN 'offline'
                        WHEN l.status IN ('available', 'busy')
                          THEN CASE WHEN l.current_load - %1$s >= l.max_concurrent_tasks THEN 'busy'
                                    ELSE 'available' END
                        ELSE l.status END,
          updated_at = now()""".formatted(n);
  }
}
