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
   * {@code name AS (UPDATE agents ...)}: the agent {@code agent} of {@code tenant} claims work. A claim shows the
   * agent is alive: it refreshes {@code last_heartbeat_at} when that is older than {@code refreshMs}, so an agent that
   * keeps polling does not go offline (bringing an offline agent back still takes an explicit heartbeat). A claim of
   * the agent's own ({@code selfClaim}, a non-null boolean expression) makes it a consuming claim agent; any other
   * claim (the bridge's for a connected agent, a result's next work) leaves its delivery channel as it is.
   */
  public static String claimed(String name, String tenant, String agent, String refreshMs, String selfClaim) {
    return """
        %1$s AS (
          UPDATE agents SET
            last_heartbeat_at = CASE WHEN last_heartbeat_at < now() - %4$s * interval '1 millisecond' THEN now()
                                     ELSE last_heartbeat_at END,
            delivery = CASE WHEN %5$s THEN 'claim' ELSE delivery END,
            consuming = consuming OR %5$s,
            consuming_changed_at = CASE WHEN %5$s AND NOT consuming THEN now() ELSE consuming_changed_at END
          WHERE tenant_id = %2$s AND id = %3$s AND (last_heartbeat_at < now() - %4$s * interval '1 millisecond'
            OR (%5$s AND (delivery <> 'claim' OR NOT consuming)))
        )""".formatted(name, tenant, agent, refreshMs, selfClaim);
  }
}
