package io.arbiter.routing;

/**
 * How the outcome fold (a task statement) teaches the learning router: a CTE fragment over {@code routing_arms}, so
 * that each recorded outcome moves its arm in the same transaction that applies it, exactly once.
 */
public final class ArmsFold {
  private ArmsFold() {}

  /**
   * {@code name AS (INSERT INTO routing_arms ... ON CONFLICT DO UPDATE)}: the arm of each (tenant, task type, agent)
   * among {@code outcomes} ({@code seq, tenant_id, agent_id, task_type, outcome, quality}) takes their rewards
   * ({@link Arm#reward}) in {@code seq} order, each older one weighing {@code discount} (an SQL expression) less than
   * the next, as {@link Arm#updated} would one by one (see {@link Arm#fromEvidence} for the stored form). A new arm
   * starts from the agent's running success rate, read from {@code priors} ({@code tenant_id, id, success_rate}: the
   * agent rows the statement holds locked, which also orders the arm writes after the agent locks).
   */
  public static String cte(String name, String outcomes, String priors, String discount) {
    return """
        %1$s AS (
          INSERT INTO routing_arms AS r (tenant_id, task_type, agent_id, prior_mean, gained, lost, pulls, reward_sum)
          SELECT w.tenant_id, w.task_type, w.agent_id, l.success_rate, sum(w.weight * w.reward),
                 sum(w.weight * (1 - w.reward)), count(*), sum(w.reward)
          FROM (
            SELECT tenant_id, agent_id, task_type,
                   CASE WHEN outcome <> 'succeeded' THEN 0.0 WHEN quality IS NULL THEN 1.0
                        ELSE least(greatest(quality, 0), 1) END AS reward,
                   power(%4$s::float8, count(*) OVER w - row_number() OVER (w ORDER BY seq)) AS weight
            FROM %2$s
            WINDOW w AS (PARTITION BY tenant_id, agent_id, task_type)
          ) w
          JOIN %3$s l ON l.tenant_id = w.tenant_id AND l.id = w.agent_id
          GROUP BY w.tenant_id, w.task_type, w.agent_id, l.success_rate
          ON CONFLICT (tenant_id, task_type, agent_id) DO UPDATE SET
            gained = power(%4$s::float8, EXCLUDED.pulls) * r.gained + EXCLUDED.gained,
            lost = power(%4$s::float8, EXCLUDED.pulls) * r.lost + EXCLUDED.lost,
            pulls = r.pulls + EXCLUDED.pulls, reward_sum = r.reward_sum + EXCLUDED.reward_sum, updated_at = now()
        )""".formatted(name, outcomes, priors, discount);
  }
}
