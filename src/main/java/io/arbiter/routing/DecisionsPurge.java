package io.arbiter.routing;

/**
 * How the task purges (task statements) remove the routing decisions of the tasks they delete: a CTE fragment over
 * {@code routing_decisions}, so that the decisions go in the same statement as their tasks.
 */
public final class DecisionsPurge {
  private DecisionsPurge() {}

  /** {@code name AS (DELETE FROM routing_decisions …)}: the decisions of each task of {@code purged} ({@code id}). */
  public static String cte(String name, String purged) {
    return "%1$s AS (DELETE FROM routing_decisions d USING %2$s p WHERE d.task_id = p.id)".formatted(name, purged);
  }
}
