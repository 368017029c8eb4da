package io.arbiter.registry;

/**
 * How another domain's statement shows that an agent is alive and how it takes its work: CTE fragments over
 * {@code agents}, for the task statements through which an agent claims tasks or keeps a lease. Each argument is an
 * SQL expression of the calling statement (usually a positional parameter); each fragment changes at most the one
 * agent row it names, and only when something changes.
 */
public final class AgentPresence {
  private AgentPresence() {}

  /**
   * {@code name AS (UPDATE agents ...)}: the agent {@code agent} of {@code tenant} was heard from now, when
   * {@code when} (a boolean expression) holds.
   */
  public static String heartbeat(String name, String tenant, String agent, String when) {
    return """
        %s AS (
          UPDATE agents SET last_heartbeat_at = now()
          WHERE tenant_id = %s AND id = %s AND %s
        )""".formatted(name, tenant, agent, when);
  }

  /**
   * {@code name AS (UPDATE agents ...)}: the agents of {@code tenant} in {@code claimants} claim work. {@code claimants}
   * is a relation of the calling statement with one row per agent: {@code agent}, its id, and {@code self}, whether one
   * of its claims is the agent's own. A claim shows the agent is alive: it refreshes {@code last_heartbeat_at} when that
   * is older than {@code refreshMs}, so an agent that keeps polling does not go offline (bringing an offline agent back
   * still takes an explicit heartbeat). A claim of the agent's own makes it a consuming claim agent; any other claim
   * (the bridge's for a connected agent, a result's next work) leaves its delivery channel as it is. The rows are
   * locked in id order, so that concurrent claims of several agents cannot deadlock on each other.
   */
  public static String claimed(String name, String tenant, String claimants, String refreshMs) {
    return """
        %1$s AS (
          UPDATE agents a SET
            last_heartbeat_at = CASE WHEN a.last_heartbeat_at < now() - %4$s * interval '1 millisecond' THEN now()
                                     ELSE a.last_heartbeat_at END,
            delivery = CASE WHEN c.self THEN 'claim' ELSE a.delivery END,
            consuming = a.consuming OR c.self,
            consuming_changed_at = CASE WHEN c.self AND NOT a.consuming THEN now() ELSE a.consuming_changed_at END
          FROM (
            SELECT l.id, w.self FROM agents l JOIN %3$s w ON w.agent = l.id
            WHERE l.tenant_id = %2$s AND (l.last_heartbeat_at < now() - %4$s * interval '1 millisecond'
              OR (w.self AND (l.delivery <> 'claim' OR NOT l.consuming)))
            ORDER BY l.id
            FOR UPDATE OF l
          ) c
          WHERE a.tenant_id = %2$s AND a.id = c.id
        )""".formatted(name, tenant, claimants, refreshMs);
  }
}
